import Testing
import TestSupport

/// `bpfman version` needs no root (cli.md §1) and prints aligned lines (§2).
@Suite struct VersionTests {
    @Test("version prints the seven rows in order, values aligned in one column, exit 0 without root")
    func version() throws {
        let result = UnprivilegedCLI.run(["version"])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        try #require(lines.last == "" && lines.count == 8, "\(result.stdout)")
        let rows = lines.dropLast().map { line -> (key: String, column: Int) in
            let key = line.prefix { $0 != ":" }
            let value = line.dropFirst(key.count + 1).drop { $0 == " " }
            return (String(key), line.count - value.count)
        }
        #expect(rows.map(\.key) == ["Version", "Git commit", "Git branch", "Git state", "Build date", "Go version", "Platform"])
        #expect(Set(rows.map(\.column)) == ["Git commit: ".count])
        #expect(lines[0] == "Version:    0.1.0-swift")
    }
}

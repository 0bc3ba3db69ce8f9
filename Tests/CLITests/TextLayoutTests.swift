import Foundation
import Testing
import TestSupport

/// The text views people read, checked against the reference's own outputs
/// in `../shared/spec/reference-text-outputs.md`: the same sections, labels,
/// indentation and alignment, line by line; only the values differ.
@Suite(.requiresRoot, .tags(.privileged), .serialized)
struct TextLayoutTests {
    /// The code block under `## <heading>` in the reference outputs.
    static func reference(_ heading: String) throws -> [String] {
        let path = TestEnvironment.repoRoot + "/../shared/spec/reference-text-outputs.md"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let section = try #require(text.components(separatedBy: "## \(heading)\n").dropFirst().first, "no section \(heading)")
        let block = try #require(section.components(separatedBy: "```").dropFirst().first)
        return block.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    /// A line without its value: the indentation, the label and the padding
    /// that aligns the value; numeric sub-section titles (`5289:`) become `N:`.
    static func skeleton(_ line: String) -> String {
        let indent = line.prefix { $0 == " " }
        let body = line.dropFirst(indent.count)
        if let colon = body.firstIndex(of: ":") {
            let label = body[..<colon]
            if label.allSatisfy(\.isNumber) { return indent + "N:" }
            let rest = body[body.index(after: colon)...]
            return indent + label + ":" + rest.prefix { $0 == " " }
        }
        return String(line)
    }

    /// Skeletons with each map's block reduced to its first occurrence's
    /// rows, since the programs compared have different maps.
    static func skeletons(_ lines: [String], keepingMaps: Int) -> [String] {
        var result: [String] = []
        var maps = 0
        var inMap = false
        for line in lines.map(skeleton) {
            if line == "      N:" && result.contains("    Maps:") {
                maps += 1
                inMap = true
                if maps > keepingMaps { continue }
            } else if !line.hasPrefix("        ") {
                inMap = false
            }
            if inMap && maps > keepingMaps { continue }
            result.append(line)
        }
        return result
    }

    @Test("program load and get text follow the reference's layout")
    func programText() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let load = bpfman.bpfman(["program", "load", "file", "build/bpf/uprobe_counter.bpf.o", "--programs", "uprobe:uprobe_counter",
                                  "-m", "owner=e2e"])
        #expect(load.status == 0, "\(load.stderr)")
        let loaded = load.stdout.split(separator: "\n").map(String.init)
        // Our object's second map (.rodata, unpinned) has no Pin row; the
        // reference's example program has one map: compare the first.
        #expect(Self.skeletons(loaded, keepingMaps: 1) == Self.skeletons(try Self.reference("program load file (text)"), keepingMaps: 1))
        #expect(loaded.contains("    Path:           build/bpf/uprobe_counter.bpf.o"))
        #expect(loaded.contains { $0.hasPrefix("    Memory:          ") && $0.hasSuffix(" bytes") })
        let id = try #require(loaded.first?.split(separator: " ").last.map(String.init))

        let get = bpfman.bpfman(["program", "get", id])
        let lines = get.stdout.split(separator: "\n").map(String.init)
        let pinned = lines.firstIndex { $0.hasPrefix("        Pin:") }
        #expect(pinned != nil, "the pinned map shows its pin:\n\(get.stdout)")
        #expect(Self.skeletons(lines, keepingMaps: 1).filter { !$0.hasPrefix("        ") }
                == Self.skeletons(try Self.reference("program get (text)"), keepingMaps: 1).filter { !$0.hasPrefix("        ") })
        #expect(lines.suffix(3) == ["  Stats:", "    Run Count: 0", "    Runtime:   0s"])
    }

    @Test("link attach and link get text follow the reference's layout")
    func linkText() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let id = try bpfman.load("uprobe_counter", "uprobe:uprobe_counter")
        let attach = bpfman.bpfman(["link", "attach", "uprobe", String(id), "/lib/x86_64-linux-gnu/libc.so.6", "-f", "malloc", "-m", "owner=cmp"])
        #expect(attach.status == 0, "\(attach.stderr)")
        let attached = attach.stdout.split(separator: "\n").map(String.init)
        #expect(attached.map(Self.skeleton) == (try Self.reference("link attach uprobe (text)")).map(Self.skeleton))
        #expect(attached.contains("    Target Function: malloc") && attached.contains("    Attach Type:     uprobe"))
        let link = try #require(attached.first?.split(separator: " ").last.map(String.init))
        let get = bpfman.bpfman(["link", "get", link]).stdout.split(separator: "\n").map(String.init)
        #expect(get.map(Self.skeleton) == (try Self.reference("link get (text)")).map(Self.skeleton))
        #expect(get.contains("    BPF Function:    uprobe_counter"))
    }
}

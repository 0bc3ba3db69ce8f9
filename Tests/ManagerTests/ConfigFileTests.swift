import Foundation
import Manager
import Testing

/// The config file reader: the `[signing]` table and the TOML it tolerates.
@Suite struct ConfigFileTests {
    static func load(_ text: String?, explicit: Bool = true) throws -> ConfigFile {
        let path = "/tmp/bpfman-config-\(UUID().uuidString.prefix(8)).toml"
        if let text { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) }
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try ConfigFile.load(path: path, explicit: explicit)
    }

    @Test("[signing] keys, comments, multi-line arrays, and tables bpfman does not read")
    func signing() throws {
        let config = try Self.load("""
        # bpfman.toml
        [interfaces]
        eth0 = { xdp_mode = "drv" }   # inline tables are skipped
        [[interfaces.extra]]
        name = 'x'

        [signing]
        verify_enabled = true
        allow_unsigned = false  # "quoted # is not a comment" below
        public_keys = [
          "/etc/bpfman/a.pub",   # first
          '/etc/bpfman/b#c.pub',
        ]
        [database]
        max_retries = 10_000
        """)
        #expect(config.signing.verifyEnabled)
        #expect(!config.signing.allowUnsigned)
        #expect(config.signing.publicKeyPaths == ["/etc/bpfman/a.pub", "/etc/bpfman/b#c.pub"])
    }

    @Test("defaults: verification on, unsigned allowed, no keys; a missing default file is fine")
    func defaults() throws {
        let empty = try Self.load("")
        #expect(empty.signing.verifyEnabled && empty.signing.allowUnsigned && empty.signing.publicKeyPaths.isEmpty)
        #expect(try Self.load(nil, explicit: false) == ConfigFile())
    }

    @Test("a missing explicit file and bad values are errors naming the file")
    func errors() {
        for (text, fragment) in [(nil, "failed to read config file: open "),
                                 ("[signing]\nallow_unsigned = \"yes\"", "signing.allow_unsigned: expected true or false"),
                                 ("[signing]\npublic_keys = [1, 2]", "signing.public_keys: expected an array of strings"),
                                 ("[signing]\npublic_keys = [\"a\"", "unterminated array"),
                                 ("[signing\n", "bad table header"),
                                 ("[signing]\nkey\n", "expected key = value")] as [(String?, String)] {
            #expect(throws: ManagerError.self, "\(fragment)") { try Self.load(text) }
            do { _ = try Self.load(text) } catch {
                #expect("\(error)".contains(fragment), "\(error)")
            }
        }
    }
}

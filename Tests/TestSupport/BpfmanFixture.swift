import BPF
import Foundation
import LinuxSys
import Model

/// A private runtime directory for one test, with a `bpfman` runner bound to
/// it. ``tearDown()`` unloads everything and unmounts it.
package final class BpfmanFixture: @unchecked Sendable {
    /// The runtime directory.
    package let runtimeDirectory: String

    /// Creates a fresh runtime directory.
    package init() {
        runtimeDirectory = "/tmp/bpfman-test-" + UUID().uuidString.prefix(8).lowercased()
    }

    /// Runs `bpfman` against this runtime directory, with `environment` added.
    @discardableResult
    package func bpfman(_ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) -> CommandResult {
        Command.run(TestEnvironment.bpfman, arguments,
                    environment: environment.merging(["BPFMAN_RUNTIME_DIR": runtimeDirectory]) { _, fixed in fixed }, stdin: stdin)
    }

    /// Loads one program and returns its id.
    package func load(_ object: String, _ spec: String, extra: [String] = []) throws -> UInt32 {
        let result = bpfman(["program", "load", "file", TestEnvironment.object(object), "--programs", spec, "-o", "json"] + extra)
        guard result.status == 0, let programs = result.json["programs"] as? [[String: Any]],
              let record = programs.first?["record"] as? [String: Any], let id = record["program_id"] as? Int else {
            throw FixtureError("load \(spec) failed: \(result.stderr)")
        }
        return UInt32(id)
    }

    /// Attaches and returns the bpfman link id.
    package func attach(_ arguments: [String]) throws -> UInt64 {
        let result = bpfman(["link", "attach"] + arguments + ["-o", "json"])
        guard result.status == 0, let record = result.json["record"] as? [String: Any], let id = record["id"] as? Int else {
            throw FixtureError("attach \(arguments) failed (\(result.status)): \(result.stderr)")
        }
        return UInt64(id)
    }

    /// The u64 in slot `key` of the map pinned as `name` by program `programID`'s map set.
    package func counter(program programID: UInt32, map name: String, owner: UInt32? = nil, key: UInt32 = 0) throws -> UInt64 {
        let fd = try Pins.open("\(runtimeDirectory)/fs/maps/\(owner ?? programID)/\(name)", what: "map")
        guard let bytes = try KernelMap.lookup(fd, key: withUnsafeBytes(of: key.littleEndian) { Array($0) }, valueSize: 8) else { return 0 }
        return bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
    }

    /// The program ids bpfman manages here.
    package func programIDs() -> [UInt32] {
        let result = bpfman(["program", "list", "-q"])
        return result.stdout.split(separator: "\n").compactMap { UInt32($0) }
    }

    /// Unloads everything, unmounts bpffs and removes the directory.
    package func tearDown() {
        let ids = programIDs()
        if !ids.isEmpty { bpfman(["program", "unload"] + ids.map(String.init)) }
        Command.shell("umount -l '\(runtimeDirectory)/fs' 2>/dev/null; rm -rf '\(runtimeDirectory)'")
    }

    /// Where pins, files, records and the kernel disagree: a program pin,
    /// map directory or bytecode copy without a listed program, a listed
    /// program without them or without its kernel program, a link pin
    /// without its record. Empty when the state is consistent.
    package func inconsistencies() throws -> [String] {
        let listed = Set(programIDs())
        var problems: [String] = []
        func compare(_ found: Set<UInt32>, _ what: String) {
            if found != listed { problems.append("\(what) \(found.sorted()) vs records \(listed.sorted())") }
        }
        let fs = try FileManager.default.contentsOfDirectory(atPath: runtimeDirectory + "/fs")
        compare(Set(fs.filter { $0.hasPrefix("prog_") }.compactMap { UInt32($0.dropFirst(5)) }), "program pins")
        compare(Set(try FileManager.default.contentsOfDirectory(atPath: runtimeDirectory + "/fs/maps").compactMap { UInt32($0) }), "map directories")
        compare(Set(try FileManager.default.contentsOfDirectory(atPath: runtimeDirectory + "/programs").compactMap { UInt32($0) }), "bytecode copies")
        problems += listed.filter { !Self.kernelHasProgram($0) }.map { "program \($0) is recorded but not in the kernel" }
        let links = bpfman(["link", "list", "-o", "json"]).json["links"] as? [[String: Any]] ?? []
        let recordedPins = Set(links.compactMap { $0["pin_path"] as? String })
        let linkDirectory = runtimeDirectory + "/fs/links"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: linkDirectory)) ?? [] where !recordedPins.contains(linkDirectory + "/" + name) {
            problems.append("link pin \(name) has no record")
        }
        for pin in recordedPins where !FileManager.default.fileExists(atPath: pin) { problems.append("recorded link pin \(pin) is missing") }
        for link in links {
            if let program = link["program_id"] as? Int, !listed.contains(UInt32(program)) { problems.append("link \(link["id"] ?? "?") of unlisted program \(program)") }
        }
        return problems
    }

    /// Whether the kernel still has program `id`.
    package static func kernelHasProgram(_ id: UInt32) -> Bool {
        (try? KernelProgram.open(id: .init(id))) != nil
    }
}

/// A fixture set-up failure.
package struct FixtureError: Error, CustomStringConvertible {
    package var description: String
    package init(_ description: String) { self.description = description }
}

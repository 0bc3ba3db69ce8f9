import Foundation
import Testing
import TestSupport

/// `program load file | get | list | unload` on the real kernel (issue 2).
@Suite(.requiresRoot, .tags(.privileged), .serialized)
struct ProgramLifecycleTests {
    static let cases: [(object: String, spec: String, kernelType: String)] = [
        ("uprobe_counter", "uprobe:uprobe_counter", "kprobe"),
        ("uretprobe_counter", "uretprobe:uretprobe_counter", "kprobe"),
        ("tracepoint_counter", "tracepoint:tracepoint_counter", "tracepoint"),
        ("xdp_counter", "xdp:xdp_counter", "xdp"),
        ("tc_counter", "tc:tc_counter", "schedcls"),
        ("tc_counter", "tcx:tc_counter", "schedcls"),
        ("two_maps", "tracepoint:two_maps", "tracepoint"),
    ]

    @Test("load, get, list and unload round-trip", arguments: cases.indices)
    func roundTrip(index: Int) throws {
        let (object, spec, kernelType) = Self.cases[index]
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let id = try bpfman.load(object, spec)
        #expect(BpfmanFixture.kernelHasProgram(id))
        let bpftool = Command.run("/usr/sbin/bpftool", ["prog", "show", "id", String(id), "-j"])
        #expect(bpftool.status == 0, "bpftool knows the kernel id \(id)")

        let get = bpfman.bpfman(["program", "get", String(id), "-o", "json"])
        #expect(get.status == 0)
        let status = try #require(get.json["status"] as? [String: Any])
        let kernel = try #require(status["kernel"] as? [String: Any])
        #expect(kernel["program_type"] as? String == kernelType)
        #expect(kernel["id"] as? Int == Int(id))
        #expect(status["stats"] as? [String: Any] != nil, "get has stats")
        let maps = try #require(status["maps"] as? [[String: Any]])
        let ids = maps.compactMap { $0["id"] as? Int }
        #expect(ids == ids.sorted(), "get lists maps by ascending id")
        #expect(maps.contains { ($0["present"] as? Bool) == true }, "pinned maps are present")

        let list = bpfman.bpfman(["program", "list", "-o", "json"])
        let programs = try #require(list.json["programs"] as? [[String: Any]])
        #expect(programs.map { $0["program_id"] as? Int } == [Int(id)])
        #expect(programs.first?["type"] as? String == spec.split(separator: ":").first.map(String.init))

        let unload = bpfman.bpfman(["program", "unload", String(id)])
        #expect(unload.status == 0 && unload.stdout.isEmpty && unload.stderr.isEmpty)
        #expect(!BpfmanFixture.kernelHasProgram(id), "the kernel program is gone")
        let fs = try FileManager.default.contentsOfDirectory(atPath: bpfman.runtimeDirectory + "/fs")
        #expect(fs.filter { !$0.hasSuffix(".debug") }.sorted() == ["maps"], "no pins left: \(fs)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: bpfman.runtimeDirectory + "/fs/maps").isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: bpfman.runtimeDirectory + "/programs").isEmpty)
        #expect(bpfman.bpfman(["program", "list", "-o", "json"]).stdout == "{\n  \"programs\": []\n}\n")
    }

    @Test("load output has null stats, unpinned maps in kernel order, globals in base64")
    func loadOutputShape() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let result = bpfman.bpfman(["program", "load", "file", TestEnvironment.object("uprobe_counter"), "--programs", "uprobe:uprobe_counter",
                                    "-m", "owner=me", "-a", "myapp", "-g", "weight=0100000000000000", "-g", "expected_pid=0x00000000", "-o", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let program = try #require((result.json["programs"] as? [[String: Any]])?.first)
        let record = try #require(program["record"] as? [String: Any])
        let load = try #require(record["load"] as? [String: Any])
        #expect(load["global_data"] as? [String: String] == ["expected_pid": "AAAAAA==", "weight": "AQAAAAAAAAA="])
        #expect(load["image_source"] is NSNull && load["attach_func"] is NSNull && load["map_owner_id"] is NSNull)
        #expect(record["license"] as? String == "Dual BSD/GPL")
        let meta = try #require(record["meta"] as? [String: Any])
        #expect(meta["metadata"] as? [String: String] == ["bpfman.io/application": "myapp", "owner": "me"])
        let status = try #require(program["status"] as? [String: Any])
        #expect(status["stats"] is NSNull)
        let maps = try #require(status["maps"] as? [[String: Any]])
        #expect(maps.allSatisfy { $0["pin_path"] as? String == "" && $0["present"] as? Bool == false })
        #expect(result.stdout.hasSuffix("}\n") && !result.stdout.hasSuffix("\n\n"))
        let created = try #require(record["created_at"] as? String)
        #expect(created.range(of: #"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"#, options: .regularExpression) != nil)
    }

    @Test("several programs from one object each get their own map set")
    func severalPrograms() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let result = bpfman.bpfman(["program", "load", "file", TestEnvironment.object("multi"),
                                    "--programs", "uprobe:multi_uprobe,tracepoint:multi_tracepoint", "--programs", "xdp:multi_xdp", "-o", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let programs = try #require(result.json["programs"] as? [[String: Any]])
        #expect(programs.count == 3)
        let mapDirs = Set(programs.compactMap { (($0["status"] as? [String: Any])?["map_dir"]) as? String })
        #expect(mapDirs.count == 3)
        for directory in mapDirs {
            #expect(FileManager.default.fileExists(atPath: directory + "/multi_count"))
        }
    }

    @Test("--map-owner-id shares the owner's kernel maps, kept until the last user goes")
    func mapSharing() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let owner = try bpfman.load("tracepoint_counter", "tracepoint:tracepoint_counter", extra: ["-g", "expected_pid=\(TestEnvironment.littleEndianHex(UInt32(getpid())))"])
        let dependent = try bpfman.load("tracepoint_counter", "tracepoint:tracepoint_counter",
                                        extra: ["--map-owner-id", String(owner), "-g", "expected_pid=\(TestEnvironment.littleEndianHex(UInt32(getpid())))"])
        let get = bpfman.bpfman(["program", "get", String(dependent), "-o", "json"])
        let handles = (get.json["record"] as? [String: Any])?["handles"] as? [String: Any]
        #expect(handles?["map_owner_id"] as? Int == Int(owner))
        #expect(handles?["map_pin_path"] as? String == "\(bpfman.runtimeDirectory)/fs/maps/\(owner)")
        let ownerGet = bpfman.bpfman(["program", "get", String(owner), "-o", "json"])
        #expect((ownerGet.json["status"] as? [String: Any])?["map_used_by"] as? [Int] == [Int(owner), Int(dependent)])

        _ = try bpfman.attach(["tracepoint", String(owner), "syscalls/sys_enter_getppid"])
        _ = try bpfman.attach(["tracepoint", String(dependent), "syscalls/sys_enter_getppid"])
        for _ in 0..<5 { _ = getppid() }
        #expect(try bpfman.counter(program: owner, map: "tp_count") == 10, "both programs bump the same counter")

        #expect(bpfman.bpfman(["program", "unload", String(owner)]).status == 0)
        #expect(FileManager.default.fileExists(atPath: "\(bpfman.runtimeDirectory)/fs/maps/\(owner)/tp_count"), "kept for the dependent")
        for _ in 0..<3 { _ = getppid() }
        #expect(try bpfman.counter(program: owner, map: "tp_count") == 13)
        #expect(bpfman.bpfman(["program", "unload", String(dependent)]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: "\(bpfman.runtimeDirectory)/fs/maps/\(owner)"), "removed with the last user")
    }
}

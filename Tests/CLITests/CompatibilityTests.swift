import BPF
import Foundation
import LinuxSys
import Model
import Testing
import TestSupport

/// Scenarios as upstream bpfman's scripts drive the binary: load, `get -o json`
/// with fields and exact counts, attach, detach, unload, error substrings —
/// on objects whose section names only the reference's loader (cilium/ebpf)
/// accepts, and on map-owner chains.
@Suite(.requiresRoot, .tags(.privileged), .serialized)
struct CompatibilityTests {
    static let legacy = "legacy_sections"

    /// The kernel type names `program get -o json` reports for one load.
    static func kernelType(_ bpfman: BpfmanFixture, _ id: UInt32) -> String? {
        ((bpfman.bpfman(["program", "get", String(id), "-o", "json"]).json["status"] as? [String: Any])?["kernel"]
            as? [String: Any])?["program_type"] as? String
    }

    @Test("every legacy section name loads as the type the user names",
          arguments: [("tcx:tcx_stats", "schedcls"), ("tc:tcx_stats", "schedcls"), ("tc:tc_classifier", "schedcls"),
                      ("tcx:tc_classifier", "schedcls"), ("tc:tc_action", "schedcls"), ("xdp:xdp_legacy", "xdp"),
                      ("xdp:xdp_frags", "xdp"), ("tracepoint:tp_short", "tracepoint")])
    func legacySectionLoads(spec: String, kernelType: String) throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let id = try bpfman.load(Self.legacy, spec)
        #expect(Self.kernelType(bpfman, id) == kernelType)
        #expect(bpfman.bpfman(["program", "unload", String(id)]).status == 0)
        #expect(bpfman.programIDs().isEmpty)
    }

    @Test("a type the section contradicts is refused before any kernel work")
    func legacySectionMismatch() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let result = bpfman.bpfman(["program", "load", "file", TestEnvironment.object(Self.legacy), "--programs", "xdp:tcx_stats"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("program type mismatch: caller specified xdp but ELF section \"classifier/tcx_stats\" implies tc"),
                "\(result.stderr)")
        #expect(bpfman.programIDs().isEmpty)
    }

    @Test("classifier/ TCX, xdp/ XDP and tp/ tracepoint programs count exactly what they see")
    func legacySectionsRun() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let veth = try VethPair()
        defer { veth.tearDown() }
        let pid = TestEnvironment.littleEndianHex(UInt32(getpid()))
        let result = bpfman.bpfman(["program", "load", "file", TestEnvironment.object(Self.legacy),
                                    "--programs", "tcx:tcx_stats,xdp:xdp_legacy,tracepoint:tp_short", "-g", "expected_pid=\(pid)", "-o", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let programs = (result.json["programs"] as? [[String: Any]] ?? []).compactMap { $0["record"] as? [String: Any] }
        let ids = Dictionary(uniqueKeysWithValues: programs.compactMap { record -> (String, UInt32)? in
            guard let name = (record["load"] as? [String: Any])?["program_name"] as? String, let id = record["program_id"] as? Int else { return nil }
            return (name, UInt32(id))
        })
        let tcx = try #require(ids["tcx_stats"]), xdp = try #require(ids["xdp_legacy"]), tracepoint = try #require(ids["tp_short"])

        let tcxLink = try bpfman.attach(["tcx", String(tcx), veth.receiverInterface, "ingress", "-p", "50", "-n", veth.receiverPath])
        let xdpLink = try bpfman.attach(["xdp", String(xdp), veth.receiverInterface, "-p", "50", "-n", veth.receiverPath])
        #expect(veth.ping(6) == 6)
        #expect(try bpfman.counter(program: tcx, map: "tcx_stats_count") == 6)
        #expect(try bpfman.counter(program: xdp, map: "xdp_legacy_count") == 6)

        _ = try bpfman.attach(["tracepoint", String(tracepoint), "syscalls/sys_enter_getppid"])
        for _ in 0..<7 { _ = getppid() }
        #expect(try bpfman.counter(program: tracepoint, map: "tp_short_count") == 7)

        #expect(bpfman.bpfman(["link", "detach", String(tcxLink), String(xdpLink)]).status == 0)
        #expect(veth.ping(3) == 3)
        #expect(try bpfman.counter(program: tcx, map: "tcx_stats_count") == 6, "detached: no more counts")
        #expect(bpfman.bpfman(["program", "unload", String(tcx), String(xdp), String(tracepoint)]).status == 0)
        #expect(bpfman.programIDs().isEmpty)
    }

    @Test("a map owner is a program with its own maps: chains, absent and unloaded owners are refused, and nothing loads")
    func mapOwnerChains() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let spec = "tracepoint:tracepoint_counter"
        let owner = try bpfman.load("tracepoint_counter", spec)
        let dependent = try bpfman.load("tracepoint_counter", spec, extra: ["--map-owner-id", String(owner)])
        for candidate in [dependent, 999_999] {
            let refused = bpfman.bpfman(["program", "load", "file", TestEnvironment.object("tracepoint_counter"), "--programs", spec,
                                         "--map-owner-id", String(candidate)])
            #expect(refused.status == 1)
            #expect(refused.stderr == "bpfman: error: failed to load programs: map_owner_id \(candidate) does not exist: map owner not found\n")
        }
        #expect(bpfman.programIDs() == [owner, dependent], "a refused load leaves nothing")
        #expect(bpfman.bpfman(["program", "unload", String(owner)]).status == 0)
        let gone = bpfman.bpfman(["program", "load", "file", TestEnvironment.object("tracepoint_counter"), "--programs", spec,
                                  "--map-owner-id", String(owner)])
        #expect(gone.status == 1 && gone.stderr.contains("map_owner_id \(owner) does not exist"), "\(gone.stderr)")
        #expect(bpfman.programIDs() == [dependent])
    }

    @Test("program list --all --type selects programs bpfman did not load by their kernel type, as the reference does")
    func unmanagedByType() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        // Two programs this test loads itself, outside bpfman: held open by
        // their descriptors, gone when the test returns.
        let schedcls = try BPFObject(path: TestEnvironment.object("tc_counter"))
        try schedcls.select(program: "tc_counter", as: .schedCLS, attachFunction: nil)
        let schedclsFD = try schedcls.load(program: "tc_counter")
        let kprobe = try BPFObject(path: TestEnvironment.object("uprobe_counter"))
        try kprobe.select(program: "uprobe_counter", as: .kprobe, attachFunction: nil)
        let kprobeFD = try kprobe.load(program: "uprobe_counter")
        let foreign = [try KernelProgram(fd: schedclsFD).id.rawValue: "schedcls", try KernelProgram(fd: kprobeFD).id.rawValue: "kprobe"]
        let managed = try bpfman.load("tc_counter", "tcx:tc_counter")

        func listed(_ type: String) -> [UInt32: [String: Any]] {
            let entries = bpfman.bpfman(["program", "list", "--all", "--type", type, "-o", "json"]).json["programs"] as? [[String: Any]] ?? []
            return Dictionary(entries.compactMap { entry in (entry["program_id"] as? Int).map { (UInt32($0), entry) } }) { first, _ in first }
        }
        for (type, kernelType) in [("tc", "schedcls"), ("tcx", "schedcls"), ("uprobe", "kprobe"), ("uretprobe", "kprobe"),
                                   ("kprobe", "kprobe"), ("kretprobe", "kprobe"), ("xdp", nil)] as [(String, String?)] {
            let entries = listed(type)
            for (id, name) in foreign {
                let entry = entries[id]
                #expect((entry != nil) == (name == kernelType), "--type \(type) and a foreign \(name) program")
                if let entry {
                    #expect(entry["managed"] as? Bool == false && entry["record"] is NSNull && entry["type"] as? String == name)
                }
            }
            #expect((entries[managed] != nil) == (type == "tcx"), "the managed tcx program matches its bpfman type only")
        }
        _ = consume schedclsFD
        _ = consume kprobeFD
    }

    @Test("map types are cilium/ebpf's names, lower-cased; image labels keep libbpf's")
    func mapTypeNames() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let id = try bpfman.load(Self.legacy, "tracepoint:tp_short")
        let maps = ((bpfman.bpfman(["program", "get", String(id), "-o", "json"]).json["status"] as? [String: Any])?["maps"]
            as? [[String: Any]]) ?? []
        let types = Dictionary(maps.compactMap { map -> (String, String)? in
            guard let name = map["name"] as? String, let type = map["map_type"] as? String else { return nil }
            return (name, type)
        }, uniquingKeysWith: { first, _ in first })
        #expect(types["per_cpu_counts"] == "percpuarray" && types["lru_table"] == "lruhash", "\(types)")
        let labels = bpfman.bpfman(["image", "generate-build-args", TestEnvironment.object(Self.legacy), "-o", "json"])
        #expect((labels.json["maps"] as? [String: String])?["per_cpu_counts"] == "per_cpu_array", "\(labels.stdout)")
    }
}

import Foundation
import Testing
import TestSupport

/// kprobe/kretprobe, fentry/fexit and LSM (issue 10). On the host, whose
/// kernel refuses them, each attach must fail with the named-feature error
/// and leave nothing behind; in the guest lane (`make test-guest`, Debian's
/// full 6.12 kernel) each must work, proven by exact counts.
@Suite(.requiresRoot, .tags(.privileged, .guestKernel), .serialized)
struct KernelHookTests {
    static let object = "kernel_hooks"
    static var pidFilter: [String] { ["-g", "expected_pid=\(TestEnvironment.littleEndianHex(UInt32(getpid())))"] }

    /// Loads `spec` from kernel_hooks with the pid filter; nil when the
    /// kernel refuses the load (checked against `feature`'s error on the host).
    static func load(_ bpfman: BpfmanFixture, _ spec: String, extra: [String] = [], refusedWith feature: String) throws -> UInt32? {
        let result = bpfman.bpfman(["program", "load", "file", TestEnvironment.object(object), "--programs", spec, "-o", "json"] + pidFilter + extra)
        if result.status != 0 {
            #expect(!TestEnvironment.guestLane, "the guest kernel must load \(spec): \(result.stderr)")
            #expect(result.status == 1 && result.stderr.contains("kernel feature \(feature) is not available"), "\(result.stderr)")
            #expect(bpfman.programIDs().isEmpty, "a refused load leaves nothing")
            return nil
        }
        let record = (result.json["programs"] as? [[String: Any]])?.first?["record"] as? [String: Any]
        return (record?["program_id"] as? Int).map(UInt32.init)
    }

    @Test("a kprobe and a kretprobe on __x64_sys_getppid count exactly this process's calls")
    func kprobes() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        for (spec, calls) in [("kprobe:kprobe_counter", 23), ("kretprobe:kretprobe_counter", 11)] {
            let id = try #require(try Self.load(bpfman, spec, refusedWith: "kprobe"))
            let attach = bpfman.bpfman(["link", "attach", "kprobe", String(id), "__x64_sys_getppid", "-o", "json"])
            guard TestEnvironment.kernelHas(.kprobe) else {
                #expect(attach.status == 1 && attach.stderr.contains("kernel feature kprobe is not available"), "\(attach.stderr)")
                #expect(bpfman.bpfman(["link", "list", "-q"]).stdout.isEmpty, "no link recorded")
                continue
            }
            #expect(attach.status == 0, "\(attach.stderr)")
            let record = attach.json["record"] as? [String: Any]
            #expect(record?["kind"] as? String == spec.components(separatedBy: ":")[0])
            #expect((record?["details"] as? [String: Any])?["retprobe"] as? Bool == spec.hasPrefix("kretprobe"))
            for _ in 0..<calls { _ = getppid() }
            #expect(try bpfman.counter(program: id, map: "hook_count") == UInt64(calls), "\(spec)")
            #expect(bpfman.bpfman(["program", "unload", String(id)]).status == 0)
        }
    }

    @Test("a kprobe at an offset into __x64_sys_getppid counts exactly; offsets inside an instruction and kretprobe offsets are refused")
    func kprobeOffset() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let id = try #require(try Self.load(bpfman, "kprobe:kprobe_counter", refusedWith: "kprobe"))
        let inside = bpfman.bpfman(["link", "attach", "kprobe", String(id), "__x64_sys_getppid", "--offset", "1"])
        guard TestEnvironment.kernelHas(.kprobe) else {
            #expect(inside.status == 1 && inside.stderr.contains("kernel feature kprobe is not available"), "\(inside.stderr)")
            return
        }
        // Byte 1 is inside the first instruction (endbr64, or the 5-byte
        // ftrace nop without IBT).
        #expect(inside.status == 1 && inside.stderr.contains("offset 1 is not at an instruction boundary of __x64_sys_getppid"), "\(inside.stderr)")
        // The second instruction starts at 4 (after endbr64) or 5 (after the nop).
        var attached: (link: UInt64, offset: Int)?
        for offset in [4, 5] where attached == nil {
            let result = bpfman.bpfman(["link", "attach", "kprobe", String(id), "__x64_sys_getppid", "--offset", String(offset), "-o", "json"])
            if result.status == 0, let link = (result.json["record"] as? [String: Any])?["id"] as? Int {
                attached = (UInt64(link), offset)
            } else {
                #expect(result.stderr.contains("is not at an instruction boundary"), "\(result.stderr)")
            }
        }
        let (link, offset) = try #require(attached, "neither offset 4 nor 5 attached")
        for _ in 0..<13 { _ = getppid() }
        #expect(try bpfman.counter(program: id, map: "hook_count") == 13)
        let details = (bpfman.bpfman(["link", "get", String(link), "-o", "json"]).json["record"] as? [String: Any])?["details"] as? [String: Any]
        #expect(details?["offset"] as? Int == offset && details?["fn_name"] as? String == "__x64_sys_getppid")
        let returnProbe = try #require(try Self.load(bpfman, "kretprobe:kretprobe_counter", refusedWith: "kprobe"))
        let refused = bpfman.bpfman(["link", "attach", "kprobe", String(returnProbe), "__x64_sys_getppid", "--offset", "4"])
        #expect(refused.status == 1 && refused.stderr.contains("a kretprobe fires on return from the function and takes no offset"), "\(refused.stderr)")
    }

    @Test("fentry and fexit on the function given at load (__x64_sys_getpgid) count exactly this process's calls")
    func trampolines() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        for (type, calls) in [("fentry", 19), ("fexit", 8)] {
            guard let id = try Self.load(bpfman, "\(type):\(type)_counter:__x64_sys_getpgid",
                                         refusedWith: "fentry/fexit (BPF trampoline)") else { continue }
            let link = try bpfman.attach([type, String(id)])
            for _ in 0..<calls { _ = getpgid(0) }
            #expect(try bpfman.counter(program: id, map: "hook_count") == UInt64(calls), "\(type)")
            let details = (bpfman.bpfman(["link", "get", String(link), "-o", "json"]).json["record"] as? [String: Any])?["details"]
            #expect(details as? [String: String] == ["fn_name": "__x64_sys_getpgid"])
            #expect(bpfman.bpfman(["link", "detach", String(link)]).status == 0)
            for _ in 0..<5 { _ = getpgid(0) }
            #expect(try bpfman.counter(program: id, map: "hook_count") == UInt64(calls), "a detached \(type) no longer runs")
        }
    }

    @Test("an LSM program on file_open denies the chosen file to this process and allows others")
    func lsmFileOpen() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let directory = bpfman.runtimeDirectory + "-lsm"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let denied = directory + "/denied", allowed = directory + "/allowed"
        for path in [denied, allowed] { try Data("x".utf8).write(to: URL(fileURLWithPath: path)) }
        let inode = try #require((try FileManager.default.attributesOfItem(atPath: denied))[.systemFileNumber] as? UInt64)
        guard let id = try Self.load(bpfman, "lsm:lsm_file_open:file_open", extra: ["-g", "denied_ino=\(TestEnvironment.littleEndianHex(inode))"],
                                     refusedWith: "BPF LSM") else { return }
        let link = try bpfman.attach(["lsm", String(id)])
        let details = (bpfman.bpfman(["link", "get", String(link), "-o", "json"]).json["record"] as? [String: Any])?["details"]
        #expect(details as? [String: String] == ["hook_name": "file_open"])
        for _ in 0..<3 {
            let fd = open(denied, O_RDONLY)
            #expect(fd == -1 && errno == EPERM, "the chosen file is denied")
            if fd >= 0 { close(fd) }
        }
        let fd = open(allowed, O_RDONLY)
        #expect(fd >= 0, "other files open")
        if fd >= 0 { close(fd) }
        #expect(try bpfman.counter(program: id, map: "hook_count") == 3)
        #expect(bpfman.bpfman(["link", "detach", String(link)]).status == 0)
        let after = open(denied, O_RDONLY)
        #expect(after >= 0, "detaching lifts the denial")
        if after >= 0 { close(after) }
    }
}

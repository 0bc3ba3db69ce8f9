import BPF
import Model
import Testing
import TestSupport

/// The kernel layer's parts that need no kernel: opening objects (libbpf
/// parses without loading), dispatcher configurations. Unprivileged.
@Suite("BPF objects and dispatcher configurations, without the kernel")
struct ObjectTests {
    @Test("an object lists its programs with their sections, legacy names included, without loading anything")
    func programsAndSections() throws {
        let legacy = try BPFObject(path: TestEnvironment.object("legacy_sections"))
        let sections = Dictionary(uniqueKeysWithValues: legacy.programs.map { ($0.name, $0.sectionName) })
        #expect(sections["tcx_stats"] == "classifier/tcx_stats")
        #expect(sections["tc_action"] == "action/tc_action")
        #expect(sections["xdp_legacy"] == "xdp/xdp_legacy")
        let multi = try BPFObject(path: TestEnvironment.object("multi"))
        #expect(multi.programs.map(\.sectionName).sorted() == ["tracepoint/syscalls/sys_enter_getppid", "uprobe", "xdp"])
    }

    @Test("bytes that are not ELF are refused with the reference's words")
    func notELF() {
        do {
            _ = try BPFObject(bytes: Array("#!/bin/sh\n".utf8), name: "script")
            Issue.record("a shell script opened as an object")
        } catch {
            #expect(error.code == .invalidArgument)
            #expect(error.message == "load collection spec: cannot read ELF identifier: bad magic number [35, 33, 47, 98]")
        }
    }

    @Test("a dispatcher configuration lays out libxdp's version 2 header, then bitmasks and priorities per slot")
    func dispatcherConfig() {
        let slots = [DispatcherConfig.Slot(chainCallActions: ProceedOn.xdpDefault.bitmask(for: .xdp), priority: 10),
                     DispatcherConfig.Slot(chainCallActions: 1 << 2, priority: 50)]
        let xdp = DispatcherConfig(kind: .xdp, slots: slots).bytes
        #expect(Array(xdp.prefix(4)) == [236, 2, 2, 0])
        #expect(xdp.count == 4 + 3 * 4 * DispatcherKind.slotCount)
        func word(_ bytes: [UInt8], _ index: Int) -> UInt32 {
            bytes[index..<index + 4].enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }
        }
        #expect(word(xdp, 4) == 1 << 2 | 1 << 31, "pass and dispatcher_return")
        #expect(word(xdp, 8) == 1 << 2)
        #expect(word(xdp, 4 + 4 * DispatcherKind.slotCount) == 10)
        let tc = DispatcherConfig(kind: .tc, slots: slots).bytes
        #expect(Array(tc.prefix(4)) == [2, 0, 0, 0] && tc.count == 4 + 2 * 4 * DispatcherKind.slotCount)
    }
}

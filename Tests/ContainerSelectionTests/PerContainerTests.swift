@testable import ContainerSelection
import Manager
import Model
import Runtimes
import Testing

/// Narrowing a selector's attach to one container, without a runtime.
@Suite("Selector attaches narrowed to one container")
struct PerContainerTests {
    let container = ContainerInfo(runtime: .podman, id: "c1", name: "web", pid: HostPID(4242))

    @Test("a uprobe attach gets the container's host PID as its namespace and, unless given, as its pid filter")
    func uprobe() throws {
        let request = AttachRequest(programID: ProgramID(7), target: .uprobe(target: "libc", functionName: "malloc", offset: 0, pid: nil, containerPID: nil))
        let narrowed = try Manager.perContainer(request)(container)
        #expect(narrowed.target == .uprobe(target: "libc", functionName: "malloc", offset: 0, pid: 4242, containerPID: HostPID(4242)))
        let filtered = AttachRequest(programID: ProgramID(7), target: .uprobe(target: "libc", functionName: "malloc", offset: 0, pid: 9, containerPID: nil))
        #expect(try Manager.perContainer(filtered)(container).target == .uprobe(target: "libc", functionName: "malloc", offset: 0, pid: 9,
                                                                                  containerPID: HostPID(4242)))
    }

    @Test("other attach kinds are refused: selectors apply to uprobes only")
    func others() {
        let request = AttachRequest(programID: ProgramID(7), target: .tracepoint(group: "sched", name: "sched_switch"))
        do {
            _ = try Manager.perContainer(request)
            Issue.record("a tracepoint was narrowed to a container")
        } catch {
            #expect(error.code == .invalidArgument && error.message == "container selectors apply to uprobe attachments only")
        }
    }
}

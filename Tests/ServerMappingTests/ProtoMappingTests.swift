import BpfmanProto
import Diagnostics
import GRPCCore
import Manager
import Model
@testable import Server
import SystemPackage
import Testing

/// The gRPC face's mapping, without a server or root.
@Suite("ProtoMapping: statuses and attach requests")
struct ProtoMappingTests {
    @Test("every error class has its gRPC status; a missing kernel feature is FAILED_PRECONDITION, a cancelled call CANCELLED")
    func statuses() {
        let expected: [(ErrorCode, RPCError.Code)] = [
            (.notFound, .notFound), (.alreadyExists, .alreadyExists), (.invalidArgument, .invalidArgument),
            (.permissionDenied, .permissionDenied), (.unsupported, .failedPrecondition), (.failedPrecondition, .failedPrecondition),
            (.unavailable, .unavailable), (.cancelled, .cancelled), (.internal, .internalError),
        ]
        for (code, status) in expected { #expect(ProtoMapping.status(code) == status, "\(code)") }
        #expect(ProtoMapping.rpcError(CancellationError()).code == .cancelled)
    }

    @Test("a wrapped error keeps its cause, and the status carries it as metadata beside the same message")
    func causeDetails() {
        let syscall = ManagerError("load program counter", call: "BPF_PROG_LOAD", errno: .permissionDenied)
        #expect(syscall.code == .permissionDenied && syscall.message == "load program counter: permission denied")
        let wrapped = ManagerError(syscall, context: "failed to load programs")
        #expect(wrapped.message == "failed to load programs: load program counter: permission denied")
        #expect(wrapped.cause == ErrorCause(step: "load program counter", syscall: SyscallError(call: "BPF_PROG_LOAD", errno: .permissionDenied)))
        let status = ProtoMapping.rpcError(wrapped)
        #expect(status.code == .permissionDenied && status.message == wrapped.message)
        #expect(Array(status.metadata[stringValues: "bpfman-step"]) == ["load program counter"])
        #expect(Array(status.metadata[stringValues: "bpfman-syscall"]) == ["BPF_PROG_LOAD"])
        #expect(Array(status.metadata[stringValues: "bpfman-errno"]) == [String(Errno.permissionDenied.rawValue)])
        #expect(status.metadata[stringValues: "bpfman-missing-feature"].first(where: { _ in true }) == nil)

        let feature = ManagerError(ManagerError(.unsupported, "kernel feature kprobe is not available", cause: ErrorCause(missingFeature: "kprobe")),
                                   context: "attach program 4")
        let featureStatus = ProtoMapping.rpcError(feature)
        #expect(featureStatus.code == .failedPrecondition)
        #expect(Array(featureStatus.metadata[stringValues: "bpfman-missing-feature"]) == ["kprobe"])
        #expect(Array(featureStatus.metadata[stringValues: "bpfman-step"]) == ["attach program 4"])
        #expect(Array(ProtoMapping.rpcError(ManagerError(.internal, "x", cause: ErrorCause(step: "caf\u{e9}\n"))).metadata[stringValues: "bpfman-step"]) == ["caf??"])
    }

    @Test("grpc-timeout values parse as the spec writes them; the change deadline keeps a margin of a tenth, 50 ms to 1 s")
    func callDeadline() {
        #expect(CallDeadline.timeout(parsing: "5S") == .seconds(5))
        #expect(CallDeadline.timeout(parsing: "2H") == .seconds(7200))
        #expect(CallDeadline.timeout(parsing: "3M") == .seconds(180))
        #expect(CallDeadline.timeout(parsing: "250m") == .milliseconds(250))
        #expect(CallDeadline.timeout(parsing: "99999999u") == .microseconds(99_999_999))
        #expect(CallDeadline.timeout(parsing: "7n") == .nanoseconds(7))
        for bad in ["", "S", "5", "5s", "123456789S", "-5S", "5 S", "5SS"] { #expect(CallDeadline.timeout(parsing: bad) == nil, "\(bad)") }
        #expect(CallDeadline.margin(for: .seconds(5)) == .milliseconds(500))
        #expect(CallDeadline.margin(for: .milliseconds(100)) == .milliseconds(50))
        #expect(CallDeadline.margin(for: .seconds(60)) == .seconds(1))
    }

    @Test("a status message longer than 2 KiB is cut, and says so")
    func bounded() {
        let long = String(repeating: "x", count: 5000)
        #expect(ProtoMapping.bounded(long) == String(repeating: "x", count: 2048) + "… (truncated)")
        #expect(ProtoMapping.bounded("short") == "short")
    }

    @Test("an XDP or TC attach without proceed_on gets the reference's defaults; a bad direction or priority is refused")
    func attachDefaults() throws {
        var xdp = Bpfman_V1_XDPAttachInfo()
        xdp.iface = "eth0"
        xdp.priority = 5
        var info = Bpfman_V1_AttachInfo()
        info.xdpAttachInfo = xdp
        let (target, _) = try ProtoMapping.attachTarget(info)
        #expect(target == .xdp(interface: "eth0", priority: 5, proceedOn: .xdpDefault, netns: nil))
        var tc = Bpfman_V1_TCAttachInfo()
        tc.iface = "eth0"
        tc.direction = "Ingress"
        info.tcAttachInfo = tc
        #expect(try ProtoMapping.attachTarget(info).0 == .tc(interface: "eth0", direction: .ingress, priority: 0, proceedOn: .tcDefault, netns: nil))
        tc.direction = "sideways"
        info.tcAttachInfo = tc
        #expect(throws: RPCError.self) { _ = try ProtoMapping.attachTarget(info) }
        xdp.priority = -1
        info.xdpAttachInfo = xdp
        #expect(throws: RPCError.self) { _ = try ProtoMapping.attachTarget(info) }
    }
}

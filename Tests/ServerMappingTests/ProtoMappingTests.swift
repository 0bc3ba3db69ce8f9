import BpfmanProto
import Diagnostics
import GRPCCore
import Model
@testable import Server
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

import BpfmanProto
import GRPCCore
import GRPCNIOTransportHTTP2
import TestSupport

extension ServeProcess {
    /// Runs `body` with a bpfman.v1 client on the server's socket.
    func withClient<T: Sendable>(_ body: @Sendable (Bpfman_V1_Bpfman.Client<HTTP2ClientTransport.Posix>) async throws -> T) async throws -> T {
        try await withGRPCClient(transport: .http2NIOPosix(target: .unixDomainSocket(path: socket), transportSecurity: .plaintext)) { client in
            try await body(Bpfman_V1_Bpfman.Client(wrapping: client))
        }
    }

    /// How many programs bpfman manages, as `ListPrograms` answers.
    func managedProgramCount() async throws -> Int {
        try await withClient { client in
            var request = Bpfman_V1_ListRequest()
            request.bpfmanProgramsOnly = true
            return try await client.list(request).results.count
        }
    }
}

import Diagnostics
import Foundation
import Glibc
import Model
import Runtimes
import Testing

/// The Docker Engine API client against a local server on a unix socket:
/// chunked and sized bodies decode; malformed answers, silence, a missing
/// socket and a refused connection are errors that name the runtime and
/// the socket (issue 23: one HTTP client, and no trap on a bad chunk size).
@Suite struct EngineAPIClientTests {
    static let list = "GET /v1.41/containers/json HTTP/1.1"

    /// A list answer that must fail, and the error message it must give
    /// ("SOCK" stands for the socket path).
    struct Malformed: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var reply: UnixSocketHTTPServer.Reply
        var message: String
    }

    static let badChunkSize = "podman: SOCK: read response: malformed HTTP response: invalid character in chunk size header"
    static let malformed = ["-5", "-0", "10000000000000000", "zz"].map {
        Malformed(testDescription: "chunk size \($0)", reply: chunked("\($0)\r\nhello\r\n0\r\n\r\n"), message: badChunkSize)
    } + [
        Malformed(testDescription: "not HTTP", reply: .bytes(Array("SSH-2.0-OpenSSH_9.2p1\r\n\r\n".utf8)),
                  message: "podman: SOCK: read response: malformed HTTP response: invalid constant string"),
        Malformed(testDescription: "body cut short", reply: response(["Content-Length: 100"], body: "[]"),
                  message: "podman: SOCK: read response: malformed HTTP response: stream ended at an unexpected time"),
        Malformed(testDescription: "error status", reply: sized("boom", status: "500 Internal Server Error"),
                  message: "podman: list containers: HTTP 500: boom"),
        Malformed(testDescription: "not JSON", reply: sized("not json"), message: "podman: list containers: invalid JSON"),
    ]

    /// A response head with `headers`, then `body` as it goes on the wire.
    static func response(_ headers: [String], body: String, status: String = "200 OK") -> UnixSocketHTTPServer.Reply {
        .bytes(Array(("HTTP/1.1 \(status)\r\n" + (headers + ["Connection: close"]).map { $0 + "\r\n" }.joined() + "\r\n" + body).utf8))
    }

    /// A chunked response of `chunks`, each a size line and its data.
    static func chunked(_ chunks: String) -> UnixSocketHTTPServer.Reply {
        response(["Content-Type: application/json", "Transfer-Encoding: chunked"], body: chunks)
    }

    /// A `Content-Length` response of `body`.
    static func sized(_ body: String, status: String = "200 OK") -> UnixSocketHTTPServer.Reply {
        response(["Content-Type: application/json", "Content-Length: \(body.utf8.count)"], body: body, status: status)
    }

    /// The error `client` throws listing containers, nil when it answers.
    static func failure(_ client: EngineAPIClient) async -> RuntimeError? {
        do {
            _ = try await client.containers()
            return nil
        } catch {
            return error
        }
    }

    @Test("a chunked list and sized inspects give the containers; one gone between list and inspect is skipped")
    func decodes() async throws {
        let pid = getpid()
        var info = stat()
        #expect(stat("/proc/self/ns/pid", &info) == 0)
        let listing = #"[{"Id":"aaa","Names":["/first"]},{"Id":"gone"}]"#
        let split = listing.index(listing.startIndex, offsetBy: 20)
        let first = String(listing[..<split]), rest = String(listing[split...])
        let server = try UnixSocketHTTPServer([
            "/v1.41/containers/json": Self.chunked(String(first.utf8.count, radix: 16) + ";note=1\r\n" + first + "\r\n"
                                                   + String(rest.utf8.count, radix: 16) + "\r\n" + rest + "\r\n0\r\n\r\n"),
            "/v1.41/containers/aaa/json": Self.sized(#"{"Id":"aaa","Name":"/first","State":{"Pid":\#(pid)}}"#),
            "/v1.41/containers/gone/json": Self.sized(#"{"message":"no such container: gone"}"#, status: "404 Not Found"),
        ])
        defer { server.stop() }
        let containers = try await EngineAPIClient(kind: .docker, socketPath: server.path).containers()
        #expect(containers == [ContainerInfo(runtime: .docker, id: "aaa", name: "first", pid: HostPID(pid), pidNamespace: UInt64(info.st_ino))])
        #expect(server.requests == [Self.list, "GET /v1.41/containers/aaa/json HTTP/1.1", "GET /v1.41/containers/gone/json HTTP/1.1"])
    }

    @Test("a malformed answer (a negative chunk size included) or an unusable body is an error naming the runtime, not a trap",
          arguments: malformed)
    func rejects(_ answer: Malformed) async throws {
        let server = try UnixSocketHTTPServer(["/v1.41/containers/json": answer.reply])
        defer { server.stop() }
        let error = try #require(await Self.failure(EngineAPIClient(kind: .podman, socketPath: server.path)))
        #expect(error.code == .internal)
        #expect(error.message == answer.message.replacingOccurrences(of: "SOCK", with: server.path))
        #expect(server.requests == [Self.list], "one request, no retry")
    }

    @Test("a server that never answers is an unavailable runtime after the timeout")
    func silence() async throws {
        let server = try UnixSocketHTTPServer(["/v1.41/containers/json": .silence])
        defer { server.stop() }
        let error = try #require(await Self.failure(EngineAPIClient(kind: .podman, socketPath: server.path, timeout: 0.2)))
        #expect(error.code == .unavailable)
        // Which bound fires first (the read timeout or the request deadline) is up to the clock.
        #expect(error.message.hasPrefix("podman: \(server.path): no answer within 0.2s ("), "\(error.message)")
    }

    @Test("a missing socket and a socket nobody listens on are unavailable runtimes; a path too long is a bad argument")
    func unreachable() async throws {
        let server = try UnixSocketHTTPServer([:])
        defer { server.stop() }
        let missing = try #require(await Self.failure(EngineAPIClient(kind: .podman, socketPath: server.path + ".missing")))
        #expect(missing.code == .unavailable)
        #expect(missing.message == "podman: \(server.path).missing: connect: socket does not exist")
        let deaf = server.path + ".deaf"
        let fd = try UnixSocketHTTPServer.bound(deaf, listening: false)
        defer { close(fd); unlink(deaf) }
        let refused = try #require(await Self.failure(EngineAPIClient(kind: .docker, socketPath: deaf)))
        #expect(refused.code == .unavailable)
        #expect(refused.message == "docker: \(deaf): connect: connection refused (is the runtime running?)")
        let long = "/tmp/" + String(repeating: "x", count: 120) + ".sock"
        let tooLong = try #require(await Self.failure(EngineAPIClient(kind: .podman, socketPath: long)))
        #expect(tooLong.code == .invalidArgument)
        #expect(tooLong.message == "podman: \(long): unix socket path too long")
    }
}

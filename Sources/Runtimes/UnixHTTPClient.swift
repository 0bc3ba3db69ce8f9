import Diagnostics
import Foundation
import Glibc

/// A minimal blocking HTTP/1.1 client over a unix socket, for the podman
/// and Docker Engine APIs: GET requests, Content-Length or chunked bodies,
/// a connect and read timeout. One request per connection.
struct UnixHTTPClient: Sendable {
    /// The socket path.
    var socketPath: String
    /// Seconds to wait for connect and for each read.
    var timeout: Double = 5

    /// A response status and body.
    struct Response {
        var status: Int
        var body: Data
    }

    /// Performs `GET path`.
    ///
    /// - Throws: `RuntimeError` for a missing socket (.unavailable),
    ///   permission problems (.permissionDenied), timeouts and bad responses.
    func get(_ path: String) throws(RuntimeError) -> Response {
        let fd = try connect()
        defer { close(fd) }
        let request = "GET \(path) HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bpfman\r\nConnection: close\r\n\r\n"
        var bytes = Array(request.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw failure(.unavailable, "write request: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { throw failure(.unavailable, "read response: timed out after \(timeout)s") }
                throw failure(.unavailable, "read response: \(String(cString: strerror(errno)))")
            }
            received.append(contentsOf: buffer[0..<count])
            if received.count > 64 << 20 { throw failure(.internal, "response larger than 64 MiB") }
        }
        return try parse(received)
    }

    private func connect() throws(RuntimeError) -> CInt {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw failure(.internal, "socket: \(String(cString: strerror(errno)))") }
        var time = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        guard pathBytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(fd)
            throw failure(.invalidArgument, "socket path too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in pathBytes.enumerated() { raw[index] = byte }
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            switch code {
            case ENOENT: throw failure(.unavailable, "connect: socket does not exist")
            case EACCES, EPERM: throw failure(.permissionDenied, "connect: permission denied")
            case ECONNREFUSED: throw failure(.unavailable, "connect: connection refused (is the runtime running?)")
            default: throw failure(.unavailable, "connect: \(String(cString: strerror(code)))")
            }
        }
        return fd
    }

    private func parse(_ data: Data) throws(RuntimeError) -> Response {
        guard let headerEnd = data.firstRange(of: Data("\r\n\r\n".utf8)) else { throw failure(.internal, "malformed HTTP response") }
        let head = String(decoding: data[..<headerEnd.lowerBound], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw failure(.internal, "malformed HTTP status line") }
        var body = Data(data[headerEnd.upperBound...])
        let chunked = lines.contains { $0.lowercased().hasPrefix("transfer-encoding:") && $0.lowercased().contains("chunked") }
        if chunked { body = try dechunk(body) }
        return Response(status: status, body: body)
    }

    private func dechunk(_ data: Data) throws(RuntimeError) -> Data {
        var result = Data()
        var index = data.startIndex
        while index < data.endIndex {
            guard let lineEnd = data[index...].firstRange(of: Data("\r\n".utf8)) else { break }
            let sizeText = String(decoding: data[index..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else { throw failure(.internal, "malformed chunk size") }
            if size == 0 { break }
            let start = lineEnd.upperBound
            guard let end = data.index(start, offsetBy: size, limitedBy: data.endIndex) else { throw failure(.internal, "truncated chunk") }
            result.append(data[start..<end])
            index = data.index(end, offsetBy: 2, limitedBy: data.endIndex) ?? data.endIndex
        }
        return result
    }

    private func failure(_ code: Diagnostics.ErrorCode, _ message: String) -> RuntimeError {
        RuntimeError(code, "\(socketPath): \(message)")
    }
}

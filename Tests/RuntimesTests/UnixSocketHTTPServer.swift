import Foundation
import Glibc
import Synchronization

/// A tiny HTTP server on a unix socket in a fresh temporary directory, for
/// testing clients against answers no real runtime gives: it reads each
/// request's head on one thread and answers with the canned bytes for its
/// path, then closes the connection (or, for ``Reply/silence``, holds it
/// open and never answers).
final class UnixSocketHTTPServer: Sendable {
    /// What the server does with a request.
    enum Reply: Sendable {
        /// Writes these bytes and closes the connection.
        case bytes([UInt8])
        /// Reads the request and never answers.
        case silence
    }

    /// The socket path.
    let path: String
    private let directory: String
    private let listener: CInt
    private let replies: [String: Reply]
    private let log = Mutex<[String]>([])
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    /// Starts serving `replies`, keyed by request target; other targets get a 404.
    init(_ replies: [String: Reply]) throws {
        var template = Array((NSTemporaryDirectory() + "/runtimes-http-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        directory = String(cString: made)
        path = directory + "/api.sock"
        self.replies = replies
        listener = try Self.bound(path, listening: true)
        Thread.detachNewThread { [self] in serve() }
    }

    /// A unix socket bound at `path`, listening or not (a socket nobody
    /// listens on refuses connections).
    static func bound(_ path: String, listening: Bool) throws -> CInt {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        let bound = withAddress(path) { bind(fd, $0, $1) }
        guard fd >= 0, bound == 0, !listening || listen(fd, 16) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        return fd
    }

    /// Calls `body` with the `sockaddr_un` of `path` and its length.
    private static func withAddress<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[index] = byte }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    /// The request lines received, in order ("GET /path HTTP/1.1").
    var requests: [String] { log.withLock { $0 } }

    /// Stops the server and removes its socket and directory.
    func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        // Wake the accepting thread with a connection of our own.
        let waker = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        _ = Self.withAddress(path) { connect(waker, $0, $1) }
        finished.wait()
        close(waker)
        close(listener)
        unlink(path)
        rmdir(directory)
    }

    private func serve() {
        var held: [CInt] = []
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 && errno == EINTR { continue }
            if fd < 0 || stopping.load(ordering: .sequentiallyConsistent) {
                if fd >= 0 { close(fd) }
                break
            }
            let line = Self.requestLine(fd)
            log.withLock { $0.append(line) }
            let target = line.split(separator: " ").dropFirst().first.map(String.init) ?? ""
            switch replies[target] ?? .bytes(Array("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8)) {
            case .bytes(let bytes):
                Self.write(fd, bytes)
                close(fd)
            case .silence:
                held.append(fd)
            }
        }
        held.forEach { close($0) }
        finished.signal()
    }

    /// Reads up to the end of the request head; returns its first line.
    private static func requestLine(_ fd: CInt) -> String {
        var head: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !head.ends(with: Array("\r\n\r\n".utf8)) {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            head += buffer[..<count]
        }
        return String(decoding: head, as: UTF8.self).components(separatedBy: "\r\n").first ?? ""
    }

    private static func write(_ fd: CInt, _ bytes: [UInt8]) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }
            offset += written
        }
    }
}

private extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool {
        count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix
    }
}

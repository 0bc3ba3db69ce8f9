import Foundation
import Glibc

/// Scrapes of `bpfman serve --metrics-address`: one HTTP/1.1 `GET /metrics`
/// per sample on a fresh connection, timed from connect to the last byte.
enum ScrapeBench {
    /// The `HOST:PORT` the server announced on stderr (written to `log`),
    /// waiting up to 5 s for the line.
    static func address(announcedIn log: String) -> String? {
        let prefix = "bpfman: serving metrics on http://"
        for _ in 0..<500 {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) {
                return String(line.dropFirst(prefix.count).dropLast("/metrics".count))
            }
            usleep(10_000)
        }
        return nil
    }

    /// Seconds for each of `runs` scrapes of `address` (an IPv4 `HOST:PORT`),
    /// and the size of the last body; nil when a scrape fails.
    static func run(address: String, runs: Int) -> (seconds: [Double], bytes: Int)? {
        let parts = address.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1]) else { return nil }
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = port.bigEndian
        guard inet_pton(AF_INET, String(parts[0]), &socketAddress.sin_addr) == 1 else { return nil }
        var seconds: [Double] = []
        var bytes = 0
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            guard let response = get(socketAddress), response.hasPrefix("HTTP/1.1 200") else { return nil }
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            bytes = response.utf8.count
        }
        return (seconds, bytes)
    }

    private static func get(_ address: sockaddr_in) -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = address
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET /metrics HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n".utf8)
        guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == request.count else { return nil }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 { return nil }
            if count == 0 { break }
            response.append(contentsOf: buffer[..<count])
        }
        return String(decoding: response, as: UTF8.self)
    }
}

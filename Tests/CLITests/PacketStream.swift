import Foundation
import TestSupport

/// A stream of pings from the sender end of a veth pair that runs until the
/// test releases it.
///
/// Each round trip is one `ping -c 1`, which waits for its reply, and the
/// stream reports each as a line: a test counts the stream's packets as they
/// complete, without timing anything. A release stops the stream between
/// two round trips, so every packet it sent was either answered or
/// reported lost.
final class PacketStream {
    private let process = Process()
    private let output = Pipe()
    private let stopFile: String
    private var pending: [UInt8] = []
    /// Round trips answered so far.
    private(set) var replies = 0
    /// Round trips that got no answer.
    private(set) var lost = 0

    /// Starts the stream from `veth`'s sender to its receiver; creating
    /// `stopFile` ends it.
    init(_ veth: VethPair, stopFile: String) throws {
        self.stopFile = stopFile
        unlink(stopFile)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
        process.arguments = ["--net=/run/netns/\(veth.sender)", "sh", "-c", """
            while [ ! -e '\(stopFile)' ]; do
              if ping -n -q -c 1 -W 10 \(veth.receiverAddress) >/dev/null; then echo ok; else echo lost; fi
            done
            """]
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        unlink(stopFile)
    }

    /// Waits for the next round trip to end.
    ///
    /// - Returns: false once the stream has ended.
    @discardableResult
    func next() -> Bool {
        let fd = output.fileHandleForReading.fileDescriptor
        while true {
            if let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                if line == "ok" { replies += 1 } else { lost += 1 }
                return true
            }
            var chunk = [UInt8](repeating: 0, count: 256)
            let count = read(fd, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return false }
            pending += chunk[..<count]
        }
    }

    /// Stops the stream after its current round trip and counts the rest.
    func release() {
        FileManager.default.createFile(atPath: stopFile, contents: nil)
        while next() {}
        process.waitUntilExit()
    }
}

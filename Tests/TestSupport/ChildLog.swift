import Foundation

/// The file a child process's stderr goes to: a test waits for a line the
/// child writes (what it did) rather than for time to pass.
package struct ChildLog: Sendable {
    /// The file.
    package let path: String

    /// Creates (or empties) the file at `path`.
    package init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else { throw FixtureError("cannot create \(path)") }
        self.path = path
    }

    /// The file opened for the child's stderr.
    package func handle() throws -> FileHandle { try FileHandle(forWritingTo: URL(fileURLWithPath: path)) }

    /// What the child wrote so far.
    package var text: String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    /// The first line containing `text`, once there is one; nil when none
    /// came within 60 s (a safety net, not a measurement).
    package func waitForLine(containing needle: String) -> Substring? {
        for _ in 0..<6000 {
            if let line = text.split(separator: "\n").first(where: { $0.contains(needle) }) { return line }
            usleep(10_000)
        }
        return nil
    }
}

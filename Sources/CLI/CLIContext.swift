import Diagnostics
import Glibc
import Manager
import Model

/// What every command needs: the global settings and a way to print.
package enum CLIContext {
    /// Set once by ``BpfmanCLI/main(arguments:)`` before parsing.
    nonisolated(unsafe) package static var settings = GlobalSettings()

    /// Opens the manager, after checking for root.
    package static func manager(longLived: Bool = false) throws -> Manager {
        try requireRoot()
        var configuration = try settings.managerConfiguration()
        configuration.longLived = longLived
        return try Manager(configuration: configuration)
    }

    /// Fails with `must run as root` unless the effective uid is 0.
    package static func requireRoot() throws {
        if geteuid() != 0 { throw ManagerError(.permissionDenied, "must run as root") }
    }

    /// Writes `text` to stdout as is.
    package static func write(_ text: String) { writeAll(text, to: 1) }

    /// Writes one line to stderr.
    package static func writeError(_ line: String) { writeAll(line + "\n", to: 2) }

    private static func writeAll(_ text: String, to fd: CInt) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 { if errno == EINTR { continue }; return }
                offset += written
            }
        }
    }

    /// Prints a JSON document or a text rendering, by format.
    package static func emit(_ format: OutputFormat, json: @autoclosure () -> JSONValue, text: @autoclosure () -> String) {
        write(format == .json ? json().rendered() : text())
    }
}

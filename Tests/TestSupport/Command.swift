import Foundation

/// The result of running a command.
package struct CommandResult: Sendable {
    /// Exit status.
    package var status: Int32
    /// Standard output.
    package var stdout: String
    /// Standard error.
    package var stderr: String

    /// Standard output parsed as a JSON object.
    package var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:]
    }
}

/// Runs executables for tests.
package enum Command {
    /// Runs `path` with `arguments` and waits, with `stdin` as input.
    @discardableResult
    package static func run(_ path: String, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil) -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        do { try process.run() } catch { return CommandResult(status: -1, stdout: "", stderr: "\(error)") }
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs a shell command line.
    @discardableResult
    package static func shell(_ line: String) -> CommandResult { run("/bin/sh", ["-c", line]) }
}

import CLinuxShims
import Diagnostics
import Glibc
import SystemPackage

/// Runs a helper executable and collects its output, without Foundation.
package enum Subprocess {
    /// What a finished child produced.
    package struct Result: Sendable {
        /// The exit status, or 128 + signal number when killed by a signal.
        package var status: Int32
        /// Everything it wrote to stdout.
        package var standardOutput: String
        /// Everything it wrote to stderr.
        package var standardError: String
    }

    /// Runs `path` with `arguments` (argv[0] is `path`), stdin from /dev/null,
    /// in this process's environment with `extra` variables set.
    ///
    /// Corresponds to `posix_spawn(3)` and `waitpid(2)`.
    /// - Throws: the errno of creating pipes or spawning.
    package static func run(_ path: String, arguments: [String], environment extra: [String: String] = [:]) throws(Errno) -> Result {
        var outPipe: [Int32] = [0, 0]
        var errPipe: [Int32] = [0, 0]
        guard cshim_pipe_cloexec(&outPipe) == 0 else { throw Errno.lastError }
        guard cshim_pipe_cloexec(&errPipe) == 0 else {
            let errno = Errno.lastError
            close(outPipe[0]); close(outPipe[1])
            throw errno
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)

        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        // The child's environment: this process's, with `extra` in place of
        // any variables of the same names.
        var inherited: [UnsafeMutablePointer<CChar>?] = []
        var entry = environ
        while let variable = entry.pointee {
            let name = String(cString: variable).prefix { $0 != "=" }
            if extra[String(name)] == nil { inherited.append(variable) }
            entry += 1
        }
        let added = extra.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") }
        defer { for pointer in added { free(pointer) } }
        let envp = inherited + added + [nil]
        var pid: pid_t = 0
        let spawned = argv.withUnsafeBufferPointer { args in
            envp.withUnsafeBufferPointer { variables in
                posix_spawn(&pid, path, &actions, nil, UnsafeMutablePointer(mutating: args.baseAddress!),
                            UnsafeMutablePointer(mutating: variables.baseAddress!))
            }
        }
        close(outPipe[1])
        close(errPipe[1])
        defer { close(outPipe[0]); close(errPipe[0]) }
        guard spawned == 0 else { throw Errno(rawValue: spawned) }

        var output: [UInt8] = []
        var errors: [UInt8] = []
        var open = [outPipe[0], errPipe[0]]
        var buffer = [UInt8](repeating: 0, count: 16384)
        while !open.isEmpty {
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if poll(&fds, nfds_t(fds.count), -1) < 0 {
                if Errno.lastError == .interrupted { continue }
                break
            }
            for entry in fds where entry.revents != 0 {
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    if entry.fd == outPipe[0] { output += buffer[0..<count] } else { errors += buffer[0..<count] }
                } else if count == 0 || Errno.lastError != .interrupted {
                    open.removeAll { $0 == entry.fd }
                }
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && Errno.lastError == .interrupted {}
        let exited = (status & 0x7f) == 0
        return Result(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f),
                      standardOutput: String(decoding: output, as: UTF8.self),
                      standardError: String(decoding: errors, as: UTF8.self))
    }
}

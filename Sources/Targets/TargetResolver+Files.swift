import BinaryFormats
import Diagnostics
import Glibc
import LinuxSys
import SystemPackage

extension TargetResolver {
    /// Refuses a probe location that names neither a function nor a non-zero
    /// offset: it would probe file offset 0, the ELF header, which no code runs.
    ///
    /// An empty function name counts as none. Call before any kernel work.
    /// - Throws: `.invalidArgument`.
    package static func checkLocation(target: String, functionName: String?, offset: UInt64) throws(TargetError) {
        if let functionName, !functionName.isEmpty { return }
        guard offset == 0 else { return }
        throw TargetError(code: .invalidArgument, message:
            "attach uprobe to \"\(target)\": requires a function name or a non-zero offset (offset 0 is the ELF header)")
    }

    /// Refuses `path` (under `root`) when it exists and is not a regular file;
    /// a path that does not exist is left to the kernel to report.
    ///
    /// - Throws: `.invalidArgument` naming what the file is instead.
    static func requireRegularFile(_ path: String, root: String) throws(TargetError) {
        guard let info = FileSystem.status(root + path) else { return }
        let kind = FileKind(mode: info.st_mode)
        guard kind != .regular else { return }
        throw TargetError(code: .invalidArgument, message: "uprobe target \(path) \(FileReadError.notRegularFile(kind))")
    }

    /// The file offset of `symbol` in the ELF file at `path`.
    ///
    /// - Throws: `.notFound` for a missing file or symbol, `.invalidArgument`
    ///   for a file that is not a regular ELF file.
    package static func symbolOffset(_ symbol: String, in path: String, root: String = "") throws(TargetError) -> UInt64 {
        let bytes: [UInt8]
        do throws(FileReadError) {
            bytes = try FileSystem.readRegularFile(root + path, limit: 1 << 30)
        } catch .system(let errno) {
            throw TargetError(code: ErrorCode(errno: errno),
                              message: "open executable \(path): parse ELF file: open \(path): \(errno.lowercasedDescription)",
                              underlying: SyscallError(call: "open", errno: errno))
        } catch {
            throw TargetError(code: .invalidArgument, message: "open executable \(path): \(path) \(error)")
        }
        do {
            guard let offset = try ELFFile(bytes: bytes).symbolFileOffset(named: symbol) else {
                throw TargetError(code: .notFound, message: "attach uprobe to \(symbol) in \(path): symbol \(symbol): not found")
            }
            return offset
        } catch let error as BinaryFormatError {
            throw TargetError(code: .invalidArgument, message: "open executable \(path): parse ELF file: \(error.message)")
        } catch let error as TargetError {
            throw error
        } catch {
            throw TargetError(code: .internal, message: "open executable \(path): \(error)")
        }
    }

    /// The text of `<procRoot>/<pid>/maps`, for a `--pid` filter.
    ///
    /// - Throws: `.notFound` "pid N does not exist" only when the process is
    ///   gone (`ENOENT` or `ESRCH`); otherwise what failed and its errno, for
    ///   example `EACCES` when the caller may not inspect the process.
    package static func processMaps(pid: Int32, procRoot: String = "/proc") throws(TargetError) -> String {
        let path = "\(procRoot)/\(pid)/maps"
        do {
            return try FileSystem.readText(path)
        } catch {
            let cause = SyscallError(call: "read \(path)", errno: error)
            if error == .noSuchFileOrDirectory || error == .noSuchProcess {
                throw TargetError(code: .notFound, message: "attach uprobe: pid \(pid) does not exist", underlying: cause)
            }
            throw TargetError(code: ErrorCode(errno: error),
                              message: "attach uprobe: pid \(pid): read \(path): \(error.lowercasedDescription)", underlying: cause)
        }
    }
}

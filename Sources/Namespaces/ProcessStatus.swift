import Diagnostics
import Glibc
import LinuxSys
import SystemPackage

/// The fields bpfman needs from `/proc/<pid>/status`.
///
/// Pids are as the namespace of the procfs mount sees them (the host for
/// `/proc` of the host); ``nspid`` lists the pid in every namespace from that
/// one down to the process's own.
package struct ProcessStatus: Sendable, Equatable {
    /// The command name (`Name:`), at most 15 bytes, as the kernel escapes it.
    package var name: String
    /// The process id (`Pid:`).
    package var pid: Int32
    /// The thread-group id (`Tgid:`), equal to ``pid`` for a process.
    package var tgid: Int32
    /// The parent's process id (`PPid:`), 0 for pid 1 and kthreadd.
    package var ppid: Int32
    /// The real user id (first value of `Uid:`).
    package var uid: UInt32
    /// The pid in each nested pid namespace, outermost first (`NSpid:`), for
    /// example `[222225, 2158, 1]`; just `[pid]` on kernels without the line.
    package var nspid: [Int32]
    /// The `Kthread:` flag of kernels 6.10 and later, nil on older kernels.
    package var kernelThreadFlag: Bool?

    /// Whether the status describes a kernel thread.
    ///
    /// Uses the `Kthread:` line when present; otherwise a process is a
    /// kernel thread when it is kthreadd (pid 2) or its child (PPid 2). The
    /// fallback is a heuristic: inside a nested pid namespace a user process
    /// can have pid 2; ``isKernelThread(pid:procRoot:)`` checks more.
    package var isKernelThread: Bool { kernelThreadFlag ?? (pid == 2 || ppid == 2) }

    /// Creates a status from its fields.
    package init(name: String, pid: Int32, tgid: Int32, ppid: Int32, uid: UInt32, nspid: [Int32],
                 kernelThreadFlag: Bool? = nil) {
        self.name = name
        self.pid = pid
        self.tgid = tgid
        self.ppid = ppid
        self.uid = uid
        self.nspid = nspid
        self.kernelThreadFlag = kernelThreadFlag
    }

    /// Parses the text of a `/proc/<pid>/status` file.
    ///
    /// - Throws: `.internal` when `Name:`, `Pid:`, `Tgid:`, `PPid:` or `Uid:`
    ///   is missing or a number does not parse.
    package init(parsing text: String) throws(NamespaceError) {
        var name: String?
        var pid: Int32?
        var tgid: Int32?
        var ppid: Int32?
        var uid: UInt32?
        var nspid: [Int32]?
        var kernelThread: Bool?
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon]
            let value = line[line.index(after: colon)...]
            switch key {
            case "Name":
                name = String(value.first == "\t" ? value.dropFirst() : value)
            case "Pid": pid = try Self.number(value, "Pid")
            case "Tgid": tgid = try Self.number(value, "Tgid")
            case "PPid": ppid = try Self.number(value, "PPid")
            case "Uid":
                guard let first = Self.fields(value).first, let parsed = UInt32(first) else {
                    throw NamespaceError(.internal, "parse process status: invalid Uid value \"\(Self.clean(value))\"")
                }
                uid = parsed
            case "NSpid":
                var chain: [Int32] = []
                for field in Self.fields(value) {
                    guard let parsed = Int32(field) else {
                        throw NamespaceError(.internal, "parse process status: invalid NSpid value \"\(Self.clean(value))\"")
                    }
                    chain.append(parsed)
                }
                nspid = chain
            case "Kthread":
                kernelThread = Self.clean(value) == "1"
            default:
                continue
            }
        }
        guard let name else { throw NamespaceError(.internal, "parse process status: missing Name field") }
        guard let pid else { throw NamespaceError(.internal, "parse process status: missing Pid field") }
        guard let tgid else { throw NamespaceError(.internal, "parse process status: missing Tgid field") }
        guard let ppid else { throw NamespaceError(.internal, "parse process status: missing PPid field") }
        guard let uid else { throw NamespaceError(.internal, "parse process status: missing Uid field") }
        let chain = nspid ?? []
        self.init(name: name, pid: pid, tgid: tgid, ppid: ppid, uid: uid,
                  nspid: chain.isEmpty ? [pid] : chain, kernelThreadFlag: kernelThread)
    }

    /// Reads and parses `<procRoot>/<pid>/status`.
    ///
    /// - Throws: `.notFound` "no such process \(pid)" when the process does not
    ///   exist; the read's errno class otherwise; `.internal` for unparsable text.
    package static func read(pid: Int32, procRoot: String = "/proc") throws(NamespaceError) -> ProcessStatus {
        let path = "\(procRoot)/\(pid)/status"
        let text: String
        do {
            text = try FileSystem.readText(path, limit: 1 << 20)
        } catch {
            if error == .noSuchFileOrDirectory || error == .noSuchProcess {
                throw NamespaceError(.notFound, "no such process \(pid)")
            }
            throw NamespaceError("read \(path)", errno: error)
        }
        return try ProcessStatus(parsing: text)
    }

    /// Whether `pid` is a kernel thread, reading what it takes from `procRoot`.
    ///
    /// The `Kthread:` line decides when the kernel prints it. Otherwise a
    /// process whose `cmdline` and `maps` are both empty has no user address
    /// space and is a kernel thread (a zombie also qualifies); when those files
    /// cannot be read the pid/PPid 2 rule of ``isKernelThread`` decides. A
    /// process that does not exist is not a kernel thread.
    package static func isKernelThread(pid: Int32, procRoot: String = "/proc") -> Bool {
        guard let status = try? read(pid: pid, procRoot: procRoot) else { return false }
        if let flag = status.kernelThreadFlag { return flag }
        let base = "\(procRoot)/\(pid)"
        guard let cmdline = try? FileSystem.readFile(base + "/cmdline", limit: 4096),
              let maps = try? FileSystem.readFile(base + "/maps", limit: 4096) else {
            return status.isKernelThread
        }
        return cmdline.isEmpty && maps.isEmpty
    }

    private static func fields(_ value: Substring) -> [Substring] {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" })
    }

    private static func clean(_ value: Substring) -> String { value.trimmingWhitespace() }

    private static func number(_ value: Substring, _ field: String) throws(NamespaceError) -> Int32 {
        let text = clean(value)
        guard let parsed = Int32(text) else {
            throw NamespaceError(.internal, "parse process status: invalid \(field) value \"\(text)\"")
        }
        return parsed
    }
}

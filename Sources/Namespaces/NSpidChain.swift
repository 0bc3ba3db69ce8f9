import Diagnostics
import Glibc
import LinuxSys
import Model
import SystemPackage

/// A process's pid in each nested pid namespace, with the namespace it lives in.
package struct NSpidChain: Sendable, Equatable {
    /// `NS_GET_PARENT`, `_IO(0xb7, 0x2)`: opens the parent of a pid or user namespace.
    static let getParentRequest: UInt = 0xb7 << 8 | 0x2
    /// `MAX_PID_NS_LEVEL`: the kernel nests pid namespaces at most 32 deep.
    static let maximumDepth = 32

    /// The pid as the procfs the chain was read from sees it (the host pid for the host's `/proc`).
    package var pid: Int32
    /// The pid in each namespace from the procfs's down to the process's own (`NSpid:`), outermost first.
    package var nspid: [Int32]
    /// The inode of the process's own pid namespace (`<procRoot>/<pid>/ns/pid`).
    package var pidNamespace: UInt64

    /// Creates a chain from its parts.
    package init(pid: Int32, nspid: [Int32], pidNamespace: UInt64) {
        self.pid = pid
        self.nspid = nspid
        self.pidNamespace = pidNamespace
    }

    /// The pid the process sees for itself (the last `NSpid:` entry).
    package var innermostPID: Int32 { nspid.last ?? pid }

    /// Reads the chain of `hostPID` from `<procRoot>/<hostPID>/status` and `ns/pid`.
    ///
    /// When the `ns/pid` link cannot be read but `NSpid:` has one entry, the
    /// namespace is the procfs's own, learned from another process.
    ///
    /// - Throws: `.notFound` "no such process \(hostPID)" when the process does
    ///   not exist; the errno's class when its namespace cannot be inspected.
    package static func read(hostPID: HostPID, procRoot: String = "/proc") throws(NamespaceError) -> NSpidChain {
        let status = try ProcessStatus.read(pid: hostPID.rawValue, procRoot: procRoot)
        let inode: UInt64
        do {
            inode = try Namespace.inode("\(procRoot)/\(hostPID)/ns/pid")
        } catch {
            if error == .noSuchFileOrDirectory || error == .noSuchProcess {
                throw NamespaceError(.notFound, "no such process \(hostPID)")
            }
            // Access to the link denied: a single-entry NSpid still pins the namespace.
            var resolver = PIDNamespaceResolver(procRoot: procRoot)
            guard status.nspid.count == 1, let known = resolver.namespace(of: hostPID.rawValue) else {
                throw NamespaceError("read pid namespace of process \(hostPID)", errno: error)
            }
            inode = known
        }
        return NSpidChain(pid: hostPID.rawValue, nspid: status.nspid, pidNamespace: inode)
    }

    /// Finds the process whose pid in the pid namespace `inode` is `innerPID`
    /// and returns its pid as `procRoot` sees it.
    ///
    /// A process directly in `inode` has `innerPID` as its last `NSpid:` entry.
    /// A process in a descendant namespace also has a pid in `inode`: the
    /// process's namespace ancestry is walked with `NS_GET_PARENT` ioctls to
    /// find how many levels up `inode` is, and the `NSpid:` entry that many
    /// places before the last is compared. The walk stops at the caller's own
    /// pid namespace (the kernel answers `EPERM` above it), so `inode` must be
    /// the caller's pid namespace or a descendant of it. Processes that vanish
    /// or cannot be inspected during the scan are skipped.
    ///
    /// - Throws: `.notFound` "no process with pid \(innerPID) in pid namespace \(inode)".
    package static func hostPID(innerPID: Int32, pidNamespace inode: UInt64,
                                procRoot: String = "/proc") throws(NamespaceError) -> HostPID {
        let notFound = NamespaceError(.notFound, "no process with pid \(innerPID) in pid namespace \(inode)")
        guard innerPID > 0 else { throw notFound }
        var resolver = PIDNamespaceResolver(procRoot: procRoot)
        // For each process namespace met: how many levels above it `inode` sits, or -1 when it is no ancestor.
        var levelsUp: [UInt64: Int] = [inode: 0]
        for pid in ProcFS.pids(procRoot: procRoot) {
            guard let own = resolver.namespace(of: pid) else { continue }
            let levels: Int
            if let known = levelsUp[own] {
                levels = known
            } else {
                switch ancestry(fromNamespaceOf: pid, procRoot: procRoot, to: inode) {
                case .levelsUp(let count): levels = count
                case .notAncestor: levels = -1
                case .unknown: continue  // this process's namespace could not be opened; try its siblings
                }
                levelsUp[own] = levels
            }
            guard levels >= 0, let status = try? ProcessStatus.read(pid: pid, procRoot: procRoot) else { continue }
            let index = status.nspid.count - 1 - levels
            if index >= 0, index < status.nspid.count, status.nspid[index] == innerPID { return HostPID(pid) }
        }
        throw notFound
    }

    /// Where a namespace sits among the ancestors of a process's pid namespace.
    enum Ancestry: Equatable {
        /// That many `NS_GET_PARENT` steps up (0: the process's own namespace).
        case levelsUp(Int)
        /// Not an ancestor the caller may see.
        case notAncestor
        /// The process's namespace could not be opened (vanished or access denied).
        case unknown
    }

    /// Walks the pid namespace ancestry of `pid` with `NS_GET_PARENT` looking for `target`.
    static func ancestry(fromNamespaceOf pid: Int32, procRoot: String, to target: UInt64) -> Ancestry {
        guard var current = try? Namespace.open("\(procRoot)/\(pid)/ns/pid") else { return .unknown }
        var levels = 0
        while levels <= maximumDepth {
            guard let inode = ProcFS.inode(ofDescriptor: current.rawValue) else { return .unknown }
            if inode == target { return .levelsUp(levels) }
            let parent = ioctl(current.rawValue, getParentRequest)
            guard parent >= 0 else { return .notAncestor }
            current = OwnedDescriptor(parent)
            levels += 1
        }
        return .notAncestor
    }
}

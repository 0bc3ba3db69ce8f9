/// Finds the pid namespace of processes, inferring it for processes whose `ns/pid` link cannot be read.
///
/// Reading `ns/pid` needs ptrace access to the process, which a sandbox or
/// LSM can deny even to root (this is common for pid 1). Such a process whose
/// `NSpid:` has a single entry lives in the procfs's own pid namespace, whose
/// inode is learned from any readable process with a single-entry `NSpid:`.
struct PIDNamespaceResolver {
    /// The procfs being scanned.
    let procRoot: String
    /// The procfs's own pid namespace: unset until looked up, then the inode or nil when unknown.
    private var procfsNamespace: UInt64?? = nil

    /// Creates a resolver for `procRoot`.
    init(procRoot: String) { self.procRoot = procRoot }

    /// The inode of the pid namespace of `pid`, or nil when it cannot be determined.
    mutating func namespace(of pid: Int32) -> UInt64? {
        if let inode = ProcFS.pidNamespaceInode(pid: pid, procRoot: procRoot) { return inode }
        guard let status = try? ProcessStatus.read(pid: pid, procRoot: procRoot), status.nspid.count == 1 else {
            return nil
        }
        return ownNamespace()
    }

    /// The procfs's own pid namespace, looked up once.
    private mutating func ownNamespace() -> UInt64? {
        if let known = procfsNamespace { return known }
        var found: UInt64? = nil
        for pid in ProcFS.pids(procRoot: procRoot) {
            guard let inode = ProcFS.pidNamespaceInode(pid: pid, procRoot: procRoot),
                  let status = try? ProcessStatus.read(pid: pid, procRoot: procRoot), status.nspid.count == 1 else { continue }
            found = inode
            break
        }
        procfsNamespace = .some(found)
        return found
    }
}

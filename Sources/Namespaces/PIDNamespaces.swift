/// The pid namespaces of the running processes, like `lsns -t pid`.
package enum PIDNamespaces {
    /// Lists every pid namespace that has a process under `procRoot`, sorted by inode.
    ///
    /// Each numeric directory of `procRoot` is one process; its namespace is
    /// read from the `ns/pid` link. A process whose link cannot be read (ptrace
    /// access denied) but whose `NSpid:` has one entry is counted in the
    /// procfs's own namespace; other unreadable processes are left out. User names come from `passwdPath`, parsed
    /// directly (no NSS). Processes that vanish or cannot be inspected during
    /// the scan are skipped silently, so the result never throws.
    package static func list(procRoot: String = "/proc", passwdPath: String = "/etc/passwd") -> [PIDNamespaceSummary] {
        var members: [UInt64: [Int32]] = [:]
        var resolver = PIDNamespaceResolver(procRoot: procRoot)
        for pid in ProcFS.pids(procRoot: procRoot) {
            guard let inode = resolver.namespace(of: pid) else { continue }
            members[inode, default: []].append(pid)
        }
        let passwd = PasswdFile(path: passwdPath)
        var summaries: [PIDNamespaceSummary] = []
        summaries.reserveCapacity(members.count)
        for (inode, pids) in members {
            // pids are ascending; the lowest one that can still be read represents the namespace.
            for pid in pids {
                guard let status = try? ProcessStatus.read(pid: pid, procRoot: procRoot) else { continue }
                var command = ProcFS.commandLine(pid: pid, procRoot: procRoot) ?? ""
                if command.isEmpty { command = status.name }
                summaries.append(PIDNamespaceSummary(inode: inode, nprocs: pids.count, pid: pid,
                                                     user: passwd.userName(of: status.uid), command: command))
                break
            }
        }
        return summaries.sorted { $0.inode < $1.inode }
    }
}

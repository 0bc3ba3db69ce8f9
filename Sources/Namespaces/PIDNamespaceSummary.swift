/// One pid namespace as `lsns -t pid` shows it.
package struct PIDNamespaceSummary: Sendable, Equatable {
    /// The namespace's inode number (the `NS` column), as in `pid:[4026531836]`.
    package var inode: UInt64
    /// How many processes (not threads) of the procfs are in the namespace, kernel threads included.
    package var nprocs: Int
    /// The lowest pid, as the procfs sees it, of the namespace's processes.
    package var pid: Int32
    /// The user name of that process's real uid, or the decimal uid.
    package var user: String
    /// That process's command line with NULs as spaces, or its `Name:` when the command line is empty.
    package var command: String

    /// Creates a summary from its columns.
    package init(inode: UInt64, nprocs: Int, pid: Int32, user: String, command: String) {
        self.inode = inode
        self.nprocs = nprocs
        self.pid = pid
        self.user = user
        self.command = command
    }
}

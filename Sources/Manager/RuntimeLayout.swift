import Diagnostics
import LinuxSys
import Model

/// The paths under bpfman's runtime directory (cli.md §7).
package struct RuntimeLayout: Sendable {
    /// The runtime directory, `/run/bpfman` by default.
    package let root: String

    /// Creates the layout for `root`, which must be absolute.
    package init(root: String) throws(ManagerError) {
        guard root.hasPrefix("/") else {
            throw ManagerError(.invalidArgument, "create manager: invalid runtime directory: fs: root path must be absolute, got \"\(root)\"")
        }
        self.root = root.count > 1 && root.hasSuffix("/") ? String(root.dropLast()) : root
    }

    /// The writer lock file.
    package var lockFile: String { root + "/.lock" }
    /// Scratch space for in-flight work.
    package var staging: String { root + "/.staging" }
    /// The state database.
    package var database: String { root + "/db/store.db" }
    /// The bpffs mount.
    package var bpffs: String { root + "/fs" }
    /// Per-program files (bytecode copies, provenance).
    package var programs: String { root + "/programs" }
    /// Socket directory.
    package var sockets: String { root + "/sock" }
    /// Map pin directories, one per map set.
    package var mapsRoot: String { bpffs + "/maps" }
    /// Link pins.
    package var linksRoot: String { bpffs + "/links" }

    /// The program pin of `id`.
    package func programPin(_ id: ProgramID) -> String { "\(bpffs)/prog_\(id)" }
    /// The map directory of map set `id`.
    package func mapDirectory(_ id: ProgramID) -> String { "\(mapsRoot)/\(id)" }
    /// The directory holding `id`'s bytecode copy.
    package func programDirectory(_ id: ProgramID) -> String { "\(programs)/\(id)" }
    /// The pin of a perf-event, XDP or tracing link.
    package func linkPin(_ id: LinkID) -> String { "\(linksRoot)/\(id)" }
    /// The directory of tcx link pins for `direction`.
    package func tcxDirectory(_ direction: TCDirection) -> String { "\(bpffs)/tcx-\(direction.rawValue)" }
    /// The pin of a tcx link.
    package func tcxPin(direction: TCDirection, nsid: UInt64, ifindex: InterfaceIndex, program: ProgramID) -> String {
        "\(tcxDirectory(direction))/link_\(nsid)_\(ifindex)_\(program)"
    }

    /// The directory of `type`'s dispatchers (`fs/xdp`, `fs/tc-ingress`, `fs/tc-egress`).
    package func dispatcherRoot(_ type: DispatcherType) -> String { "\(bpffs)/\(type.rawValue)" }
    /// The directory holding one dispatcher revision: its program and the
    /// member links, `link_<position>`.
    package func dispatcherRevision(_ key: DispatcherKey, revision: UInt32) -> String {
        "\(dispatcherRoot(key.type))/dispatcher_\(key.nsid)_\(key.ifindex)_\(revision)"
    }
    /// The pin of the XDP link that runs an interface's dispatcher.
    package func xdpDispatcherLink(_ key: DispatcherKey) -> String {
        "\(dispatcherRoot(key.type))/dispatcher_\(key.nsid)_\(key.ifindex)_link"
    }

    /// Creates the directories and mounts bpffs where missing.
    package func prepare() throws(ManagerError) {
        do {
            for directory in [root, staging, sockets] { try FileSystem.createDirectories(directory) }
            // The database and the copied objects hold metadata and global
            // data: only root may read them.
            for directory in [root + "/db", programs] {
                try FileSystem.createDirectories(directory, mode: 0o700)
                try FileSystem.setMode(directory, 0o700)
            }
            try Mounts.ensureMounted(.bpf, at: bpffs)
            try FileSystem.createDirectories(mapsRoot)
        } catch {
            throw ManagerError("create manager: prepare runtime directory \(root)", call: "mkdir/mount", errno: error)
        }
    }
}

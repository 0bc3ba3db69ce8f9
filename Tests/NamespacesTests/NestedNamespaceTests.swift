import Foundation
import LinuxSys
import Model
@testable import Namespaces
import Testing

/// Spawns real nested pid namespaces with util-linux `unshare` and checks them from the host.
@Suite(.serialized, .enabled(if: getuid() == 0 || ProcessInfo.processInfo.environment["CI"] != nil, "needs root"))
struct NestedNamespaceTests {
    static let unshare = "/usr/bin/unshare"
    static let nest = ["--pid", "--fork", "--mount-proc"]

    /// Host pids of the processes whose parent is `pid`.
    static func children(of pid: Int32) -> [Int32] {
        ProcFS.pids(procRoot: "/proc").filter { (try? ProcessStatus.read(pid: $0))?.ppid == pid }
    }

    /// Host pids of every process below `pid`.
    static func descendants(of pid: Int32) -> [Int32] {
        var result: [Int32] = []
        var queue = [pid]
        while let next = queue.popLast() {
            let found = children(of: next)
            result += found
            queue += found
        }
        return result
    }

    /// Polls for up to ten seconds for a `sleep` below `root` whose NSpid has `depth` entries.
    static func waitForSleep(below root: Int32, depth: Int) -> ProcessStatus? {
        for _ in 0..<200 {
            for pid in descendants(of: root) {
                if let status = try? ProcessStatus.read(pid: pid), status.name == "sleep", status.nspid.count == depth {
                    return status
                }
            }
            usleep(50_000)
        }
        return nil
    }

    /// Starts `unshare` with `arguments`.
    static func spawn(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: unshare)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// SIGKILLs the process and everything below it (a namespace init ignores SIGTERM), then reaps it.
    static func killTree(_ process: Process) {
        let root = process.processIdentifier
        for pid in descendants(of: root).reversed() { kill(pid, SIGKILL) }
        kill(root, SIGKILL)
        process.waitUntilExit()
    }

    @Test func singleNestedNamespace() throws {
        let process = try Self.spawn(Self.nest + ["sleep", "30"])
        defer { Self.killTree(process) }
        let sleep = try #require(Self.waitForSleep(below: process.processIdentifier, depth: 2))
        #expect(sleep.nspid.count == 2)
        #expect(sleep.nspid.last == 1)
        #expect(sleep.nspid.first == sleep.pid)

        let chain = try NSpidChain.read(hostPID: HostPID(sleep.pid))
        #expect(chain.nspid == sleep.nspid)
        let host = try Namespace.inode("/proc/self/ns/pid")
        #expect(chain.pidNamespace != host)
        #expect(try NSpidChain.hostPID(innerPID: 1, pidNamespace: chain.pidNamespace) == HostPID(sleep.pid))
        // Seen from the host namespace the sleep has its host pid.
        #expect(try NSpidChain.hostPID(innerPID: sleep.pid, pidNamespace: host) == HostPID(sleep.pid))
        #expect(NSpidChain.ancestry(fromNamespaceOf: sleep.pid, procRoot: "/proc", to: host) == .levelsUp(1))
        #expect(throws: NamespaceError.self) {
            try NSpidChain.hostPID(innerPID: 2, pidNamespace: chain.pidNamespace)
        }

        let entry = try #require(PIDNamespaces.list().first { $0.inode == chain.pidNamespace })
        #expect(entry.nprocs >= 1)
        #expect(entry.pid == sleep.pid)
        #expect(entry.command == "sleep 30")
        #expect(entry.user == "root")
        #expect(!ProcessStatus.isKernelThread(pid: sleep.pid))
    }

    @Test func doublyNestedNamespaceUsesTheAncestry() throws {
        let process = try Self.spawn(Self.nest + [Self.unshare] + Self.nest + ["sleep", "30"])
        defer { Self.killTree(process) }
        let sleep = try #require(Self.waitForSleep(below: process.processIdentifier, depth: 3))
        // The inner unshare is pid 1 of the middle namespace; its child, the sleep, is pid 2 there.
        #expect(sleep.nspid.count == 3)
        #expect(Array(sleep.nspid.dropFirst()) == [2, 1])
        let middle = try NSpidChain.read(hostPID: HostPID(sleep.ppid))
        #expect(middle.nspid.count == 2)
        #expect(middle.nspid.last == 1)
        let inner = try NSpidChain.read(hostPID: HostPID(sleep.pid))
        #expect(inner.pidNamespace != middle.pidNamespace)

        #expect(try NSpidChain.hostPID(innerPID: 1, pidNamespace: middle.pidNamespace) == HostPID(sleep.ppid))
        #expect(try NSpidChain.hostPID(innerPID: 2, pidNamespace: middle.pidNamespace) == HostPID(sleep.pid))
        #expect(try NSpidChain.hostPID(innerPID: 1, pidNamespace: inner.pidNamespace) == HostPID(sleep.pid))
        #expect(NSpidChain.ancestry(fromNamespaceOf: sleep.pid, procRoot: "/proc", to: middle.pidNamespace) == .levelsUp(1))
        let host = try Namespace.inode("/proc/self/ns/pid")
        #expect(NSpidChain.ancestry(fromNamespaceOf: sleep.pid, procRoot: "/proc", to: host) == .levelsUp(2))
        #expect(NSpidChain.ancestry(fromNamespaceOf: sleep.ppid, procRoot: "/proc", to: inner.pidNamespace) == .notAncestor)

        let list = PIDNamespaces.list()
        let middleEntry = try #require(list.first { $0.inode == middle.pidNamespace })
        #expect(middleEntry.pid == sleep.ppid)
        #expect(middleEntry.nprocs == 1)
        let innerEntry = try #require(list.first { $0.inode == inner.pidNamespace })
        #expect(innerEntry.pid == sleep.pid)
        #expect(innerEntry.nprocs == 1)
    }
}

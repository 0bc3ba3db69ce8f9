import Foundation
import LinuxSys
import Model
@testable import Namespaces
import Testing

/// A hand-made procfs tree: one directory per process with `status`, `cmdline` and an `ns/pid` link.
struct FakeProcRoot: ~Copyable {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("fake-proc-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func add(pid: Int32, name: String, uid: UInt32, nspid: [Int32], namespace: UInt64, cmdline: [String]) throws {
        let directory = "\(path)/\(pid)"
        try FileManager.default.createDirectory(atPath: directory + "/ns", withIntermediateDirectories: true)
        let text = ProcessStatusTests.statusText(name: name, pid: pid, uid: "\(uid)\t\(uid)\t\(uid)\t\(uid)",
                                                 nspid: nspid.map(String.init).joined(separator: "\t"))
        try text.write(toFile: directory + "/status", atomically: false, encoding: .utf8)
        let bytes: [UInt8] = cmdline.flatMap { (argument: String) -> [UInt8] in Array(argument.utf8) + [0] }
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/cmdline"))
        try FileManager.default.createSymbolicLink(atPath: directory + "/ns/pid", withDestinationPath: "pid:[\(namespace)]")
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

@Suite struct PIDNamespacesTests {
    @Test func listGroupsAFakeProcTree() throws {
        let root = try FakeProcRoot()
        try root.add(pid: 1, name: "systemd", uid: 0, nspid: [1], namespace: 4026531836, cmdline: ["/sbin/init", "splash"])
        try root.add(pid: 2, name: "kthreadd", uid: 0, nspid: [2], namespace: 4026531836, cmdline: [])
        try root.add(pid: 900, name: "bash", uid: 1000, nspid: [900, 1], namespace: 4026532500, cmdline: ["bash"])
        try root.add(pid: 901, name: "sleep", uid: 1000, nspid: [901, 2], namespace: 4026532500, cmdline: ["sleep", "30"])
        try root.add(pid: 950, name: "worker", uid: 4242, nspid: [950, 3, 1], namespace: 4026532400, cmdline: [])
        try FileManager.default.createDirectory(atPath: root.path + "/self", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root.path + "/999", withIntermediateDirectories: true)  // vanished
        try "root:x:0:0::/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n"
            .write(toFile: root.path + "/passwd", atomically: false, encoding: .utf8)

        let list = PIDNamespaces.list(procRoot: root.path, passwdPath: root.path + "/passwd")
        #expect(list == [
            PIDNamespaceSummary(inode: 4026531836, nprocs: 2, pid: 1, user: "root", command: "/sbin/init splash"),
            PIDNamespaceSummary(inode: 4026532400, nprocs: 1, pid: 950, user: "4242", command: "worker"),
            PIDNamespaceSummary(inode: 4026532500, nprocs: 2, pid: 900, user: "alice", command: "bash"),
        ])

        // Direct members resolve without any ioctl; the fake links cannot be opened.
        #expect(try NSpidChain.hostPID(innerPID: 2, pidNamespace: 4026532500, procRoot: root.path) == HostPID(901))
        #expect(try NSpidChain.hostPID(innerPID: 1, pidNamespace: 4026532400, procRoot: root.path) == HostPID(950))
        #expect(throws: NamespaceError.self) {
            try NSpidChain.hostPID(innerPID: 3, pidNamespace: 4026532500, procRoot: root.path)
        }
    }

    @Test func emptyOrMissingRootGivesNoNamespaces() {
        #expect(PIDNamespaces.list(procRoot: "/nonexistent/proc").isEmpty)
    }

    @Test func namespaceLinkParsing() {
        #expect(ProcFS.namespaceInode(fromLink: "pid:[4026531836]", type: "pid") == 4026531836)
        #expect(ProcFS.namespaceInode(fromLink: "mnt:[4026531836]", type: "pid") == nil)
        #expect(ProcFS.namespaceInode(fromLink: "pid:[x]", type: "pid") == nil)
        #expect(ProcFS.namespaceInode(fromLink: "pid:[12", type: "pid") == nil)
    }

    /// The inode of pid 1's namespace; when a sandbox denies reading pid 1's
    /// link, our own (the test runs in the host namespace: NSpid has one entry).
    static func initNamespace() throws -> UInt64 {
        if let inode = try? Namespace.inode("/proc/1/ns/pid") { return inode }
        try #require(try NSpidChain.read(hostPID: HostPID(getpid())).nspid.count == 1)
        return try Namespace.inode("/proc/self/ns/pid")
    }

    @Test func listContainsTheInitNamespace() throws {
        let initNamespace = try Self.initNamespace()
        let list = PIDNamespaces.list()
        let entry = try #require(list.first { $0.inode == initNamespace })
        #expect(entry.pid == 1)
        #expect(entry.nprocs >= 2)
        #expect(!entry.command.isEmpty)
        #expect(list.map(\.inode) == list.map(\.inode).sorted())
        let own = try Namespace.inode("/proc/self/ns/pid")
        #expect(list.contains { $0.inode == own })
    }

    @Test func ownChain() throws {
        let chain = try NSpidChain.read(hostPID: HostPID(getpid()))
        #expect(chain.pid == getpid())
        #expect(chain.nspid == [getpid()])
        #expect(chain.innermostPID == getpid())
        #expect(chain.pidNamespace == (try Namespace.inode("/proc/self/ns/pid")))
        #expect(try NSpidChain.hostPID(innerPID: getpid(), pidNamespace: chain.pidNamespace) == HostPID(getpid()))
    }

    @Test func initProcessChain() throws {
        let initNamespace = try Self.initNamespace()
        let chain = try NSpidChain.read(hostPID: HostPID(1))
        #expect(chain.nspid == [1])
        #expect(chain.pidNamespace == initNamespace)
        #expect(try NSpidChain.hostPID(innerPID: 1, pidNamespace: initNamespace) == HostPID(1))
    }

    @Test func missingChainIsNotFound() {
        do {
            _ = try NSpidChain.read(hostPID: HostPID(Int32.max - 1))
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .notFound)
            #expect(error.message == "no such process \(Int32.max - 1)")
        }
    }

    @Test func unknownInnerPIDIsNotFound() throws {
        let own = try Namespace.inode("/proc/self/ns/pid")
        do {
            _ = try NSpidChain.hostPID(innerPID: Int32.max - 1, pidNamespace: own)
            Issue.record("expected an error")
        } catch {
            #expect(error.code == .notFound)
            #expect(error.message == "no process with pid \(Int32.max - 1) in pid namespace \(own)")
        }
    }
}

import Foundation
import GRDB
import Model
@testable import Store

/// A database path in a fresh temporary directory, with the records the
/// tests store; `tearDown` removes the directory.
struct StoreFixture {
    /// The directory holding the database.
    let directory: String
    /// The database file.
    var path: String { directory + "/store.db" }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("bpfman-store-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    func tearDown() { try? FileManager.default.removeItem(atPath: directory) }

    /// Opens (creating or migrating) the database as bpfman does.
    func open() throws -> Store { try Store(path: path, busyTimeout: 5) }

    /// A second connection, without foreign key checks, for writing what
    /// bpfman itself never writes.
    func raw() throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    /// The tables of the current schema.
    func tables() throws -> [String] {
        try raw().read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") }
    }

    /// Program 5, a uprobe program with globals and metadata.
    static let program = ProgramRecord(
        id: ProgramID(5), name: "uprobe_counter", type: .uprobe, objectPath: "/run/bpfman/programs/5/bytecode.o",
        sourcePath: "/tmp/uprobe_counter.bpf.o", imageSource: nil, attachFunction: nil, globalData: ["weight": [1, 0, 0, 0]],
        metadata: ["owner": "me"], mapOwnerID: nil, mapPinPath: "/run/bpfman/fs/maps/5", license: "GPL", createdAt: 1_764_000_000)

    /// Program 6, sharing program 5's maps.
    static let sharingProgram = ProgramRecord(
        id: ProgramID(6), name: "uretprobe_counter", type: .uretprobe, objectPath: "/run/bpfman/programs/6/bytecode.o",
        sourcePath: nil, imageSource: ImageSource(url: "quay.io/bpfman-bytecode/uprobe:latest", digest: "sha256:0a", pullPolicy: "Never"),
        attachFunction: nil, globalData: [:], metadata: [:], mapOwnerID: ProgramID(5), mapPinPath: "/run/bpfman/fs/maps/5",
        license: "GPL", createdAt: 1_764_000_002)

    /// Link 1, a uprobe of program 5 on libc's malloc.
    static let link = LinkRecord(
        id: LinkID(1), programID: ProgramID(5), kind: .uprobe, kernelLinkID: 12, pinPath: "/run/bpfman/fs/links/1",
        details: .uprobe(UprobeDetails(target: "libc", functionName: "malloc", offset: 0, pid: 0, retprobe: false, containerPID: 0,
                                       resolvedPath: "/lib/x86_64-linux-gnu/libc.so.6", resolvedOffset: 4096)),
        metadata: ["team": "a"], createdAt: 1_764_000_001)

    /// A new (id 0) XDP dispatcher on ifindex 2 of the host's namespace.
    static let dispatcher = DispatcherRecord(
        id: 0, key: DispatcherKey(type: .xdp, nsid: 4_026_531_840, ifindex: InterfaceIndex(2)), revision: 1, programID: ProgramID(9),
        kernelLinkID: 14, filterPriority: nil, filterHandle: nil, interface: "eth0", netns: "")
}

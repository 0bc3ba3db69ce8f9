import Foundation
import Glibc
import LinuxSys
import Logs
import GRDB
import GRDBSQLite
import Model

/// bpfman's state: the SQLite database at `<rt>/db/store.db`.
///
/// The database runs in WAL mode, so readers in other processes never wait
/// for a writer. Writers are serialised by bpfman's own lock file before
/// they get here, and each command's writes end with ``checkpoint()``, so
/// the next process to open the database finds an empty log instead of
/// replaying it.
package final class Store: Sendable {
    private let queue: DatabaseQueue

    /// Opens (creating and migrating) the database at `path`.
    ///
    /// - Parameter busyTimeout: seconds SQLite waits on a locked database.
    /// - Throws: `StoreError` when the file cannot be opened or migrated.
    package init(path: String, busyTimeout: Double) throws(StoreError) {
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.prepareDatabase { db in
            // One connection per process: bpfman's commands are short and
            // its daemons serialise their writes anyway. WAL is set here
            // rather than through GRDB, which would write a dummy
            // transaction whenever it finds the log empty.
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            // The state describes kernel objects that do not survive a
            // reboot, so commits need not survive power loss: a process
            // crash loses nothing at this level.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // Keep the -wal and -shm files when the connection closes, so
            // each command does not unlink and recreate them.
            var persist: CInt = 1
            _ = sqlite3_file_control(db.sqliteConnection, "main", SQLITE_FCNTL_PERSIST_WAL, &persist)
        }
        Self.restrictAccess(path)
        queue = try Self.open(path: path, configuration: configuration, busyTimeout: busyTimeout)
    }

    /// Makes the database root-only before SQLite opens it: the file is
    /// created 0600 when missing (SQLite gives its -wal and -shm files the
    /// database's mode), and files an earlier version left 0644 are
    /// narrowed. Failures leave the mode as it was, with a warning; the open
    /// reports anything that matters.
    private static func restrictAccess(_ path: String) {
        let fd = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        if fd >= 0 { Glibc.close(fd) }
        for file in [path, path + "-wal", path + "-shm", path + ".open.lock"] where FileSystem.exists(file) {
            Logger.bpfman(.store).attempt("narrowing the database file to mode 0600", metadata: [LogKey.path: .string(file)]) {
                try FileSystem.setMode(file, 0o600)
            }
        }
    }

    /// Copies the log into the database and empties it. A failure is
    /// logged at debug and otherwise harmless: a log left behind is
    /// replayed by the next opener.
    package func checkpoint() {
        do { _ = try queue.writeWithoutTransaction { db in try db.checkpoint(.truncate) } } catch {
            Logger.bpfman(.store).debug("database log not emptied; the next opener replays it", metadata: [LogKey.error: "\(error)"])
        }
    }

    /// Opens and migrates the database. Opening switches to WAL and
    /// migrates; a concurrent first open by another bpfman can make either
    /// step report busy, so those are retried for up to `busyTimeout`.
    private static func open(path: String, configuration: Configuration, busyTimeout: Double) throws(StoreError) -> DatabaseQueue {
        // Two first opens racing could both find the schema missing and both
        // create it; a lock around open-and-migrate makes the second wait.
        let lock: FileLock
        do { lock = try FileLock(path: path + ".open.lock", timeout: busyTimeout) } catch {
            throw StoreError(code: .unavailable, message: "open database \(path): cannot lock \(path).open.lock")
        }
        let queue = try openAndMigrate(path: path, configuration: configuration, busyTimeout: busyTimeout)
        _ = consume lock
        return queue
    }

    private static func openAndMigrate(path: String, configuration: Configuration, busyTimeout: Double) throws(StoreError) -> DatabaseQueue {
        var delay: UInt32 = 20_000
        var waited = 0.0
        while true {
            do {
                let queue = try DatabaseQueue(path: path, configuration: configuration)
                // Most opens find the schema current: checking with a read
                // spares them a write transaction and its fsyncs.
                if try !queue.read(Schema.migrator.hasCompletedMigrations) {
                    try Schema.migrator.migrate(queue)
                    _ = try queue.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
                }
                return queue
            } catch let error as DatabaseError where (error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED) && waited < busyTimeout {
                usleep(delay)
                waited += Double(delay) / 1e6
                delay = min(delay * 2, 500_000)
            } catch {
                throw .database("open database \(path)", error)
            }
        }
    }

    /// Every managed program, ascending by id.
    package func programs() throws(StoreError) -> [ProgramRecord] {
        try read("list programs") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM managed_programs ORDER BY program_id").map(RecordCoding.program)
        }
    }

    /// What crash repair needs of every record, in one read and without
    /// decoding the records: each program's id and map set, each link's id,
    /// program and pin.
    package func recordKeys() throws(StoreError) -> RecordKeys {
        try read("list record keys") { db in
            let programs = try Row.fetchAll(db, sql: "SELECT program_id, map_set_id FROM managed_programs ORDER BY program_id").map {
                (row) throws(StoreError) -> RecordKeys.Program in
                let stored = StoredRow(row, table: "managed_programs", key: "program_id")
                return RecordKeys.Program(id: ProgramID(try stored.integer("program_id")), mapSet: ProgramID(try stored.integer("map_set_id")))
            }
            let links = try Row.fetchAll(db, sql: "SELECT id, program_id, pin_path FROM links ORDER BY id").map {
                (row) throws(StoreError) -> RecordKeys.Link in
                let stored = StoredRow(row, table: "links", key: "id")
                return RecordKeys.Link(id: LinkID(UInt64(bitPattern: try stored.integer("id"))), program: ProgramID(try stored.integer("program_id")),
                                       pinPath: try stored.optionalText("pin_path"))
            }
            return RecordKeys(programs: programs, links: links)
        }
    }

    /// The managed program `id`, or nil.
    package func program(_ id: ProgramID) throws(StoreError) -> ProgramRecord? {
        try read("get program \(id)") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM managed_programs WHERE program_id = ?", arguments: [Int64(id.rawValue)])
                .map(RecordCoding.program)
        }
    }

    /// The programs using map set `setID` (its owner and the programs sharing it).
    package func mapSetUsers(_ setID: ProgramID) throws(StoreError) -> [ProgramID] {
        try read("list map users") { db in
            try Row.fetchAll(db, sql: "SELECT program_id FROM managed_programs WHERE map_set_id = ? ORDER BY program_id",
                             arguments: [Int64(setID.rawValue)]).map { (row) throws(StoreError) in
                ProgramID(try StoredRow(row, table: "managed_programs", key: "program_id").integer("program_id"))
            }
        }
    }

    /// Records a newly loaded program.
    package func insert(_ program: ProgramRecord) throws(StoreError) {
        try write("record program \(program.id)") { db in
            try db.execute(sql: """
                INSERT INTO managed_programs (program_id, program_name, program_type, object_path, source_path, image_source,
                    attach_func, global_data, metadata, map_owner_id, map_set_id, map_pin_path, license, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: RecordCoding.arguments(program))
        }
    }

    /// Forgets program `id` and its links.
    package func deleteProgram(_ id: ProgramID) throws(StoreError) {
        try write("delete program \(id)") { db in
            try db.execute(sql: "DELETE FROM links WHERE program_id = ?", arguments: [Int64(id.rawValue)])
            try db.execute(sql: "DELETE FROM managed_programs WHERE program_id = ?", arguments: [Int64(id.rawValue)])
        }
    }

    /// Every link, ascending by id, optionally only those of `program`.
    package func links(of program: ProgramID? = nil) throws(StoreError) -> [LinkRecord] {
        try read("list links") { db in
            if let program {
                return try Row.fetchAll(db, sql: "SELECT * FROM links WHERE program_id = ? ORDER BY id",
                                        arguments: [Int64(program.rawValue)]).map(RecordCoding.link)
            }
            return try Row.fetchAll(db, sql: "SELECT * FROM links ORDER BY id").map(RecordCoding.link)
        }
    }

    /// The link `id`, or nil.
    package func link(_ id: LinkID) throws(StoreError) -> LinkRecord? {
        try read("get link \(id)") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM links WHERE id = ?", arguments: [Int64(bitPattern: id.rawValue)])
                .map(RecordCoding.link)
        }
    }

    /// The id the next link gets. Reading it takes no write: the caller
    /// holds the writer lock until it records the link (``insert(_:)``) or
    /// gives the id up (``consumeLinkID(_:)``), and both advance the
    /// counter. An attach that dies before either leaves its pins as
    /// orphans for crash repair, and its id to the next link.
    package func nextLinkID() throws(StoreError) -> LinkID {
        try read("next link id") { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT singleton, last_id FROM link_id_counter WHERE singleton = 1") else {
                return LinkID(1)
            }
            // Ids are stored as signed 64-bit numbers: the last can be at most Int64.max, so one more fits.
            let last = try StoredRow(row, table: "link_id_counter", key: "singleton").integer("last_id", as: UInt64.self)
            return LinkID(last + 1)
        }
    }

    /// Advances the link id counter past `id`, which a failed attach used:
    /// ids are not given twice.
    package func consumeLinkID(_ id: LinkID) throws(StoreError) {
        try write("consume link id \(id)") { db in try Self.advanceLinkCounter(db, past: id) }
    }

    private static func advanceLinkCounter(_ db: Database, past id: LinkID) throws {
        try db.execute(sql: "UPDATE link_id_counter SET last_id = MAX(last_id, ?) WHERE singleton = 1",
                       arguments: [Int64(bitPattern: id.rawValue)])
    }

    /// Records a new link and advances the link id counter past it.
    package func insert(_ link: LinkRecord) throws(StoreError) {
        try write("record link \(link.id)") { db in
            try Self.advanceLinkCounter(db, past: link.id)
            try db.execute(sql: """
                INSERT INTO links (id, program_id, kind, kernel_link_id, pin_path, details, metadata, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: RecordCoding.arguments(link))
        }
    }

    /// Forgets link `id`.
    package func deleteLink(_ id: LinkID) throws(StoreError) {
        try write("delete link \(id)") { db in
            try db.execute(sql: "DELETE FROM links WHERE id = ?", arguments: [Int64(bitPattern: id.rawValue)])
        }
    }

    /// Every dispatcher, ascending by type, namespace and interface.
    package func dispatchers() throws(StoreError) -> [DispatcherRecord] {
        try read("list dispatchers") { db in
            try Row.fetchAll(db, sql: "SELECT * FROM dispatchers ORDER BY type, nsid, ifindex").map(RecordCoding.dispatcher)
        }
    }

    /// The dispatcher for `key`, or nil.
    package func dispatcher(_ key: DispatcherKey) throws(StoreError) -> DispatcherRecord? {
        try read("get dispatcher") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM dispatchers WHERE type = ? AND nsid = ? AND ifindex = ?",
                             arguments: [key.type.rawValue, Int64(bitPattern: key.nsid), Int64(key.ifindex.rawValue)]).map(RecordCoding.dispatcher)
        }
    }

    /// Records a dispatcher's new revision together with the member links it
    /// changed, in one transaction. A record with id 0 is new and gets its id
    /// here; `links` builds the changed links from the stored id.
    /// - Returns: the dispatcher as stored.
    package func save(_ dispatcher: DispatcherRecord, updating links: (UInt32) -> [LinkRecord]) throws(StoreError) -> DispatcherRecord {
        try write("record dispatcher") { db in
            var saved = dispatcher
            let values: StatementArguments = [
                dispatcher.key.type.rawValue, Int64(bitPattern: dispatcher.key.nsid), Int64(dispatcher.key.ifindex.rawValue),
                Int64(dispatcher.revision), Int64(dispatcher.programID.rawValue), dispatcher.kernelLinkID.map { Int64($0) },
                dispatcher.filterPriority.map { Int64($0) }, dispatcher.filterHandle.map { Int64($0) }, dispatcher.interface, dispatcher.netns,
            ]
            if dispatcher.id == 0 {
                try db.execute(sql: """
                    INSERT INTO dispatchers (type, nsid, ifindex, revision, program_id, kernel_link_id, filter_priority,
                                             filter_handle, ifname, netns_path)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: values)
                guard let id = UInt32(exactly: db.lastInsertedRowID) else {
                    throw StoreError.corrupt(row: "dispatchers row \(db.lastInsertedRowID)", column: "id",
                                             "\(db.lastInsertedRowID) is out of range \(UInt32.min)...\(UInt32.max)")
                }
                saved.id = id
            } else {
                try db.execute(sql: """
                    UPDATE dispatchers SET type = ?, nsid = ?, ifindex = ?, revision = ?, program_id = ?, kernel_link_id = ?,
                                           filter_priority = ?, filter_handle = ?, ifname = ?, netns_path = ?
                    WHERE id = ?
                    """, arguments: values + [Int64(dispatcher.id)])
            }
            for link in links(saved.id) {
                try db.execute(sql: "UPDATE links SET kernel_link_id = ?, pin_path = ?, details = ? WHERE id = ?",
                               arguments: [link.kernelLinkID.map { Int64($0) }, link.pinPath, try RecordCoding.json(link.details),
                                           Int64(bitPattern: link.id.rawValue)])
            }
            return saved
        }
    }

    /// Forgets the dispatcher for `key`.
    package func deleteDispatcher(_ key: DispatcherKey) throws(StoreError) {
        try write("delete dispatcher") { db in
            try db.execute(sql: "DELETE FROM dispatchers WHERE type = ? AND nsid = ? AND ifindex = ?",
                           arguments: [key.type.rawValue, Int64(bitPattern: key.nsid), Int64(key.ifindex.rawValue)])
        }
    }

    private func read<T>(_ operation: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try queue.read(body) } catch { throw .database(operation, error) }
    }

    private func write<T>(_ operation: String, _ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try queue.write(body) } catch { throw .database(operation, error) }
    }
}

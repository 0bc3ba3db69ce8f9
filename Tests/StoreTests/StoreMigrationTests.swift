import Foundation
import GRDB
import Model
@testable import Store
import Testing

/// Opening creates the schema in a missing or empty file and migrates a
/// database of every earlier schema version, keeping its rows.
@Suite struct StoreMigrationTests {
    /// The tables of the current schema (`sqlite_sequence` backs the
    /// dispatchers' AUTOINCREMENT).
    static let currentTables = ["dispatchers", "grdb_migrations", "link_id_counter", "links", "managed_programs", "sqlite_sequence"]

    @Test("a missing or empty file gets the current schema: root-only, in WAL mode, empty, link ids from 1",
          arguments: [false, true])
    func freshDatabase(emptyFileFirst: Bool) throws {
        let fixture = try StoreFixture()
        defer { fixture.tearDown() }
        if emptyFileFirst { #expect(FileManager.default.createFile(atPath: fixture.path, contents: Data())) }
        let store = try fixture.open()
        #expect(try fixture.tables() == Self.currentTables)
        #expect(try fixture.raw().read(Schema.migrator.appliedMigrations) == ["v1", "v2-dispatchers"])
        #expect(try fixture.raw().read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") } == "wal")
        let mode = try #require(FileManager.default.attributesOfItem(atPath: fixture.path)[.posixPermissions] as? Int)
        #expect(mode == 0o600)
        #expect(try store.programs().isEmpty)
        #expect(try store.links().isEmpty)
        #expect(try store.dispatchers().isEmpty)
        #expect(try store.nextLinkID() == LinkID(1))
    }

    @Test("a database at each earlier schema version migrates to the current one and keeps its programs, links and link ids",
          arguments: Schema.migrator.migrations.dropLast())
    func earlierVersion(_ version: String) throws {
        let fixture = try StoreFixture()
        defer { fixture.tearDown() }
        do {
            let queue = try DatabaseQueue(path: fixture.path)
            try Schema.migrator.migrate(queue, upTo: version)
            try queue.write { db in
                for program in [StoreFixture.program, StoreFixture.sharingProgram] {
                    try db.execute(sql: "INSERT INTO managed_programs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                   arguments: RecordCoding.arguments(program))
                }
                try db.execute(sql: "INSERT INTO links VALUES (?, ?, ?, ?, ?, ?, ?, ?)", arguments: RecordCoding.arguments(StoreFixture.link))
                try db.execute(sql: "UPDATE link_id_counter SET last_id = 1")
            }
        }
        let store = try fixture.open()
        #expect(try fixture.tables() == Self.currentTables)
        #expect(try fixture.raw().read(Schema.migrator.appliedMigrations) == Schema.migrator.migrations)
        #expect(try store.programs() == [StoreFixture.program, StoreFixture.sharingProgram])
        #expect(try store.mapSetUsers(ProgramID(5)) == [ProgramID(5), ProgramID(6)])
        #expect(try store.links() == [StoreFixture.link])
        #expect(try store.nextLinkID() == LinkID(2))
        let saved = try store.save(StoreFixture.dispatcher) { _ in [] }
        #expect(saved.id == 1)
        #expect(try store.dispatchers() == [saved])
    }

    @Test("reopening a current database migrates nothing and reads back what was written")
    func reopen() throws {
        let fixture = try StoreFixture()
        defer { fixture.tearDown() }
        do {
            let store = try fixture.open()
            try store.insert(StoreFixture.program)
            try store.insert(StoreFixture.link)
            store.checkpoint()
        }
        let store = try fixture.open()
        #expect(try fixture.tables() == Self.currentTables)
        #expect(try store.program(ProgramID(5)) == StoreFixture.program)
        #expect(try store.link(LinkID(1)) == StoreFixture.link)
        #expect(try store.nextLinkID() == LinkID(2))
    }
}

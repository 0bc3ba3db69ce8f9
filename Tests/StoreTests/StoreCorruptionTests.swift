import Foundation
import GRDB
import Model
import Store
import Testing

/// Rows whose values do not fit their Swift types (edited by hand, written
/// by another tool, damaged) fail the read with a `StoreError` naming the
/// table, the row and the column, instead of trapping.
@Suite struct StoreCorruptionTests {
    /// A read of the store.
    enum Read: String, Sendable, CustomStringConvertible {
        case programs, mapSetUsers, links, dispatchers, nextLinkID

        func run(_ store: Store) throws(StoreError) {
            switch self {
            case .programs: _ = try store.programs()
            case .mapSetUsers: _ = try store.mapSetUsers(ProgramID(5))
            case .links: _ = try store.links()
            case .dispatchers: _ = try store.dispatchers()
            case .nextLinkID: _ = try store.nextLinkID()
            }
        }

        var description: String { rawValue }
    }

    /// A store holding program 5, its link 1 and dispatcher 1.
    static func populated(_ fixture: StoreFixture) throws -> Store {
        let store = try fixture.open()
        try store.insert(StoreFixture.program)
        try store.insert(StoreFixture.link)
        _ = try store.save(StoreFixture.dispatcher) { _ in [] }
        return store
    }

    static let cases: [(edit: String, read: Read, message: String)] = [
        ("UPDATE managed_programs SET program_id = 4294967296", .programs,
         "list programs: managed_programs row 4294967296: column program_id: 4294967296 is out of range 0...4294967295"),
        ("UPDATE managed_programs SET program_id = 4294967296", .mapSetUsers,
         "list map users: managed_programs row 4294967296: column program_id: 4294967296 is out of range 0...4294967295"),
        ("UPDATE managed_programs SET map_owner_id = -1", .programs,
         "list programs: managed_programs row 5: column map_owner_id: -1 is out of range 0...4294967295"),
        ("UPDATE managed_programs SET map_owner_id = 'five'", .programs,
         "list programs: managed_programs row 5: column map_owner_id: \"five\" is not an integer"),
        ("UPDATE managed_programs SET program_type = 'socket_filter'", .programs,
         "list programs: managed_programs row 5: column program_type: unknown program type \"socket_filter\""),
        ("UPDATE managed_programs SET program_name = x'00ff'", .programs,
         "list programs: managed_programs row 5: column program_name: Data(2 bytes) is not text"),
        ("UPDATE managed_programs SET global_data = '{\"weight\":\"not base64!\"}'", .programs,
         "list programs: managed_programs row 5: column global_data: weight: not base64"),
        ("UPDATE managed_programs SET metadata = '{\"owner\":7}'", .programs,
         "list programs: managed_programs row 5: column metadata: owner: not a String"),
        ("UPDATE links SET program_id = -5", .links,
         "list links: links row 1: column program_id: -5 is out of range 0...4294967295"),
        ("UPDATE links SET kernel_link_id = 4294967296", .links,
         "list links: links row 1: column kernel_link_id: 4294967296 is out of range 0...4294967295"),
        ("UPDATE links SET kind = 'socket_filter'", .links,
         "list links: links row 1: column kind: unknown link kind \"socket_filter\""),
        ("UPDATE links SET details = json_set(details, '$.uprobe._0.pid', -5)", .links,
         "list links: links row 1: column details: uprobe pid -5 is negative"),
        ("UPDATE links SET details = json_set(details, '$.uprobe._0.containerPID', -1)", .links,
         "list links: links row 1: column details: uprobe container pid -1 is negative"),
        ("UPDATE links SET details = json_remove(details, '$.uprobe._0.target')", .links,
         "list links: links row 1: column details: uprobe._0.target: missing"),
        ("UPDATE dispatchers SET ifindex = -1", .dispatchers,
         "list dispatchers: dispatchers row 1: column ifindex: -1 is out of range 0...4294967295"),
        ("UPDATE dispatchers SET revision = 4294967296", .dispatchers,
         "list dispatchers: dispatchers row 1: column revision: 4294967296 is out of range 0...4294967295"),
        ("UPDATE dispatchers SET type = 'tcx'", .dispatchers,
         "list dispatchers: dispatchers row 1: column type: unknown dispatcher type \"tcx\""),
        ("UPDATE dispatchers SET filter_handle = -2", .dispatchers,
         "list dispatchers: dispatchers row 1: column filter_handle: -2 is out of range 0...4294967295"),
        ("UPDATE link_id_counter SET last_id = -3", .nextLinkID,
         "next link id: link_id_counter row 1: column last_id: -3 is out of range 0...18446744073709551615"),
    ]

    @Test("a value out of range for its Swift type, an unknown name or malformed JSON names the row and column",
          arguments: cases)
    func corruptedRow(edit: String, read: Read, message: String) throws {
        let fixture = try StoreFixture()
        defer { fixture.tearDown() }
        let store = try Self.populated(fixture)
        try fixture.raw().write { db in try db.execute(sql: edit) }
        let error = try #require(throws: StoreError.self) { try read.run(store) }
        #expect(error.message == message)
        #expect(error.code == .internal)
    }

    @Test("a JSON number too large for its field names the row and the column, and keeps the decoding error")
    func jsonOutOfRange() throws {
        let fixture = try StoreFixture()
        defer { fixture.tearDown() }
        let store = try Self.populated(fixture)
        try fixture.raw().write { db in try db.execute(sql: "UPDATE links SET details = json_set(details, '$.uprobe._0.pid', 4294967296)") }
        let error = try #require(throws: StoreError.self) { try store.links() }
        #expect(error.message.hasPrefix("list links: links row 1: column details: "), "\(error.message)")
        #expect(error.underlying is DecodingError)
    }

    @Test("a dispatcher id beyond UInt32.max is refused when the database assigns it, and nothing is recorded")
    func dispatcherIDOverflow() throws {
        let fixture = try StoreFixture()
        defer { fixture.tearDown() }
        let store = try fixture.open()
        try fixture.raw().write { db in
            try db.execute(sql: "INSERT INTO sqlite_sequence (name, seq) VALUES ('dispatchers', 4294967295)")
        }
        let error = try #require(throws: StoreError.self) { try store.save(StoreFixture.dispatcher) { _ in [] } }
        #expect(error.message == "record dispatcher: dispatchers row 4294967296: column id: 4294967296 is out of range 0...4294967295")
        #expect(try store.dispatchers().isEmpty)
    }
}

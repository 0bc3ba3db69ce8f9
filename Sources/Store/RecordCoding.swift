import Foundation
import GRDB
import Model

/// Converts records to and from rows; JSON columns hold the nested values.
enum RecordCoding {
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func arguments(_ program: ProgramRecord) throws -> StatementArguments {
        let globals = program.globalData.mapValues { Data($0).base64EncodedString() }
        return [
            Int64(program.id.rawValue), program.name, program.type.rawValue, program.objectPath, program.sourcePath,
            try program.imageSource.map(json), program.attachFunction, try json(globals), try json(program.metadata),
            program.mapOwnerID.map { Int64($0.rawValue) }, Int64(program.mapSetID.rawValue), program.mapPinPath,
            program.license, program.createdAt,
        ]
    }

    /// The program a `managed_programs` row holds.
    ///
    /// - Throws: `StoreError` naming the row and column of a value that does
    ///   not fit (see ``StoredRow``), or of global data that is not base64.
    static func program(_ row: Row) throws(StoreError) -> ProgramRecord {
        let stored = StoredRow(row, table: "managed_programs", key: "program_id")
        var globalData: [String: [UInt8]] = [:]
        for (name, text) in try stored.json("global_data", as: [String: String].self) {
            guard let bytes = Data(base64Encoded: text) else { throw stored.corrupt("global_data", "\(name): not base64") }
            globalData[name] = [UInt8](bytes)
        }
        return ProgramRecord(
            id: ProgramID(try stored.integer("program_id")), name: try stored.text("program_name"),
            type: try stored.enumCase("program_type", "program type"), objectPath: try stored.text("object_path"),
            sourcePath: try stored.optionalText("source_path"), imageSource: try stored.optionalJSON("image_source"),
            attachFunction: try stored.optionalText("attach_func"), globalData: globalData, metadata: try stored.json("metadata"),
            mapOwnerID: try stored.optionalInteger("map_owner_id", as: UInt32.self).map { ProgramID($0) },
            mapPinPath: try stored.text("map_pin_path"), license: try stored.text("license"), createdAt: try stored.integer("created_at"))
    }

    static func arguments(_ link: LinkRecord) throws -> StatementArguments {
        [
            Int64(bitPattern: link.id.rawValue), Int64(link.programID.rawValue), link.kind.rawValue,
            link.kernelLinkID.map { Int64($0) }, link.pinPath, try json(link.details), try link.metadata.map(json),
            link.createdAt,
        ]
    }

    /// The link a `links` row holds.
    ///
    /// - Throws: `StoreError` naming the row and column of a value that does
    ///   not fit, or of a uprobe pid filter or container pid below 0.
    static func link(_ row: Row) throws(StoreError) -> LinkRecord {
        let stored = StoredRow(row, table: "links", key: "id")
        let details: LinkDetails = try stored.json("details")
        if case .uprobe(let uprobe) = details {
            for (field, pid) in [("pid", uprobe.pid), ("container pid", uprobe.containerPID)] where pid < 0 {
                throw stored.corrupt("details", "uprobe \(field) \(pid) is negative")
            }
        }
        return LinkRecord(
            id: LinkID(UInt64(bitPattern: try stored.integer("id"))), programID: ProgramID(try stored.integer("program_id")),
            kind: try stored.enumCase("kind", "link kind"), kernelLinkID: try stored.optionalInteger("kernel_link_id"),
            pinPath: try stored.optionalText("pin_path"), details: details, metadata: try stored.optionalJSON("metadata"),
            createdAt: try stored.integer("created_at"))
    }

    /// The dispatcher a `dispatchers` row holds.
    ///
    /// - Throws: `StoreError` naming the row and column of a value that does not fit.
    static func dispatcher(_ row: Row) throws(StoreError) -> DispatcherRecord {
        let stored = StoredRow(row, table: "dispatchers", key: "id")
        let key = DispatcherKey(type: try stored.enumCase("type", "dispatcher type"),
                                nsid: UInt64(bitPattern: try stored.integer("nsid")), ifindex: InterfaceIndex(try stored.integer("ifindex")))
        return DispatcherRecord(
            id: try stored.integer("id"), key: key, revision: try stored.integer("revision"),
            programID: ProgramID(try stored.integer("program_id")), kernelLinkID: try stored.optionalInteger("kernel_link_id"),
            filterPriority: try stored.optionalInteger("filter_priority"), filterHandle: try stored.optionalInteger("filter_handle"),
            interface: try stored.text("ifname"), netns: try stored.text("netns_path"))
    }
}

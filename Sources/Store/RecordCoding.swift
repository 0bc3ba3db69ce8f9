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

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
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

    static func program(_ row: Row) throws -> ProgramRecord {
        let globals = try decode([String: String].self, row["global_data"])
        let imageText: String? = row["image_source"]
        let ownerID: Int64? = row["map_owner_id"]
        guard let type = ProgramType(rawValue: row["program_type"]) else {
            throw StoreError(message: "program \(row["program_id"] as Int64) has unknown type \(row["program_type"] as String)")
        }
        return ProgramRecord(
            id: ProgramID(UInt32(row["program_id"] as Int64)), name: row["program_name"], type: type,
            objectPath: row["object_path"], sourcePath: row["source_path"],
            imageSource: try imageText.map { try decode(ImageSource.self, $0) }, attachFunction: row["attach_func"],
            globalData: globals.mapValues { [UInt8](Data(base64Encoded: $0) ?? Data()) },
            metadata: try decode([String: String].self, row["metadata"]),
            mapOwnerID: ownerID.map { ProgramID(UInt32($0)) }, mapPinPath: row["map_pin_path"], license: row["license"],
            createdAt: row["created_at"])
    }

    static func arguments(_ link: LinkRecord) throws -> StatementArguments {
        [
            Int64(bitPattern: link.id.rawValue), Int64(link.programID.rawValue), link.kind.rawValue,
            link.kernelLinkID.map { Int64($0) }, link.pinPath, try json(link.details), try link.metadata.map(json),
            link.createdAt,
        ]
    }

    static func link(_ row: Row) throws -> LinkRecord {
        guard let kind = ProgramType(rawValue: row["kind"]) else {
            throw StoreError(message: "link \(row["id"] as Int64) has unknown kind \(row["kind"] as String)")
        }
        let metadataText: String? = row["metadata"]
        let kernelLinkID: Int64? = row["kernel_link_id"]
        return LinkRecord(
            id: LinkID(UInt64(bitPattern: row["id"] as Int64)), programID: ProgramID(UInt32(row["program_id"] as Int64)),
            kind: kind, kernelLinkID: kernelLinkID.map { UInt32($0) }, pinPath: row["pin_path"],
            details: try decode(LinkDetails.self, row["details"]),
            metadata: try metadataText.map { try decode([String: String].self, $0) }, createdAt: row["created_at"])
    }

    static func dispatcher(_ row: Row) throws -> DispatcherRecord {
        guard let type = DispatcherType(rawValue: row["type"]) else {
            throw StoreError(message: "dispatcher \(row["id"] as Int64) has unknown type \(row["type"] as String)")
        }
        let linkID: Int64? = row["kernel_link_id"], priority: Int64? = row["filter_priority"], handle: Int64? = row["filter_handle"]
        return DispatcherRecord(
            id: UInt32(row["id"] as Int64),
            key: DispatcherKey(type: type, nsid: UInt64(bitPattern: row["nsid"] as Int64), ifindex: UInt32(row["ifindex"] as Int64)),
            revision: UInt32(row["revision"] as Int64), programID: ProgramID(UInt32(row["program_id"] as Int64)),
            kernelLinkID: linkID.map { UInt32($0) }, filterPriority: priority.map { UInt32($0) }, filterHandle: handle.map { UInt32($0) },
            interface: row["ifname"], netns: row["netns_path"])
    }
}

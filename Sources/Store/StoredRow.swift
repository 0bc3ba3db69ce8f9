import Foundation
import GRDB

/// One row read back from the database, with checked conversions: a value
/// that does not fit its Swift type (an id above `UInt32.max`, text in an
/// integer column, an unknown enum name, malformed JSON) throws a
/// ``StoreError`` naming the table, the row and the column, where a plain
/// conversion would trap.
struct StoredRow {
    private let row: Row
    /// How errors name the row: `<table> row <key value>`.
    let label: String

    /// Reads `row` of `table`, named in errors by its `key` column.
    init(_ row: Row, table: String, key: String) {
        self.row = row
        label = "\(table) row \(row[key] as DatabaseValue)"
    }

    /// The integer in `column`, which must fit `T`.
    func integer<T: FixedWidthInteger>(_ column: String, as type: T.Type = T.self) throws(StoreError) -> T {
        guard let value = try optionalInteger(column, as: type) else { throw corrupt(column, "NULL where a number is required") }
        return value
    }

    /// The integer in `column`, which must fit `T`, or nil for NULL.
    func optionalInteger<T: FixedWidthInteger>(_ column: String, as type: T.Type = T.self) throws(StoreError) -> T? {
        let value = row[column] as DatabaseValue
        switch value.storage {
        case .null:
            return nil
        case .int64(let number):
            guard let fitted = T(exactly: number) else { throw corrupt(column, "\(number) is out of range \(T.min)...\(T.max)") }
            return fitted
        default:
            throw corrupt(column, "\(value) is not an integer")
        }
    }

    /// The text in `column`.
    func text(_ column: String) throws(StoreError) -> String {
        guard let value = try optionalText(column) else { throw corrupt(column, "NULL where text is required") }
        return value
    }

    /// The text in `column`, or nil for NULL.
    func optionalText(_ column: String) throws(StoreError) -> String? {
        let value = row[column] as DatabaseValue
        switch value.storage {
        case .null: return nil
        case .string(let text): return text
        default: throw corrupt(column, "\(value) is not text")
        }
    }

    /// The enum case named by the text in `column`; `what` names the enum
    /// in the error (`program type`).
    func enumCase<T: RawRepresentable<String>>(_ column: String, _ what: String, as type: T.Type = T.self) throws(StoreError) -> T {
        let text = try text(column)
        guard let value = T(rawValue: text) else { throw corrupt(column, "unknown \(what) \"\(text)\"") }
        return value
    }

    /// The JSON document in `column`, decoded as `T`.
    func json<T: Decodable>(_ column: String, as type: T.Type = T.self) throws(StoreError) -> T {
        guard let value = try optionalJSON(column, as: type) else { throw corrupt(column, "NULL where JSON is required") }
        return value
    }

    /// The JSON document in `column`, decoded as `T`, or nil for NULL.
    func optionalJSON<T: Decodable>(_ column: String, as type: T.Type = T.self) throws(StoreError) -> T? {
        guard let text = try optionalText(column) else { return nil }
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch let error as DecodingError {
            throw corrupt(column, Self.describe(error), underlying: error)
        } catch {
            throw corrupt(column, "\(error)", underlying: error)
        }
    }

    /// The error for a bad value in `column`.
    func corrupt(_ column: String, _ reason: String, underlying: (any Error)? = nil) -> StoreError {
        .corrupt(row: label, column: column, reason, underlying: underlying)
    }

    /// A decoding failure as `path: what is wrong`.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context, _ extra: [any CodingKey] = []) -> String {
            let keys = (context.codingPath + extra).map { $0.intValue.map(String.init) ?? $0.stringValue }
            return keys.isEmpty ? "invalid JSON" : keys.joined(separator: ".")
        }
        switch error {
        case .typeMismatch(let type, let context): return "\(path(context)): not a \(type)"
        case .valueNotFound(let type, let context): return "\(path(context)): missing \(type)"
        case .keyNotFound(let key, let context): return "\(path(context, [key])): missing"
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)" + (context.underlyingError.map { " (\($0))" } ?? "")
        @unknown default: return "\(error)"
        }
    }
}

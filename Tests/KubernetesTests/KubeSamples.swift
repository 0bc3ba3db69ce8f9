import Foundation
import TestSupport
import Yams

/// The recorded API responses (testdata/kube/recorded) and the manifest
/// samples (config/samples), as the bytes the agent would receive.
enum KubeSamples {
    /// A recorded response body; its `_`-prefixed annotation keys stay in, as unknown fields.
    static func recorded(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: TestEnvironment.repoRoot + "/testdata/kube/recorded/" + name))
    }

    /// A YAML sample as the JSON the API server would serve for it.
    static func sample(_ path: String) throws -> Data {
        let text = try String(contentsOfFile: TestEnvironment.repoRoot + "/config/samples/" + path, encoding: .utf8)
        return try JSONSerialization.data(withJSONObject: try Yams.load(yaml: text) as Any)
    }

    /// `text` decoded as the agent decodes API responses.
    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    /// The coding path of a decoding error, dotted, with the key or type it is about.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String { context.codingPath.map(\.stringValue).joined(separator: ".") }
        switch error {
        case .keyNotFound(let key, let context): return "missing \(path(context)).\(key.stringValue)"
        case .typeMismatch(let type, let context): return "\(path(context)) is not \(type)"
        case .valueNotFound(let type, let context): return "\(path(context)) is null, not \(type)"
        case .dataCorrupted: return "corrupted"
        @unknown default: return "\(error)"
        }
    }
}

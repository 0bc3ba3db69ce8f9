import Foundation
import Model

/// What an image's labels say about the bytecode it carries.
///
/// Current images label `io.ebpf.programs` (`{"<function>":"<type>"}`) and
/// `io.ebpf.maps` (`{"<map>":"<type>"}`). Older ones name a single program
/// with `io.ebpf.program_name` or `io.ebpf.bpf_function_name`,
/// `io.ebpf.program_type` and `io.ebpf.filename`.
package struct BytecodeLabels: Sendable, Equatable {
    /// Program function name → bpfman program type.
    package var programs: [String: ProgramType]
    /// Map name → map type, as labelled.
    package var maps: [String: String]
    /// The object's file name in the layer, when the image names one.
    package var filename: String?

    /// The label keys.
    package enum Key {
        /// `{"<function>":"<type>"}`.
        package static let programs = "io.ebpf.programs"
        /// `{"<map>":"<type>"}`.
        package static let maps = "io.ebpf.maps"
        /// Legacy: the object file in the layer.
        package static let filename = "io.ebpf.filename"
        /// Legacy: the program's type.
        package static let programType = "io.ebpf.program_type"
        /// Legacy: the program's name.
        package static let programName = "io.ebpf.program_name"
        /// Legacy: the program's function name.
        package static let functionName = "io.ebpf.bpf_function_name"
    }

    /// Creates labels from their parts.
    package init(programs: [String: ProgramType], maps: [String: String], filename: String? = nil) {
        self.programs = programs
        self.maps = maps
        self.filename = filename
    }

    /// Reads `labels`.
    ///
    /// - Throws: `.invalidArgument` naming the label that does not parse or
    ///   names an unknown program type.
    package init(labels: [String: String]) throws(ImageError) {
        var programs: [String: ProgramType] = [:]
        if let text = labels[Key.programs] {
            for (name, typeName) in try Self.decodeObject(text, label: Key.programs) {
                guard let type = ProgramType(rawValue: typeName.lowercased()) else {
                    throw ImageError(.invalidArgument, "image label \(Key.programs): unknown program type \"\(typeName)\" for \(name)")
                }
                programs[name] = type
            }
        } else if let name = labels[Key.functionName] ?? labels[Key.programName] {
            guard let typeName = labels[Key.programType], let type = ProgramType(rawValue: typeName.lowercased()) else {
                throw ImageError(.invalidArgument,
                                 "image label \(Key.programType): missing or unknown program type \"\(labels[Key.programType] ?? "")\"")
            }
            programs[name] = type
        }
        let maps = try labels[Key.maps].map { (text) throws(ImageError) in try Self.decodeObject(text, label: Key.maps) } ?? [:]
        self.init(programs: programs, maps: maps, filename: labels[Key.filename])
    }

    /// The labels to write for an image carrying these programs and maps.
    package var imageLabels: [String: String] {
        [Key.programs: Self.encodeObject(programs.mapValues(\.rawValue)), Key.maps: Self.encodeObject(maps)]
    }

    /// `{"a":"b",...}` with sorted keys.
    package static func encodeObject(_ object: [String: String]) -> String {
        let data = (try? JSONEncoder.canonical.encode(object)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private static func decodeObject(_ text: String, label: String) throws(ImageError) -> [String: String] {
        do {
            return try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        } catch {
            throw ImageError(.invalidArgument, "image label \(label): expected a JSON object of strings, got \(text.debugDescription)")
        }
    }
}

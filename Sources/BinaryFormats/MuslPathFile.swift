/// The musl dynamic loader's search path file, `/etc/ld-musl-<arch>.path`.
///
/// musl splits the file content at `':'` and newlines and ignores empty
/// elements. When the file does not exist musl searches `defaultDirectories`;
/// an existing but empty file means an empty search path.
package struct MuslPathFile: Equatable, Sendable {
    /// The directories musl searches when the path file is absent.
    package static let defaultDirectories = ["/lib", "/usr/local/lib", "/usr/lib"]

    /// The directories listed in the file, in order.
    package let directories: [String]

    /// Parses the content of a path file.
    package init(text: String) {
        directories = text.split(whereSeparator: { $0 == ":" || $0 == "\n" || $0 == "\r\n" })
            .map(String.init)
    }

    /// The path file for a musl architecture name, for example `"/etc/ld-musl-x86_64.path"`.
    package static func fileName(architecture: String) -> String {
        "/etc/ld-musl-\(architecture).path"
    }

    /// File names to try in each search directory when resolving `library`.
    ///
    /// For `"libc"` these are `"libc.so"` and musl's loader names
    /// (`"ld-musl-<arch>.so.1"`, `"libc.musl-<arch>.so.1"`), since musl's libc
    /// is its dynamic loader. A name already containing `".so"` is used as is;
    /// any other name gets `".so"` appended.
    package static func candidateFileNames(library: String, architecture: String) -> [String] {
        if library == "libc" {
            return ["libc.so", "ld-musl-\(architecture).so.1", "libc.musl-\(architecture).so.1"]
        }
        if library.contains(".so") { return [library] }
        return [library + ".so"]
    }
}

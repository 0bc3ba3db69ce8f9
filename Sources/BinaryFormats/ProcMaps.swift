/// The parsed text of `/proc/<pid>/maps`.
///
/// Each line has the form `start-end perms offset dev inode [pathname]`.
/// The pathname is everything after the inode and its padding, so it may
/// contain spaces, be a pseudo name such as `"[heap]"`, be empty for anonymous
/// mappings, or end with `" (deleted)"`. Lines that do not parse are skipped.
package struct ProcMaps: Sendable {
    /// One mapping line.
    package struct Entry: Equatable, Sendable {
        /// First address of the mapping.
        package let start: UInt64
        /// One past the last address of the mapping.
        package let end: UInt64
        /// Permission string such as `"r-xp"`.
        package let permissions: String
        /// Offset of the mapping in the file.
        package let offset: UInt64
        /// Device as printed by the kernel, `"major:minor"` in hex (for example `"fe:00"`).
        package let device: String
        /// Inode number of the mapped file, 0 for anonymous mappings.
        package let inode: UInt64
        /// The pathname field exactly as printed (possibly empty).
        package let pathname: String

        /// Whether the mapped file has been deleted (the pathname ends with `" (deleted)"`).
        package var isDeleted: Bool { pathname.hasSuffix(ProcMaps.deletedSuffix) }

        /// The absolute path of the mapped file without any `" (deleted)"` suffix, or `nil` for non-file mappings.
        package var filePath: String? {
            guard pathname.hasPrefix("/") else { return nil }
            guard isDeleted else { return pathname }
            return String(pathname.dropLast(ProcMaps.deletedSuffix.count))
        }
    }

    static let deletedSuffix = " (deleted)"

    /// The parsed mappings in file order.
    package let entries: [Entry]

    /// Parses the text of a maps file, skipping lines that do not have the expected shape.
    package init(text: String) {
        var entries: [Entry] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if let entry = ProcMaps.parse(line: line) { entries.append(entry) }
        }
        self.entries = entries
    }

    /// The absolute paths of all mapped, not deleted files, without duplicates, in order of first appearance.
    package func mappedFiles() -> [String] {
        var seen: Set<String> = []
        var result: [String] = []
        for entry in entries where !entry.isDeleted {
            if let path = entry.filePath, seen.insert(path).inserted { result.append(path) }
        }
        return result
    }

    /// The first mapped, not deleted file whose basename is a library-shaped match for `name`.
    ///
    /// A basename matches when it equals `name`, starts with `name + ".so"`
    /// (`"libc.so.6"`), or is `name + "-" + version + ".so…"` (`"libc-2.31.so"`).
    /// For `"libc"` the musl loader, which is also its libc, matches too
    /// (`"ld-musl-x86_64.so.1"`, `"libc.musl-x86_64.so.1"`). A `name` containing
    /// `/` must equal the whole path.
    package func mappedFile(matchingLibrary name: String) -> String? {
        guard !name.isEmpty else { return nil }
        for path in mappedFiles() {
            if name.contains("/") {
                if path == name { return path }
                continue
            }
            let basename = path.split(separator: "/").last.map(String.init) ?? path
            if ProcMaps.isLibrary(basename: basename, matching: name) { return path }
        }
        return nil
    }

    /// Whether `basename` names a library called `name` (see `mappedFile(matchingLibrary:)`).
    package static func isLibrary(basename: String, matching name: String) -> Bool {
        if basename == name || basename.hasPrefix(name + ".so") { return true }
        if name == "libc" && (basename.hasPrefix("ld-musl-") || basename.hasPrefix("libc.musl-")) { return true }
        let dashed = name + "-"
        guard basename.hasPrefix(dashed) else { return false }
        // Expect "<version>.so" or "<version>.so.<more>" where the version starts with a digit.
        let tail = Array(basename.utf8.dropFirst(dashed.utf8.count))
        guard let first = tail.first, isDigit(first) else { return false }
        var index = 0
        while index < tail.count {
            let byte = tail[index]
            if byte == UInt8(ascii: "."), index + 2 < tail.count, tail[index + 1] == UInt8(ascii: "s"),
               tail[index + 2] == UInt8(ascii: "o"), index + 3 == tail.count || tail[index + 3] == UInt8(ascii: ".") {
                return true
            }
            let isLetter = (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
            guard isDigit(byte) || isLetter || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") else { return false }
            index += 1
        }
        return false
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func parse(line: Substring) -> Entry? {
        var rest = line[...]
        guard let range = nextField(&rest), let permissions = nextField(&rest), let offsetText = nextField(&rest),
              let device = nextField(&rest), let inodeText = nextField(&rest) else { return nil }
        let bounds = range.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard bounds.count == 2, let start = UInt64(bounds[0], radix: 16), let end = UInt64(bounds[1], radix: 16),
              let offset = UInt64(offsetText, radix: 16), let inode = UInt64(inodeText) else { return nil }
        let pathname = rest.drop(while: { $0 == " " || $0 == "\t" })
        return Entry(start: start, end: end, permissions: String(permissions), offset: offset,
                     device: String(device), inode: inode, pathname: String(pathname))
    }

    private static func nextField(_ text: inout Substring) -> Substring? {
        let trimmed = text.drop(while: { $0 == " " || $0 == "\t" })
        guard !trimmed.isEmpty else { return nil }
        let end = trimmed.firstIndex(where: { $0 == " " || $0 == "\t" }) ?? trimmed.endIndex
        text = trimmed[end...]
        return trimmed[trimmed.startIndex..<end]
    }
}

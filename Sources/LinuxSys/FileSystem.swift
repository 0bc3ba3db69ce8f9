import Diagnostics
import Glibc
import SystemPackage

/// Foundation-free file system calls, usable from the single-threaded
/// namespace helper.
package enum FileSystem {
    /// The largest file ``readFile(_:limit:)`` reads unless told otherwise (256 MiB).
    package static let defaultReadLimit = 256 << 20

    /// Reads a whole file.
    ///
    /// - Throws: the errno of `open`/`read`; `.fileTooLarge` past `limit` bytes.
    package static func readFile(_ path: String, limit: Int = defaultReadLimit) throws(Errno) -> [UInt8] {
        let fd = try retryingOnInterrupt { open(path, O_RDONLY | O_CLOEXEC) }
        defer { _ = close(fd) }
        return try readAll(fd, limit: limit)
    }

    /// Reads `fd` to its end.
    private static func readAll(_ fd: Int32, limit: Int) throws(Errno) -> [UInt8] {
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = try retryingOnInterrupt {
                chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            }
            if count == 0 { break }
            if result.count + count > limit { throw .fileTooLarge }
            result.append(contentsOf: chunk[0..<count])
        }
        return result
    }

    /// Reads a whole regular file given by a client, never blocking in
    /// `open`: the file is opened `O_NONBLOCK` (so a FIFO without a writer
    /// or a device does not hang the caller) and refused unless `fstat`
    /// says it is a regular file.
    ///
    /// - Throws: ``FileReadError/system(_:)`` with the errno of `open`,
    ///   `fstat` or `read` (`.fileTooLarge` past `limit` bytes), or
    ///   ``FileReadError/notRegularFile(kind:)`` naming what it is instead.
    package static func readRegularFile(_ path: String, limit: Int = defaultReadLimit) throws(FileReadError) -> [UInt8] {
        let fd: Int32
        do { fd = try retryingOnInterrupt { open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK) } } catch { throw .system(error) }
        defer { _ = close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system(.lastError) }
        let kind = FileKind(mode: info.st_mode)
        guard kind == .regular else { throw .notRegularFile(kind) }
        do { return try readAll(fd, limit: limit) } catch { throw .system(error) }
    }

    /// Reads a whole text file (procfs, sysfs), decoding it as UTF-8.
    package static func readText(_ path: String, limit: Int = 16 << 20) throws(Errno) -> String {
        String(decoding: try readFile(path, limit: limit), as: UTF8.self)
    }

    /// Sets the permission bits of `path` (following links).
    package static func setMode(_ path: String, _ mode: mode_t) throws(Errno) {
        _ = try retryingOnInterrupt { chmod(path, mode) }
    }

    /// Writes `bytes` to a new file at `path` (truncating), with `mode`.
    package static func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws(Errno) {
        let fd = try retryingOnInterrupt { open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode) }
        defer { _ = close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = try retryingOnInterrupt {
                bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            }
            offset += written
        }
    }

    /// The file's status, or nil when it does not exist.
    package static func status(_ path: String, followingLinks: Bool = true) -> stat? {
        var info = stat()
        let result = followingLinks ? stat(path, &info) : lstat(path, &info)
        return result == 0 ? info : nil
    }

    /// Whether something exists at `path`.
    package static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Whether `path` is a directory.
    package static func isDirectory(_ path: String) -> Bool {
        guard let info = status(path) else { return false }
        return (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether `path` is a regular file.
    package static func isRegularFile(_ path: String) -> Bool {
        guard let info = status(path) else { return false }
        return (info.st_mode & S_IFMT) == S_IFREG
    }

    /// Creates `path` and its missing parents.
    package static func createDirectories(_ path: String, mode: mode_t = 0o755) throws(Errno) {
        if isDirectory(path) { return }
        let parent = dirname(of: path)
        if parent != path && !parent.isEmpty { try createDirectories(parent, mode: mode) }
        if mkdir(path, mode) != 0 {
            let errno = Errno.lastError
            if errno != .fileExists { throw errno }
        }
    }

    /// Removes a file or an empty directory; a missing path is not an error.
    package static func remove(_ path: String) throws(Errno) {
        if unlink(path) == 0 { return }
        var errno = Errno.lastError
        if errno == .noSuchFileOrDirectory { return }
        if errno == .isDirectory || errno == .notPermitted {
            if rmdir(path) == 0 { return }
            errno = Errno.lastError
            if errno == .noSuchFileOrDirectory { return }
        }
        throw errno
    }

    /// Removes `path` and everything below it; a missing path is not an error.
    package static func removeTree(_ path: String) throws(Errno) {
        if let info = status(path, followingLinks: false), (info.st_mode & S_IFMT) == S_IFDIR {
            for name in try listDirectory(path) { try removeTree(path + "/" + name) }
        }
        try remove(path)
    }

    /// The names in a directory, without `.` and `..`, unsorted.
    package static func listDirectory(_ path: String) throws(Errno) -> [String] {
        guard let dir = opendir(path) else { throw Errno.lastError }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The target of a symbolic link.
    package static func readLink(_ path: String) throws(Errno) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = try retryingOnInterrupt { readlink(path, &buffer, buffer.count - 1) }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The directory part of `path` ("/" for top-level entries).
    package static func dirname(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The last path component of `path`.
    package static func basename(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }
}

/// What a file is, from the `S_IFMT` bits of its mode.
package enum FileKind: Sendable, Equatable, CustomStringConvertible {
    case regular, directory, fifo, characterDevice, blockDevice, socket, symbolicLink, unknown

    /// The kind of a file of `mode`.
    package init(mode: mode_t) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFIFO: self = .fifo
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        case S_IFSOCK: self = .socket
        case S_IFLNK: self = .symbolicLink
        default: self = .unknown
        }
    }

    /// The kind for messages: "a directory", "a FIFO", ….
    package var description: String {
        switch self {
        case .regular: "a regular file"
        case .directory: "a directory"
        case .fifo: "a FIFO"
        case .characterDevice: "a character device"
        case .blockDevice: "a block device"
        case .socket: "a socket"
        case .symbolicLink: "a symbolic link"
        case .unknown: "not a regular file"
        }
    }
}

/// Why ``FileSystem/readRegularFile(_:limit:)`` read nothing.
package enum FileReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A system call failed.
    case system(Errno)
    /// The path names something other than a regular file.
    case notRegularFile(FileKind)

    /// The cause for messages: the errno's text, or "is a FIFO, not a regular file".
    package var description: String {
        switch self {
        case .system(let errno): errno.lowercasedDescription
        case .notRegularFile(let kind): "is \(kind), not a regular file"
        }
    }
}

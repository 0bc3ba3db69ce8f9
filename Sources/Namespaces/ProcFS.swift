import Glibc
import LinuxSys
import SystemPackage

/// Small procfs readers shared by the namespace scanners; every failure is `nil`.
enum ProcFS {
    /// The numeric entries of `procRoot` (one per process), ascending.
    static func pids(procRoot: String) -> [Int32] {
        guard let names = try? FileSystem.listDirectory(procRoot) else { return [] }
        var pids: [Int32] = []
        pids.reserveCapacity(names.count)
        for name in names {
            guard let first = name.utf8.first, first >= UInt8(ascii: "0"), first <= UInt8(ascii: "9"),
                  let pid = Int32(name), pid > 0 else { continue }
            pids.append(pid)
        }
        return pids.sorted()
    }

    /// The inode of the pid namespace of `pid`, from the `pid:[4026531836]` link text.
    static func pidNamespaceInode(pid: Int32, procRoot: String) -> UInt64? {
        guard let target = try? FileSystem.readLink("\(procRoot)/\(pid)/ns/pid") else { return nil }
        return namespaceInode(fromLink: target, type: "pid")
    }

    /// Parses a namespace link text such as `pid:[4026531836]`; nil for another type or shape.
    static func namespaceInode(fromLink text: String, type: String) -> UInt64? {
        let prefix = type + ":["
        guard text.hasPrefix(prefix), text.hasSuffix("]") else { return nil }
        let digits = text.dropFirst(prefix.count).dropLast()
        return UInt64(digits)
    }

    /// The command line of `pid` with NULs turned into spaces and trimmed; nil when unreadable.
    static func commandLine(pid: Int32, procRoot: String) -> String? {
        guard let bytes = try? FileSystem.readFile("\(procRoot)/\(pid)/cmdline", limit: 1 << 20) else { return nil }
        let spaced = bytes.map { $0 == 0 ? UInt8(ascii: " ") : $0 }
        return String(decoding: spaced, as: UTF8.self).trimmingWhitespace()
    }

    /// The inode of the namespace an open namespace descriptor refers to.
    static func inode(ofDescriptor fd: CInt) -> UInt64? {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        return UInt64(info.st_ino)
    }
}

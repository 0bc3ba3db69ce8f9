import LinuxSys

/// User names by uid, parsed from an `/etc/passwd` style file without NSS.
///
/// Lines are `name:password:uid:gid:gecos:home:shell`; comments, blank and
/// malformed lines are skipped and the first entry for a uid wins.
struct PasswdFile: Sendable, Equatable {
    /// The user name of each uid.
    let names: [UInt32: String]

    /// Parses passwd `text`.
    init(parsing text: String) {
        var names: [UInt32: String] = [:]
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("#") { continue }
            let fields = line.split(separator: ":", maxSplits: 3, omittingEmptySubsequences: false)
            guard fields.count >= 3, !fields[0].isEmpty, let uid = UInt32(fields[2]) else { continue }
            if names[uid] == nil { names[uid] = String(fields[0]) }
        }
        self.names = names
    }

    /// Reads `path`; an unreadable file gives an empty table.
    init(path: String) {
        let text = (try? FileSystem.readText(path, limit: 16 << 20)) ?? ""
        self.init(parsing: text)
    }

    /// The name of `uid`, or its decimal form when the file does not list it.
    func userName(of uid: UInt32) -> String { names[uid] ?? String(uid) }
}

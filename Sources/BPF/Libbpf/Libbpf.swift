internal import CLibbpf
import Diagnostics
import Glibc
import Model
import SystemPackage
import Synchronization

/// Process-wide libbpf settings and conversions.
enum Libbpf {
    /// libbpf's most recent warnings (at most ``warningLimit``), captured
    /// instead of printed: they name what libbpf found broken in an object.
    private static let warnings = Mutex<[String]>([])
    private static let warningLimit = 8

    /// Routes libbpf's warnings into the buffer ``takeWarnings()`` empties
    /// instead of stderr: bpfman reports errors itself, with their cause.
    static func silenceLogging() {
        _ = libbpf_set_print { level, format, arguments in
            guard level == LIBBPF_WARN, let format, let arguments else { return 0 }
            var buffer = [CChar](repeating: 0, count: 512)
            _ = vsnprintf(&buffer, buffer.count, format, arguments)
            let line = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                .trimmingWhitespace()
            guard !line.isEmpty else { return 0 }
            Libbpf.warnings.withLock { lines in
                lines.append(line.hasPrefix("libbpf: ") ? String(line.dropFirst("libbpf: ".count)) : line)
                if lines.count > Libbpf.warningLimit { lines.removeFirst(lines.count - Libbpf.warningLimit) }
            }
            return 0
        }
    }

    /// Empties the warning buffer, for a new open or load.
    static func clearWarnings() { warnings.withLock { $0.removeAll() } }

    /// The warnings libbpf printed since ``clearWarnings()``, joined with
    /// `"; "`, and empties the buffer.
    static func takeWarnings() -> String {
        warnings.withLock { lines in
            defer { lines.removeAll() }
            return lines.joined(separator: "; ")
        }
    }

    /// The ids a `bpf_*_get_next_id` call walks, ascending from the first.
    static func allIDs(_ next: (UInt32, UnsafeMutablePointer<UInt32>) -> CInt) -> [UInt32] {
        var ids: [UInt32] = []
        var current: UInt32 = 0
        while next(current, &current) == 0 { ids.append(current) }
        return ids
    }

    /// A zeroed libbpf options struct whose `sz` ends at `lastField`, the
    /// last field the caller sets; Swift cannot use `LIBBPF_OPTS`.
    ///
    /// libbpf rejects non-zero bytes between the fields it knows and `sz`;
    /// tail padding of a Swift-built value is not guaranteed to be zero, so
    /// `sz` stops at the end of a field rather than at the struct's size.
    static func options<Options: LibbpfOptions, Field>(through lastField: KeyPath<Options, Field>) -> Options {
        var options = Options()
        let fieldSize = MemoryLayout<Field>.size
        options.sz = (MemoryLayout<Options>.offset(of: lastField) ?? MemoryLayout<Options>.size - fieldSize) + fieldSize
        return options
    }

    /// libbpf's text for an errno, including its private error codes (4000+).
    static func describe(_ errno: Errno) -> String {
        if errno.rawValue < 4000 { return errno.lowercasedDescription }
        var buffer = [CChar](repeating: 0, count: 256)
        _ = libbpf_strerror(-errno.rawValue, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).lowercased()
    }

    /// `BPF_F_XDP_HAS_FRAGS`: the XDP program handles multi-buffer packets.
    static let xdpHasFrags: UInt32 = 1 << 5
}

/// A libbpf options struct: zero-initialisable, with its size in `sz`.
protocol LibbpfOptions {
    init()
    var sz: Int { get set }
}

extension bpf_object_open_opts: LibbpfOptions {}
extension bpf_link_create_opts: LibbpfOptions {}
extension bpf_tc_opts: LibbpfOptions {}
extension bpf_tc_hook: LibbpfOptions {}
extension bpf_xdp_query_opts: LibbpfOptions {}

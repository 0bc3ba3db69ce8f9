internal import CLibbpf
import Diagnostics
import Glibc
import LinuxSys
import Model
import SystemPackage

/// Reading program info from the kernel, opening programs and listing them.
extension KernelProgram {
    /// Reads the info of the program `fd` refers to.
    ///
    /// Corresponds to `bpf_obj_get_info_by_fd` (`BPF_OBJ_GET_INFO_BY_FD`).
    /// - Parameter readingFDInfo: whether to read `memlock` from the fd's
    ///   fdinfo, a procfs read costing as much as the rest; without it
    ///   `memlock` is nil.
    package init(fd: borrowing OwnedDescriptor, readingFDInfo: Bool = true) throws(BPFError) {
        var info = bpf_prog_info()
        var length = UInt32(MemoryLayout<bpf_prog_info>.size)
        var result = bpf_obj_get_info_by_fd(fd.rawValue, &info, &length)
        guard result == 0 else { throw BPFError.syscall("read program info", call: "BPF_OBJ_GET_INFO_BY_FD", errno: Errno(rawValue: -result)) }
        var mapIDs = [UInt32](repeating: 0, count: Int(info.nr_map_ids))
        if !mapIDs.isEmpty {
            let count = info.nr_map_ids
            info = bpf_prog_info()
            info.nr_map_ids = count
            result = mapIDs.withUnsafeMutableBufferPointer { buffer in
                info.map_ids = UInt64(UInt(bitPattern: buffer.baseAddress))
                return bpf_obj_get_info_by_fd(fd.rawValue, &info, &length)
            }
            guard result == 0 else { throw BPFError.syscall("read program info", call: "BPF_OBJ_GET_INFO_BY_FD", errno: Errno(rawValue: -result)) }
            mapIDs = Array(mapIDs.prefix(Int(min(count, info.nr_map_ids))))
        }
        let tag = withUnsafeBytes(of: info.tag) { $0.map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined() }
        self.init(id: ProgramID(info.id), name: withUnsafeBytes(of: info.name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) },
                  type: info.type, tag: tag, loadedAtNanoseconds: BootClock.wallNanoseconds(sinceBoot: info.load_time),
                  uid: info.created_by_uid, btfID: info.btf_id, mapIDs: mapIDs, jitedSize: info.jited_prog_len,
                  xlatedSize: info.xlated_prog_len, verifiedInstructions: info.verified_insns,
                  memlock: readingFDInfo ? FDInfo(fd: fd.rawValue).value("memlock") : nil, gplCompatible: info.gpl_compatible != 0,
                  runTimeNanoseconds: info.run_time_ns, runCount: info.run_cnt, recursionMisses: info.recursion_misses)
    }

    /// Opens the program with kernel id `id`.
    ///
    /// Corresponds to `bpf_prog_get_fd_by_id`.
    /// - Throws: `.notFound` when no such program is loaded.
    package static func open(id: ProgramID) throws(BPFError) -> OwnedDescriptor {
        let fd = bpf_prog_get_fd_by_id(id.rawValue)
        guard fd >= 0 else {
            throw BPFError.syscall("open program \(id)", call: "BPF_PROG_GET_FD_BY_ID", errno: .lastError)
        }
        return OwnedDescriptor(fd)
    }

    /// The ids of every program loaded in the kernel, ascending.
    ///
    /// Corresponds to `bpf_prog_get_next_id`.
    package static func allIDs() -> [ProgramID] {
        Libbpf.allIDs(bpf_prog_get_next_id).map { ProgramID($0) }
    }
}

/// Fields of `/proc/self/fdinfo/<fd>`, read once and scanned as bytes: a
/// metrics scrape reads it for every program and map in the kernel.
struct FDInfo {
    private let bytes: [UInt8]

    /// Reads the fdinfo of `fd`; without it (no procfs) every value is nil.
    init(fd: CInt) {
        bytes = (try? FileSystem.readFile("/proc/self/fdinfo/\(fd)")) ?? []
    }

    /// The decimal value of the `key:` line, between optional blanks; nil
    /// when there is no such line or its value is not a number.
    func value(_ key: String) -> UInt64? {
        let prefix = Array(key.utf8) + [UInt8(ascii: ":")]
        var start = 0
        while start < bytes.count {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            if end - start >= prefix.count, bytes[start..<start + prefix.count].elementsEqual(prefix) {
                return Self.number(bytes[(start + prefix.count)..<end])
            }
            start = end + 1
        }
        return nil
    }

    private static func number(_ field: ArraySlice<UInt8>) -> UInt64? {
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard let first = field.firstIndex(where: { !blank($0) }), let last = field.lastIndex(where: { !blank($0) }) else { return nil }
        var value: UInt64 = 0
        for byte in field[first...last] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflowSum) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflowTimes, !overflowSum else { return nil }
            value = sum
        }
        return value
    }
}

/// Converts kernel boot-time stamps to wall-clock time.
package enum BootClock {
    /// Wall-clock nanoseconds since the epoch for a `CLOCK_BOOTTIME` stamp.
    package static func wallNanoseconds(sinceBoot stamp: UInt64) -> UInt64 {
        var wall = timespec()
        var boot = timespec()
        clock_gettime(CLOCK_REALTIME, &wall)
        clock_gettime(CLOCK_BOOTTIME, &boot)
        let wallNow = Int64(wall.tv_sec) * 1_000_000_000 + Int64(wall.tv_nsec)
        let bootNow = Int64(boot.tv_sec) * 1_000_000_000 + Int64(boot.tv_nsec)
        return UInt64(max(0, wallNow - bootNow + Int64(stamp)))
    }
}

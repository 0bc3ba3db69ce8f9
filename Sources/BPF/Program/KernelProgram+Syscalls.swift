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
    package init(fd: borrowing OwnedDescriptor) throws(BPFError) {
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
                  memlock: FDInfo.value("memlock", fd: fd.rawValue), gplCompatible: info.gpl_compatible != 0,
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
        var ids: [ProgramID] = []
        var current: UInt32 = 0
        while bpf_prog_get_next_id(current, &current) == 0 { ids.append(ProgramID(current)) }
        return ids
    }
}

/// Fields of `/proc/self/fdinfo/<fd>`.
enum FDInfo {
    /// The numeric value of `key:` in the fd's fdinfo, if present.
    static func value(_ key: String, fd: CInt) -> UInt64? {
        guard let text = try? FileSystem.readText("/proc/self/fdinfo/\(fd)") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            return UInt64(line.dropFirst(key.count + 1).trimmingWhitespace())
        }
        return nil
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

internal import CLibbpf
import Diagnostics
import Glibc
import LinuxSys
import Model
import SystemPackage

/// Reading map info from the kernel, opening maps and looking keys up.
extension KernelMap {
    /// Reads the info of the map with kernel id `id`.
    ///
    /// - Parameter readingFDInfo: whether to read `memlock` and `frozen`
    ///   from the fd's fdinfo, a procfs read costing as much as the rest;
    ///   without it `memlock` is nil and `frozen` false.
    /// - Throws: `.notFound` when the map is gone.
    package init(id: UInt32, readingFDInfo: Bool = true) throws(BPFError) {
        let fd = try Self.open(id: id)
        var info = bpf_map_info()
        var length = UInt32(MemoryLayout<bpf_map_info>.size)
        let result = bpf_obj_get_info_by_fd(fd.rawValue, &info, &length)
        guard result == 0 else { throw BPFError.syscall("read map info", call: "BPF_OBJ_GET_INFO_BY_FD", errno: Errno(rawValue: -result)) }
        let fdinfo = readingFDInfo ? FDInfo(fd: fd.rawValue) : nil
        self.init(id: info.id, name: withUnsafeBytes(of: info.name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) },
                  type: info.type, keySize: info.key_size, valueSize: info.value_size, maxEntries: info.max_entries,
                  flags: info.map_flags, btfID: info.btf_id, mapExtra: info.map_extra,
                  memlock: fdinfo?.value("memlock"), frozen: (fdinfo?.value("frozen") ?? 0) != 0)
    }

    /// Opens the map with kernel id `id`.
    ///
    /// Corresponds to `bpf_map_get_fd_by_id`.
    package static func open(id: UInt32) throws(BPFError) -> OwnedDescriptor {
        let fd = bpf_map_get_fd_by_id(id)
        guard fd >= 0 else { throw BPFError.syscall("open map \(id)", call: "BPF_MAP_GET_FD_BY_ID", errno: .lastError) }
        return OwnedDescriptor(fd)
    }

    /// Looks `key` up in the map `fd` refers to.
    ///
    /// Corresponds to `bpf_map_lookup_elem`.
    /// - Returns: the value bytes, or nil when the key is absent.
    package static func lookup(_ fd: borrowing OwnedDescriptor, key: [UInt8], valueSize: Int) throws(BPFError) -> [UInt8]? {
        var value = [UInt8](repeating: 0, count: valueSize)
        var key = key
        let result = bpf_map_lookup_elem(fd.rawValue, &key, &value)
        if result == 0 { return value }
        let errno = Errno(rawValue: -result)
        if errno == .noSuchFileOrDirectory { return nil }
        throw BPFError.syscall("look up map element", call: "BPF_MAP_LOOKUP_ELEM", errno: errno)
    }
}

/// The kernel id of an open map.
package enum MapIdentity {
    /// The id of the map `fd` refers to, or nil when it is not a map.
    package static func id(of fd: borrowing OwnedDescriptor) -> UInt32? {
        var info = bpf_map_info()
        var length = UInt32(MemoryLayout<bpf_map_info>.size)
        return bpf_obj_get_info_by_fd(fd.rawValue, &info, &length) == 0 ? info.id : nil
    }
}

extension KernelMap {
    /// The ids of every map in the kernel, ascending.
    ///
    /// Corresponds to `bpf_map_get_next_id`.
    package static func allIDs() -> [UInt32] { Libbpf.allIDs(bpf_map_get_next_id) }
}

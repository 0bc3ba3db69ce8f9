/// What the kernel reports about a map (`struct bpf_map_info` and its
/// fdinfo). The kernel layer reads it; the CLI and the server render it.
package struct KernelMap: Sendable, Equatable {
    /// The map id.
    package var id: UInt32
    /// The kernel name (at most 15 characters).
    package var name: String
    /// The map type number (`BPF_MAP_TYPE_*`).
    package var type: UInt32
    /// Key size in bytes.
    package var keySize: UInt32
    /// Value size in bytes.
    package var valueSize: UInt32
    /// Maximum number of entries.
    package var maxEntries: UInt32
    /// Creation flags.
    package var flags: UInt32
    /// The map's BTF id, 0 without BTF.
    package var btfID: UInt32
    /// `map_extra` (bloom filter hashes and similar).
    package var mapExtra: UInt64
    /// Locked memory, from fdinfo.
    package var memlock: UInt64?
    /// Whether the map is frozen, from fdinfo.
    package var frozen: Bool

    /// The type's name as bpfman prints it (`array`, `percpuarray`, ...).
    package var typeName: String { KernelNames.mapType(type) }

    /// A map's info with every field given; the kernel layer fills it.
    package init(id: UInt32, name: String, type: UInt32, keySize: UInt32, valueSize: UInt32, maxEntries: UInt32, flags: UInt32,
                 btfID: UInt32, mapExtra: UInt64, memlock: UInt64?, frozen: Bool) {
        self.id = id; self.name = name; self.type = type; self.keySize = keySize; self.valueSize = valueSize
        self.maxEntries = maxEntries; self.flags = flags; self.btfID = btfID; self.mapExtra = mapExtra
        self.memlock = memlock; self.frozen = frozen
    }
}

/// Builds ld.so.cache files in the old, new and combined layouts, the way ldconfig lays them out.
enum LdSoCacheBuilder {
    struct Item {
        var key: String
        var path: String
        var flags: Int32 = 0x0303
        var osVersion: UInt32 = 0
        var hwcap: UInt64 = 0
    }

    /// The string table shared by all layouts, and each item's (key, path) offsets within it.
    static func strings(_ items: [Item]) -> ([UInt8], [(UInt32, UInt32)]) {
        var table: [UInt8] = []
        var offsets: [(UInt32, UInt32)] = []
        for item in items {
            let key = UInt32(table.count)
            table += Array(item.key.utf8) + [0]
            let path = UInt32(table.count)
            table += Array(item.path.utf8) + [0]
            offsets.append((key, path))
        }
        return (table, offsets)
    }

    /// New format only. The header's flags byte records the byte order (2 =
    /// little, 3 = big) unless `endianFlag` says otherwise; `lenStrings`
    /// overrides the string table size the header declares.
    static func new(_ items: [Item], bigEndian: Bool = false, endianFlag: UInt8? = nil, lenStrings: UInt32? = nil) -> [UInt8] {
        var w = ByteWriter(littleEndian: !bigEndian)
        writeNew(&w, at: 0, items, stringAdjust: 0, endianFlag: endianFlag, lenStrings: lenStrings)
        return w.bytes
    }

    /// Old format only.
    static func old(_ items: [Item]) -> [UInt8] {
        let (table, offsets) = strings(items)
        var w = ByteWriter()
        writeOldHeaderAndEntries(&w, items, offsets, stringAdjust: 0)
        w.put(table, at: 16 + items.count * 12)
        return w.bytes
    }

    /// Old format whose string area hides a new-format cache, as ldconfig's "compat" format.
    static func combined(_ items: [Item]) -> [UInt8] {
        let oldEnd = 16 + items.count * 12
        let newStart = (oldEnd + 7) & ~7
        let newEntries = 48 + items.count * 24
        let (_, offsets) = strings(items)
        var w = ByteWriter()
        writeOldHeaderAndEntries(&w, items, offsets, stringAdjust: UInt32(newStart - oldEnd + newEntries))
        writeNew(&w, at: newStart, items, stringAdjust: 0)
        return w.bytes
    }

    private static func writeOldHeaderAndEntries(
        _ w: inout ByteWriter, _ items: [Item], _ offsets: [(UInt32, UInt32)], stringAdjust: UInt32
    ) {
        w.put(Array("ld.so-1.7.0".utf8), at: 0)
        w.put(UInt64(items.count), size: 4, at: 12)
        for (index, item) in items.enumerated() {
            let base = 16 + index * 12
            w.put(UInt64(UInt32(bitPattern: item.flags)), size: 4, at: base)
            w.put(UInt64(offsets[index].0 + stringAdjust), size: 4, at: base + 4)
            w.put(UInt64(offsets[index].1 + stringAdjust), size: 4, at: base + 8)
        }
        w.pad(to: 16 + items.count * 12)
    }

    private static func writeNew(_ w: inout ByteWriter, at start: Int, _ items: [Item], stringAdjust: UInt32,
                                 endianFlag: UInt8? = nil, lenStrings: UInt32? = nil) {
        let (table, offsets) = strings(items)
        let stringsStart = 48 + items.count * 24
        w.put(Array("glibc-ld.so.cache1.1".utf8), at: start)
        w.put(UInt64(items.count), size: 4, at: start + 20)
        w.put(UInt64(lenStrings ?? UInt32(table.count)), size: 4, at: start + 24)
        w.put(UInt64(endianFlag ?? (w.littleEndian ? 2 : 3)), size: 1, at: start + 28)
        w.pad(to: start + 48)
        for (index, item) in items.enumerated() {
            let base = start + 48 + index * 24
            w.put(UInt64(UInt32(bitPattern: item.flags)), size: 4, at: base)
            w.put(UInt64(offsets[index].0 + UInt32(stringsStart) + stringAdjust), size: 4, at: base + 4)
            w.put(UInt64(offsets[index].1 + UInt32(stringsStart) + stringAdjust), size: 4, at: base + 8)
            w.put(UInt64(item.osVersion), size: 4, at: base + 12)
            w.put(item.hwcap, size: 8, at: base + 16)
        }
        w.put(table, at: start + stringsStart)
    }
}

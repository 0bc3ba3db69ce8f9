import Foundation
import TestSupport

/// Symbol file offsets as binutils' `readelf` reports them: an independent
/// reading of the same ELF file to check the resolver against.
enum Readelf {
    /// The file offset of the defined function `symbol` in `path`: its
    /// address moved from the loadable segment holding it to that
    /// segment's file offset.
    static func fileOffset(of symbol: String, in path: String) -> UInt64? {
        let segments = lines(["-lW", path]).filter { $0.first == "LOAD" }.compactMap { fields -> (offset: UInt64, address: UInt64, size: UInt64)? in
            guard let offset = hex(fields[1]), let address = hex(fields[2]), let size = hex(fields[4]) else { return nil }
            return (offset, address, size)
        }
        let address = lines(["-sW", path]).first { fields in
            fields.count >= 8 && fields[3] == "FUNC" && fields[6] != "UND" && fields[7].split(separator: "@").first.map(String.init) == symbol
        }.flatMap { hex($0[1]) }
        guard let address, let segment = segments.first(where: { address >= $0.address && address < $0.address + $0.size }) else { return nil }
        return address - segment.address + segment.offset
    }

    private static func lines(_ arguments: [String]) -> [[String]] {
        Command.run("/usr/bin/readelf", arguments).stdout.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
    }

    private static func hex(_ text: String) -> UInt64? {
        UInt64(text.hasPrefix("0x") ? String(text.dropFirst(2)) : text, radix: 16)
    }
}

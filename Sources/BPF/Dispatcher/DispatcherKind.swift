import Model

/// The two kinds of multi-program dispatcher bpfman builds: an XDP program
/// and a TC (cls_bpf) program, each with ten slots that member programs
/// replace through freplace (`BPF_PROG_TYPE_EXT`).
///
/// The objects are compiled from `dispatchers/*.bpf.c` and embedded by
/// `scripts/generate-dispatchers.sh`.
package enum DispatcherKind: String, Sendable, CaseIterable {
    /// The XDP dispatcher, configured like libxdp's version 2 dispatcher.
    case xdp
    /// The TC dispatcher, attached as a direct-action cls_bpf filter.
    case tc

    /// How many member programs one dispatcher holds: the objects are
    /// compiled with `DispatcherType.slotCount` slots.
    package static let slotCount = DispatcherType.slotCount

    /// The name of slot `position`'s function, which a member replaces.
    package static func slotFunction(_ position: Int) -> String { "prog\(position)" }

    /// The dispatcher's own program name in its object.
    var programName: String { self == .xdp ? "xdp_dispatcher" : "tc_dispatcher" }

    /// The embedded object's bytes.
    var object: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(objectHex.utf8.count / 2)
        var high: UInt8?
        for character in objectHex.utf8 {
            let nibble: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
            default: continue
            }
            if let value = high {
                bytes.append(value << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }
}

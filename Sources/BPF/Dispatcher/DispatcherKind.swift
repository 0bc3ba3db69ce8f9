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

    /// The dispatcher kind serving hook `type`.
    package init(_ type: DispatcherType) {
        self = type == .xdp ? .xdp : .tc
    }

    /// How many member programs one dispatcher holds.
    package static let slotCount = 10

    /// The action code an empty slot returns, `dispatcher_return` in
    /// `--proceed-on`.
    package var dispatcherReturn: Int32 { self == .xdp ? 31 : 30 }

    /// The lowest action code a member may return (`TC_ACT_UNSPEC` is -1).
    package var lowestAction: Int32 { self == .xdp ? 0 : -1 }

    /// The chain-call bitmask for `actions`: bit N for XDP action N, bit
    /// N + 1 for TC action N.
    package func bitmask(_ actions: [Int32]) -> UInt32 {
        actions.reduce(UInt32(0)) { mask, action in
            let bit = action - lowestAction
            return (0..<32).contains(bit) ? mask | (1 << UInt32(bit)) : mask
        }
    }

    /// The action codes set in `bitmask`, ascending.
    package func actions(_ bitmask: UInt32) -> [Int32] {
        (0..<32).filter { bitmask & (1 << UInt32($0)) != 0 }.map { Int32($0) + lowestAction }
    }

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

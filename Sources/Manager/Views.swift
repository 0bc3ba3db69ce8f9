import BPF
import Model

/// A map as `program get` shows it.
package struct MapView: Sendable {
    /// The kernel's view.
    package var kernel: KernelMap
    /// The pin file, `""` for maps bpfman does not pin (`.rodata`, `.bss`).
    package var pinPath: String
}

/// A link with its live kernel state.
package struct LinkView: Sendable {
    /// bpfman's record.
    package var record: LinkRecord
    /// The kernel's view, nil when the link is not in the kernel.
    package var kernel: KernelLink?
    /// Whether the kernel still has the link (or the TC filter).
    package var kernelSeen: Bool
    /// Whether the pin exists.
    package var pinPresent: Bool
}

/// A managed program with everything `program get` shows.
package struct ProgramView: Sendable {
    /// bpfman's record.
    package var record: ProgramRecord
    /// The program's bpffs pin.
    package var pinPath: String
    /// The kernel's view, nil when the program vanished from the kernel.
    package var kernel: KernelProgram?
    /// The maps the program uses, in the kernel's order.
    package var maps: [MapView]
    /// The program's links, ascending by id.
    package var links: [LinkView]
    /// The programs sharing its map set, ascending.
    package var mapUsedBy: [ProgramID]
}

/// A program as the gRPC `Get` answers it: the record, the kernel's view,
/// the link records and the map set's users, without the per-map and
/// per-link kernel lookups of a ``ProgramView``.
package struct ProgramSummary: Sendable {
    /// bpfman's record.
    package var record: ProgramRecord
    /// The kernel's view, nil when the program vanished from the kernel.
    package var kernel: KernelProgram?
    /// The program's links, ascending by id.
    package var links: [LinkRecord]
    /// The programs sharing its map set, ascending.
    package var mapUsedBy: [ProgramID]
}

/// One row of `program list`.
package struct ProgramListEntry: Sendable {
    /// The kernel program id.
    package var id: ProgramID
    /// bpfman's record; nil for programs bpfman did not load.
    package var record: ProgramRecord?
    /// The kernel's view.
    package var kernel: KernelProgram
    /// bpfman link ids of the program.
    package var links: [LinkID]
    /// The program's bpffs pin, `""` for unmanaged programs.
    package var pinPath: String
}

/// `program list` filters; all are ANDed.
package struct ProgramFilter: Sendable {
    /// Program types; empty: any. A managed program matches by its bpfman
    /// type; one bpfman did not load matches by its kernel type, as the
    /// reference does: tc and tcx select `schedcls` programs, the probe
    /// types `kprobe` ones.
    package var types: Set<ProgramType> = []
    /// Metadata pairs that must all match.
    package var metadata: [String: String] = [:]
    /// A label selector over metadata.
    package var selector: LabelSelector?
    /// true: only attached programs; false: only unattached ones.
    package var attached: Bool?
    /// Whether to include programs bpfman did not load.
    package var includeUnmanaged = false

    /// Creates an empty (match-all) filter.
    package init() {}
}

/// `link list` filters; all are ANDed.
package struct LinkFilter: Sendable {
    /// Only links of this program.
    package var programID: ProgramID?
    /// Link kinds; empty: any.
    package var kinds: Set<ProgramType> = []
    /// Owning program's types; empty: any.
    package var programTypes: Set<ProgramType> = []
    /// Owning program's metadata pairs.
    package var metadata: [String: String] = [:]

    /// Creates an empty (match-all) filter.
    package init() {}
}

/// A dispatcher with its member links, as `dispatcher get` shows it.
package struct DispatcherView: Sendable {
    /// bpfman's record.
    package var record: DispatcherRecord
    /// The member links, in run order (ascending position).
    package var members: [LinkRecord]
}

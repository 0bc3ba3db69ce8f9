/// What an ELF section name (the `SEC("...")` of a BPF program) says about
/// the program's type.
package struct SectionKind: Sendable, Equatable {
    /// The bpfman types this section can serve; nil when the name implies none.
    package var implied: Set<ProgramType>?
    /// The type named in error messages.
    package var displayName: String

    private static let prefixes: [(String, Set<ProgramType>, String)] = [
        ("uretprobe", [.uretprobe, .uprobe], "uretprobe"),
        ("uprobe", [.uprobe, .uretprobe], "uprobe"),
        ("kretprobe", [.kretprobe, .kprobe], "kretprobe"),
        ("kprobe", [.kprobe, .kretprobe], "kprobe"),
        ("tracepoint", [.tracepoint], "tracepoint"),
        ("tp", [.tracepoint], "tracepoint"),
        ("xdp", [.xdp], "xdp"),
        ("tcx", [.tcx, .tc], "tcx"),
        ("tc", [.tc, .tcx], "tc"),
        ("classifier", [.tc, .tcx], "tc"),
        ("action", [.tc, .tcx], "tc"),
        ("fentry", [.fentry], "fentry"),
        ("fexit", [.fexit], "fexit"),
        ("lsm", [.lsm], "lsm"),
    ]

    /// Classifies `sectionName` by its prefix before the first `/` or `.`.
    package init?(sectionName: String) {
        let head = sectionName.prefix { $0 != "/" && $0 != "." }
        guard let match = Self.prefixes.first(where: { $0.0 == head }) else {
            self.implied = nil
            self.displayName = String(head)
            return
        }
        self.implied = match.1
        self.displayName = match.2
    }

    /// Whether a program in this section may be loaded as `type`.
    package func accepts(_ type: ProgramType) -> Bool { implied?.contains(type) ?? true }
}

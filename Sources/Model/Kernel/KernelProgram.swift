/// What the kernel reports about a loaded program (`struct bpf_prog_info`
/// and its fdinfo). The kernel layer reads it; the CLI and the server
/// render it without importing that layer.
package struct KernelProgram: Sendable, Equatable {
    /// The program id.
    package var id: ProgramID
    /// The kernel name (at most 15 characters).
    package var name: String
    /// The kernel program type number (`BPF_PROG_TYPE_*`).
    package var type: UInt32
    /// The program tag, 16 hex digits.
    package var tag: String
    /// Load time as nanoseconds since the Unix epoch.
    package var loadedAtNanoseconds: UInt64
    /// The uid of the loader.
    package var uid: UInt32
    /// The program's BTF id, 0 without BTF.
    package var btfID: UInt32
    /// The maps the program uses, in the kernel's order.
    package var mapIDs: [UInt32]
    /// JITed size in bytes.
    package var jitedSize: UInt32
    /// Translated size in bytes.
    package var xlatedSize: UInt32
    /// Instructions the verifier processed.
    package var verifiedInstructions: UInt32
    /// Locked memory, from fdinfo.
    package var memlock: UInt64?
    /// Whether the license is GPL-compatible.
    package var gplCompatible: Bool
    /// Total run time in nanoseconds (needs `kernel.bpf_stats_enabled`).
    package var runTimeNanoseconds: UInt64
    /// Run count (needs `kernel.bpf_stats_enabled`).
    package var runCount: UInt64
    /// Recursion misses.
    package var recursionMisses: UInt64

    /// The type's name as bpfman prints it (`kprobe`, `schedcls`, ...).
    package var typeName: String { KernelNames.programType(type) }

    /// A program's info with every field given; the kernel layer fills it.
    package init(id: ProgramID, name: String, type: UInt32, tag: String, loadedAtNanoseconds: UInt64, uid: UInt32, btfID: UInt32,
                 mapIDs: [UInt32], jitedSize: UInt32, xlatedSize: UInt32, verifiedInstructions: UInt32, memlock: UInt64?,
                 gplCompatible: Bool, runTimeNanoseconds: UInt64, runCount: UInt64, recursionMisses: UInt64) {
        self.id = id; self.name = name; self.type = type; self.tag = tag; self.loadedAtNanoseconds = loadedAtNanoseconds
        self.uid = uid; self.btfID = btfID; self.mapIDs = mapIDs; self.jitedSize = jitedSize; self.xlatedSize = xlatedSize
        self.verifiedInstructions = verifiedInstructions; self.memlock = memlock; self.gplCompatible = gplCompatible
        self.runTimeNanoseconds = runTimeNanoseconds; self.runCount = runCount; self.recursionMisses = recursionMisses
    }
}

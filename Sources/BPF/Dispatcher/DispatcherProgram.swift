import Diagnostics
import LinuxSys

/// Loading dispatcher revisions and the extension programs that fill their
/// slots.
package enum DispatcherProgram {
    /// Loads a dispatcher configured with `config`.
    ///
    /// - Returns: the dispatcher program, not yet attached anywhere.
    package static func load(_ config: DispatcherConfig) throws(BPFError) -> OwnedDescriptor {
        let kind = config.kind
        guard config.slots.count <= DispatcherKind.slotCount else {
            throw BPFError(code: .invalidArgument,
                           message: "\(kind.rawValue) dispatcher holds at most \(DispatcherKind.slotCount) programs, \(config.slots.count) requested")
        }
        let object = try BPFObject(bytes: kind.object, name: kind.programName)
        guard let conf = object.globals.first(where: { $0.name == "conf" }) else {
            throw BPFError(code: .internal, message: "load \(kind.rawValue) dispatcher: the embedded object has no conf variable")
        }
        try object.setGlobal(conf, to: config.bytes)
        try object.select(program: kind.programName, as: kind == .xdp ? .xdp : .schedCLS, attachFunction: nil)
        do {
            return try object.load(program: kind.programName)
        } catch {
            throw BPFError(code: error.code, message: "load \(kind.rawValue) dispatcher: \(error.message)", underlying: error.underlying)
        }
    }

    /// Loads `program`, already selected in `object`, as an extension
    /// (`BPF_PROG_TYPE_EXT`) that fills `kind`'s dispatcher slots.
    ///
    /// The kernel verifies an extension against the function it replaces,
    /// so the load targets slot 0 of a placeholder dispatcher with that one
    /// slot enabled (the verifier drops disabled slots' functions as dead
    /// code). The extension keeps the placeholder alive until its first
    /// attach, which names the real dispatcher and slot (the kernel
    /// re-targets an extension to any function of the same prototype);
    /// from then on the placeholder is gone.
    /// - Returns: the extension program, not yet attached anywhere.
    package static func loadExtension(_ object: BPFObject, program: String, kind: DispatcherKind) throws(BPFError) -> OwnedDescriptor {
        let placeholder = try load(DispatcherConfig(kind: kind, slots: [DispatcherConfig.Slot(chainCallActions: 0, priority: 0)]))
        try object.selectExtension(program: program, target: placeholder, function: DispatcherKind.slotFunction(0))
        let loaded = try object.load(program: program)
        _ = consume placeholder  // the kernel verified against it during the load
        return loaded
    }
}

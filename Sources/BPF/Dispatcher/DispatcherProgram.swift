import Diagnostics
import LinuxSys

/// Loading dispatcher revisions and the member programs that fill their
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
        try object.select(program: kind.programName, as: kind == .xdp ? .xdp : .tc, attachFunction: nil)
        do {
            return try object.load(program: kind.programName)
        } catch {
            throw BPFError(code: error.code, message: "load \(kind.rawValue) dispatcher: \(error.message)", underlying: error.underlying)
        }
    }

    /// Loads `program` from the object at `objectPath` as an extension of
    /// slot `position` of `dispatcher`, with the member's own maps (pinned in
    /// `mapDirectory`) and global data.
    package static func loadMember(objectPath: String, program: String, globals: [String: [UInt8]], mapDirectory: String,
                                   dispatcher: borrowing OwnedDescriptor, position: Int) throws(BPFError) -> OwnedDescriptor {
        let object = try BPFObject(path: objectPath)
        try object.selectExtension(program: program, target: dispatcher, function: DispatcherKind.slotFunction(position))
        let variables = object.globals
        for (name, value) in globals.sorted(by: { $0.key < $1.key }) {
            guard let variable = variables.first(where: { $0.name == name }) else { continue }
            try object.setGlobal(variable, to: value)
        }
        try object.reuseMaps(pinnedIn: mapDirectory)
        return try object.load(program: program)
    }
}

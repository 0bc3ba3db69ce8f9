import BPF
import Model

/// One program to load from an object: `TYPE:NAME[:ATTACH]`.
package struct ProgramSelection: Sendable, Equatable {
    /// bpfman's type for it.
    package var type: ProgramType
    /// The ELF function name.
    package var name: String
    /// The attach function (fentry, fexit) or hook (lsm).
    package var attachFunction: String?

    /// Creates a selection.
    package init(type: ProgramType, name: String, attachFunction: String? = nil) {
        self.type = type
        self.name = name
        self.attachFunction = attachFunction
    }
}

/// A request to load programs from one object file.
package struct LoadRequest: Sendable {
    /// The object path exactly as given (relative paths stay relative in the record).
    package var path: String
    /// The programs to load; each gets its own map set unless `mapOwnerID` is set.
    package var programs: [ProgramSelection]
    /// Global variables to overwrite before load.
    package var globals: [String: [UInt8]]
    /// Metadata to record.
    package var metadata: [String: String]
    /// A program whose maps the new programs reuse.
    package var mapOwnerID: ProgramID?
    /// Where the object came from, for image loads.
    package var imageSource: ImageSource?

    /// Creates a load request.
    package init(path: String, programs: [ProgramSelection], globals: [String: [UInt8]] = [:], metadata: [String: String] = [:],
                 mapOwnerID: ProgramID? = nil, imageSource: ImageSource? = nil) {
        self.path = path
        self.programs = programs
        self.globals = globals
        self.metadata = metadata
        self.mapOwnerID = mapOwnerID
        self.imageSource = imageSource
    }
}

/// One program to load from an image: `[TYPE:]NAME[:ATTACH]`. Without a
/// type, the image's `io.ebpf.programs` label supplies it.
package struct ImageProgramSelection: Sendable, Equatable {
    /// bpfman's type for it, or nil to take the labelled one.
    package var type: ProgramType?
    /// The ELF function name.
    package var name: String
    /// The attach function (fentry, fexit) or hook (lsm).
    package var attachFunction: String?

    /// Creates a selection.
    package init(type: ProgramType?, name: String, attachFunction: String? = nil) {
        self.type = type
        self.name = name
        self.attachFunction = attachFunction
    }
}

extension ProgramSelection {
    /// The selection of `name` as a probe of `type` (uprobe or kprobe), made
    /// its return-probe variant when the program's ELF section in the object
    /// at `path` says so: the gRPC API has one type for both. Any other type,
    /// or an object that cannot be read (the load reports that), is kept.
    package static func probe(_ type: ProgramType, name: String, objectPath path: String) -> ProgramSelection {
        guard type == .uprobe || type == .kprobe,
              let object = try? BPFObject(path: path), let section = object.programs.first(where: { $0.name == name })?.sectionName,
              let kind = SectionKind(sectionName: section) else { return ProgramSelection(type: type, name: name) }
        switch (type, kind.displayName) {
        case (.uprobe, "uretprobe"): return ProgramSelection(type: .uretprobe, name: name)
        case (.kprobe, "kretprobe"): return ProgramSelection(type: .kretprobe, name: name)
        default: return ProgramSelection(type: type, name: name)
        }
    }
}

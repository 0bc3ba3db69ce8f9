import BPF
import BinaryFormats
import Diagnostics
import Glibc
import LinuxSys
import Logs
import Model
import Store
import SystemPackage

extension Manager {
    /// Loads the requested programs, each with its own map set (or the map
    /// owner's), pins them and records them.
    ///
    /// All or nothing: when one program fails, those loaded before it in the
    /// same request are unloaded again.
    /// - Returns: the new records, in request order.
    /// - Throws: `ManagerError` in the wording of cli.md §6.
    package func load(_ request: LoadRequest) throws(ManagerError) -> [ProgramRecord] {
        let bytes = try Self.readObject(request.path)
        let absolutePath = request.path.hasPrefix("/") ? request.path : Self.currentDirectory() + "/" + request.path
        let plan = try LoadPlan(objectPath: absolutePath, bytes: bytes, request: request)
        return try writing { () throws(ManagerError) in
            let mapSet = try resolveMapOwner(request.mapOwnerID)
            var loaded: [ProgramRecord] = []
            do {
                for selection in request.programs {
                    loaded.append(try loadOne(selection, plan: plan, request: request, mapSet: mapSet))
                }
            } catch {
                for record in loaded.reversed() {
                    Logger.bpfman(.manager).attempt("unloading after a failed load", metadata: [LogKey.programID: "\(record.id)"]) {
                        try removeProgram(record)
                    }
                }
                throw ManagerError(error)
            }
            return loaded
        }
    }

    /// The bytes of the object at `path`, as the user typed it: opened
    /// without blocking and refused unless it is a regular file, so a FIFO
    /// or a device never hangs the command.
    static func readObject(_ path: String) throws(ManagerError) -> [UInt8] {
        guard !path.isEmpty else { throw ManagerError(.invalidArgument, "object path is empty") }
        do {
            return try FileSystem.readRegularFile(path)
        } catch {
            switch error {
            case .system(.noSuchFileOrDirectory):
                throw ManagerError(.notFound, "object file \"\(path)\" does not exist")
            case .system(let errno):
                throw ManagerError("read object file \"\(path)\"", call: "read", errno: errno)
            case .notRegularFile(.directory):
                throw ManagerError(.invalidArgument, "object path \"\(path)\" is a directory, not a file")
            case .notRegularFile:
                throw ManagerError(.invalidArgument, "object path \"\(path)\" \(error)")
            }
        }
    }

    /// The map set a dependent program joins: the owner's own.
    ///
    /// As in the reference, an owner is a loaded program that created its
    /// own map set; a program that itself shares another's maps, or one
    /// that is gone, is no owner.
    private func resolveMapOwner(_ owner: ProgramID?) throws(ManagerError) -> ProgramID? {
        guard let owner else { return nil }
        guard let record = try stored({ () throws(StoreError) in try store.program(owner) }), record.mapOwnerID == nil else {
            throw ManagerError(.notFound, "failed to load programs: map_owner_id \(owner) does not exist: map owner not found")
        }
        return record.id
    }

    private func loadOne(_ selection: ProgramSelection, plan: LoadPlan, request: LoadRequest, mapSet: ProgramID?) throws(ManagerError) -> ProgramRecord {
        let fail = { (error: any Error) -> ManagerError in
            ManagerError(error, context: "failed to load programs")
        }
        let object: BPFObject
        let program: OwnedDescriptor
        do {
            object = try BPFObject(bytes: plan.bytes, name: plan.objectPath)
            try object.select(program: selection.name, as: selection.type.kernelType,
                              attachFunction: selection.type.requiresAttachFunction ? selection.attachFunction : nil)
            for (name, value) in request.globals.sorted(by: { $0.key < $1.key }) {
                guard let variable = plan.globals.first(where: { $0.name == name }) else { continue }
                try object.setGlobal(variable, to: value)
            }
            if let mapSet { try object.reuseMaps(pinnedIn: layout.mapDirectory(mapSet)) }
        } catch {
            throw ManagerError(error, context: "failed to load programs: load program \(selection.name)")
        }
        do { program = try loadProgram(object, selection) } catch { throw fail(error) }
        let info: KernelProgram
        do { info = try KernelProgram(fd: program) } catch { throw fail(error) }
        let id = info.id
        let record = ProgramRecord(
            id: id, name: selection.name, type: selection.type,
            objectPath: layout.programDirectory(id) + "/bytecode.o",
            sourcePath: request.imageSource == nil ? request.path : nil, imageSource: request.imageSource,
            attachFunction: selection.type.requiresAttachFunction ? selection.attachFunction : nil,
            globalData: request.globals, metadata: request.metadata, mapOwnerID: mapSet,
            mapPinPath: layout.mapDirectory(mapSet ?? id), license: plan.license, createdAt: Self.now())
        do {
            // Order matters for crash repair: everything before the database
            // row is recognisable as an orphan by its id.
            let directory = layout.programDirectory(id)
            try FileSystem.createDirectories(directory, mode: 0o700)
            try FileSystem.writeFile(record.objectPath, plan.bytes, mode: 0o600)
            try FileSystem.writeFile(directory + "/provenance.json", Array(provenance(record).rendered().utf8), mode: 0o600)
            if mapSet == nil {
                try FileSystem.createDirectories(record.mapPinPath)
                try object.pinMaps(in: record.mapPinPath)
            }
            try Pins.pin(program, at: layout.programPin(id))
            Failpoint.killIfSet("kill-after-pin")
            try stored { () throws(StoreError) in try store.insert(record) }
        } catch {
            Logger.bpfman(.manager).attempt("removing a program whose load failed", metadata: [LogKey.programID: "\(record.id)"]) {
                try removeProgram(record)
            }
            throw fail(error)
        }
        return record
    }

    private func provenance(_ record: ProgramRecord) -> JSONValue {
        .object([
            ("version", .int(1)), ("program_id", .uint(UInt64(record.id.rawValue))), ("program_name", .string(record.name)),
            ("source", .string(record.imageSource?.url ?? record.sourcePath ?? "")),
            ("source_kind", .string(record.imageSource == nil ? "file" : "image")),
            ("loaded_at", .string(Timestamp.rfc3339(record.createdAt))),
        ])
    }

    /// Seconds since the epoch.
    static func now() -> Int64 { Int64(time(nil)) }

    /// The process's working directory.
    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// What every program of one load request shares: the object, its globals
/// and its license, validated before anything touches the kernel.
struct LoadPlan {
    let objectPath: String
    let bytes: [UInt8]
    let globals: [GlobalVariable]
    let license: String

    init(objectPath: String, bytes: [UInt8], request: LoadRequest) throws(ManagerError) {
        self.objectPath = objectPath
        self.bytes = bytes
        let object: BPFObject
        do { object = try BPFObject(bytes: bytes, name: objectPath) } catch { throw ManagerError(error, context: "failed to load programs") }
        // Our own parser checks the ELF structure too: libbpf accepts some
        // broken headers (a section header entry size of 0) and then
        // silently loses sections such as the license.
        let elf: ELFFile
        do { elf = try ELFFile(bytes: bytes) } catch {
            throw ManagerError(.invalidArgument, "failed to load programs: load collection spec: \(error.message)")
        }
        let specs = object.programs
        let available = specs.map(\.name)
        let missing = request.programs.map(\.name).filter { !available.contains($0) }
        if !missing.isEmpty {
            throw ManagerError(.notFound, "failed to load programs: program(s) not found in object file: [\(missing.joined(separator: " "))]; available programs: [\(available.joined(separator: " "))]")
        }
        for selection in request.programs {
            guard let spec = specs.first(where: { $0.name == selection.name }) else { continue }
            if let kind = SectionKind(sectionName: spec.sectionName), !kind.accepts(selection.type) {
                throw ManagerError(.invalidArgument, "failed to load programs: load program \(selection.name): program type mismatch: caller specified \(selection.type.rawValue) but ELF section \"\(spec.sectionName)\" implies \(kind.displayName); recompile with SEC(\"\(selection.type.rawValue)\") or load it as \(kind.displayName)")
            }
            do {
                switch selection.type {
                case .fentry, .fexit: try KernelFeatures.shared.require(.fentry)
                case .lsm: try KernelFeatures.shared.require(.lsm)
                default: break
                }
            } catch {
                throw ManagerError(error, context: "failed to load programs: load program \(selection.name)")
            }
        }
        globals = object.globals
        let first = request.programs.first?.name ?? ""
        for name in request.globals.keys.sorted() where !globals.contains(where: { $0.name == name }) {
            throw ManagerError(.invalidArgument, "failed to load programs: load program \(first): global variable \"\(name)\" not found in program; available: [\(globals.map(\.name).joined(separator: " "))]")
        }
        let licenseBytes: [UInt8]?
        do { licenseBytes = try elf.sectionContents(named: "license") } catch {
            throw ManagerError(.invalidArgument, "failed to load programs: load collection spec: \(error.message)")
        }
        license = licenseBytes.map { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) } ?? ""
    }
}

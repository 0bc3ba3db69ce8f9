internal import CLibbpf
import Diagnostics
import Glibc
import LinuxSys
import Model
import SystemPackage

/// An opened (not yet loaded) BPF ELF object.
///
/// Wraps libbpf's `struct bpf_object`. Opening parses the ELF and its BTF;
/// ``load()`` creates the maps and loads the programs selected with
/// ``select(program:as:attachFunction:)``. Dropping the object closes every
/// descriptor it holds; pinned programs and maps survive through their pins.
package final class BPFObject {
    private let object: OpaquePointer
    private var logBuffer: UnsafeMutablePointer<CChar>?
    /// The ELF bytes of an object opened from memory, which libbpf reads
    /// in place until the object is closed.
    private var image: UnsafeMutableRawBufferPointer?
    private static let logBufferSize = 8 << 20

    /// Opens the ELF object at `path`.
    ///
    /// - Throws: `BPFError` with `.invalidArgument` when the file is not a
    ///   BPF ELF object.
    package convenience init(path: String) throws(BPFError) {
        let bytes: [UInt8]
        do { bytes = try FileSystem.readRegularFile(path) } catch {
            switch error {
            case .system(let errno):
                throw BPFError(code: ErrorCode(errno: errno), message: "load collection spec: open \(path): \(errno.lowercasedDescription)",
                               underlying: SyscallError(call: "open", errno: errno))
            case .notRegularFile:
                throw BPFError(code: .invalidArgument, message: "load collection spec: \(path) \(error)")
            }
        }
        try self.init(bytes: bytes, name: path)
    }

    /// Opens the ELF object held in `bytes`; `name` (a path or a file
    /// name) names it in messages, and its base name up to the first `.`
    /// prefixes the internal maps, as when libbpf opens a file.
    ///
    /// - Throws: `BPFError` with `.invalidArgument` when the bytes are not a
    ///   BPF ELF object, naming what libbpf found broken.
    package init(bytes: [UInt8], name: String) throws(BPFError) {
        guard bytes.count >= 4, bytes[0..<4] == [0x7f, 0x45, 0x4c, 0x46] else {
            let reason = bytes.count < 4 ? "EOF" : "bad magic number \(Array(bytes[0..<4]))"
            throw BPFError(code: .invalidArgument, message: "load collection spec: cannot read ELF identifier: \(reason)")
        }
        Libbpf.silenceLogging()
        Libbpf.clearWarnings()
        let image = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
        image.copyBytes(from: bytes)
        var options = Libbpf.options(through: \bpf_object_open_opts.object_name)
        // libbpf names an object it opens from a file by the file's base
        // name up to the first dot; the same name keeps the internal maps'
        // names (`<name>.rodata`) the same for objects opened from memory.
        let objectName = String(name.split(separator: "/").last?.prefix { $0 != "." } ?? "")
        let object = objectName.withCString { cName -> OpaquePointer? in
            options.object_name = cName
            return bpf_object__open_mem(image.baseAddress, bytes.count, &options)
        }
        guard let object else {
            let errno = Errno.lastError
            image.deallocate()
            let warnings = Libbpf.takeWarnings()
            // Without a warning, libbpf's ENOENT means a part the object
            // refers to is missing, never that the file is.
            let cause = !warnings.isEmpty ? warnings
                : errno == .noSuchFileOrDirectory ? "malformed BPF object: a section or symbol it refers to is missing"
                : "malformed BPF object: \(Libbpf.describe(errno))"
            throw BPFError(code: .invalidArgument, message: "load collection spec: parse ELF \(name): \(cause)",
                           underlying: SyscallError(call: "bpf_object__open_mem", errno: errno))
        }
        self.object = object
        self.image = image
    }

    deinit {
        bpf_object__close(object)
        logBuffer?.deallocate()
        image?.deallocate()
    }

    /// The programs the object defines, in ELF order.
    package var programs: [ProgramSpec] {
        var result: [ProgramSpec] = []
        var program = bpf_object__next_program(object, nil)
        while let current = program {
            result.append(ProgramSpec(name: String(cString: bpf_program__name(current)),
                                      sectionName: String(cString: bpf_program__section_name(current))))
            program = bpf_object__next_program(object, current)
        }
        return result
    }

    /// The global variables in the object's data sections (.rodata, .data,
    /// .bss and their named variants), sorted by name.
    package var globals: [GlobalVariable] {
        guard let btf = bpf_object__btf(object) else { return [] }
        var result: [GlobalVariable] = []
        var map = bpf_object__next_map(object, nil)
        while let current = map {
            defer { map = bpf_object__next_map(object, current) }
            guard bpf_map__is_internal(current) else { continue }
            let typeID = bpf_map__btf_value_type_id(current)
            guard typeID != 0, let datasec = btf__type_by_id(btf, typeID), clibbpf_btf_is_datasec(datasec) != 0 else { continue }
            for index in 0..<clibbpf_btf_vlen(datasec) {
                guard let info = clibbpf_btf_var_secinfo(datasec, index), let variable = btf__type_by_id(btf, info.pointee.type),
                      let name = btf__name_by_offset(btf, variable.pointee.name_off) else { continue }
                result.append(GlobalVariable(name: String(cString: name), mapName: String(cString: bpf_map__name(current)),
                                             offset: Int(info.pointee.offset), size: Int(info.pointee.size)))
            }
        }
        return result.sorted { $0.name < $1.name }
    }

    /// The pinnable maps with their kernel type names (`array`,
    /// `per_cpu_array`, ...), as image labels list them.
    package var mapTypes: [String: String] {
        var result: [String: String] = [:]
        var map = bpf_object__next_map(object, nil)
        while let current = map {
            if !bpf_map__is_internal(current) {
                result[String(cString: bpf_map__name(current))] = KernelNames.libbpfMapType(bpf_map__type(current).rawValue)
            }
            map = bpf_object__next_map(object, current)
        }
        return result
    }

    /// Marks `name` as the only program to load, as kernel program type
    /// `type`.
    ///
    /// libbpf 1.x knows
    /// only its strict section names: legacy ones that cilium/ebpf and the
    /// reference accept (`classifier/NAME`, `action`, `xdp/NAME`,
    /// `xdp.frags/NAME`) leave libbpf without a type, so the type is set
    /// whenever libbpf's differs, and an XDP program in an `xdp.frags`
    /// section keeps its multi-buffer flag. `attachFunction` names the
    /// kernel function or hook of a tracing or LSM program.
    /// - Throws: `.notFound` when the object has no such program.
    package func select(program name: String, as type: KernelProgramType, attachFunction: String?) throws(BPFError) {
        try selectOnly(name) { (program) throws(BPFError) in
            if bpf_program__type(program).rawValue != type.rawValue {
                _ = bpf_program__set_type(program, bpf_prog_type(rawValue: type.rawValue))
            }
            let section = String(cString: bpf_program__section_name(program))
            if type == .xdp, section.split(separator: "/", maxSplits: 1).first == "xdp.frags" {
                _ = bpf_program__set_flags(program, bpf_program__flags(program) | Libbpf.xdpHasFrags)
            }
            if let attachFunction {
                let result = bpf_program__set_attach_target(program, 0, attachFunction)
                if result < 0 {
                    throw BPFError.syscall("set attach target \(attachFunction)", call: "bpf_program__set_attach_target",
                                           errno: Errno(rawValue: -result))
                }
            }
        }
    }

    /// Marks `name` as the only program to load, as an extension
    /// (`BPF_PROG_TYPE_EXT`) replacing `function` of the loaded program
    /// `target`.
    ///
    /// - Throws: `.notFound` when the object has no such program, or the
    ///   target no such function.
    package func selectExtension(program name: String, target: borrowing OwnedDescriptor, function: String) throws(BPFError) {
        let targetFD = target.rawValue
        try selectOnly(name) { (program) throws(BPFError) in
            _ = bpf_program__set_type(program, BPF_PROG_TYPE_EXT)
            // The kernel refuses extensions with an attach type, which
            // libbpf sets from sections such as SEC("xdp").
            _ = bpf_program__set_expected_attach_type(program, bpf_attach_type(rawValue: 0))
            let result = bpf_program__set_attach_target(program, targetFD, function)
            if result < 0 {
                throw BPFError.syscall("set extension target \(function)", call: "bpf_program__set_attach_target",
                                       errno: Errno(rawValue: -result))
            }
        }
    }

    /// Turns autoload off for every program but `name`, which `configure`
    /// prepares and which logs into the object's verifier log buffer.
    private func selectOnly(_ name: String, configure: (OpaquePointer) throws(BPFError) -> Void) throws(BPFError) {
        var program = bpf_object__next_program(object, nil)
        var found = false
        while let current = program {
            let isTarget = String(cString: bpf_program__name(current)) == name
            bpf_program__set_autoload(current, isTarget)
            if isTarget {
                found = true
                try configure(current)
                attachLogBuffer(current)
            }
            program = bpf_object__next_program(object, current)
        }
        guard found else { throw BPFError(code: .notFound, message: "program \(name) not found in object") }
    }

    /// Gives `program` the object's verifier log buffer.
    private func attachLogBuffer(_ program: OpaquePointer) {
        if logBuffer == nil { logBuffer = .allocate(capacity: Self.logBufferSize) }
        logBuffer?.initialize(to: 0)
        _ = bpf_program__set_log_buf(program, logBuffer, Self.logBufferSize)
    }

    /// Overwrites the initial value of global `variable` with `bytes`, whose
    /// size must match the variable exactly.
    package func setGlobal(_ variable: GlobalVariable, to bytes: [UInt8]) throws(BPFError) {
        guard bytes.count == variable.size else {
            throw BPFError(code: .invalidArgument,
                           message: "set variable \"\(variable.name)\": marshaling value \(variable.name): []uint8 doesn't marshal to \(variable.size) bytes")
        }
        guard let map = bpf_object__find_map_by_name(object, variable.mapName) else {
            throw BPFError(code: .internal, message: "set variable \"\(variable.name)\": data section \(variable.mapName) vanished")
        }
        var size = 0
        guard let data = bpf_map__initial_value(map, &size), variable.offset + variable.size <= size else {
            throw BPFError(code: .internal, message: "set variable \"\(variable.name)\": data section \(variable.mapName) has no initial value")
        }
        var section = [UInt8](UnsafeRawBufferPointer(start: data, count: size))
        section.replaceSubrange(variable.offset..<(variable.offset + variable.size), with: bytes)
        let result = bpf_map__set_initial_value(map, section, size)
        if result < 0 {
            throw BPFError.syscall("set variable \"\(variable.name)\"", call: "bpf_map__set_initial_value", errno: Errno(rawValue: -result))
        }
    }

    /// Makes the object use the maps pinned in `directory` (one file per map
    /// name) instead of creating its own.
    ///
    /// - Throws: `.notFound` when a map has no pin there.
    package func reuseMaps(pinnedIn directory: String) throws(BPFError) {
        var map = bpf_object__next_map(object, nil)
        while let current = map {
            defer { map = bpf_object__next_map(object, current) }
            if bpf_map__is_internal(current) { continue }
            let name = String(cString: bpf_map__name(current))
            let pin = try Pins.open("\(directory)/\(name)", what: "shared map \(name)")
            let result = bpf_map__reuse_fd(current, pin.rawValue)
            if result < 0 {
                throw BPFError.syscall("reuse map \(name)", call: "bpf_map__reuse_fd", errno: Errno(rawValue: -result))
            }
        }
    }

    /// Loads the maps and the selected program into the kernel.
    ///
    /// - Returns: a new descriptor of the loaded program.
    /// - Throws: `.invalidArgument` with the verifier log when the kernel
    ///   rejects the program.
    package func load(program name: String) throws(BPFError) -> OwnedDescriptor {
        Libbpf.clearWarnings()
        let result = bpf_object__load(object)
        if result < 0 {
            let errno = Errno(rawValue: -result)
            let log = logBuffer.map { String(cString: $0) } ?? ""
            var message = "load program \(name): \(Libbpf.describe(errno))"
            if !log.isEmpty {
                // As the reference prints a verifier error: each log line on its own, indented by a tab.
                message += ": verifier log:" + log.trimmingWhitespace().split(separator: "\n", omittingEmptySubsequences: false)
                    .map { "\n\t" + $0 }.joined()
            } else {
                let warnings = Libbpf.takeWarnings()
                if !warnings.isEmpty { message += " (\(warnings))" }
            }
            throw BPFError(code: errno == .notPermitted ? .permissionDenied : .invalidArgument, message: message,
                           underlying: SyscallError(call: "BPF_PROG_LOAD", errno: errno))
        }
        guard let program = bpf_object__find_program_by_name(object, name) else {
            throw BPFError(code: .internal, message: "load program \(name): program vanished after load")
        }
        let fd = dup(bpf_program__fd(program))
        guard fd >= 0 else { throw BPFError.syscall("load program \(name)", call: "dup", errno: .lastError) }
        return OwnedDescriptor(fd)
    }

    /// Pins every non-internal map under `directory` by its full name.
    ///
    /// Maps that were reused from another program's pins are skipped.
    package func pinMaps(in directory: String) throws(BPFError) {
        var map = bpf_object__next_map(object, nil)
        while let current = map {
            defer { map = bpf_object__next_map(object, current) }
            if bpf_map__is_internal(current) { continue }
            let path = "\(directory)/\(String(cString: bpf_map__name(current)))"
            let result = bpf_obj_pin(bpf_map__fd(current), path)
            if result < 0 {
                throw BPFError.syscall("pin map \(path)", call: "BPF_OBJ_PIN", errno: Errno(rawValue: -result))
            }
        }
    }
}

/// A program as its ELF object declares it.
package struct ProgramSpec: Sendable, Equatable {
    /// The function name.
    package var name: String
    /// The ELF section, for example `uprobe/uprobe_counter`.
    package var sectionName: String
}

/// A global variable in one of the object's data sections.
package struct GlobalVariable: Sendable, Equatable {
    /// The variable's name.
    package var name: String
    /// libbpf's name for the internal map of its data section.
    package var mapName: String
    /// Byte offset within the section.
    package var offset: Int
    /// Size in bytes.
    package var size: Int
}

import BPF
import Diagnostics
import Images
import LinuxSys
import Manager
import Model

/// Building bytecode images from objects: what `image build` and
/// `image generate-build-args` compute.
package enum BytecodeImages {
    /// One object given on the command line: `FILE` or `linux/ARCH=FILE`.
    package struct Source: Sendable, Equatable {
        /// The platform, for the multi-platform form.
        package var platform: Platform?
        /// The object path as given.
        package var path: String

        /// Creates a source.
        package init(platform: Platform?, path: String) {
            self.platform = platform
            self.path = path
        }

        /// Parses `FILE` or `os/arch=FILE`.
        ///
        /// - Throws: `.invalidArgument` for a bad platform.
        package init(parsing text: String) throws(ManagerError) {
            if let equals = text.firstIndex(of: "="), text[..<equals].contains("/") {
                do { platform = try Platform(parsing: String(text[..<equals])) } catch { throw ManagerError(error) }
                path = String(text[text.index(after: equals)...])
            } else {
                platform = nil
                path = text
            }
        }

        /// The build-arg name: `BYTECODE_FILE`, or `BC_<ARCH>_<EL|EB>`.
        package var buildArgName: String {
            guard let platform else { return "BYTECODE_FILE" }
            return "BC_\(platform.architecture.uppercased())_\(platform.isBigEndian ? "EB" : "EL")"
        }
    }

    /// bpf2go's architecture suffixes (`<stem>_<arch>_bpf<el|eb>.o`) and the platforms they are for.
    private static let bpf2goArchitectures: [(suffix: String, architecture: String)] = [
        ("x86_bpfel", "amd64"), ("arm64_bpfel", "arm64"), ("arm_bpfel", "arm"), ("powerpc_bpfel", "ppc64le"),
        ("powerpc_bpfeb", "ppc64"), ("s390_bpfeb", "s390x"), ("riscv_bpfel", "riscv64"), ("mips_bpfeb", "mips64"),
        ("loongarch_bpfel", "loong64"),
    ]

    /// The objects a cilium/ebpf (bpf2go) project directory holds, one per platform.
    ///
    /// - Throws: `.notFound` when the directory has no bpf2go objects.
    package static func ciliumProjectSources(_ directory: String) throws(ManagerError) -> [Source] {
        let names: [String]
        do { names = try FileSystem.listDirectory(directory).sorted() } catch {
            throw ManagerError("read cilium/ebpf project \(directory)", call: "opendir", errno: error)
        }
        var sources: [Source] = []
        for (suffix, architecture) in bpf2goArchitectures {
            guard let name = names.first(where: { $0.hasSuffix("_\(suffix).o") }) else { continue }
            sources.append(Source(platform: Platform(architecture: architecture), path: directory + "/" + name))
        }
        guard !sources.isEmpty else {
            throw ManagerError(.notFound, "no bpf2go objects (<name>_<arch>_bpfel.o) in \(directory)")
        }
        return sources
    }

    /// The labels for `path`: its programs (function → type from the
    /// section) and maps (name → kernel type name).
    ///
    /// - Throws: `ManagerError` when the file is missing or not a BPF object.
    package static func labels(forObject path: String) throws(ManagerError) -> BytecodeLabels {
        guard FileSystem.exists(path) else {
            throw ManagerError(.notFound, "open bytecode ELF: open \(path): no such file or directory")
        }
        let object: BPFObject
        do { object = try BPFObject(path: path) } catch { throw ManagerError(error, context: "open bytecode ELF") }
        var programs: [String: ProgramType] = [:]
        for program in object.programs {
            guard let kind = SectionKind(sectionName: program.sectionName), let type = ProgramType(rawValue: kind.displayName) else { continue }
            programs[program.name] = type
        }
        return BytecodeLabels(programs: programs, maps: object.mapTypes)
    }

    /// The build inputs for `sources`: each object read, checked for the
    /// platform's byte order, and labelled.
    package static func inputs(_ sources: [Source]) throws(ManagerError) -> [BytecodeInput] {
        var inputs: [BytecodeInput] = []
        for source in sources {
            let labels = try labels(forObject: source.path)
            let bytes: [UInt8]
            do { bytes = try FileSystem.readFile(source.path) } catch {
                throw ManagerError("read \(source.path)", call: "read", errno: error)
            }
            let filename = FileSystem.basename(of: source.path)
            do {
                try ImagePuller.checkBytecode(bytes, name: source.path, platform: source.platform ?? .host, reference: nil)
            } catch {
                throw ManagerError(error)
            }
            inputs.append(BytecodeInput(platform: source.platform, filename: filename, object: bytes, labels: labels))
        }
        return inputs
    }
}

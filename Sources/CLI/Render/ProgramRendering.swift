import Manager
import Model

/// JSON and text forms of programs (cli.md §4.1, §4.2, §5).
enum ProgramRendering {
    /// Whether a program object is for `load` output or `get` output; they
    /// differ in stats, map pins and map order.
    enum Variant { case load, get }

    /// The ProgramRecord object.
    static func record(_ record: ProgramRecord, pinPath: String) -> JSONValue {
        let globals = JSONValue.sortedObject(record.globalData.mapValues { .string(Base64.encode($0)) })
        let image: JSONValue = record.imageSource.map {
            .object([("url", .string($0.url)), ("digest", .string($0.digest)), ("pull_policy", .string($0.pullPolicy))])
        } ?? .null
        let owner: JSONValue = record.mapOwnerID.map { .uint(UInt64($0.rawValue)) } ?? .null
        return .object([
            ("program_id", .uint(UInt64(record.id.rawValue))),
            ("load", .object([
                ("object_path", .string(record.objectPath)), ("source_path", JSONValue.optional(record.sourcePath)),
                ("program_name", .string(record.name)), ("program_type", .string(record.type.rawValue)),
                ("global_data", globals), ("image_source", image), ("attach_func", JSONValue.optional(record.attachFunction)),
                ("map_owner_id", .null),
            ])),
            ("license", .string(record.license)), ("gpl_compatible", .bool(isGPLCompatible(record.license))),
            ("handles", .object([("pin_path", .string(pinPath)), ("map_pin_path", .string(record.mapPinPath)),
                                 ("map_owner_id", owner)])),
            ("meta", .object([("name", .string(record.name)), ("owner", .string("")), ("description", .string("")),
                              ("metadata", .stringMap(record.metadata))])),
            ("created_at", .string(Timestamp.rfc3339(record.createdAt))), ("updated_at", .null),
        ])
    }

    /// The kernel program object.
    static func kernel(_ kernel: KernelProgram) -> JSONValue {
        .object([
            ("id", .uint(UInt64(kernel.id.rawValue))), ("name", .string(kernel.name)), ("program_type", .string(kernel.typeName)),
            ("tag", .string(kernel.tag)), ("loaded_at", .string(Timestamp.rfc3339(Int64(kernel.loadedAtNanoseconds / 1_000_000_000)))),
            ("uid", .uint(UInt64(kernel.uid))), ("has_uid", .bool(true)), ("btf_id", .uint(UInt64(kernel.btfID))),
            ("has_btf_id", .bool(kernel.btfID != 0)), ("map_ids", .array(kernel.mapIDs.map { .uint(UInt64($0)) })),
            ("has_map_ids", .bool(true)), ("jited_size", .uint(UInt64(kernel.jitedSize))), ("xlated_size", .uint(UInt64(kernel.xlatedSize))),
            ("verified_insns", .uint(UInt64(kernel.verifiedInstructions))), ("memlock", .uint(kernel.memlock ?? 0)),
            ("has_memlock", .bool(kernel.memlock != nil)), ("restricted", .bool(false)),
        ])
    }

    /// A map object.
    static func map(_ map: MapView, variant: Variant) -> JSONValue {
        let kernel = map.kernel
        let pin = variant == .get ? map.pinPath : ""
        return .object([
            ("id", .uint(UInt64(kernel.id))), ("name", .string(kernel.name)), ("map_type", .string(kernel.typeName)),
            ("key_size", .uint(UInt64(kernel.keySize))), ("value_size", .uint(UInt64(kernel.valueSize))),
            ("max_entries", .uint(UInt64(kernel.maxEntries))), ("flags", .uint(UInt64(kernel.flags))), ("btf_id", .uint(UInt64(kernel.btfID))),
            ("has_btf_id", .bool(kernel.btfID != 0)), ("map_extra", .uint(kernel.mapExtra)), ("has_map_extra", .bool(false)),
            ("memlock", .uint(kernel.memlock ?? 0)), ("has_memlock", .bool(kernel.memlock != nil)), ("frozen", .bool(kernel.frozen)),
            ("pin_path", .string(pin)), ("present", .bool(!pin.isEmpty)),
        ])
    }

    /// The full Program object of `load` and `get`.
    static func view(_ view: ProgramView, variant: Variant) -> JSONValue {
        let maps = variant == .get ? view.maps.sorted { $0.kernel.id < $1.kernel.id } : view.maps
        let stats: JSONValue = variant == .load ? .null : .object([
            ("runtime", .uint(view.kernel?.runTimeNanoseconds ?? 0)), ("run_count", .uint(view.kernel?.runCount ?? 0)),
            ("recursion_misses", .uint(view.kernel?.recursionMisses ?? 0)),
        ])
        return .object([
            ("record", record(view.record, pinPath: view.pinPath)),
            ("status", .object([
                ("kernel", view.kernel.map(kernel) ?? .null), ("stats", stats), ("prog_pin", .string(view.pinPath)),
                ("map_dir", .string(view.record.mapPinPath)), ("bytecode", .string(view.record.objectPath)),
                ("links", .array(view.links.map(LinkRendering.view))), ("maps", .array(maps.map { map($0, variant: variant) })),
                ("map_used_by", .array(view.mapUsedBy.map { .uint(UInt64($0.rawValue)) })),
            ])),
        ])
    }

    /// A `program list` entry.
    static func listEntry(_ entry: ProgramListEntry) -> JSONValue {
        .object([
            ("program_id", .uint(UInt64(entry.id.rawValue))), ("managed", .bool(entry.record != nil)),
            ("application", .string(entry.record?.metadata["bpfman.io/application"] ?? "")),
            ("type", .string(entry.record?.type.rawValue ?? entry.kernel.typeName)),
            ("function_name", .string(entry.record?.name ?? entry.kernel.name)),
            ("links", .array(entry.links.map { .uint($0.rawValue) })), ("record", entry.record.map { record($0, pinPath: entry.pinPath) } ?? .null),
            ("kernel", kernel(entry.kernel)),
        ])
    }

    /// The `program list` table.
    static func table(_ entries: [ProgramListEntry]) -> String {
        let showApplication = entries.contains { !($0.record?.metadata["bpfman.io/application"] ?? "").isEmpty }
        var table = Table(["PROGRAM ID"] + (showApplication ? ["APPLICATION"] : []) + ["TYPE", "FUNCTION NAME", "LINK IDS"])
        for entry in entries {
            let links = entry.links.isEmpty ? "<none>" : entry.links.map(\.description).joined(separator: " ")
            table.append([entry.id.description] + (showApplication ? [entry.record?.metadata["bpfman.io/application"] ?? ""] : [])
                         + [entry.record?.type.rawValue ?? entry.kernel.typeName, entry.record?.name ?? entry.kernel.name, links])
        }
        return table.rendered()
    }

    /// `program get` and text `program load`, in the reference's layout
    /// (reference-text-outputs.md): `Spec:`, `Status:` with its `Links:` and
    /// `Maps:` sub-sections, and `Stats:`, which a load leaves "not enabled"
    /// as its JSON leaves `stats` null.
    static func text(_ view: ProgramView, variant: Variant) -> String {
        let record = view.record
        var spec = DetailSection("Spec")
        spec.add("GPL Compatible", String(isGPLCompatible(record.license)))
        spec.add("Global", record.globalData.isEmpty ? "None"
                 : record.globalData.sorted { $0.key < $1.key }.map { "\($0.key)=\(Hex.encode($0.value))" }.joined(separator: ", "))
        spec.add("License", record.license)
        spec.add("Map Owner ID", record.mapOwnerID?.description ?? "None")
        spec.add("Map Pin Path", record.mapPinPath)
        spec.add("Metadata", LinkRendering.metadataText(record.metadata))
        spec.add("Name", record.name)
        if let image = record.imageSource {
            spec.add("Image URL", image.url)
            spec.add("Pull Policy", image.pullPolicy)
        } else {
            spec.add("Path", record.sourcePath ?? "")
        }
        spec.add("Type", record.type.rawValue)
        var status = DetailSection("Status")
        if let kernel = view.kernel {
            status.add("BTF ID", String(kernel.btfID))
            status.add("Instructions", String(kernel.verifiedInstructions))
            status.add("Kernel Type", kernel.typeName)
            status.add("Loaded At", Timestamp.rfc3339(Int64(kernel.loadedAtNanoseconds / 1_000_000_000)))
            status.add("Memory", "\(kernel.memlock ?? 0) bytes")
            status.add("Size JITted", "\(kernel.jitedSize) bytes")
            status.add("Size Translated", "\(kernel.xlatedSize) bytes")
            status.add("Tag", kernel.tag)
        }
        status.add("Bytecode", record.objectPath)
        status.add("Map Dir", record.mapPinPath)
        status.add("Maps Used By", view.mapUsedBy.map(\.description).joined(separator: ", "))
        status.add("Prog Pin", view.pinPath)
        status.addTrailing("Links", .sections(view.links.map(linkSection)))
        let maps = variant == .get ? view.maps.sorted { $0.kernel.id < $1.kernel.id } : view.maps
        status.addTrailing("Maps", .sections(maps.map { mapSection($0, variant: variant) }))
        var stats = DetailSection("Stats")
        if variant == .get {
            stats.add("Run Count", String(view.kernel?.runCount ?? 0))
            stats.add("Runtime", GoDuration.format(nanoseconds: view.kernel?.runTimeNanoseconds ?? 0))
        } else {
            stats.addLine("(not enabled, see sysctl kernel.bpf_stats_enabled)")
        }
        return "Program ID: \(record.id)\n" + spec.rendered(indent: 2) + status.rendered(indent: 2) + stats.rendered(indent: 2)
    }

    /// One link of a program's `Links:`.
    private static func linkSection(_ link: LinkView) -> DetailSection {
        var section = DetailSection(link.record.id.description)
        section.add("Attach", LinkRendering.attachment(link.record.details))
        section.add("Kind", link.record.kind.rawValue)
        section.add("Pin", link.record.pinPath ?? "None")
        return section
    }

    /// One map of a program's `Maps:`; a load, like its JSON, shows no pins.
    private static func mapSection(_ map: MapView, variant: Variant) -> DetailSection {
        var section = DetailSection(String(map.kernel.id))
        section.add("Key Size", "\(map.kernel.keySize)B")
        section.add("Max Entries", String(map.kernel.maxEntries))
        section.add("Name", map.kernel.name)
        if variant == .get && !map.pinPath.isEmpty { section.add("Pin", map.pinPath) }
        section.add("Type", map.kernel.typeName)
        section.add("Value Size", "\(map.kernel.valueSize)B")
        return section
    }

    /// Whether a license string is one the kernel treats as GPL-compatible.
    static func isGPLCompatible(_ license: String) -> Bool {
        ["GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL"].contains(license)
    }
}

/// Base64 without Foundation.
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")

    static func encode(_ bytes: [UInt8]) -> String {
        var output = ""
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            let value = chunk.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (16 - 8 * UInt32($1.offset)) }
            for position in 0..<4 {
                output.append(position <= chunk.count ? alphabet[Int((value >> (18 - 6 * UInt32(position))) & 0x3f)] : "=")
            }
            index += 3
        }
        return output
    }
}

/// Lowercase hex.
enum Hex {
    static func encode(_ bytes: [UInt8]) -> String {
        bytes.map { $0 < 16 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }
}

/// Go's `time.Duration` text (`0s`, `750ns`, `1.5µs`, `12.345ms`,
/// `1m2.5s`), the form the reference prints a program's runtime in.
enum GoDuration {
    static func format(nanoseconds: UInt64) -> String {
        if nanoseconds == 0 { return "0s" }
        if nanoseconds < 1_000 { return "\(nanoseconds)ns" }
        if nanoseconds < 1_000_000 { return fraction(nanoseconds, unit: 1_000) + "µs" }
        if nanoseconds < 1_000_000_000 { return fraction(nanoseconds, unit: 1_000_000) + "ms" }
        let totalSeconds = nanoseconds / 1_000_000_000
        let hours = totalSeconds / 3600
        let minutes = totalSeconds / 60 % 60
        let seconds = fraction(nanoseconds % 60_000_000_000, unit: 1_000_000_000) + "s"
        if hours > 0 { return "\(hours)h\(minutes)m\(seconds)" }
        return minutes > 0 ? "\(minutes)m\(seconds)" : seconds
    }

    /// `value / unit` with the fraction's trailing zeros (and a bare point) dropped.
    private static func fraction(_ value: UInt64, unit: UInt64) -> String {
        let whole = value / unit
        var digits = String(value % unit)
        let width = String(unit).count - 1
        digits = String(repeating: "0", count: width - digits.count) + digits
        while digits.last == "0" { digits.removeLast() }
        return digits.isEmpty ? String(whole) : "\(whole).\(digits)"
    }
}

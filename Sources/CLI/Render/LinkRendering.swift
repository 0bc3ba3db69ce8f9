import Manager
import Model

/// JSON and text forms of links (cli.md §4.3, §4.4, §5).
package enum LinkRendering {
    /// The `details` object for a link.
    static func details(_ details: LinkDetails) -> JSONValue {
        switch details {
        case .uprobe(let d):
            return .object([("target", .string(d.target)), ("fn_name", .string(d.functionName ?? "")), ("offset", .uint(d.offset)),
                            ("pid", .int(Int64(d.pid))), ("retprobe", .bool(d.retprobe)), ("container_pid", .int(Int64(d.containerPID)))])
        case .tracepoint(let d):
            return .object([("group", .string(d.group)), ("name", .string(d.name))])
        case .kprobe(let d):
            return .object([("fn_name", .string(d.functionName)), ("offset", .uint(d.offset)), ("retprobe", .bool(d.retprobe))])
        case .tcx(let d):
            return .object([("interface", .string(d.target.interface)), ("ifindex", .uint(UInt64(d.target.ifindex.rawValue))),
                            ("direction", .string(d.direction.rawValue)), ("priority", .int(Int64(d.priority))),
                            ("position", .int(Int64(d.position))), ("netns", .string(d.target.netns)), ("nsid", .uint(d.target.nsid))])
        case .xdp(let d):
            return .object([("interface", .string(d.target.interface)), ("ifindex", .uint(UInt64(d.target.ifindex.rawValue))),
                            ("priority", .int(Int64(d.priority))), ("position", .int(Int64(d.position))),
                            ("proceed_on", .array(d.proceedOn.actions.map { .int(Int64($0)) })), ("netns", .string(d.target.netns)),
                            ("nsid", .uint(d.target.nsid)), ("dispatcher_id", .uint(UInt64(d.dispatcher?.dispatcherID ?? 0))),
                            ("revision", .uint(UInt64(d.dispatcher?.revision ?? 0)))])
        case .tc(let d):
            return .object([("interface", .string(d.target.interface)), ("ifindex", .uint(UInt64(d.target.ifindex.rawValue))),
                            ("direction", .string(d.direction.rawValue)), ("priority", .int(Int64(d.priority))),
                            ("position", .int(Int64(d.position))), ("proceed_on", .array(d.proceedOn.actions.map { .int(Int64($0)) })),
                            ("netns", .string(d.target.netns)), ("nsid", .uint(d.target.nsid)),
                            ("dispatcher_id", .uint(UInt64(d.dispatcher?.dispatcherID ?? 0))), ("revision", .uint(UInt64(d.dispatcher?.revision ?? 0)))])
        case .tracing(let d):
            return .object([("fn_name", .string(d.functionName))])
        case .lsm(let d):
            return .object([("hook_name", .string(d.hookName))])
        }
    }

    /// The bare record object (`link list` entries).
    package static func record(_ record: LinkRecord) -> JSONValue {
        .object([
            ("id", .uint(record.id.rawValue)), ("program_id", .uint(UInt64(record.programID.rawValue))),
            ("kernel_link_id", record.kernelLinkID.map { .uint(UInt64($0)) } ?? .null), ("kind", .string(record.kind.rawValue)),
            ("pin_path", JSONValue.optional(record.pinPath)), ("details", details(record.details)),
            ("created_at", .string(Timestamp.rfc3339(record.createdAt))),
            ("metadata", record.metadata.map(JSONValue.stringMap) ?? .null),
        ])
    }

    /// The kernel link object.
    static func kernel(_ link: KernelLink) -> JSONValue {
        let zeroKeys = ["netfilter_pf", "netfilter_hooknum", "netfilter_priority", "netfilter_flags", "kprobe_multi_count",
                        "kprobe_multi_flags", "kprobe_multi_missed", "kprobe_address", "kprobe_missed"]
        return .object([
            ("id", .uint(UInt64(link.id))), ("program_id", .uint(UInt64(link.programID.rawValue))), ("link_type", .string(link.typeName)),
            ("attach_type", .string(link.attachType.map { String($0) } ?? "")), ("ifindex", .uint(UInt64(link.ifindex))),
            ("target_obj_id", .uint(UInt64(link.targetObjectID))), ("target_btf_id", .uint(UInt64(link.targetBTFID))),
            ("cgroup_id", .uint(link.cgroupID)), ("netns_ino", .uint(UInt64(link.netnsInode))),
        ] + zeroKeys.map { ($0, JSONValue.uint(0)) })
    }

    /// The full Link object (`link attach`, `link get`, program `links`).
    package static func view(_ view: LinkView) -> JSONValue {
        .object([
            ("record", record(view.record)),
            ("status", .object([("kernel", view.kernel.map(kernel) ?? .null), ("kernel_seen", .bool(view.kernelSeen)),
                                ("pin_present", .bool(view.pinPresent))])),
        ])
    }

    /// The ATTACHMENT column of `link list`.
    package static func attachment(_ details: LinkDetails) -> String {
        switch details {
        case .uprobe(let d):
            var text = d.functionName.map { "\(d.target) \($0)" } ?? d.target
            if d.offset != 0 { text += "+\(d.offset)" }
            if d.pid != 0 { text += " pid=\(d.pid)" }
            if d.containerPID != 0 { text += " container-pid=\(d.containerPID)" }
            return text
        case .tracepoint(let d): return "\(d.group)/\(d.name)"
        case .kprobe(let d): return d.offset == 0 ? d.functionName : "\(d.functionName)+\(d.offset)"
        case .tcx(let d): return network(d.target, direction: d.direction, position: d.position)
        case .tc(let d): return network(d.target, direction: d.direction, position: d.position)
        case .xdp(let d): return network(d.target, direction: nil, position: d.position)
        case .tracing(let d): return d.functionName
        case .lsm(let d): return d.hookName
        }
    }

    private static func network(_ target: InterfaceTarget, direction: TCDirection?, position: Int32) -> String {
        var text = target.interface
        if let direction { text += " \(direction.rawValue)" }
        text += " pos-\(position)"
        if !target.netns.isEmpty { text += " netns=\(target.netns)" }
        return text
    }

    /// `link get` / `link attach` text, in the reference's layout
    /// (reference-text-outputs.md); only `get` names the BPF function.
    static func text(_ view: LinkView, functionName: String?) -> String {
        let record = view.record
        var spec = DetailSection("Spec")
        spec.add("Attach Type", record.kind.rawValue)
        if let functionName { spec.add("BPF Function", functionName) }
        spec.add("Created At", Timestamp.rfc3339(record.createdAt))
        spec.add("Kernel Link ID", record.kernelLinkID.map { String($0) } ?? "None")
        spec.add("Metadata", metadataText(record.metadata ?? [:]))
        spec.add("Pin Path", record.pinPath ?? "None")
        spec.add("Program ID", record.programID.description)
        spec.add("Type", record.kind.rawValue)
        for (label, value) in kindRows(record.details) { spec.add(label, value) }
        var status = DetailSection("Status")
        status.add("Kernel Seen", String(view.kernelSeen))
        status.add("Pin Present", String(view.pinPresent))
        return "Link ID: \(record.id)\n" + spec.rendered(indent: 2) + status.rendered(indent: 2)
    }

    /// The rows only a kind has; zero offsets and PIDs are left out, as the
    /// reference leaves them out.
    private static func kindRows(_ details: LinkDetails) -> [(String, String)] {
        switch details {
        case .uprobe(let d):
            var rows = [("Target", d.target)]
            if let function = d.functionName { rows.append(("Target Function", function)) }
            if d.offset != 0 { rows.append(("Offset", String(d.offset))) }
            if d.pid != 0 { rows.append(("PID", String(d.pid))) }
            if d.containerPID != 0 { rows.append(("Container PID", String(d.containerPID))) }
            return rows
        case .tracepoint(let d): return [("Tracepoint", "\(d.group)/\(d.name)")]
        case .kprobe(let d):
            return [("Target Function", d.functionName)] + (d.offset != 0 ? [("Offset", String(d.offset))] : [])
        case .tcx(let d):
            return [("Interface", d.target.interface), ("Direction", d.direction.rawValue), ("Priority", String(d.priority)),
                    ("Position", String(d.position)), ("Netns", d.target.netns.isEmpty ? "None" : d.target.netns)]
        case .tc(let d):
            return [("Interface", d.target.interface), ("Direction", d.direction.rawValue), ("Priority", String(d.priority)),
                    ("Position", String(d.position)), ("Proceed On", d.proceedOn.actions.map(String.init).joined(separator: ", "))]
        case .xdp(let d):
            return [("Interface", d.target.interface), ("Priority", String(d.priority)), ("Position", String(d.position)),
                    ("Proceed On", d.proceedOn.actions.map(String.init).joined(separator: ", "))]
        case .tracing(let d): return [("Target Function", d.functionName)]
        case .lsm(let d): return [("Hook", d.hookName)]
        }
    }

    /// `k=v, k=v` sorted, or `None`.
    static func metadataText(_ metadata: [String: String]) -> String {
        metadata.isEmpty ? "None" : metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
    }
}

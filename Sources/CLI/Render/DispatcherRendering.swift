import Manager
import Model

/// JSON and text forms of dispatchers (cli.md §4.5 and §5).
enum DispatcherRendering {
    /// `{"dispatchers":[…]}`.
    static func list(_ views: [DispatcherView]) -> JSONValue {
        .object([("dispatchers", .array(views.map { view in
            .object([("key", key(view.record.key)), ("revision", .uint(UInt64(view.record.revision))), ("runtime", runtime(view.record)),
                     ("member_count", .uint(UInt64(view.members.count)))])
        }))])
    }

    /// `dispatcher get`'s object: key, revision, runtime and members.
    static func view(_ view: DispatcherView, programs: [ProgramID: ProgramRecord], layout: RuntimeLayout) -> JSONValue {
        .object([
            ("key", key(view.record.key)), ("revision", .uint(UInt64(view.record.revision))), ("runtime", runtime(view.record)),
            ("members", .array(view.members.map { link in
                let slot = slot(of: link)
                return .object([
                    ("program_id", .uint(UInt64(link.programID.rawValue))), ("program_name", .string(programs[link.programID]?.name ?? "")),
                    ("prog_pin_path", .string(layout.programPin(link.programID))), ("link_id", .uint(link.id.rawValue)),
                    ("kernel_link_id", link.kernelLinkID.map { .uint(UInt64($0)) } ?? .null), ("link_pin_path", .string(link.pinPath ?? "")),
                    ("position", .int(Int64(slot.position))), ("priority", .int(Int64(slot.priority))),
                    ("proceed_on", .uint(UInt64(slot.proceedOn.bitmask(for: view.record.key.type)))), ("ifname", .string(view.record.interface)),
                    ("metadata", .object((link.metadata ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
                ])
            })),
        ])
    }

    /// The `dispatcher list` table.
    static func listText(_ views: [DispatcherView]) -> String {
        guard !views.isEmpty else { return "" }
        var table = Table(["TYPE", "NSID", "IFINDEX", "REVISION", "PROGRAM ID", "KERNEL LINK ID", "PRIORITY", "HANDLE", "MEMBERS", "NETNS"])
        for view in views {
            let record = view.record
            table.append([record.key.type.rawValue, String(record.key.nsid), record.key.ifindex.description, String(record.revision),
                          record.programID.description, record.kernelLinkID.map { String($0) } ?? "-",
                          record.filterPriority.map { String($0) } ?? "-", record.filterHandle.map { String($0) } ?? "-",
                          String(view.members.count), record.netns.isEmpty ? "-" : record.netns])
        }
        return table.rendered()
    }

    /// The `dispatcher get` text: the header rows, then the member table.
    static func text(_ view: DispatcherView, programs: [ProgramID: ProgramRecord]) -> String {
        let record = view.record
        var section = DetailSection("Dispatcher: \(record.key.type.rawValue) nsid=\(record.key.nsid) ifindex=\(record.key.ifindex)")
        section.add("Interface", record.interface)
        section.add("Revision", String(record.revision))
        section.add("Program ID", record.programID.description)
        section.add("Netns", record.netns.isEmpty ? "-" : record.netns)
        if let linkID = record.kernelLinkID { section.add("Kernel Link ID", String(linkID)) }
        if let priority = record.filterPriority { section.add("Filter Priority", String(priority)) }
        if let handle = record.filterHandle { section.add("Filter Handle", String(handle)) }
        var output = section.rendered()
        output += "Members (\(view.members.count)/\(DispatcherType.slotCount)):\n"
        guard !view.members.isEmpty else { return output }
        var table = Table(["POS", "PRIORITY", "PROGRAM ID", "FUNCTION NAME", "LINK ID", "KERNEL LINK ID", "PROCEED ON"])
        for link in view.members {
            let slot = slot(of: link)
            table.append([String(slot.position), String(slot.priority), link.programID.description, programs[link.programID]?.name ?? "",
                          link.id.description, link.kernelLinkID.map { String($0) } ?? "-", slot.proceedOn.actions.map(String.init).joined(separator: ",")])
        }
        return output + table.rendered()
    }

    private static func key(_ key: DispatcherKey) -> JSONValue {
        .object([("type", .string(key.type.rawValue)), ("nsid", .uint(key.nsid)), ("ifindex", .uint(UInt64(key.ifindex.rawValue)))])
    }

    private static func runtime(_ record: DispatcherRecord) -> JSONValue {
        var fields: [(String, JSONValue)] = [("program_id", .uint(UInt64(record.programID.rawValue)))]
        if let linkID = record.kernelLinkID { fields.append(("kernel_link_id", .uint(UInt64(linkID)))) }
        if let priority = record.filterPriority { fields.append(("filter_priority", .uint(UInt64(priority)))) }
        if let handle = record.filterHandle { fields.append(("filter_handle", .uint(UInt64(handle)))) }
        fields.append(("netns_path", .string(record.netns)))
        return .object(fields)
    }

    private static func slot(of link: LinkRecord) -> ChainSlot {
        link.details.chainSlot ?? ChainSlot(priority: 0, position: 0, proceedOn: ProceedOn([]))
    }
}

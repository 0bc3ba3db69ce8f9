import BPF
import Diagnostics
import LinuxSys
import Model
import Store

extension Manager {
    /// Program `id` with its kernel state, maps and links.
    ///
    /// - Throws: `.notFound` (`record not found`) for programs bpfman does not manage.
    package func program(_ id: ProgramID) throws(ManagerError) -> ProgramView {
        let summary = try programSummary(id)
        let pins = mapPins(summary.record.mapPinPath)
        let maps = (summary.kernel?.mapIDs ?? []).compactMap { mapID -> MapView? in
            guard let info = try? KernelMap(id: mapID) else { return nil } // freed since listed
            return MapView(kernel: info, pinPath: pins[mapID] ?? "")
        }
        return ProgramView(record: summary.record, pinPath: layout.programPin(id), kernel: summary.kernel, maps: maps,
                           links: summary.links.map(linkView), mapUsedBy: summary.mapUsedBy)
    }

    /// Program `id` as the gRPC `Get` answers it, and what ``program(_:)``
    /// builds on: no map or link is opened.
    ///
    /// - Throws: `.notFound` (`record not found`) for programs bpfman does not manage.
    package func programSummary(_ id: ProgramID) throws(ManagerError) -> ProgramSummary {
        guard let record = try stored({ () throws(StoreError) in try store.program(id) }) else {
            throw ManagerError(.notFound, "record not found")
        }
        var kernel: KernelProgram?
        if let fd = try? KernelProgram.open(id: id) { kernel = try? KernelProgram(fd: fd) } // nil: gone from the kernel
        let links = try stored { () throws(StoreError) in try store.links(of: id) }
        let users = try stored { () throws(StoreError) in try store.mapSetUsers(record.mapSetID) }
        return ProgramSummary(record: record, kernel: kernel, links: links, mapUsedBy: users)
    }

    /// Programs matching `filter`, ascending by id.
    package func programs(_ filter: ProgramFilter) throws(ManagerError) -> [ProgramListEntry] {
        try programs(filter, records: try stored { () throws(StoreError) in try store.programs() })
    }

    /// Programs matching `filter`, and every map set's users: what the gRPC
    /// `List` answers, from one read of the program records.
    package func programsAndMapSetUsers(_ filter: ProgramFilter) throws(ManagerError) -> ([ProgramListEntry], [ProgramID: [ProgramID]]) {
        let records = try stored { () throws(StoreError) in try store.programs() }
        return (try programs(filter, records: records), Self.mapSetUsers(records))
    }

    private func programs(_ filter: ProgramFilter, records: [ProgramRecord]) throws(ManagerError) -> [ProgramListEntry] {
        var linksByProgram: [ProgramID: [LinkID]] = [:]
        for link in try stored({ () throws(StoreError) in try store.links() }) { linksByProgram[link.programID, default: []].append(link.id) }
        var entries: [ProgramListEntry] = []
        var managed = Set<ProgramID>()
        for record in records {
            managed.insert(record.id)
            guard let fd = try? KernelProgram.open(id: record.id), let kernel = try? KernelProgram(fd: fd) else { continue }
            entries.append(ProgramListEntry(id: record.id, record: record, kernel: kernel, links: linksByProgram[record.id] ?? [],
                                            pinPath: layout.programPin(record.id)))
        }
        if filter.includeUnmanaged {
            for id in KernelProgram.allIDs() where !managed.contains(id) {
                guard let fd = try? KernelProgram.open(id: id), let kernel = try? KernelProgram(fd: fd) else { continue }
                entries.append(ProgramListEntry(id: id, record: nil, kernel: kernel, links: [], pinPath: ""))
            }
            entries.sort { $0.id < $1.id }
        }
        return entries.filter { entry in
            if !filter.types.isEmpty {
                if let record = entry.record {
                    guard filter.types.contains(record.type) else { return false }
                } else {
                    guard filter.types.contains(where: { $0.kernelType.rawValue == entry.kernel.type }) else { return false }
                }
            }
            let metadata = entry.record?.metadata ?? [:]
            guard filter.metadata.allSatisfy({ metadata[$0.key] == $0.value }) else { return false }
            if let selector = filter.selector, !selector.matches(metadata) { return false }
            if let attached = filter.attached, attached == entry.links.isEmpty { return false }
            return true
        }
    }

    /// Link `id` with its kernel state.
    ///
    /// - Throws: `.notFound` (`link N not found`) for unknown ids.
    package func link(_ id: LinkID) throws(ManagerError) -> LinkView {
        guard let record = try stored({ () throws(StoreError) in try store.link(id) }) else {
            throw ManagerError(.notFound, "link \(id) not found")
        }
        return linkView(record)
    }

    /// Links matching `filter`, ascending by id.
    package func links(_ filter: LinkFilter) throws(ManagerError) -> [LinkRecord] {
        let links = try stored { () throws(StoreError) in try store.links(of: filter.programID) }
        let needsProgram = !filter.programTypes.isEmpty || !filter.metadata.isEmpty
        let programs = needsProgram ? Dictionary(uniqueKeysWithValues: try stored { () throws(StoreError) in try store.programs() }.map { ($0.id, $0) }) : [:]
        return links.filter { link in
            if !filter.kinds.isEmpty, !filter.kinds.contains(link.kind) { return false }
            guard needsProgram else { return true }
            guard let program = programs[link.programID] else { return false }
            if !filter.programTypes.isEmpty, !filter.programTypes.contains(program.type) { return false }
            return filter.metadata.allSatisfy { program.metadata[$0.key] == $0.value }
        }
    }

    /// The function names of programs, for link tables.
    package func programNames() throws(ManagerError) -> [ProgramID: ProgramRecord] {
        Dictionary(uniqueKeysWithValues: try stored { () throws(StoreError) in try store.programs() }.map { ($0.id, $0) })
    }

    func linkView(_ record: LinkRecord) -> LinkView {
        // A TC program attached on its own is the filter's program; a
        // dispatcher member is a pinned freplace link like any other.
        if case .tc(let details) = record.details, details.dispatcher == nil {
            let present = (try? NetworkNamespace.run(in: details.target.netns) {
                TCFilter.programID(ifindex: details.target.ifindex, egress: details.direction == .egress,
                                   handle: TCFilter.Handle(handle: details.handle, priority: details.filterPriority))
            }) ?? nil
            return LinkView(record: record, kernel: nil, kernelSeen: present == record.programID.rawValue, pinPresent: false)
        }
        let pinPresent = record.pinPath.map(FileSystem.exists) ?? false
        var kernel: KernelLink?
        if let pin = record.pinPath, pinPresent, let fd = try? KernelLink.openPinned(pin) {
            kernel = try? KernelLink(fd: fd)
        }
        return LinkView(record: record, kernel: kernel, kernelSeen: kernel != nil, pinPresent: pinPresent)
    }

    /// Map id → pin path for the pins in `directory`.
    private func mapPins(_ directory: String) -> [UInt32: String] {
        var result: [UInt32: String] = [:]
        for name in (try? FileSystem.listDirectory(directory)) ?? [] {
            let path = directory + "/" + name
            guard let fd = try? Pins.open(path, what: "map") else { continue }
            if let id = MapIdentity.id(of: fd) { result[id] = path }
        }
        return result
    }
}

extension Manager {
    /// Every map set with the programs using it.
    package func mapSetUsers() throws(ManagerError) -> [ProgramID: [ProgramID]] {
        Self.mapSetUsers(try stored { () throws(StoreError) in try store.programs() })
    }

    private static func mapSetUsers(_ records: [ProgramRecord]) -> [ProgramID: [ProgramID]] {
        var result: [ProgramID: [ProgramID]] = [:]
        for record in records { result[record.mapSetID, default: []].append(record.id) }
        return result
    }
}

import BPF
import Diagnostics
import LinuxSys
import Model
import Store

extension Manager {
    /// Brings pins, files and records back in line after a writer died
    /// midway (SIGKILL, power loss). Runs under the writer lock.
    ///
    /// The database is the truth: a pin, map directory or bytecode copy with
    /// no record is an orphan of an interrupted load or attach and is
    /// removed; a record whose program the kernel no longer has is dropped.
    func repair() throws(ManagerError) {
        let programs = try stored { () throws(StoreError) in try store.programs() }
        let links = try stored { () throws(StoreError) in try store.links() }
        var known = Set(programs.map(\.id))
        for record in programs where !FileSystem.exists(layout.programPin(record.id)) {
            // The pin is what keeps a program loaded; without it the program is gone.
            if (try? KernelProgram.open(id: record.id)) == nil {
                try stored { () throws(StoreError) in try store.deleteProgram(record.id) }
                known.remove(record.id)
            }
        }
        let mapSets = Set(programs.filter { known.contains($0.id) }.map(\.mapSetID))
        let linkPins = Set(links.compactMap(\.pinPath))

        for name in (try? FileSystem.listDirectory(layout.bpffs)) ?? [] where name.hasPrefix("prog_") {
            if let id = UInt32(name.dropFirst(5)), !known.contains(ProgramID(id)) {
                try? Pins.unpin(layout.bpffs + "/" + name)
            }
        }
        for name in (try? FileSystem.listDirectory(layout.mapsRoot)) ?? [] {
            if let id = UInt32(name), !mapSets.contains(ProgramID(id)) {
                try? FileSystem.removeTree(layout.mapsRoot + "/" + name)
            }
        }
        for name in (try? FileSystem.listDirectory(layout.programs)) ?? [] {
            if let id = UInt32(name), !known.contains(ProgramID(id)) {
                try? FileSystem.removeTree(layout.programs + "/" + name)
            }
        }
        for directory in [layout.linksRoot, layout.tcxDirectory(.ingress), layout.tcxDirectory(.egress)] {
            for name in (try? FileSystem.listDirectory(directory)) ?? [] where !linkPins.contains(directory + "/" + name) {
                try? Pins.unpin(directory + "/" + name)
            }
        }
        try repairDispatchers()
        for link in links where !known.contains(link.programID) {
            try? detachRecorded(link)
        }
        for name in (try? FileSystem.listDirectory(layout.staging)) ?? [] {
            try? FileSystem.removeTree(layout.staging + "/" + name)
        }
    }

    /// Removes dispatcher revisions the database does not record: those of
    /// a rebuild that died before (or after) recording its result. When the
    /// interface already ran the unrecorded revision, it is pointed back at
    /// the recorded one first, whose pins are still in place.
    private func repairDispatchers() throws(ManagerError) {
        // Most writes happen where no dispatcher exists: read the records
        // only once some dispatcher directory has entries.
        var records: [String: DispatcherRecord]?
        for type in DispatcherType.allCases {
            let root = layout.dispatcherRoot(type)
            let entries = ((try? FileSystem.listDirectory(root)) ?? []).map { root + "/" + $0 }
            guard !entries.isEmpty else { continue }
            let recorded: [String: DispatcherRecord]
            if let records { recorded = records } else { recorded = try recordedDispatcherPins() }
            records = recorded
            let strays = entries.filter { recorded[$0] == nil }
            guard !strays.isEmpty else { continue }
            for dispatcher in recorded.values where dispatcher.key.type == type {
                restoreRecordedRevision(dispatcher)
            }
            for path in strays {
                if path.hasSuffix("_link"), let link = try? KernelLink.openPinned(path) { try? KernelLink.detach(link) }
                try? FileSystem.removeTree(path)
            }
            if (try? FileSystem.listDirectory(root))?.isEmpty == true { try? FileSystem.remove(root) }
        }
    }

    /// The recorded dispatchers by the pins of their current revision and,
    /// for XDP, of their link.
    private func recordedDispatcherPins() throws(ManagerError) -> [String: DispatcherRecord] {
        var recorded: [String: DispatcherRecord] = [:]
        for dispatcher in try stored({ () throws(StoreError) in try store.dispatchers() }) {
            recorded[layout.dispatcherRevision(dispatcher.key, revision: dispatcher.revision)] = dispatcher
            if dispatcher.key.type == .xdp { recorded[layout.xdpDispatcherLink(dispatcher.key)] = dispatcher }
        }
        return recorded
    }

    /// Points the interface at `dispatcher`'s recorded revision if it runs
    /// another one.
    private func restoreRecordedRevision(_ dispatcher: DispatcherRecord) {
        let key = dispatcher.key
        guard let program = try? Pins.open(layout.dispatcherRevision(key, revision: dispatcher.revision) + "/dispatcher", what: "dispatcher") else { return }
        let ifindex = Int32(key.ifindex)
        if let direction = key.type.direction {
            guard let priority = dispatcher.filterPriority, let handle = dispatcher.filterHandle else { return }
            let filter = TCFilter.Handle(handle: handle, priority: priority)
            try? NetworkNamespace.run(in: dispatcher.netns) {
                if TCFilter.programID(ifindex: ifindex, egress: direction == .egress, handle: filter) != dispatcher.programID.rawValue {
                    try TCFilter.replace(program: program, ifindex: ifindex, egress: direction == .egress, handle: filter)
                }
            }
        } else if let link = try? KernelLink.openPinned(layout.xdpDispatcherLink(key)),
                  (try? KernelLink(fd: link))?.programID != dispatcher.programID {
            try? NetworkNamespace.run(in: dispatcher.netns) { try XDPLink.update(link: link, program: program) }
        }
    }
}

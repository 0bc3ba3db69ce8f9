import BPF
import Diagnostics
import LinuxSys
import Logs
import Model
import Store
import SystemPackage

extension Manager {
    /// Brings pins, files and records back in line after a writer died
    /// midway (SIGKILL, power loss). Runs under the writer lock.
    ///
    /// The database is the truth: a pin, map directory or bytecode copy with
    /// no record is an orphan of an interrupted load or attach and is
    /// removed; a record whose program the kernel no longer has is dropped.
    /// Each action is logged at info (component `repair`), each failure at
    /// warn, and both reach the ``ManagerObserver``; a failure leaves the
    /// leftover for the next writer.
    func repair() throws(ManagerError) {
        let log = Logger.bpfman(.repair)
        let keys = try stored { () throws(StoreError) in try store.recordKeys() }
        let programs = keys.programs
        var known = Set(programs.map(\.id))
        for record in programs where !FileSystem.exists(layout.programPin(record.id)) {
            // The pin is what keeps a program loaded; without it the program is gone.
            do {
                _ = try KernelProgram.open(id: record.id)
            } catch let error where error.code == .notFound {
                log.info("dropping the record of a program the kernel no longer has", metadata: [LogKey.programID: .stringConvertible(record.id)])
                do { try stored { () throws(StoreError) in try store.deleteProgram(record.id) } } catch {
                    observer?.repairActionTaken("drop record of unloaded program", succeeded: false)
                    throw error
                }
                observer?.repairActionTaken("drop record of unloaded program", succeeded: true)
                known.remove(record.id)
            } catch {
                log.warning("cannot tell whether a program without its pin is loaded; keeping its record",
                            metadata: [LogKey.programID: .stringConvertible(record.id), LogKey.error: .string(error.message)])
            }
        }
        let mapSets = Set(programs.filter { known.contains($0.id) }.map(\.mapSet))
        let linkPins = Set(keys.links.compactMap(\.pinPath))

        for name in entries(of: layout.bpffs, log: log) where name.hasPrefix("prog_") {
            if let id = UInt32(name.dropFirst(5)), !known.contains(ProgramID(id)) {
                removeOrphan("program pin", at: layout.bpffs + "/" + name, metadata: [LogKey.programID: .stringConvertible(id)], log: log) { try Pins.unpin($0) }
            }
        }
        for name in entries(of: layout.mapsRoot, log: log) {
            if let id = UInt32(name), !mapSets.contains(ProgramID(id)) {
                removeOrphan("map directory", at: layout.mapsRoot + "/" + name, metadata: [LogKey.programID: .stringConvertible(id)], log: log) { try FileSystem.removeTree($0) }
            }
        }
        for name in entries(of: layout.programs, log: log) {
            if let id = UInt32(name), !known.contains(ProgramID(id)) {
                removeOrphan("bytecode copy", at: layout.programs + "/" + name, metadata: [LogKey.programID: .stringConvertible(id)], log: log) { try FileSystem.removeTree($0) }
            }
        }
        for directory in [layout.linksRoot, layout.tcxDirectory(.ingress), layout.tcxDirectory(.egress)] {
            for name in entries(of: directory, log: log) where !linkPins.contains(directory + "/" + name) {
                removeOrphan("link pin", at: directory + "/" + name, log: log) { try Pins.unpin($0) }
            }
        }
        try repairDispatchers(log: log)
        for key in keys.links where !known.contains(key.program) {
            let metadata: Logger.Metadata = [LogKey.linkID: .stringConvertible(key.id), LogKey.programID: .stringConvertible(key.program)]
            log.info("detaching a link of a dropped program", metadata: metadata)
            do {
                guard let link = try stored({ () throws(StoreError) in try store.link(key.id) }) else { continue }
                try detachRecorded(link)
                observer?.repairActionTaken("detach link of dropped program", succeeded: true)
            } catch {
                observer?.repairActionTaken("detach link of dropped program", succeeded: false)
                log.warning("cannot detach a link of a dropped program", metadata: metadata.merging([LogKey.error: .string(String(describing: error))]) { $1 })
            }
        }
        for name in entries(of: layout.staging, log: log) {
            removeOrphan("staging entry", at: layout.staging + "/" + name, log: log) { try FileSystem.removeTree($0) }
        }
    }

    /// The names in `directory`: none when it does not exist, and none, with
    /// a warning, when it cannot be read.
    private func entries(of directory: String, log: Logger) -> [String] {
        do {
            return try FileSystem.listDirectory(directory)
        } catch let error where error == .noSuchFileOrDirectory {
            return []
        } catch {
            log.warning("cannot list a directory to repair", metadata: [LogKey.path: .string(directory), LogKey.error: .string(error.lowercasedDescription)])
            return []
        }
    }

    /// Removes the orphan `what` at `path` with `remove`, logging it, and
    /// the failure if it fails.
    private func removeOrphan(_ what: String, at path: String, metadata: Logger.Metadata = [:], log: Logger,
                              _ remove: (String) throws -> Void) {
        var metadata = metadata
        metadata[LogKey.path] = .string(path)
        log.info("removing orphan \(what)", metadata: metadata)
        do {
            try remove(path)
            observer?.repairActionTaken("remove orphan \(what)", succeeded: true)
        } catch {
            observer?.repairActionTaken("remove orphan \(what)", succeeded: false)
            let reason: String = (error as? Errno)?.lowercasedDescription ?? String(describing: error)
            metadata[LogKey.error] = .string(reason)
            log.warning("cannot remove orphan \(what)", metadata: metadata)
        }
    }

    /// Removes dispatcher revisions the database does not record: those of
    /// a rebuild that died before (or after) recording its result. When the
    /// interface already ran the unrecorded revision, it is pointed back at
    /// the recorded one first, whose pins are still in place.
    private func repairDispatchers(log: Logger) throws(ManagerError) {
        // Most writes happen where no dispatcher exists: read the records
        // only once some dispatcher directory has entries.
        var records: [String: DispatcherRecord]?
        for type in DispatcherType.allCases {
            let root = layout.dispatcherRoot(type)
            let paths = entries(of: root, log: log).map { root + "/" + $0 }
            guard !paths.isEmpty else { continue }
            let recorded: [String: DispatcherRecord]
            if let records { recorded = records } else { recorded = try recordedDispatcherPins() }
            records = recorded
            let strays = paths.filter { recorded[$0] == nil }
            guard !strays.isEmpty else { continue }
            for dispatcher in recorded.values where dispatcher.key.type == type {
                restoreRecordedRevision(dispatcher, log: log)
            }
            for path in strays {
                let isLink = path.hasSuffix("_link")
                if isLink {
                    log.info("detaching orphan dispatcher link", metadata: [LogKey.path: .string(path)])
                    do {
                        try KernelLink.detach(KernelLink.openPinned(path))
                        observer?.repairActionTaken("detach orphan dispatcher link", succeeded: true)
                    } catch {
                        observer?.repairActionTaken("detach orphan dispatcher link", succeeded: false)
                        log.warning("cannot detach orphan dispatcher link", metadata: [LogKey.path: .string(path), LogKey.error: .string(error.message)])
                    }
                }
                removeOrphan(isLink ? "dispatcher link pin" : "dispatcher revision", at: path, log: log) { try FileSystem.removeTree($0) }
            }
            if entries(of: root, log: log).isEmpty {
                do { try FileSystem.remove(root) } catch {
                    log.warning("cannot remove an empty dispatcher directory", metadata: [LogKey.path: .string(root), LogKey.error: .string(error.lowercasedDescription)])
                }
            }
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
    private func restoreRecordedRevision(_ dispatcher: DispatcherRecord, log: Logger) {
        let key = dispatcher.key
        let revision = layout.dispatcherRevision(key, revision: dispatcher.revision)
        // Constants only, each bound where it is declared: a mutable or
        // late-initialised value captured by the closures below sends Swift
        // 6.3's AllocBoxToStack pass into an endless loop or a crash.
        let metadata: Logger.Metadata = [LogKey.programID: .stringConvertible(dispatcher.programID), LogKey.path: .string(revision)]
        let ifindex = key.ifindex
        do {
            let program = try Pins.open(revision + "/dispatcher", what: "dispatcher")
            if let direction = key.type.direction {
                guard let priority = dispatcher.filterPriority, let handle = dispatcher.filterHandle else { return }
                let filter = TCFilter.Handle(handle: handle, priority: priority)
                let repointed = try NetworkNamespace.run(in: dispatcher.netns) { () throws -> Bool in
                    guard TCFilter.programID(ifindex: ifindex, egress: direction == .egress, handle: filter) != dispatcher.programID.rawValue else { return false }
                    log.info("pointing the tc filter back at the recorded dispatcher revision", metadata: metadata)
                    try TCFilter.replace(program: program, ifindex: ifindex, egress: direction == .egress, handle: filter)
                    return true
                }
                if repointed { observer?.repairActionTaken("restore dispatcher revision", succeeded: true) }
            } else if let link = try pinnedLink(at: layout.xdpDispatcherLink(key)),
                      (try? KernelLink(fd: link))?.programID != dispatcher.programID {
                log.info("pointing the XDP link back at the recorded dispatcher revision", metadata: metadata)
                try NetworkNamespace.run(in: dispatcher.netns) { try XDPLink.update(link: link, program: program) }
                observer?.repairActionTaken("restore dispatcher revision", succeeded: true)
            }
        } catch {
            observer?.repairActionTaken("restore dispatcher revision", succeeded: false)
            log.warning("cannot point the interface back at the recorded dispatcher revision",
                        metadata: metadata.merging([LogKey.error: .string(String(describing: error))]) { $1 })
        }
    }

    /// The link pinned at `path`, or nil when there is none; any other
    /// failure to open it is thrown, not taken for absence.
    func pinnedLink(at path: String) throws(BPFError) -> OwnedDescriptor? {
        do {
            return try KernelLink.openPinned(path)
        } catch let error where error.code == .notFound {
            return nil
        }
    }
}

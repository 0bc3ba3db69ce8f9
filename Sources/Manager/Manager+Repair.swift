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
        for link in links where !known.contains(link.programID) {
            try? detachRecorded(link)
        }
        for name in (try? FileSystem.listDirectory(layout.staging)) ?? [] {
            try? FileSystem.removeTree(layout.staging + "/" + name)
        }
    }
}

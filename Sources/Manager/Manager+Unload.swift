import BPF
import Diagnostics
import LinuxSys
import Model
import Store

extension Manager {
    /// Unloads program `id` after detaching all its links.
    ///
    /// The program's map set is kept while another program still uses it.
    /// - Throws: `.notFound` (`program N does not exist`) for unknown ids.
    package func unload(_ id: ProgramID) throws(ManagerError) {
        try writing { () throws(ManagerError) in
            guard let record = try stored({ () throws(StoreError) in try store.program(id) }) else {
                throw ManagerError(.notFound, "program \(id) does not exist")
            }
            for link in try stored({ () throws(StoreError) in try store.links(of: id) }) {
                try detachRecorded(link)
            }
            try removeProgram(record)
        }
    }

    /// Removes everything of a program: pin, bytecode copy, record, and its
    /// map set's pins when no other program uses them.
    func removeProgram(_ record: ProgramRecord) throws(ManagerError) {
        do {
            try Pins.unpin(layout.programPin(record.id))
            try FileSystem.removeTree(layout.programDirectory(record.id))
        } catch {
            throw ManagerError(error, context: "unload program \(record.id)")
        }
        try stored { () throws(StoreError) in try store.deleteProgram(record.id) }
        let users = try stored { () throws(StoreError) in try store.mapSetUsers(record.mapSetID) }
        if users.isEmpty {
            do { try FileSystem.removeTree(layout.mapDirectory(record.mapSetID)) } catch {
                throw ManagerError("remove map pins of \(record.mapSetID)", call: "unlink", errno: error)
            }
        }
    }
}

import BPF
import Diagnostics
import LinuxSys
import Logs
import Model
import Store

extension Manager {
    /// Detaches link `id` and forgets it.
    ///
    /// - Throws: `.notFound` (`link N does not exist`) for unknown ids.
    package func detach(_ id: LinkID) throws(ManagerError) {
        try writing { () throws(ManagerError) in
            guard let link = try stored({ () throws(StoreError) in try store.link(id) }) else {
                throw ManagerError(.notFound, "link \(id) does not exist")
            }
            try detachRecorded(link)
        }
    }

    /// Removes a link from the kernel, its pin and its record.
    func detachRecorded(_ link: LinkRecord) throws(ManagerError) {
        if let place = Self.dispatcherPlace(of: link) {
            try detachFromDispatcher(link, key: place.key, target: place.target)
            try stored { () throws(StoreError) in try store.deleteLink(link.id) }
            return
        }
        if case .tc(let details) = link.details {
            do {
                try NetworkNamespace.run(in: details.target.netns) {
                    try TCFilter.detach(ifindex: details.target.ifindex, egress: details.direction == .egress,
                                        handle: TCFilter.Handle(handle: details.handle, priority: details.filterPriority))
                }
            } catch let error as NetworkNamespaceEntryError where !error.threadTainted {
                // The namespace is gone, and with it the interface and its filters.
            } catch {
                throw ManagerError(error, context: "detach link \(link.id)")
            }
        }
        if let pin = link.pinPath {
            do {
                if let fd = try pinnedLink(at: pin) { try KernelLink.detach(fd) }
                try Pins.unpin(pin)
            } catch {
                throw ManagerError(error, context: "detach link \(link.id)")
            }
            removeIfEmpty(FileSystem.dirname(of: pin))
        }
        try stored { () throws(StoreError) in try store.deleteLink(link.id) }
    }

    /// Removes the link directories bpfman creates on demand once empty.
    private func removeIfEmpty(_ directory: String) {
        guard directory != layout.bpffs, directory.hasPrefix(layout.bpffs),
              (try? FileSystem.listDirectory(directory))?.isEmpty == true else { return }
        Logger.bpfman(.manager).attempt("removing the empty link directory", metadata: [LogKey.path: .string(directory)]) {
            try FileSystem.remove(directory)
        }
    }
}

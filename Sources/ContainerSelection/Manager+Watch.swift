import Glibc
import Manager
import Model
import Runtimes

/// A change a selector watch made.
package enum WatchEvent: Sendable {
    /// A link was attached in a newly matching container.
    case attached(LinkRecord, ContainerInfo)
    /// A link was detached because its container is gone.
    case detached(LinkID, containerID: String)
    /// One attach or detach failed; the watch goes on.
    case failed(String)
}

extension Manager {
    /// Keeps a selector's links in step with the node: attaches in matching
    /// containers as they start and detaches the links of containers that
    /// exit, until `shouldStop` returns true. Each poll is one
    /// ``syncContainerLinks(_:in:runtimeEndpoint:)``, so a watch started
    /// again adopts the links an earlier one made instead of doubling them.
    ///
    /// Polls CRI every `interval` seconds (one ListPodSandbox, one
    /// ListContainers and a verbose status per matching container).
    package func watch(_ request: AttachRequest, in selector: ContainerSelector, runtimeEndpoint: String?, interval: Double,
                       shouldStop: () -> Bool, report: (WatchEvent) -> Void) throws(ManagerError) {
        _ = try Self.perContainer(request)
        while !shouldStop() {
            do {
                let result = try syncContainerLinks(request, in: selector, runtimeEndpoint: runtimeEndpoint)
                for gone in result.detached { report(.detached(gone.link, containerID: gone.containerID)) }
                for entry in result.containers {
                    if let link = entry.link, result.attached.contains(link.id) { report(.attached(link, entry.container)) }
                    if let error = entry.error {
                        report(.failed("attach uprobe in container \(entry.container.name) (pid \(entry.container.pid)): \(error)"))
                    }
                }
            } catch {
                report(.failed(error.message))
            }
            Self.pause(interval)
        }
    }

    private static func pause(_ seconds: Double) {
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int((seconds - Double(Int(seconds))) * 1e9))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
    }
}

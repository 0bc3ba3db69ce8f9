import Diagnostics
import Glibc
import Model
import Runtimes
import Store

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
    /// exit, until `shouldStop` returns true.
    ///
    /// Polls CRI every `interval` seconds (one ListPodSandbox, one
    /// ListContainers and a verbose status per matching container).
    package func watch(_ request: AttachRequest, in selector: ContainerSelector, runtimeEndpoint: String?, interval: Double,
                       shouldStop: () -> Bool, report: (WatchEvent) -> Void) throws(ManagerError) {
        let request = try Self.perContainer(request)
        var links: [String: LinkID] = [:]
        while !shouldStop() {
            let containers: [ContainerInfo]
            do {
                containers = try Self.containers(selectedBy: selector, runtimeEndpoint: runtimeEndpoint)
            } catch {
                report(.failed("resolve container selector: \(error.message)"))
                Self.pause(interval)
                continue
            }
            let current = Set(containers.map(\.id))
            for (id, link) in links where !current.contains(id) {
                do {
                    try detach(link)
                    report(.detached(link, containerID: id))
                } catch where error.code == .notFound {
                    report(.detached(link, containerID: id))
                } catch {
                    report(.failed("detach link \(link): \(error.message)"))
                    continue
                }
                links[id] = nil
            }
            for container in containers where links[container.id] == nil {
                do {
                    let record = try attach(request(container))
                    links[container.id] = record.id
                    report(.attached(record, container))
                } catch {
                    report(.failed("attach uprobe in container \(container.name) (pid \(container.pid)): \(error.message)"))
                }
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

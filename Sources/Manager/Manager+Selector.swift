import Diagnostics
import Model
import Runtimes
import Store

extension Manager {
    /// Attaches a uprobe program in every container `selector` picks, one
    /// link per container, resolving host PIDs through CRI.
    ///
    /// Each link is scoped with the container's host PID as `--pid` unless
    /// the request names one: containers of one image share their files, so
    /// without it each link would also count the other containers' calls.
    /// All or nothing: when one attach fails, the links made are detached.
    /// - Returns: the links, in the runtime's container order.
    package func attach(_ request: AttachRequest, in selector: ContainerSelector, runtimeEndpoint: String?) throws(ManagerError) -> [LinkRecord] {
        guard case .uprobe(let target, let functionName, let offset, let pid, _) = request.target else {
            throw ManagerError(.invalidArgument, "container selectors apply to uprobe attachments only")
        }
        let containers: [ContainerInfo]
        do {
            containers = try Blocking.run { () async throws(RuntimeError) in
                try await CRIClient.discover(explicit: runtimeEndpoint).containers(matching: selector).containers
            }
        } catch {
            throw ManagerError(error, context: "resolve container selector")
        }
        var links: [LinkRecord] = []
        for container in containers {
            var single = request
            single.target = .uprobe(target: target, functionName: functionName, offset: offset, pid: pid ?? container.pid,
                                    containerPID: container.pid)
            do {
                links.append(try attach(single))
            } catch {
                for link in links.reversed() { try? detach(link.id) }
                throw ManagerError(error.code, "attach uprobe in container \(container.name) (pod \(container.namespace)/\(container.pod), pid \(container.pid)): \(error.message)")
            }
        }
        return links
    }
}

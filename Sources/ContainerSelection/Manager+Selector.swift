import Diagnostics
import Execution
import Logs
import Manager
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
        let request = try Self.perContainer(request)
        let containers = try Self.containers(selectedBy: selector, runtimeEndpoint: runtimeEndpoint)
        var links: [LinkRecord] = []
        for container in containers {
            do {
                links.append(try attach(request(container)))
            } catch {
                for link in links.reversed() {
                    Logger.bpfman(.manager).attempt("roll back a container link", metadata: [LogKey.linkID: "\(link.id)"]) { try detach(link.id) }
                }
                throw ManagerError(error, context: "attach uprobe in container \(container.name) (pod \(container.namespace)/\(container.pod), pid \(container.pid))")
            }
        }
        return links
    }

    /// The containers `selector` picks, from the CRI runtime at
    /// `runtimeEndpoint` (or the discovered one).
    ///
    /// - Throws: `ManagerError` "resolve container selector: ..." when the
    ///   runtime cannot be found or asked.
    static func containers(selectedBy selector: ContainerSelector, runtimeEndpoint: String?) throws(ManagerError) -> [ContainerInfo] {
        do {
            return try Blocking.run { () async throws(RuntimeError) in
                try await CRIClient.discover(explicit: runtimeEndpoint).containers(matching: selector).containers
            }
        } catch {
            throw ManagerError(error, context: "resolve container selector")
        }
    }

    /// Validates that `request` is a uprobe attach and returns how to narrow
    /// it to one container: its mount namespace for the lookup, its host
    /// PID as the probe's pid filter unless the request names one, and the
    /// container's id, name, pod and namespace added to the link's metadata
    /// (the request's own pairs kept), so the link names its workload.
    static func perContainer(_ request: AttachRequest) throws(ManagerError) -> (ContainerInfo) -> AttachRequest {
        guard case .uprobe(let target, let functionName, let offset, let pid, _) = request.target else {
            throw ManagerError(.invalidArgument, "container selectors apply to uprobe attachments only")
        }
        return { container in
            var single = request
            single.target = .uprobe(target: target, functionName: functionName, offset: offset, pid: pid ?? container.pid.rawValue,
                                    containerPID: container.pid)
            single.metadata = (request.metadata ?? [:]).merging(containerMetadata(container)) { _, own in own }
            return single
        }
    }
}

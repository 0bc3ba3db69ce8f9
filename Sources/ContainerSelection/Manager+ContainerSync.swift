import Diagnostics
import Logs
import Manager
import Model
import Runtimes

/// One selected container and its link after a sync.
package struct ContainerLink: Sendable, Equatable {
    /// The container.
    package var container: ContainerInfo
    /// Its link, or nil when the attach failed.
    package var link: LinkRecord?
    /// Why the attach failed.
    package var error: String?
}

/// What a sync found and did.
package struct ContainerSyncResult: Sendable, Equatable {
    /// One entry per selected container, in the runtime's order.
    package var containers: [ContainerLink]
    /// Links made by this sync.
    package var attached: [LinkID]
    /// Links removed because their container is gone or no longer selected.
    package var detached: [DetachedLink]
}

/// A link a sync removed, and the container it served.
package struct DetachedLink: Sendable, Equatable {
    /// The link.
    package var link: LinkID
    /// The container it served.
    package var containerID: String
}

extension Manager {
    /// The link metadata key naming the container a selector link serves.
    package static let containerIDKey = "bpfman.io/container-id"
    /// The link metadata key naming that container (in Kubernetes, its name in the pod spec).
    package static let containerNameKey = "bpfman.io/container-name"
    /// The link metadata key naming that container's pod, set only in Kubernetes.
    package static let podNameKey = "bpfman.io/pod-name"
    /// The link metadata key naming that pod's namespace, set only in Kubernetes.
    package static let podNamespaceKey = "bpfman.io/pod-namespace"

    /// Makes the container links of `request.programID` match the
    /// containers `selector` picks now: attaches in each selected container
    /// without a link, detaches links whose container is gone or no longer
    /// selected. Links are recognised by their `bpfman.io/container-id`
    /// metadata plus every pair of `request.metadata` (so several selectors
    /// can share a program); other links (made by hand, or by another
    /// selector) are never touched, so the sync can run again at any time,
    /// by any process, with the same result.
    ///
    /// - Throws: `ManagerError` when the request is not a uprobe attach or
    ///   the runtime cannot be asked; single attach or detach failures are
    ///   reported per container instead.
    package func syncContainerLinks(_ request: AttachRequest, in selector: ContainerSelector,
                                    runtimeEndpoint: String?) throws(ManagerError) -> ContainerSyncResult {
        let narrow = try Self.perContainer(request)
        let containers = try Self.containers(selectedBy: selector, runtimeEndpoint: runtimeEndpoint)
        var filter = LinkFilter()
        filter.programID = request.programID
        var existing: [String: LinkRecord] = [:]
        var detached: [DetachedLink] = []
        let selected = Set(containers.map(\.id))
        let tags = request.metadata ?? [:]
        for link in try links(filter) {
            guard let metadata = link.metadata, let containerID = metadata[Self.containerIDKey],
                  tags.allSatisfy({ metadata[$0.key] == $0.value }) else { continue }
            if selected.contains(containerID) && existing[containerID] == nil {
                existing[containerID] = link
                continue
            }
            do { try detach(link.id) } catch where error.code == .notFound {} catch {
                // Kept, and tried again at the next sync.
                Logger.bpfman(.manager).warning("cannot detach the link of a container no longer selected",
                                                metadata: [LogKey.linkID: "\(link.id)", LogKey.containerID: .string(containerID), LogKey.error: "\(error)"])
                continue
            }
            detached.append(DetachedLink(link: link.id, containerID: containerID))
        }
        var result = ContainerSyncResult(containers: [], attached: [], detached: detached)
        for container in containers {
            if let link = existing[container.id] {
                result.containers.append(ContainerLink(container: container, link: link))
                continue
            }
            do {
                let link = try attach(narrow(container))
                result.containers.append(ContainerLink(container: container, link: link))
                result.attached.append(link.id)
            } catch {
                result.containers.append(ContainerLink(container: container, link: nil, error: error.message))
            }
        }
        return result
    }

    /// The metadata naming `container` on its link: its id, and its name, pod
    /// and namespace when it has them, so metrics can attribute the link.
    static func containerMetadata(_ container: ContainerInfo) -> [String: String] {
        var metadata = [containerIDKey: container.id]
        if !container.name.isEmpty { metadata[containerNameKey] = container.name }
        if !container.pod.isEmpty { metadata[podNameKey] = container.pod }
        if !container.namespace.isEmpty { metadata[podNamespaceKey] = container.namespace }
        return metadata
    }
}

import Model

/// Which containers a link should go into, with Kubernetes semantics:
/// the pod's namespace, a label selector over the pod's labels, and the
/// container names in the pod spec. Empty parts match everything.
package struct ContainerSelector: Sendable, Equatable {
    /// The pod namespace; nil: any namespace.
    package var namespace: String?
    /// The pod label selector (matchLabels and matchExpressions).
    package var pods: LabelSelector
    /// Container names; empty: every container of the selected pods.
    package var containerNames: [String]

    /// Creates a selector.
    package init(namespace: String? = nil, pods: LabelSelector = LabelSelector(requirements: []), containerNames: [String] = []) {
        self.namespace = namespace
        self.pods = pods
        self.containerNames = containerNames
    }

    /// Whether a container of a pod with `namespace` and `labels`, named `name`, matches.
    package func matches(namespace: String, labels: [String: String], name: String) -> Bool {
        if let wanted = self.namespace, wanted != namespace { return false }
        if !containerNames.isEmpty && !containerNames.contains(name) { return false }
        return pods.matches(labels)
    }
}

/// `metadata` of a Kubernetes object: the fields the agent reads.
package struct ObjectMeta: Codable, Sendable, Equatable {
    /// The name.
    package var name: String
    /// The namespace; nil for cluster-scoped objects.
    package var namespace: String?
    /// The server-assigned unique id.
    package var uid: String?
    /// The version of this object the server last stored.
    package var resourceVersion: String?
    /// Bumped by the server on spec changes.
    package var generation: Int64?
    /// Labels.
    package var labels: [String: String]?
    /// Finalizers that hold the object while it is being deleted.
    package var finalizers: [String]?
    /// Set when deletion was requested.
    package var deletionTimestamp: String?
}

/// An object the client can list and watch.
package protocol KubeObject: Codable, Sendable {
    /// The object's metadata.
    var metadata: ObjectMeta { get }
}

/// A list response: the items and the resource version to watch from.
package struct ObjectList<Object: KubeObject>: Decodable, Sendable {
    /// `metadata.resourceVersion`.
    package struct ListMeta: Decodable, Sendable {
        /// The version of the collection at list time.
        package var resourceVersion: String?
    }
    /// The list metadata.
    package var metadata: ListMeta
    /// The objects.
    package var items: [Object]
}

/// The `Status` object the server sends with failures (and in watch ERROR events).
package struct KubeStatus: Codable, Sendable, Equatable {
    /// `Failure` or `Success`.
    package var status: String?
    /// A readable message.
    package var message: String?
    /// A machine-readable reason (`NotFound`, `Expired`, `Conflict`, ...).
    package var reason: String?
    /// The HTTP code it stands for.
    package var code: Int?
}

/// A standard condition (`metav1.Condition`).
package struct Condition: Codable, Sendable, Equatable {
    /// The condition type (`Success`, `Pending`, `Error`).
    package var type: String
    /// `True`, `False` or `Unknown`.
    package var status: String
    /// A CamelCase reason.
    package var reason: String
    /// A readable message.
    package var message: String
    /// When the status last changed (RFC 3339).
    package var lastTransitionTime: String

    /// Creates a condition.
    package init(type: String, status: String = "True", reason: String, message: String, lastTransitionTime: String) {
        self.type = type
        self.status = status
        self.reason = reason
        self.message = message
        self.lastTransitionTime = lastTransitionTime
    }
}

/// A `LabelSelector` as objects spell it.
package struct KubeLabelSelector: Codable, Sendable, Equatable {
    /// One set-based requirement.
    package struct Expression: Codable, Sendable, Equatable {
        /// The label key.
        package var key: String
        /// `In`, `NotIn`, `Exists` or `DoesNotExist`.
        package var `operator`: String
        /// The values for `In` and `NotIn`.
        package var values: [String]?
    }
    /// Exact matches.
    package var matchLabels: [String: String]?
    /// Set-based requirements.
    package var matchExpressions: [Expression]?

    /// Creates a selector.
    package init(matchLabels: [String: String]? = nil, matchExpressions: [Expression]? = nil) {
        self.matchLabels = matchLabels
        self.matchExpressions = matchExpressions
    }
}

/// A node: its labels decide which node selectors pick it.
package struct Node: KubeObject, Equatable {
    /// The metadata.
    package var metadata: ObjectMeta
}

/// A pod, as far as the agent cares: where it runs.
package struct Pod: KubeObject, Equatable {
    /// The pod spec's fields the agent reads.
    package struct Spec: Codable, Sendable, Equatable {
        /// The node the pod is bound to.
        package var nodeName: String?
    }
    /// The metadata.
    package var metadata: ObjectMeta
    /// The spec.
    package var spec: Spec?
}

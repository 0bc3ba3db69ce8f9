import Kubernetes

/// The `UprobeProgram` custom resource (`uprobeprograms.bpfman.io`,
/// v1alpha1, cluster-scoped): one uprobe program, loaded once per selected
/// node and attached in every container its `containers` selector picks.
package struct UprobeProgram: KubeObject, Equatable {
    /// Where the bytecode comes from: an image or a path on the node.
    package struct Bytecode: Codable, Sendable, Equatable {
        /// An OCI image.
        package struct Image: Codable, Sendable, Equatable {
            /// The image reference.
            package var url: String
            /// `Always`, `IfNotPresent` (default) or `Never`.
            package var imagepullpolicy: String?
        }
        /// The image, when the bytecode is in one.
        package var image: Image?
        /// A path on the node, when it is not.
        package var path: String?
    }

    /// Which containers to attach in.
    package struct Containers: Codable, Sendable, Equatable {
        /// The pods' namespace; nil for every namespace.
        package var namespace: String?
        /// Which pods, by label.
        package var pods: KubeLabelSelector
        /// Which containers in them; empty for all.
        package var containernames: [String]?
    }

    /// The spec.
    package struct Spec: Codable, Sendable, Equatable {
        /// Which nodes load the program.
        package var nodeselector: KubeLabelSelector?
        /// The program's function name in the object.
        package var bpffunctionname: String
        /// The function to probe.
        package var func_name: String?
        /// An offset into it (or from the file start without a function).
        package var offset: UInt64?
        /// The library or executable: a path or a name like `libc`.
        package var target: String
        /// Attach to the function's return.
        package var retprobe: Bool?
        /// Count only this process.
        package var pid: Int32?
        /// Global variables to set, base64 bytes by name.
        package var globaldata: [String: String]?
        /// The bytecode.
        package var bytecode: Bytecode
        /// The containers; nil attaches on the node itself.
        package var containers: Containers?
    }

    /// What the nodes reported (`status.nodes.<node>`), as far as the agent reads it back.
    package struct Status: Codable, Sendable, Equatable {
        /// One node's report.
        package struct NodeReport: Codable, Sendable, Equatable {
            /// One link.
            package struct Link: Codable, Sendable, Equatable {
                package var container_id: String
                package var pod: String
                package var namespace: String
                package var container_name: String
                package var pid: Int32
                package var link_id: UInt64?
                package var state: String
            }
            /// The conditions (the agent writes one).
            package var conditions: [Condition]?
            /// The program loaded on the node.
            package var program_id: UInt32?
            /// The links.
            package var links: [Link]?
        }
        /// Reports by node name.
        package var nodes: [String: NodeReport]?
    }

    /// The metadata.
    package var metadata: ObjectMeta
    /// The spec.
    package var spec: Spec
    /// The status.
    package var status: Status?

    /// The resource address.
    package static let resource = KubeResource(group: "bpfman.io", version: "v1alpha1", plural: "uprobeprograms", namespaced: false)
}

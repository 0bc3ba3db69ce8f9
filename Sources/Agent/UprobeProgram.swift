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

    /// The metadata.
    package var metadata: ObjectMeta
    /// The spec.
    package var spec: Spec
    /// The status, as far as the agent reads it back.
    package var status: ResourceStatus?

    /// The resource address.
    package static let resource = KubeResource(group: "bpfman.io", version: "v1alpha1", plural: "uprobeprograms", namespaced: false)
}

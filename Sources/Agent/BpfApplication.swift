import Kubernetes

/// bpfman's `ClusterBpfApplication` (cluster-scoped) and `BpfApplication`
/// (namespaced) resources: several programs from one bytecode, each with
/// typed links. The agent reconciles uprobe/uretprobe (in containers or on
/// the node), kprobe/kretprobe, tracepoint and fentry/fexit links; other
/// types are reported as unsupported in the node's status.
package struct BpfApplication: KubeObject, Equatable {
    /// A container selector of a link.
    package struct Containers: Codable, Sendable, Equatable {
        /// The pods' namespace (cluster applications only; namespaced ones use their own).
        package var namespace: String?
        /// Which pods, by label.
        package var pods: KubeLabelSelector
        /// Which containers; empty for all.
        package var containerNames: [String]?
    }

    /// One link of any type; the fields used depend on the program's type.
    package struct Link: Codable, Sendable, Equatable {
        /// uprobe/kprobe/fentry: the function.
        package var function: String?
        /// uprobe/kprobe: an offset.
        package var offset: UInt64?
        /// uprobe: the library or executable.
        package var target: String?
        /// uprobe: count only this process.
        package var pid: Int32?
        /// uprobe: the containers.
        package var containers: Containers?
        /// tracepoint: `group/name`.
        package var name: String?
    }

    /// The links of one program type.
    package struct Links: Codable, Sendable, Equatable {
        /// The links.
        package var links: [Link]?
    }

    /// One program.
    package struct Program: Codable, Sendable, Equatable {
        /// The function name in the object.
        package var name: String
        /// `UProbe`, `URetProbe`, `KProbe`, `KRetProbe`, `TracePoint`, `FEntry`, `FExit`, `XDP`, `TC`, `TCX`, `LSM`.
        package var type: String
        package var uprobe: Links?
        package var uretprobe: Links?
        package var kprobe: Links?
        package var kretprobe: Links?
        package var tracepoint: Links?
        package var fentry: Links?
        package var fexit: Links?
    }

    /// The spec.
    package struct Spec: Codable, Sendable, Equatable {
        /// Which nodes load the programs.
        package var nodeSelector: KubeLabelSelector?
        /// Where the bytecode is.
        package var byteCode: ByteCode
        /// Global variables, base64 by name.
        package var globalData: [String: String]?
        /// The programs.
        package var programs: [Program]?
    }

    /// The bytecode source.
    package struct ByteCode: Codable, Sendable, Equatable {
        /// An image.
        package struct Image: Codable, Sendable, Equatable {
            /// The reference.
            package var url: String
            /// The pull policy.
            package var imagePullPolicy: String?
        }
        /// The image, if any.
        package var image: Image?
        /// A path on the node, if any.
        package var path: String?
    }

    /// The metadata.
    package var metadata: ObjectMeta
    /// The spec.
    package var spec: Spec
    /// The status, as far as the agent reads it back.
    package var status: ResourceStatus?

    /// `clusterbpfapplications.bpfman.io`.
    package static let clusterResource = KubeResource(group: "bpfman.io", version: "v1alpha1", plural: "clusterbpfapplications", namespaced: false)
    /// `bpfapplications.bpfman.io`.
    package static let namespacedResource = KubeResource(group: "bpfman.io", version: "v1alpha1", plural: "bpfapplications", namespaced: true)
}

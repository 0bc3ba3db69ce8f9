import Kubernetes
import Manager
import Model

/// What one resource asks of a node, whatever its kind: a bytecode source,
/// programs, and their links. ``Reconciler`` works on these.
struct Workload: Sendable {
    /// One link to keep.
    struct Link: Sendable, Equatable {
        /// The attach target (for uprobes, without pid scoping for containers).
        var target: AttachTarget
        /// The containers, for uprobes in containers.
        var containers: ContainerSelectorSpec?
    }

    /// A container selector as a resource spells it.
    struct ContainerSelectorSpec: Sendable, Equatable {
        var namespace: String?
        var pods: KubeLabelSelector
        var names: [String]
    }

    /// One program to load.
    struct Program: Sendable, Equatable {
        /// The function name in the object.
        var name: String
        /// bpfman's type, or nil with `unsupported` saying why.
        var type: ProgramType?
        /// The fentry/fexit function.
        var attachFunction: String?
        /// The links.
        var links: [Link]
        /// Why the agent cannot run it.
        var unsupported: String?
    }

    /// The bytecode source.
    enum Bytecode: Sendable, Equatable {
        case image(url: String, pullPolicy: String?)
        case path(String)
    }

    /// The resource's address.
    var resource: KubeResource
    /// Its kind, for the owner key.
    var kind: String
    /// Its metadata.
    var metadata: ObjectMeta
    /// Its node selector.
    var nodeSelector: KubeLabelSelector?
    /// The bytecode.
    var bytecode: Bytecode
    /// Global variables (base64).
    var globals: [String: String]
    /// The programs.
    var programs: [Program]
    /// Whether status uses the single-program form (`UprobeProgram`).
    var singleProgram: Bool
    /// What this node last reported, if anything.
    var reported: NodeReport?

    /// `Kind/name` or `Kind/namespace/name`: the owner recorded on programs.
    var owner: String { [kind, metadata.namespace, metadata.name].compactMap { $0 }.joined(separator: "/") }
}

extension Workload {
    /// The workload of a `UprobeProgram`.
    init(_ program: UprobeProgram, node: String) {
        let spec = program.spec
        let containers = spec.containers.map {
            ContainerSelectorSpec(namespace: $0.namespace, pods: $0.pods, names: $0.containernames ?? [])
        }
        let link = Link(target: .uprobe(target: spec.target, functionName: spec.func_name, offset: spec.offset ?? 0, pid: spec.pid, containerPID: nil),
                        containers: containers)
        self.init(resource: UprobeProgram.resource, kind: "UprobeProgram", metadata: program.metadata, nodeSelector: spec.nodeselector,
                  bytecode: spec.bytecode.image.map { .image(url: $0.url, pullPolicy: $0.imagepullpolicy) } ?? .path(spec.bytecode.path ?? ""),
                  globals: spec.globaldata ?? [:],
                  programs: [Program(name: spec.bpffunctionname, type: spec.retprobe == true ? .uretprobe : .uprobe, links: [link])],
                  singleProgram: true, reported: program.status?.nodes?[node])
    }

    /// The workload of a `ClusterBpfApplication` or `BpfApplication`.
    init(_ application: BpfApplication, namespaced: Bool, node: String) {
        let spec = application.spec
        var programs: [Program] = []
        for program in spec.programs ?? [] {
            programs.append(Self.program(program, namespace: namespaced ? application.metadata.namespace : nil))
        }
        self.init(resource: namespaced ? BpfApplication.namespacedResource : BpfApplication.clusterResource,
                  kind: namespaced ? "BpfApplication" : "ClusterBpfApplication", metadata: application.metadata,
                  nodeSelector: spec.nodeSelector,
                  bytecode: spec.byteCode.image.map { .image(url: $0.url, pullPolicy: $0.imagePullPolicy) } ?? .path(spec.byteCode.path ?? ""),
                  globals: spec.globalData ?? [:], programs: programs, singleProgram: false, reported: application.status?.nodes?[node])
    }

    private static func program(_ program: BpfApplication.Program, namespace: String?) -> Program {
        func containers(_ link: BpfApplication.Link) -> ContainerSelectorSpec? {
            link.containers.map { ContainerSelectorSpec(namespace: namespace ?? $0.namespace, pods: $0.pods, names: $0.containerNames ?? []) }
        }
        func uprobes(_ links: BpfApplication.Links?) -> [Link] {
            (links?.links ?? []).map { link in
                Link(target: .uprobe(target: link.target ?? "", functionName: link.function, offset: link.offset ?? 0, pid: link.pid, containerPID: nil),
                     containers: containers(link))
            }
        }
        switch program.type {
        case "UProbe": return Program(name: program.name, type: .uprobe, links: uprobes(program.uprobe))
        case "URetProbe": return Program(name: program.name, type: .uretprobe, links: uprobes(program.uretprobe))
        case "KProbe", "KRetProbe":
            let links = (program.type == "KProbe" ? program.kprobe : program.kretprobe)?.links ?? []
            return Program(name: program.name, type: program.type == "KProbe" ? .kprobe : .kretprobe,
                           links: links.map { Link(target: .kprobe(functionName: $0.function ?? "", offset: $0.offset ?? 0)) })
        case "TracePoint":
            let links = program.tracepoint?.links ?? []
            return Program(name: program.name, type: .tracepoint, links: links.map { link in
                let parts = (link.name ?? "").split(separator: "/", maxSplits: 1).map(String.init)
                return Link(target: .tracepoint(group: parts.first ?? "", name: parts.count > 1 ? parts[1] : ""))
            })
        case "FEntry", "FExit":
            let links = (program.type == "FEntry" ? program.fentry : program.fexit)?.links ?? []
            return Program(name: program.name, type: program.type == "FEntry" ? .fentry : .fexit, attachFunction: links.first?.function,
                           links: links.prefix(1).map { _ in Link(target: program.type == "FEntry" ? .fentry : .fexit) })
        default:
            return Program(name: program.name, type: nil, links: [], unsupported: "\(program.type) programs are not reconciled by this agent yet")
        }
    }
}

import Foundation
@testable import Agent
@testable import Kubernetes
import Model
import Testing

/// bpfman's custom resources, decoded one object at a time from the
/// manifest samples as the API server serves them (JSON), the way the
/// agent's informers decode them.
@Suite struct CRDDecodingTests {
    static func object<T: Decodable>(_ type: T.Type, _ sample: String) throws -> T {
        try JSONDecoder().decode(type, from: try KubeSamples.sample(sample))
    }

    @Test("the UprobeProgram sample, every field")
    func uprobeProgram() throws {
        let program = try Self.object(UprobeProgram.self, "bpfman_v1alpha1_uprobeprogram.yaml")
        #expect(program == UprobeProgram(
            metadata: ObjectMeta(name: "uprobe-example-containers", namespace: nil, uid: nil, resourceVersion: nil, generation: nil,
                                 labels: nil, finalizers: nil, deletionTimestamp: nil),
            spec: UprobeProgram.Spec(
                nodeselector: KubeLabelSelector(), bpffunctionname: "my_uprobe", func_name: "malloc", offset: nil, target: "libc",
                retprobe: false, pid: nil, globaldata: nil,
                bytecode: UprobeProgram.Bytecode(image: .init(url: "quay.io/bpfman-bytecode/uprobe:latest", imagepullpolicy: nil), path: nil),
                containers: UprobeProgram.Containers(namespace: "bpfman", pods: KubeLabelSelector(matchLabels: ["name": "bpfman-daemon"]),
                                                     containernames: ["bpfman", "bpfman-agent"])),
            status: nil))
    }

    @Test("the BpfApplication sample: its uprobe link; the TCX program's links, which the agent does not read, are ignored")
    func bpfApplication() throws {
        let application = try Self.object(BpfApplication.self, "bpfman_v1alpha1_bpfapplication.yaml")
        #expect(application.metadata.namespace == "default")
        #expect(application.spec.byteCode == BpfApplication.ByteCode(image: .init(url: "quay.io/bpfman-bytecode/app-test:latest"), path: nil))
        let programs = try #require(application.spec.programs)
        #expect(programs.map(\.name) == ["uprobe_test", "tcx_next_test"])
        #expect(programs.map(\.type) == ["UProbe", "TCX"])
        #expect(programs[0].uprobe?.links == [BpfApplication.Link(
            function: "malloc", target: "libc",
            containers: .init(pods: KubeLabelSelector(matchLabels: ["app": "nginx"]), containerNames: ["nginx"]))])
        #expect(programs[1] == BpfApplication.Program(name: "tcx_next_test", type: "TCX"))
    }

    @Test("the ClusterBpfApplication sample: node selector, global data, and one link list per program type")
    func clusterBpfApplication() throws {
        let application = try Self.object(BpfApplication.self, "bpfman_v1alpha1_clusterbpfapplication.yaml")
        #expect(try application.spec.nodeSelector?.selector() == LabelSelector(requirements: [.isIn("kubernetes.io/os", ["linux"])]))
        #expect(application.spec.byteCode.image?.imagePullPolicy == "IfNotPresent")
        #expect(application.spec.globalData == ["GLOBAL_u8": "AQ==", "GLOBAL_u32": "DQwLCg=="])
        let programs = try #require(application.spec.programs)
        #expect(programs.map(\.type) == ["UProbe", "URetProbe", "KProbe", "TracePoint"])
        #expect(try programs[0].uprobe?.links?.map { try $0.containers?.pods.selector() } == [
            LabelSelector(requirements: [.equals("name", "bpfman-daemon")]),
            LabelSelector(requirements: [.isIn("app", ["nginx", "redis"])]),
        ])
        #expect(programs[1].uretprobe?.links?.first?.containers?.namespace == "default")
        #expect(programs[2].kprobe?.links == [BpfApplication.Link(function: "try_to_wake_up", offset: 0)])
        #expect(programs[3].tracepoint?.links == [BpfApplication.Link(name: "syscalls/sys_enter_kill")])
    }

    @Test("an invalid sample missing a field the agent needs is refused at that field")
    func missingTarget() {
        let error = #expect(throws: DecodingError.self) { try Self.object(UprobeProgram.self, "invalid/uprobeprogram-missing-target.yaml") }
        #expect(error.map(KubeSamples.describe) == "missing spec.target")
    }

    @Test("invalid samples the API server's schema refuses, but whose fields the agent's types accept, decode as written")
    func schemaOnlyRefusals() throws {
        let policy = try Self.object(UprobeProgram.self, "invalid/uprobeprogram-bad-imagepullpolicy.yaml")
        #expect(policy.spec.bytecode.image?.imagepullpolicy == "Sometimes")
        let both = try Self.object(BpfApplication.self, "invalid/clusterbpfapplication-image-and-path.yaml")
        #expect(both.spec.byteCode.image != nil && both.spec.byteCode.path == "/var/lib/bpfman/app-test.bpf.o")
    }

    @Test("each matchExpressions operator becomes its requirement; matchLabels come first, sorted; unknown operators are refused")
    func selectorOperators() throws {
        let selector = KubeLabelSelector(matchLabels: ["b": "2", "a": "1"], matchExpressions: [
            .init(key: "tier", operator: "In", values: ["web"]), .init(key: "env", operator: "NotIn", values: ["dev", "test"]),
            .init(key: "canary", operator: "Exists"), .init(key: "legacy", operator: "DoesNotExist"),
        ])
        #expect(try selector.selector() == LabelSelector(requirements: [
            .equals("a", "1"), .equals("b", "2"), .isIn("tier", ["web"]), .notIn("env", ["dev", "test"]), .exists("canary"),
            .doesNotExist("legacy"),
        ]))
        let unknown = KubeLabelSelector(matchExpressions: [.init(key: "replicas", operator: "Gt", values: ["1"])])
        let error = #expect(throws: AgentError.self) { try unknown.selector() }
        #expect(error?.description == "unknown label selector operator \"Gt\"")
    }
}

import Foundation
@testable import Kubernetes
import Testing

/// The core objects the agent reads, decoded one at a time from responses
/// recorded from real API servers: unknown fields are ignored, missing or
/// mistyped fields the agent needs are refused.
@Suite struct KubeObjectDecodingTests {
    @Test("a recorded pod list: its version, and the one pod's metadata and node")
    func podList() throws {
        let list = try JSONDecoder().decode(ObjectList<Pod>.self, from: try KubeSamples.recorded("podlist.json"))
        #expect(list.metadata.resourceVersion == "207431")
        #expect(list.items == [Pod(
            metadata: ObjectMeta(name: "nginx-deployment-68d9b6c666-5jv96", namespace: "default", uid: "e8173bc3-399b-4120-81f4-d81766c70d70",
                                 resourceVersion: "207104", generation: nil, labels: ["app": "nginx", "pod-template-hash": "68d9b6c666"],
                                 finalizers: nil, deletionTimestamp: nil),
            spec: Pod.Spec(nodeName: "minikube"))])
        #expect(Informer<Pod>.key(list.items[0]) == "default/nginx-deployment-68d9b6c666-5jv96")
    }

    @Test("a custom resource written by an operator: metadata only, its spec, status and annotations ignored")
    func customResourceMetadata() throws {
        let object = try JSONDecoder().decode(Node.self, from: try KubeSamples.recorded("crd_object_with_status.json"))
        #expect(object.metadata == ObjectMeta(
            name: "xdp-pass-all-nodes", namespace: nil, uid: "21c71a61-4e73-44eb-9b49-07af2866d25b", resourceVersion: "157187",
            generation: 2, labels: ["app.kubernetes.io/name": "xdpprogram"], finalizers: ["bpfman.io.operator/finalizer"],
            deletionTimestamp: nil))
        #expect(Informer<Node>.key(object) == "xdp-pass-all-nodes")
    }

    @Test("an object being deleted keeps its finalizers and carries the deletion time")
    func terminating() throws {
        let object = try JSONDecoder().decode(Node.self, from: try KubeSamples.recorded("object_terminating_with_finalizers.json"))
        #expect(object.metadata.deletionTimestamp == "2020-10-22T21:30:34Z")
        #expect(object.metadata.finalizers == ["kubernetes"])
        #expect(object.metadata.namespace == "default")
    }

    @Test("the server's Status objects", arguments: [
        ("status_404_notfound.json", KubeStatus(status: "Failure", message: "pods \"iac-pod-xxx\" not found", reason: "NotFound", code: 404)),
        ("status_409_alreadyexists.json", KubeStatus(status: "Failure", message: "templates.template.openshift.io \"hono-tenant\" already exists",
                                                     reason: "AlreadyExists", code: 409)),
        ("status_409_conflict.json", KubeStatus(
            status: "Failure", message: "Operation cannot be fulfilled on pods \"humiocluster-nodepool-labels-core-kufsfk\": "
                + "the object has been modified; please apply your changes to the latest version and try again",
            reason: "Conflict", code: 409)),
    ])
    func status(file: String, expected: KubeStatus) throws {
        #expect(try JSONDecoder().decode(KubeStatus.self, from: try KubeSamples.recorded(file)) == expected)
    }

    @Test("bad input is refused at the field it concerns", arguments: [
        (#"{"metadata": {"namespace": "default"}}"#, "missing metadata.name"),
        (#"{"metadata": {"name": "a", "generation": "2"}}"#, "metadata.generation is not Int64"),
        (#"{"metadata": {"name": "a", "labels": {"app": 1}}}"#, "metadata.labels.app is not String"),
        (#"{"metadata": {"name": "a", "finalizers": "kubernetes"}}"#, "metadata.finalizers is not Array<Any>"),
        (#"{"metadata": null}"#, "metadata is null, not Dictionary<String, Any>"),
        (#"{"metadata": {"name": "a"}"#, "corrupted"),
        ("[]", " is not Dictionary<String, Any>"),
    ])
    func badInput(json: String, expected: String) {
        let error = #expect(throws: DecodingError.self) { try KubeSamples.decode(Node.self, json) }
        #expect(error.map(KubeSamples.describe) == expected)
    }

    @Test("resource paths: core and group APIs, cluster scope, escaped names, subresources")
    func resourcePaths() {
        #expect(KubeResource.pods.path(namespace: "default") == "/api/v1/namespaces/default/pods")
        #expect(KubeResource.pods.path() == "/api/v1/pods")
        #expect(KubeResource.nodes.path(namespace: "ignored", name: "node-1") == "/api/v1/nodes/node-1")
        let applications = KubeResource(group: "bpfman.io", version: "v1alpha1", plural: "bpfapplications", namespaced: true)
        #expect(applications.path(namespace: "a b", name: "x/y", subresource: "status")
                == "/apis/bpfman.io/v1alpha1/namespaces/a%20b/bpfapplications/x%2Fy/status")
        #expect(applications.description == "bpfapplications.bpfman.io")
        #expect(KubeResource.pods.description == "pods")
    }
}

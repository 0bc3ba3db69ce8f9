import Foundation
import Kubernetes
import Manager

/// What one node reports about one resource, under `status.nodes.<node>`.
struct NodeStatus: Equatable, Sendable {
    /// One container link.
    struct Link: Equatable, Sendable {
        var containerID: String
        var pod: String
        var namespace: String
        var containerName: String
        var pid: Int32
        var linkID: UInt64?
        var state: String
    }

    /// `Pending`, `Success` or `Error`.
    var condition: String
    /// The condition's reason (CamelCase).
    var reason: String
    /// The condition's message.
    var message: String
    /// The program loaded on this node.
    var programID: UInt32?
    /// The links, one per selected container, sorted by namespace, pod and
    /// container so that an unchanged node reports an unchanged status.
    var links: [Link]

    /// The status from a container sync.
    init(programID: UInt32, sync: ContainerSyncResult) {
        self.programID = programID
        links = sync.containers.map { entry in
            Link(containerID: entry.container.id, pod: entry.container.pod, namespace: entry.container.namespace,
                 containerName: entry.container.name, pid: entry.container.pid, linkID: entry.link?.id.rawValue,
                 state: entry.link == nil ? "Error: \(entry.error ?? "attach failed")" : "Attached")
        }.sorted { ($0.namespace, $0.pod, $0.containerName, $0.containerID) < ($1.namespace, $1.pod, $1.containerName, $1.containerID) }
        let failed = links.filter { $0.linkID == nil }.count
        if failed == 0 {
            (condition, reason, message) = ("Success", "Attached", "program \(programID) attached in \(links.count) container(s)")
        } else {
            (condition, reason, message) = ("Error", "AttachFailed", "\(failed) of \(links.count) container attach(es) failed")
        }
    }

    /// A status with no links.
    init(condition: String, reason: String, message: String, programID: UInt32? = nil, links: [Link] = []) {
        self.condition = condition
        self.reason = reason
        self.message = message
        self.programID = programID
        self.links = links
    }

    /// The status as reported in a resource, and its condition's transition time.
    init?(report: UprobeProgram.Status.NodeReport) {
        guard let condition = report.conditions?.first else { return nil }
        self.init(condition: condition.type, reason: condition.reason, message: condition.message, programID: report.program_id,
                  links: (report.links ?? []).map { link in
                      Link(containerID: link.container_id, pod: link.pod, namespace: link.namespace, containerName: link.container_name,
                           pid: link.pid, linkID: link.link_id, state: link.state)
                  })
    }

    /// The merge-patch value for `status.nodes.<node>`; the condition keeps
    /// `since` as its transition time.
    func patchValue(since: String) -> [String: Any] {
        var value: [String: Any] = [
            "conditions": [["type": condition, "status": "True", "reason": reason, "message": message, "lastTransitionTime": since]],
            "links": links.map { link -> [String: Any] in
                var entry: [String: Any] = ["container_id": link.containerID, "pod": link.pod, "namespace": link.namespace,
                                            "container_name": link.containerName, "pid": Int(link.pid), "state": link.state]
                if let id = link.linkID { entry["link_id"] = Int(id) }
                return entry
            },
        ]
        if let programID { value["program_id"] = Int(programID) }
        return value
    }

    /// Now, RFC 3339 in UTC.
    static func now() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date())
    }
}

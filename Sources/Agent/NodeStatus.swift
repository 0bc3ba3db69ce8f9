import ContainerSelection
import Foundation
import Kubernetes
import Manager
import Model

/// What this node reports about one resource, under `status.nodes.<node>`.
struct NodeStatus: Equatable, Sendable {
    /// One link.
    struct Link: Equatable, Sendable {
        var containerID: String?
        var pod: String?
        var namespace: String?
        var containerName: String?
        var pid: Int32?
        var linkID: UInt64?
        var state: String
    }

    /// One program and its links.
    struct Program: Equatable, Sendable {
        var name: String
        var programID: UInt32?
        var links: [Link]
        /// Set when the program itself failed (load, unsupported type).
        var error: String?
    }

    /// `Pending`, `Success` or `Error`.
    var condition: String
    /// The condition's reason (CamelCase).
    var reason: String
    /// The condition's message.
    var message: String
    /// The programs.
    var programs: [Program]
    /// `UprobeProgram`'s single-program form (`program_id`, `links`) rather
    /// than applications' `programs` list.
    var singleProgram: Bool

    /// A status with its parts.
    init(condition: String, reason: String, message: String, programs: [Program] = [], singleProgram: Bool) {
        self.condition = condition
        self.reason = reason
        self.message = message
        self.programs = programs
        self.singleProgram = singleProgram
    }

    /// The status `programs` add up to: Success when every program loaded
    /// and every link attached, else Error naming how many failed.
    init(programs: [Program], singleProgram: Bool) {
        let links = programs.flatMap(\.links)
        let failedLinks = links.filter { $0.linkID == nil }.count
        let failedPrograms = programs.filter { $0.error != nil }.count
        if failedLinks == 0 && failedPrograms == 0 {
            self.init(condition: "Success", reason: "Attached", message: "\(programs.count) program(s), \(links.count) link(s) attached",
                      programs: programs, singleProgram: singleProgram)
        } else {
            self.init(condition: "Error", reason: failedPrograms > 0 ? "ProgramFailed" : "AttachFailed",
                      message: "\(failedPrograms) program(s) and \(failedLinks) of \(links.count) link(s) failed",
                      programs: programs, singleProgram: singleProgram)
        }
    }

    /// The status as a resource reports it, if it has a condition.
    init?(report: NodeReport, singleProgram: Bool) {
        guard let condition = report.conditions?.first else { return nil }
        func links(_ reports: [NodeReport.LinkReport]?) -> [Link] {
            (reports ?? []).map { Link(containerID: $0.container_id, pod: $0.pod, namespace: $0.namespace, containerName: $0.container_name,
                                       pid: $0.pid, linkID: $0.link_id, state: $0.state) }
        }
        let programs: [Program]
        if singleProgram {
            programs = report.program_id == nil && report.links == nil ? [] : [Program(name: "", programID: report.program_id, links: links(report.links))]
            // The single-program form has no name: the resource names the function.
        } else {
            programs = (report.programs ?? []).map { Program(name: $0.name, programID: $0.program_id, links: links($0.links), error: $0.state) }
        }
        self.init(condition: condition.type, reason: condition.reason, message: condition.message, programs: programs,
                  singleProgram: singleProgram)
    }

    /// The links of a container sync, sorted by namespace, pod and container
    /// so that an unchanged node reports an unchanged status.
    static func links(_ sync: ContainerSyncResult) -> [Link] {
        sync.containers.map { entry in
            Link(containerID: entry.container.id, pod: entry.container.pod, namespace: entry.container.namespace,
                 containerName: entry.container.name, pid: entry.container.pid.rawValue, linkID: entry.link?.id.rawValue,
                 state: entry.link == nil ? "Error: \(entry.error ?? "attach failed")" : "Attached")
        }.sorted { ($0.namespace ?? "", $0.pod ?? "", $0.containerName ?? "", $0.containerID ?? "")
            < ($1.namespace ?? "", $1.pod ?? "", $1.containerName ?? "", $1.containerID ?? "") }
    }

    /// The merge-patch value for `status.nodes.<node>`; the condition keeps
    /// `since` as its transition time.
    func patchValue(since: String) -> [String: Any] {
        func links(_ links: [Link]) -> [[String: Any]] {
            links.map { link in
                var entry: [String: Any] = ["state": link.state]
                if let value = link.containerID { entry["container_id"] = value }
                if let value = link.pod { entry["pod"] = value }
                if let value = link.namespace { entry["namespace"] = value }
                if let value = link.containerName { entry["container_name"] = value }
                if let value = link.pid { entry["pid"] = Int(value) }
                if let value = link.linkID { entry["link_id"] = Int(value) }
                return entry
            }
        }
        var value: [String: Any] = [
            "conditions": [["type": condition, "status": "True", "reason": reason, "message": message, "lastTransitionTime": since]],
        ]
        if singleProgram {
            if let program = programs.first {
                if let id = program.programID { value["program_id"] = Int(id) }
                value["links"] = links(program.links)
            }
        } else {
            value["programs"] = programs.map { program -> [String: Any] in
                var entry: [String: Any] = ["name": program.name, "links": links(program.links)]
                if let id = program.programID { entry["program_id"] = Int(id) }
                if let error = program.error { entry["state"] = error }
                return entry
            }
        }
        return value
    }

    /// Now, RFC 3339 in UTC.
    static func now() -> String { Timestamp.rfc3339(Int64(time(nil))) }
}

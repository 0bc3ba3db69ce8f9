import Kubernetes

/// The part of a resource's status the agent owns: `status.nodes.<node>`.
package struct ResourceStatus: Codable, Sendable, Equatable {
    /// Reports by node name.
    package var nodes: [String: NodeReport]?
}

/// What one node reports about one resource.
package struct NodeReport: Codable, Sendable, Equatable {
    /// One link.
    package struct LinkReport: Codable, Sendable, Equatable {
        package var container_id: String?
        package var pod: String?
        package var namespace: String?
        package var container_name: String?
        package var pid: Int32?
        package var link_id: UInt64?
        package var state: String
    }
    /// One program of an application.
    package struct ProgramReport: Codable, Sendable, Equatable {
        package var name: String
        package var program_id: UInt32?
        package var links: [LinkReport]?
        package var state: String?
    }
    /// One condition: `Pending`, `Success` or `Error`.
    package var conditions: [Condition]?
    /// Single-program resources (`UprobeProgram`): the program.
    package var program_id: UInt32?
    /// Single-program resources: its links.
    package var links: [LinkReport]?
    /// Applications: one entry per program.
    package var programs: [ProgramReport]?
}

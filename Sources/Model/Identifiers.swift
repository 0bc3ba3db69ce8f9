/// A kernel BPF program id; bpfman manages programs under their kernel ids.
package struct ProgramID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The kernel's id.
    package var rawValue: UInt32
    /// Wraps a kernel program id.
    package init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Wraps a kernel program id.
    package init(_ rawValue: UInt32) { self.rawValue = rawValue }
    /// Orders by id.
    package static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    /// The decimal id.
    package var description: String { String(rawValue) }
}

/// A network interface's index in its network namespace, the kernel's
/// `ifindex` (what `if_nametoindex(3)` returns).
///
/// Codable as the bare number, as stored link details and dispatcher rows
/// hold it.
package struct InterfaceIndex: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The kernel's index.
    package var rawValue: UInt32
    /// Wraps an interface index.
    package init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Wraps an interface index.
    package init(_ rawValue: UInt32) { self.rawValue = rawValue }
    /// The decimal index.
    package var description: String { String(rawValue) }
}

/// A link id owned by bpfman: monotonic, persisted, never reused.
package struct LinkID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The id.
    package var rawValue: UInt64
    /// Wraps a link id.
    package init(rawValue: UInt64) { self.rawValue = rawValue }
    /// Wraps a link id.
    package init(_ rawValue: UInt64) { self.rawValue = rawValue }
    /// Orders by id.
    package static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    /// The decimal id.
    package var description: String { String(rawValue) }
}

/// A process id as the host's initial PID namespace sees it.
package struct HostPID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The pid.
    package var rawValue: Int32
    /// Wraps a host pid.
    package init(rawValue: Int32) { self.rawValue = rawValue }
    /// Wraps a host pid.
    package init(_ rawValue: Int32) { self.rawValue = rawValue }
    /// The decimal pid.
    package var description: String { String(rawValue) }
}

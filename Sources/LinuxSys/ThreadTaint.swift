import CLinuxShims

/// Whether the calling thread is in a state it cannot undo: a namespace it
/// entered and failed to leave. Such a thread fails closed: namespace work
/// refuses to run on it, and a worker pool ends it rather than reuse it.
package enum ThreadTaint {
    /// Marks the calling thread tainted, for the rest of its life.
    package static func mark() { cshim_thread_taint() }

    /// Whether the calling thread was marked.
    package static var isTainted: Bool { cshim_thread_tainted() != 0 }
}

/// The calling thread's name as the kernel shows it (`ps -L`, gdb).
package enum ThreadName {
    /// Names the calling thread; the kernel keeps at most 15 bytes.
    package static func set(_ name: String) { _ = cshim_set_thread_name(name) }
}

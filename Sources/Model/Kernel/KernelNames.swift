/// Kernel enum values rendered the way bpfman's JSON names them.
package enum KernelNames {
    private static let programTypes = [
        "unspecified", "socketfilter", "kprobe", "schedcls", "schedact", "tracepoint", "xdp", "perfevent",
        "cgroupskb", "cgroupsock", "lwtin", "lwtout", "lwtxmit", "sockops", "skskb", "cgroupdevice", "skmsg",
        "rawtracepoint", "cgroupsockaddr", "lwtseg6local", "lircmode2", "skreuseport", "flowdissector",
        "cgroupsysctl", "rawtracepointwritable", "cgroupsockopt", "tracing", "structops", "extension", "lsm",
        "sklookup", "syscall", "netfilter",
    ]
    /// cilium/ebpf's `MapType` names, lower-cased: the reference's JSON and text.
    private static let mapTypes = [
        "unspecifiedmap", "hash", "array", "programarray", "perfeventarray", "percpuhash", "percpuarray",
        "stacktrace", "cgrouparray", "lruhash", "lrucpuhash", "lpmtrie", "arrayofmaps", "hashofmaps", "devmap",
        "sockmap", "cpumap", "xskmap", "sockhash", "cgroupstorage", "reuseportsockarray", "percpucgroupstorage",
        "queue", "stack", "skstorage", "devmaphash", "structopsmap", "ringbuf", "inodestorage", "taskstorage",
        "bloomfilter", "userringbuf", "cgrpstorage", "arena",
    ]
    /// libbpf's map type names: the spellings of bytecode image labels.
    private static let libbpfMapTypes = [
        "unspecified", "hash", "array", "prog_array", "perf_event_array", "per_cpu_hash", "per_cpu_array",
        "stack_trace", "cgroup_array", "lru_hash", "lru_cpu_hash", "lpm_trie", "array_of_maps", "hash_of_maps",
        "dev_map", "sock_map", "cpu_map", "xsk_map", "sock_hash", "cgroup_storage", "reuse_port_sock_array",
        "per_cpu_cgroup_storage", "queue", "stack", "sk_storage", "dev_map_hash", "struct_ops_map", "ring_buf",
        "inode_storage", "task_storage", "bloom_filter", "user_ringbuf", "cgrp_storage", "arena",
    ]
    private static let linkTypes = [
        "unspec", "raw_tracepoint", "tracing", "cgroup", "iter", "netns", "xdp", "perf_event", "kprobe_multi",
        "struct_ops", "netfilter", "tcx", "uprobe_multi", "netkit", "sockmap",
    ]

    /// The name of kernel program type `value` (`BPF_PROG_TYPE_*`).
    package static func programType(_ value: UInt32) -> String { name(value, in: programTypes) }
    /// The name of kernel map type `value` (`BPF_MAP_TYPE_*`) in bpfman's
    /// output: cilium/ebpf's `MapType` name lower-cased (`percpuarray`).
    package static func mapType(_ value: UInt32) -> String { name(value, in: mapTypes) }
    /// libbpf's name of kernel map type `value` (`per_cpu_array`), as
    /// bytecode image labels spell it.
    package static func libbpfMapType(_ value: UInt32) -> String { name(value, in: libbpfMapTypes) }
    /// The name of kernel link type `value` (`BPF_LINK_TYPE_*`).
    package static func linkType(_ value: UInt32) -> String { name(value, in: linkTypes) }

    private static func name(_ value: UInt32, in table: [String]) -> String {
        Int(value) < table.count ? table[Int(value)] : "unknown(\(value))"
    }
}

import ContainerSelection
import Manager
import Model

/// The families a scrape reads from the kernel and the store: the gauges of
/// the reference's `bpf-metrics-exporter` with its names, labels and label
/// spellings (so its dashboards work), the kernel's run statistics per
/// program, the containers that links serve, and the store's size.
package enum InventoryMetrics {
    /// Appends the inventory's families.
    package static func write(_ inventory: MetricsInventory, to text: inout PrometheusText) {
        text.family("bpf_program_info", "gauge", help: "eBPF Program metadata")
        for program in inventory.programs {
            text.sample("bpf_program_info", [
                ("id", String(program.id.rawValue)), ("name", program.name), ("type", programType(program.type)),
                ("tag", program.tag), ("gpl_compatible", program.gplCompatible ? "true" : "false"),
                ("map_ids", "[" + program.mapIDs.map(String.init).joined(separator: ", ") + "]"),
                ("load_time", PrometheusText.utcTimestamp(nanoseconds: program.loadedAtNanoseconds)),
            ], "1")
        }
        text.family("bpf_map_info", "gauge", help: "eBPF Map metadata")
        for map in inventory.maps {
            text.sample("bpf_map_info", [
                ("name", map.name), ("id", String(map.id)), ("type", mapType(map.type)), ("key_size", String(map.keySize)),
                ("value_size", String(map.valueSize)), ("max_entries", String(map.maxEntries)), ("flags", String(map.flags)),
            ], "1")
        }
        text.family("bpf_link_info", "gauge", help: "eBPF Link metadata")
        for link in inventory.links {
            text.sample("bpf_link_info", [("id", String(link.id)), ("prog_id", String(link.programID.rawValue)),
                                          ("type", String(link.type.rawValue))], "1")
        }
        text.family("bpf_program_run_count_total", "counter",
                    help: "Times the program ran since the kernel began counting (run_cnt; counted while bpfman serve runs).")
        for program in inventory.programs {
            text.sample("bpf_program_run_count_total", [("id", String(program.id.rawValue)), ("name", program.name)], String(program.runCount))
        }
        text.family("bpf_program_run_time_seconds_total", "counter",
                    help: "Time the program spent running since the kernel began counting (run_time_ns).")
        for program in inventory.programs {
            text.sample("bpf_program_run_time_seconds_total", [("id", String(program.id.rawValue)), ("name", program.name)],
                        PrometheusText.seconds(nanoseconds: program.runTimeNanoseconds))
        }
        text.family("bpfman_container_link_info", "gauge",
                    help: "The container each of bpfman's container links serves; join with the run statistics on prog_id = id.")
        for record in inventory.linkRecords {
            guard let metadata = record.metadata, let container = metadata[Manager.containerIDKey] else { continue }
            text.sample("bpfman_container_link_info", [
                ("link_id", String(record.id.rawValue)), ("prog_id", String(record.programID.rawValue)), ("container_id", container),
                ("pod", metadata[Manager.podNameKey] ?? ""), ("namespace", metadata[Manager.podNamespaceKey] ?? ""),
                ("container_name", metadata[Manager.containerNameKey] ?? ""),
            ], "1")
        }
        if let bytes = inventory.storeBytes {
            text.family("bpfman_store_size_bytes", "gauge", help: "Size of bpfman's state database file.")
            text.sample("bpfman_store_size_bytes", [], String(bytes))
        }
    }

    /// The reference's program type names (bpfman's Rust `ProgramType`
    /// display), indexed by `BPF_PROG_TYPE_*`; `unspec` for types it does
    /// not know, as aya reports them.
    private static let programTypes = [
        "unspec", "socket_filter", "probe", "tc", "sched_act", "tracepoint", "xdp", "perf_event", "cgroup_skb",
        "cgroup_sock", "lwt_in", "lwt_out", "lwt_xmit", "sock_ops", "sk_skb", "cgroup_device", "sk_msg", "raw_tracepoint",
        "cgroup_sock_addr", "lwt_seg6local", "lirc_mode2", "sk_reuseport", "flow_dissector", "cgroup_sysctl",
        "raw_tracepoint_writable", "cgroup_sockopt", "tracing", "struct_ops", "ext", "lsm", "sk_lookup", "syscall", "netfilter",
    ]

    /// The reference's map type names (bpfman's Rust `MapType` display),
    /// indexed by `BPF_MAP_TYPE_*`; `unspec` for types it does not know.
    private static let mapTypes = [
        "unspec", "hash", "array", "prog_array", "perf_event_array", "per_cpu_hash", "per_cpu_array", "stack_trace",
        "cgroup_array", "lru_hash", "lru_per_cpu_hash", "lpm_trie", "array_of_maps", "hash_of_maps", "devmap", "sockmap",
        "cpumap", "xskmap", "sockhash", "cgroup_storage", "reuseport_sockarray", "per_cpu_cgroup_storage", "queue", "stack",
        "sk_storage", "devmap_hash", "struct_ops", "ringbuf", "inode_storage", "task_storage", "bloom_filter", "user_ringbuf",
        "cgrp_storage", "arena",
    ]

    static func programType(_ value: UInt32) -> String { Int(value) < programTypes.count ? programTypes[Int(value)] : "unspec" }
    static func mapType(_ value: UInt32) -> String { Int(value) < mapTypes.count ? mapTypes[Int(value)] : "unspec" }
}

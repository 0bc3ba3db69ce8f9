/* Counts getppid(2) calls of process `expected_pid` (0: every process). */
#include "common.h"

const volatile __u32 expected_pid = 0;

COUNTER_MAP(tp_count);

SEC("tracepoint/syscalls/sys_enter_getppid")
int tracepoint_counter(void *ctx) {
    if (pid_matches(expected_pid))
        bump(&tp_count, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";

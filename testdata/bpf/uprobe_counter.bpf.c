/* Counts calls of the probed function, `weight` per call, in processes whose
 * tgid is `expected_pid` (0: every process). */
#include "common.h"

const volatile __u64 weight = 1;
const volatile __u32 expected_pid = 0;

COUNTER_MAP(up_count);

SEC("uprobe")
int uprobe_counter(void *ctx) {
    if (pid_matches(expected_pid))
        bump(&up_count, weight);
    return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

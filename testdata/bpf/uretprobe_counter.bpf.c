/* Counts returns of the probed function in processes whose tgid is
 * `expected_pid` (0: every process). */
#include "common.h"

const volatile __u32 expected_pid = 0;

COUNTER_MAP(uret_count);

SEC("uretprobe")
int uretprobe_counter(void *ctx) {
    if (pid_matches(expected_pid))
        bump(&uret_count, 1);
    return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";

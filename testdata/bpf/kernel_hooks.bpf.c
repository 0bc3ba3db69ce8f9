/* Programs for kernel hooks this project's test kernel may refuse: a kprobe
 * and kretprobe, fentry/fexit, and an LSM program. */
#include "common.h"

COUNTER_MAP(hook_count);

SEC("kprobe/do_sys_openat2")
int kprobe_counter(void *ctx) { bump(&hook_count, 1); return 0; }

SEC("kretprobe/do_sys_openat2")
int kretprobe_counter(void *ctx) { bump(&hook_count, 1); return 0; }

SEC("fentry/do_unlinkat")
int fentry_counter(__u64 *ctx) { bump(&hook_count, 1); return 0; }

SEC("fexit/do_unlinkat")
int fexit_counter(__u64 *ctx) { bump(&hook_count, 1); return 0; }

SEC("lsm/file_open")
int lsm_file_open(__u64 *ctx) { bump(&hook_count, 1); return 0; }

char LICENSE[] SEC("license") = "GPL";

/* Programs for kernel hooks the test machines' kernel refuses and the guest
 * lane's kernel has: kprobe/kretprobe on getppid(2) and fentry/fexit on
 * getpgid(2) (BTF has no function for getppid's wrapper, an alias), counting
 * calls of process `expected_pid` (0: any), and
 * an LSM program on file_open that denies opening inode `denied_ino` to
 * process `expected_pid`, counting the denials. */
#include "common.h"

const volatile __u32 expected_pid = 0;
const volatile __u64 denied_ino = 0;

COUNTER_MAP(hook_count);

/* Just the fields the LSM program reads; CO-RE relocates their offsets
 * against the running kernel's BTF. */
struct inode { unsigned long i_ino; } __attribute__((preserve_access_index));
struct file { struct inode *f_inode; } __attribute__((preserve_access_index));

static __always_inline int count(void) {
    if (pid_matches(expected_pid))
        bump(&hook_count, 1);
    return 0;
}

SEC("kprobe/__x64_sys_getppid")
int kprobe_counter(void *ctx) { return count(); }

SEC("kretprobe/__x64_sys_getppid")
int kretprobe_counter(void *ctx) { return count(); }

SEC("fentry/__x64_sys_getpgid")
int fentry_counter(__u64 *ctx) { return count(); }

SEC("fexit/__x64_sys_getpgid")
int fexit_counter(__u64 *ctx) { return count(); }

SEC("lsm/file_open")
int lsm_file_open(__u64 *ctx) {
    struct file *file = (struct file *)ctx[0];
    int previous = (int)ctx[1];
    if (previous != 0)
        return previous;
    if (expected_pid == 0 || (bpf_get_current_pid_tgid() >> 32) != expected_pid)
        return 0;
    if (file->f_inode->i_ino != denied_ino)
        return 0;
    bump(&hook_count, 1);
    return -1; /* -EPERM */
}

char LICENSE[] SEC("license") = "GPL";

#!/usr/bin/env bash
# The headline scenario: a uprobe on a container's own libc malloc, attached
# by the container's host PID, with live counts.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
bpfman=$repo/.build/debug/bpfman
export BPFMAN_RUNTIME_DIR=/run/bpfman-demo
rootfs=/tmp/bpfman-demo-rootfs
name=bpfman-demo-$$

cleanup() {
  "$bpfman" program unload --ignore-missing ${PROG:-0} 2>/dev/null || true
  "$repo/scripts/runc-container.sh" stop "$name" || true
  umount -l "$BPFMAN_RUNTIME_DIR/fs" 2>/dev/null || true
  rm -rf "$BPFMAN_RUNTIME_DIR" "$rootfs"
}
trap cleanup EXIT

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Build a container image with its own copy of libc (no network needed)"
"$repo/scripts/container-rootfs.sh" "$rootfs" glibc
echo "rootfs: $rootfs  (libc inode $(stat -c %i "$rootfs/lib/x86_64-linux-gnu/libc.so.6"), host libc inode $(stat -L -c %i /lib/x86_64-linux-gnu/libc.so.6))"

step "Start it with runc: a process calling malloc ten times a second"
PID=$("$repo/scripts/runc-container.sh" start "$name" "$rootfs" -- /usr/bin/probe_target 0 malloc-loop)
echo "container host PID: $PID"
"$bpfman" container nspid "$PID"

step "Load a uprobe counter"
echo "\$ bpfman program load file build/bpf/uprobe_counter.bpf.o --programs uprobe:uprobe_counter"
PROG=$("$bpfman" program load file "$repo/build/bpf/uprobe_counter.bpf.o" --programs uprobe:uprobe_counter -o json \
       | python3 -c 'import json,sys; print(json.load(sys.stdin)["programs"][0]["record"]["program_id"])')
"$bpfman" program list

step "Attach it to the container's libc malloc, by the container's host PID"
echo "\$ bpfman link attach uprobe $PROG libc --fn-name malloc --container-pid $PID"
"$bpfman" link attach uprobe "$PROG" libc --fn-name malloc --container-pid "$PID"
"$bpfman" link list

step "Live counts (the program's up_count map)"
for i in 1 2 3 4 5; do
  sleep 1
  count=$(bpftool map dump pinned "$BPFMAN_RUNTIME_DIR/fs/maps/$PROG/up_count" -j \
          | python3 -c 'import json,sys; v=json.load(sys.stdin)[0]["value"]; print(v if isinstance(v,int) else int.from_bytes(bytes(int(b,16) for b in v),"little"))')
  echo "t+${i}s  malloc calls seen in the container: $count"
done

step "Clean up: unload (detaches the link), stop the container"
"$bpfman" program unload "$PROG"
PROG=
echo "done"

#!/usr/bin/env bash
# A private containerd (own config, root, state and sockets) with its CRI
# plugin, for tests that need a real CRI runtime (e.g. the Kubernetes
# container-to-PID lookup).  It never touches /var/lib/containerd, the system
# socket or the system containerd's runc root.
#
#   containerd-sandbox.sh start DIR ROOTFS IMAGE_REF
#       Writes DIR/config.toml, starts `containerd` in the background
#       (DIR/containerd.pid, log in DIR/containerd.log), waits until
#       DIR/containerd.sock answers, then builds an OCI image from the
#       directory ROOTFS (must contain /bin/sleep, e.g. a busybox-static
#       rootfs from container-rootfs.sh) whose default command is
#       `/bin/sleep 100000`, names it IMAGE_REF (e.g.
#       localhost/bpfman-test:latest) and imports it into containerd
#       namespace k8s.io.  IMAGE_REF is also the CRI sandbox ("pause") image,
#       so pod sandboxes need no network.  Prints nothing on success.
#   containerd-sandbox.sh stop DIR
#       Kills every container, shim and containerd of the sandbox, unmounts
#       whatever is mounted under DIR and deletes DIR.  Safe to call twice
#       and on a partially started sandbox.
#
# A failed start prints the reason and the log tails to stderr, exits 1 and
# kills the containerd it launched; DIR is left for inspection (call stop).
#
# The CRI endpoint is unix://DIR/containerd.sock (runtime.v1 and v1alpha2).
# Pods must use the host network (linux.security_context.namespace_options
# .network = NODE) and set no hostname: the CNI directories are empty.
# OOM score adjustments are restricted (restrict_oom_score_adj) because this
# machine lacks CAP_SYS_RESOURCE.  The runc state lives in DIR/runc; the
# containers' cgroups are /<cgroupfs>/k8s.io/<id> unless the pod sets a
# cgroup_parent.  A container's host pid is the "pid" key of the JSON string
# ContainerStatus(verbose=true).info["info"].  Set CONTAINERD_LOG_LEVEL
# (default info) for more logging.
set -euo pipefail

. "$(dirname "$0")/daemon-fds.sh"

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
  exit 2
}

[ $# -ge 2 ] || usage
cmd=$1
dir=$2
case $dir in /*) ;; *) dir=$(pwd)/$dir ;; esac
dir=${dir%/}
sock=$dir/containerd.sock

log_tail() {
  if [ -f "$dir/setup.log" ] && [ -s "$dir/setup.log" ]; then
    echo "--- $dir/setup.log (tail) ---" >&2
    tail -n 30 "$dir/setup.log" >&2
  fi
  if [ -f "$dir/containerd.log" ]; then
    echo "--- $dir/containerd.log (errors and warnings) ---" >&2
    grep -E 'level=(warning|error|fatal)' "$dir/containerd.log" | tail -n 15 >&2 || true
    echo "--- $dir/containerd.log (tail) ---" >&2
    tail -n 8 "$dir/containerd.log" | cut -c1-400 >&2
  fi
}

# Report, show the logs, and kill the containerd that start launched (no
# container can exist yet); DIR stays for inspection: `stop DIR` removes it.
fail() {
  local pid
  echo "containerd-sandbox: $*" >&2
  log_tail
  if [ "$cmd" = start ] && pid=$(containerd_pid); then kill -KILL "$pid" 2>/dev/null || true; fi
  exit 1
}

# Run a setup step, its output going to DIR/setup.log.
step() {
  echo "+ $*" >>"$dir/setup.log"
  "$@" >>"$dir/setup.log" 2>&1 || fail "failed: $*"
}

containerd_pid() {
  local pid
  [ -f "$dir/containerd.pid" ] || return 1
  pid=$(cat "$dir/containerd.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ -d "/proc/$pid" ] || return 1
  # Make sure the pid was not reused by something else.
  local cmdline
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  grep -qF -- "$dir/config.toml" <<<"$cmdline" || return 1
  echo "$pid"
}

write_config() {
  local image=$1
  cat >"$dir/config.toml" <<CONF
version = 2
root = "$dir/root"
state = "$dir/state"
oom_score = 0
disabled_plugins = [
  "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing",
]

[grpc]
  address = "$sock"

[ttrpc]
  address = "$sock.ttrpc"

[debug]
  address = ""
  level = "${CONTAINERD_LOG_LEVEL:-info}"

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = "$dir/opt"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$image"
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  disable_apparmor = true
  enable_selinux = false
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_cdi = false

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$dir/runc"

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$dir/cni-bin"
    conf_dir = "$dir/cni-conf"
    max_conf_num = 1
CONF
}

build_image() {
  local rootfs=$1 image=$2 work=$dir/image
  rm -rf "$work"
  mkdir -p "$work"
  step umoci init --layout "$work/oci"
  step umoci new --image "$work/oci:latest"
  step umoci unpack --image "$work/oci:latest" "$work/bundle"
  cp -a "$rootfs/." "$work/bundle/rootfs/" 2>>"$dir/setup.log" || fail "copying $rootfs failed"
  step umoci repack --image "$work/oci:latest" "$work/bundle"
  step umoci config --image "$work/oci:latest" \
    --clear=config.entrypoint --config.cmd /bin/sleep --config.cmd 100000 \
    --config.workingdir / --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
  rm -rf "$work/bundle"
  step skopeo copy --quiet "oci:$work/oci:latest" "docker-archive:$work/image.tar:$image"
  step ctr -a "$sock" -n k8s.io images import "$work/image.tar"
  # Read the whole listing first: `grep -q` closing the pipe early would
  # SIGPIPE ctr and fail the pipeline under pipefail.
  local listed
  listed=$(ctr -a "$sock" -n k8s.io images ls -q 2>>"$dir/setup.log") || fail "listing images failed"
  grep -qxF -- "$image" <<<"$listed" ||
    fail "image $image is not listed after the import"
}

start() {
  [ $# -eq 2 ] || usage
  local rootfs=$1 image=$2 pid
  case $rootfs in /*) ;; *) rootfs=$(pwd)/$rootfs ;; esac
  [ -d "$rootfs" ] || fail "rootfs $rootfs is not a directory"
  [ -e "$rootfs/bin/sleep" ] || [ -L "$rootfs/bin/sleep" ] || fail "$rootfs/bin/sleep does not exist"
  [ -n "$image" ] || fail "empty IMAGE_REF"
  if [ ${#sock} -ge 100 ]; then fail "socket path $sock is too long for a unix socket"; fi
  if containerd_pid >/dev/null; then
    echo "containerd-sandbox: a sandbox is already running in $dir" >&2
    exit 1
  fi
  mkdir -p "$dir"/{root,state,opt,runc,cni-conf,cni-bin}
  : >"$dir/setup.log"
  write_config "$image"
  rm -f "$sock" "$sock.ttrpc"
  setsid containerd --config "$dir/config.toml" >"$dir/containerd.log" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$dir/containerd.pid"
  for _ in $(seq 200); do
    # Until the background job has exec'd containerd its command line is
    # this script's; only a vanished process means containerd exited.
    [ -d "/proc/$pid" ] && [ "$(cat "/proc/$pid/stat" 2>/dev/null | awk '{print $3}')" != Z ] || fail "containerd exited"
    if [ -S "$sock" ] && ctr -a "$sock" version >/dev/null 2>&1; then break; fi
    sleep 0.05
  done
  ctr -a "$sock" version >/dev/null 2>&1 || fail "containerd did not answer on $sock within 10 s"
  build_image "$rootfs" "$image"
}

# Remove the CRI pods and containers through containerd (best effort).
remove_tasks() {
  local ns ids id
  ctr -a "$sock" --timeout 2s version >/dev/null 2>&1 || return 0
  for ns in $(ctr -a "$sock" --timeout 5s namespaces ls -q 2>/dev/null); do
    ids=$(ctr -a "$sock" -n "$ns" --timeout 5s tasks ls -q 2>/dev/null || true)
    for id in $ids; do
      ctr -a "$sock" -n "$ns" --timeout 5s tasks kill -a -s SIGKILL "$id" >/dev/null 2>&1 || true
    done
    for id in $ids; do
      ctr -a "$sock" -n "$ns" --timeout 5s tasks delete -f "$id" >/dev/null 2>&1 || true
    done
    for id in $(ctr -a "$sock" -n "$ns" --timeout 5s containers ls -q 2>/dev/null || true); do
      ctr -a "$sock" -n "$ns" --timeout 5s containers delete "$id" >/dev/null 2>&1 || true
    done
  done
}

# Kill and delete whatever runc still knows about in DIR/runc.
remove_runc_containers() {
  local root id
  for root in "$dir"/runc/*; do
    [ -d "$root" ] || continue
    for id in $(runc --root "$root" list -q 2>/dev/null || true); do
      runc --root "$root" kill -a "$id" KILL >/dev/null 2>&1 || true
      runc --root "$root" delete -f "$id" >/dev/null 2>&1 || true
    done
  done
}

# Whether PID runs (a zombie does not count: the processes this script starts
# in the background are reaped by whoever inherits them, maybe late).
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# IDs of the sandbox's containers and pod sandboxes (64 hex digits each).
sandbox_ids() {
  local d
  for d in "$dir"/state/io.containerd.runtime.v2.task/*/* "$dir"/runc/*/* \
    "$dir"/root/io.containerd.grpc.v1.cri/containers/* "$dir"/root/io.containerd.grpc.v1.cri/sandboxes/*; do
    [ -e "$d" ] || continue
    d=${d##*/}
    [[ $d =~ ^[0-9a-f]{64}$ ]] && echo "$d"
  done | sort -u
}

# Pids of the sandbox's leftover processes: containerd, shims and runc whose
# command line mentions DIR, and container processes, found by their cgroup
# (/<any>/<id>); their /proc/PID/root reads "/" from here.  (Matching any
# command line that mentions DIR would also hit the caller of this script.)
pids_of_sandbox() {
  local p exe ids pattern args
  ids=$(sandbox_ids | paste -sd'|')
  pattern="/(${ids:-none-at-all})\$"
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = "$$" ] && continue
    alive "${p#/proc/}" || continue
    if [ -n "$ids" ] && grep -qE "$pattern" "$p/cgroup" 2>/dev/null; then
      echo "${p#/proc/}"
      continue
    fi
    exe=$(readlink "$p/exe" 2>/dev/null) || continue
    case ${exe##*/} in containerd | containerd-shim* | runc) ;; *) continue ;; esac
    args=$(tr '\0' '\n' <"$p/cmdline" 2>/dev/null) || continue
    grep -qxF -e "$dir" -e "$sock" -e "$dir/config.toml" -e "$dir/runc/k8s.io" <<<"$args" &&
      echo "${p#/proc/}"
  done
  return 0
}

# Remove the sockets of killed shims: /run/containerd/s/sha256(SOCK/NS/ID)
# (containerd 1.6 runtime/v2/shim.SocketAddress; one shim per pod sandbox).
remove_shim_sockets() {
  local id ns h
  for id in "$@"; do
    for ns in k8s.io default; do
      h=$(printf '%s' "$sock/$ns/$id" | sha256sum | cut -d' ' -f1)
      rm -f "/run/containerd/s/$h"
    done
  done
}

# Remove the (empty by now) cgroups of the sandbox's containers.
remove_cgroups() {
  local id cg
  for id in "$@"; do
    for cg in /sys/fs/cgroup/*/k8s.io/"$id" /sys/fs/cgroup/k8s.io/"$id" /sys/fs/cgroup/*/*/"$id"; do
      [ -d "$cg" ] && rmdir "$cg" 2>/dev/null || true
    done
  done
}

stop() {
  local pid pids ids _
  [ -d "$dir" ] || return 0
  ids=$(sandbox_ids)
  remove_tasks
  remove_runc_containers
  if pid=$(containerd_pid); then
    # Everything is thrown away, so no graceful shutdown (SIGTERM takes ~1.5 s).
    kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 100); do alive "$pid" || break; sleep 0.02; done
  fi
  # Shims (their command line has -address DIR/containerd.sock) and anything
  # else started from DIR.  Container processes were killed through runc above.
  pids=$(pids_of_sandbox)
  if [ -n "$pids" ]; then
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    for _ in $(seq 50); do
      [ -n "$(pids_of_sandbox)" ] || break
      sleep 0.05
    done
  fi
  remove_runc_containers
  # shellcheck disable=SC2086
  remove_cgroups $ids
  # shellcheck disable=SC2086
  remove_shim_sockets $ids
  # Unmount deepest first (rootfs overlays, sandbox shm, netns bind mounts).
  local m
  for _ in 1 2 3; do
    local mounts
    mounts=$(awk '{print $2}' /proc/mounts | while read -r m; do
      m=$(printf '%b' "$m")
      case $m in "$dir" | "$dir"/*) echo "$m" ;; esac
    done | sort -r -u)
    [ -n "$mounts" ] || break
    while read -r m; do
      umount -l "$m" 2>/dev/null || umount -f -l "$m" 2>/dev/null || true
    done <<<"$mounts"
  done
  rm -rf "$dir" 2>/dev/null || { sleep 0.2; rm -rf "$dir"; }
}

case $cmd in
start) shift 2; start "$@" ;;
stop) [ $# -eq 2 ] || usage; stop ;;
*) usage ;;
esac

#!/usr/bin/env bash
# A private rootful podman (own storage, config and API socket) for tests.
#
#   podman-sandbox.sh start DIR          write configs, start `podman system service` on DIR/podman.sock
#   podman-sandbox.sh podman DIR ARGS... run podman with DIR's configuration
#   podman-sandbox.sh stop DIR           remove containers, stop the service, delete DIR
set -euo pipefail

. "$(dirname "$0")/daemon-fds.sh"
cmd=$1; dir=$2; shift 2
export CONTAINERS_STORAGE_CONF=$dir/storage.conf CONTAINERS_CONF=$dir/containers.conf
case $cmd in
start)
  mkdir -p "$dir"/{graph,run,tmp}
  cat > "$dir/storage.conf" <<CONF
[storage]
driver = "overlay"
graphroot = "$dir/graph"
runroot = "$dir/run"
CONF
  cat > "$dir/containers.conf" <<CONF
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$dir/events.log"
runtime = "runc"
tmp_dir = "$dir/tmp"
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
CONF
  setsid podman system service --time=0 "unix://$dir/podman.sock" >"$dir/service.log" 2>&1 < /dev/null &
  echo $! > "$dir/service.pid"
  for _ in $(seq 100); do [ -S "$dir/podman.sock" ] && exit 0; sleep 0.05; done
  echo "podman service did not start: $(cat "$dir/service.log")" >&2; exit 1
  ;;
podman)
  exec podman "$@"
  ;;
stop)
  podman rm -f -t 0 -a >/dev/null 2>&1 || true
  [ -f "$dir/service.pid" ] && kill "$(cat "$dir/service.pid")" 2>/dev/null || true
  sleep 0.2
  podman --storage-opt overlay.mount_program= unshare true 2>/dev/null || true
  umount -R "$dir/graph/overlay" 2>/dev/null || true
  for m in $(grep " $dir" /proc/mounts | awk '{print $2}' | sort -r); do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$dir"
  ;;
esac

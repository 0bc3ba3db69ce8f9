#!/usr/bin/env bash
# Starts or stops a runc container from a root file system.
#
#   runc-container.sh start NAME ROOTFS [--privileged] -- ARGS...   prints the host PID
#   runc-container.sh stop NAME
set -euo pipefail
state=/tmp/runc-bpfman
cmd=$1; name=$2; shift 2
case $cmd in
start)
  rootfs=$1; shift
  privileged=0
  if [ "${1:-}" = --privileged ]; then privileged=1; shift; fi
  [ "${1:-}" = -- ] && shift
  bundle=$state/bundles/$name
  mkdir -p "$bundle"
  ( cd "$bundle" && rm -f config.json && runc spec )
  python3 - "$bundle/config.json" "$rootfs" "$privileged" "$@" <<'PY'
import json, sys
path, rootfs, privileged, args = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4:]
config = json.load(open(path))
config["process"]["args"] = args
config["process"]["terminal"] = False
config["root"] = {"path": rootfs, "readonly": False}
config["process"].pop("rlimits", None)
config["linux"].pop("resources", None)
if privileged:
    caps = ["CAP_SYS_ADMIN", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_KILL", "CAP_SETUID", "CAP_SETGID",
            "CAP_NET_ADMIN", "CAP_SYS_PTRACE", "CAP_SYS_CHROOT"]
    for key in ("bounding", "effective", "permitted"):
        config["process"]["capabilities"][key] = caps
    config["linux"].pop("maskedPaths", None)
    config["linux"].pop("readonlyPaths", None)
    config["linux"]["seccomp"] = None
    for mount in config["mounts"]:
        if mount["destination"] == "/proc":
            pass
json.dump(config, open(path, "w"), indent=2)
PY
  runc --root "$state/root" run -d --bundle "$bundle" --pid-file "$bundle/pid" "$name" </dev/null >/dev/null 2>"$bundle/stderr" \
    || { cat "$bundle/stderr" >&2; exit 1; }
  cat "$bundle/pid"
  ;;
stop)
  runc --root "$state/root" kill "$name" KILL 2>/dev/null || true
  for _ in $(seq 50); do
    runc --root "$state/root" state "$name" 2>/dev/null | grep -q '"status": "stopped"' && break
    sleep 0.05
  done
  runc --root "$state/root" delete -f "$name" 2>/dev/null || true
  rm -rf "$state/bundles/$name"
  ;;
esac

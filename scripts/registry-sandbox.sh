#!/usr/bin/env bash
# A private OCI registry (Debian's docker-registry, distribution 2.8) on
# 127.0.0.1 with filesystem storage under DIR, for tests and the demo.
#
#   registry-sandbox.sh start DIR [USER PASSWORD]   start it; prints HOST:PORT.
#                                                   With USER/PASSWORD: htpasswd (Basic) auth.
#   registry-sandbox.sh stop DIR                    stop it and delete DIR
#   registry-sandbox.sh static DIR                  serve DIR/root as plain files (a hostile "registry")
set -euo pipefail

. "$(dirname "$0")/daemon-fds.sh"
cmd=$1; dir=$2; shift 2

wait_for() { # URL: wait until something answers
  for _ in $(seq 100); do
    code=$(curl -s -o /dev/null -w '%{http_code}' "$1" 2>/dev/null || true)
    [ "$code" != "000" ] && [ -n "$code" ] && return 0
    sleep 0.05
  done
  return 1
}

# Runs `$1 PORT` (which starts a server in the background and records its
# pid in $dir/registry.pid) on random ports until one answers; prints HOST:PORT.
launch() {
  for _ in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 20000))
    "$1" "$port"
    if wait_for "http://127.0.0.1:$port/" && kill -0 "$(cat "$dir/registry.pid")" 2>/dev/null; then
      echo "127.0.0.1:$port"; return 0
    fi
    kill "$(cat "$dir/registry.pid")" 2>/dev/null || true
  done
  echo "$1 did not start: $(cat "$dir/registry.log")" >&2; return 1
}

registry() {
  cat > "$dir/config.yml" <<CONF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$1
$auth
CONF
  setsid docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 < /dev/null &
  echo $! > "$dir/registry.pid"
}

file_server() {
  setsid python3 -m http.server --bind 127.0.0.1 --directory "$dir/root" "$1" >"$dir/registry.log" 2>&1 < /dev/null &
  echo $! > "$dir/registry.pid"
}

case $cmd in
start)
  mkdir -p "$dir/data"
  auth=""
  if [ $# -ge 2 ]; then
    htpasswd -Bbc "$dir/htpasswd" "$1" "$2" 2>/dev/null
    auth=$(printf 'auth:\n  htpasswd:\n    realm: bpfman-test\n    path: %s/htpasswd\n' "$dir")
  fi
  launch registry
  ;;
static)
  mkdir -p "$dir/root"
  launch file_server
  ;;
stop)
  if [ -f "$dir/registry.pid" ]; then
    pid=$(cat "$dir/registry.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    # A server started with SIGTERM ignored (inherited from the caller) goes anyway.
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
  ;;
esac

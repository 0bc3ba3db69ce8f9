#!/usr/bin/env bash
# `make test-install`: `make install` and `make uninstall` into a temporary
# DESTDIR, never the real system, and checks what they leave:
#   1. install puts exactly the expected files there, the executables run
#      with the Swift runtime linked in and the build ID of this checkout,
#      `bpfman` finds `bpfman-full` beside itself, the units pass
#      `systemd-analyze verify`, the man pages render, the completions parse,
#      and bpfman reads the installed configuration;
#   2. a second install keeps a configuration file an operator changed;
#   3. uninstall removes everything but that changed file, and once it is
#      the default again, everything: nothing but directories is left.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
make=${MAKE:-make}
dest=$(mktemp -d /tmp/bpfman-install.XXXXXX)
trap 'rm -rf "$dest"' EXIT
bin=$dest/usr/local/bin
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
# expect NAME ACTUAL EXPECTED: the two strings are equal.
expect() {
  if [ "$2" != "$3" ]; then
    fail "$1"; diff <(printf '%s\n' "$3") <(printf '%s\n' "$2") | sed 's/^/    /' >&2 || true
  else
    echo "ok: $1"
  fi
}
# The files (not directories) under DESTDIR, relative to it, with their modes.
files() { (cd "$dest" && find . ! -type d -printf '%m %p\n' | sed 's| \./| /|' | LC_ALL=C sort -k2); }

echo "== install into $dest"
start=$SECONDS
$make --no-print-directory install DESTDIR="$dest"
echo "(install took $((SECONDS - start)) s)"

expect "installed files" "$(files)" "$(LC_ALL=C sort -k2 <<'EOF'
644 /etc/bpfman/bpfman.toml
644 /etc/default/bpfman
755 /usr/local/bin/bpfman
755 /usr/local/bin/bpfman-agent
755 /usr/local/bin/bpfman-full
755 /usr/local/bin/bpfman-ns
644 /usr/local/lib/systemd/system/bpfman.service
644 /usr/local/lib/systemd/system/bpfman.socket
644 /usr/local/share/bash-completion/completions/bpfman
644 /usr/local/share/fish/vendor_completions.d/bpfman.fish
644 /usr/local/share/man/man1/bpfman-agent.1
644 /usr/local/share/man/man1/bpfman.1
644 /usr/local/share/zsh/site-functions/_bpfman
EOF
)"

# The Swift runtime is linked in: no libswift*, no Foundation libraries.
for name in bpfman bpfman-full bpfman-ns bpfman-agent; do
  expect "$name links no Swift runtime library" "$(ldd "$bin/$name" | grep -cE 'libswift|libFoundation|libdispatch|libBlocksRuntime' || true)" 0
  expect "$name carries no debug information" "$(readelf -S --wide "$bin/$name" | grep -c ' \.debug_' || true)" 0
done

if commit=$(git rev-parse HEAD 2>/dev/null); then
  expect "bpfman version names this commit (LINK_FLAGS' build ID)" \
    "$("$bin/bpfman" version | sed -n 's/^Git commit: *//p')" "$commit"
else
  echo "skip: not a git checkout, the executables carry no build ID"
fi
expect "bpfman-full version is bpfman version" "$("$bin/bpfman-full" version)" "$("$bin/bpfman" version)"
expect "bpfman-agent --help exits 0" "$("$bin/bpfman-agent" --help >/dev/null; echo $?)" 0
expect "bpfman-ns runs (status 12 without a subcommand)" \
  "$("$bin/bpfman-ns" 2>&1; echo "status $?")" "bpfman-ns: expected subcommand uprobe
status 12"

# `bpfman` hands registry work over to the bpfman-full in its own
# directory (found through /proc/self/exe, as bpfman-ns is): started through
# PATH from another directory, with no override in the environment.
object=$repo/build/bpf/dispatch_chain.bpf.o
handed=$(cd / && env -u BPFMAN_FULL_BIN -u BPFMAN_NS_BIN PATH="$bin:$PATH" bpfman image generate-build-args "$object")
expect "bpfman hands image work to the installed bpfman-full" "$handed" "$("$bin/bpfman-full" image generate-build-args "$object")"
expect "  whose first line names the object" "$(head -1 <<<"$handed")" "BYTECODE_FILE=$object"

expect "installed configuration is the default" "$(cat "$dest/etc/bpfman/bpfman.toml")" "$(cat packaging/config/bpfman.toml)"
expect "bpfman reads the installed configuration" \
  "$("$bin/bpfman" --config="$dest/etc/bpfman/bpfman.toml" version >/dev/null; echo $?)" 0

unitdir=$dest/usr/local/lib/systemd/system
expect "service ExecStart" "$(grep '^ExecStart=' "$unitdir/bpfman.service")" \
  'ExecStart=/usr/local/bin/bpfman-full serve $BPFMAN_SERVE_ARGS'
expect "socket address and mode" "$(grep -E '^(ListenStream|SocketMode)=' "$unitdir/bpfman.socket")" \
  "ListenStream=/run/bpfman-sock/bpfman.sock
SocketMode=0660"
if command -v systemd-analyze >/dev/null; then
  # verify checks that ExecStart is executable on this machine, and --root
  # wants a whole system's units under the root: so the installed units are
  # verified as copies whose ExecStart points into DESTDIR, with MANPATH
  # finding their Documentation= page there. Any finding (an unknown key
  # too, which verify only warns about) fails the check.
  verified=$(mktemp -d)
  cp "$unitdir/bpfman.socket" "$verified/"
  sed "s|=/usr/local/bin/|=$bin/|" "$unitdir/bpfman.service" >"$verified/bpfman.service"
  expect "  (the copy's ExecStart is the staged bpfman-full)" "$(grep '^ExecStart=' "$verified/bpfman.service")" \
    "ExecStart=$bin/bpfman-full serve \$BPFMAN_SERVE_ARGS"
  verify=$(MANPATH=$dest/usr/local/share/man: systemd-analyze verify "$verified/bpfman.socket" "$verified/bpfman.service" 2>&1; echo "status $?")
  expect "systemd-analyze verify: no findings" "$verify" "status 0"
  rm -rf "$verified"
else
  echo "skip: systemd-analyze is not installed"
fi

for page in bpfman bpfman-agent; do
  rendered=$(MANWIDTH=80 man -l "$dest/usr/local/share/man/man1/$page.1" 2>&1)
  upper=$(tr a-z- A-Z- <<<"$page")
  expect "man page $page.1 renders" "$(head -1 <<<"$rendered" | awk '{print $1}')" "$upper(1)"
done
expect "bash completion parses" "$(bash -n "$dest/usr/local/share/bash-completion/completions/bpfman"; echo $?)" 0
expect "bash completion completes bpfman" \
  "$(grep -c '^complete .* bpfman$' "$dest/usr/local/share/bash-completion/completions/bpfman")" 1
for shell in zsh fish; do
  if command -v "$shell" >/dev/null; then
    script=$([ "$shell" = zsh ] && echo site-functions/_bpfman || echo vendor_completions.d/bpfman.fish)
    expect "$shell completion parses" "$("$shell" -n "$dest/usr/local/share/$shell/$script"; echo $?)" 0
  else
    echo "skip: $shell is not installed, its completion is not parsed"
  fi
done

echo "== install again over a changed configuration"
echo '# changed by the operator' >>"$dest/etc/bpfman/bpfman.toml"
changed=$(cat "$dest/etc/bpfman/bpfman.toml")
again=$($make --no-print-directory install DESTDIR="$dest")
expect "second install keeps the changed configuration" "$(cat "$dest/etc/bpfman/bpfman.toml")" "$changed"
expect "  and says so" "$(grep -c "^kept $dest/etc/bpfman/bpfman.toml" <<<"$again")" 1

echo "== uninstall"
$make --no-print-directory uninstall DESTDIR="$dest"
expect "uninstall leaves only the changed configuration" "$(files)" "644 /etc/bpfman/bpfman.toml"
cp packaging/config/bpfman.toml "$dest/etc/bpfman/bpfman.toml"
$make --no-print-directory uninstall DESTDIR="$dest"
expect "uninstall of the default configuration leaves nothing but directories" "$(files)" ""
expect "  nor /etc/bpfman" "$([ -e "$dest/etc/bpfman" ] && echo present || echo absent)" absent

if [ "$failures" -ne 0 ]; then echo "test-install: $failures check(s) failed" >&2; exit 1; fi
echo "test-install: all checks passed in $SECONDS s"

#!/usr/bin/env bash
# `make install` / `make uninstall`: puts bpfman on a node, or takes it off.
#
# usage: install.sh install|uninstall
# Environment (the Makefile passes them):
#   DESTDIR          staging root, prepended to every path (default: none)
#   PREFIX           /usr/local by default
#   UNITDIR          systemd system units; $PREFIX/lib/systemd/system by default
#   RELEASE_DIR      the release executables (install only)
#   GENERATE_MANUAL  swift-argument-parser's generate-manual tool (install only)
#   NOSTRIP          set to keep the executables' debug information
#
# The installed executables lose their DWARF (about 55% of bpfman-full), as
# dh_strip does for Debian packages, and keep their symbol table, so that
# crash backtraces still name functions; the build ID note stays, and with
# it `bpfman version`.
#
# One list (`entries`) says what goes where, so uninstall removes exactly
# what install added. The two configuration files are treated as Debian
# treats conffiles: install never overwrites one that exists, and uninstall
# removes one only while it is byte for byte the shipped default, so
# nothing an operator wrote is lost (delete it by hand to purge).
set -euo pipefail
cd "$(dirname "$0")/.."

action=${1:?usage: install.sh install|uninstall}
destdir=${DESTDIR:-}
prefix=${PREFIX:-/usr/local}
bindir=$prefix/bin
unitdir=${UNITDIR:-$prefix/lib/systemd/system}
mandir=$prefix/share/man/man1
# Debian's zsh searches /usr/local/share/zsh/site-functions, and under /usr
# only vendor-completions (site-functions there is not in its fpath).
if [ "$prefix" = /usr ]; then zshdir=/usr/share/zsh/vendor-completions; else zshdir=$prefix/share/zsh/site-functions; fi
stage=build/install
executables=(bpfman bpfman-full bpfman-ns bpfman-agent)

# KIND MODE SOURCE TARGET, one a line. KIND is `executable`, `file` or `conffile`; the
# sources under $stage are what `generate` writes.
entries() {
  local name
  for name in "${executables[@]}"; do echo "executable 0755 $RELEASE_DIR/$name $bindir/$name"; done
  echo "file 0644 packaging/systemd/bpfman.socket $unitdir/bpfman.socket"
  echo "file 0644 $stage/bpfman.service $unitdir/bpfman.service"
  echo "file 0644 $stage/bpfman.1 $mandir/bpfman.1"
  echo "file 0644 $stage/bpfman-agent.1 $mandir/bpfman-agent.1"
  echo "file 0644 $stage/bpfman.bash $prefix/share/bash-completion/completions/bpfman"
  echo "file 0644 $stage/_bpfman $zshdir/_bpfman"
  echo "file 0644 $stage/bpfman.fish $prefix/share/fish/vendor_completions.d/bpfman.fish"
  echo "conffile 0644 packaging/config/bpfman.toml /etc/bpfman/bpfman.toml"
  echo "conffile 0644 packaging/config/bpfman.default /etc/default/bpfman"
}

# Writes the unit with its ExecStart path, and the man pages and shell
# completions swift-argument-parser generates from the release executables.
generate() {
  rm -rf "$stage" && mkdir -p "$stage"
  sed "s|@BINDIR@|$bindir|g" packaging/systemd/bpfman.service.in >"$stage/bpfman.service"
  # The pages carry the commit's date, not today's, so that a rebuild of one
  # commit installs the same files.
  local date
  date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(git show -s --format=%ct HEAD 2>/dev/null || date +%s)}" +%F)
  "$GENERATE_MANUAL" "$RELEASE_DIR/bpfman" --date "$date" --output-directory "$stage"
  "$GENERATE_MANUAL" "$RELEASE_DIR/bpfman-agent" --date "$date" --output-directory "$stage"
  "$RELEASE_DIR/bpfman" --generate-completion-script bash >"$stage/bpfman.bash"
  "$RELEASE_DIR/bpfman" --generate-completion-script zsh >"$stage/_bpfman"
  "$RELEASE_DIR/bpfman" --generate-completion-script fish >"$stage/bpfman.fish"
}

# Whether systemd runs this machine and the install goes to its real root.
managing_live_systemd() {
  [ -z "$destdir" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null
}

install_all() {
  : "${RELEASE_DIR:?}" "${GENERATE_MANUAL:?}"
  generate
  local kind mode source target
  while read -r kind mode source target; do
    install -d "$destdir$(dirname "$target")"
    if [ "$kind" = conffile ] && [ -e "$destdir$target" ]; then
      cmp -s "$source" "$destdir$target" || echo "kept $destdir$target (the default is $source)"
      continue
    fi
    install -m "$mode" "$source" "$destdir$target"
    if [ "$kind" = executable ] && [ -z "${NOSTRIP:-}" ]; then strip --strip-debug "$destdir$target"; fi
    echo "installed $destdir$target"
  done < <(entries)
  if managing_live_systemd; then systemctl daemon-reload; fi
}

uninstall_all() {
  if managing_live_systemd && { systemctl -q is-active bpfman.socket bpfman.service || systemctl -q is-enabled bpfman.socket bpfman.service; } 2>/dev/null; then
    echo "bpfman is enabled or running: systemctl disable --now bpfman.socket bpfman.service, then uninstall" >&2
    exit 1
  fi
  local kind mode source target
  while read -r kind mode source target; do
    [ -e "$destdir$target" ] || continue
    if [ "$kind" = conffile ] && ! cmp -s "$source" "$destdir$target"; then
      echo "kept $destdir$target: changed since install (remove it by hand to purge)"
      continue
    fi
    rm -f "$destdir$target"
    echo "removed $destdir$target"
  done < <(RELEASE_DIR=${RELEASE_DIR:-} entries)
  if [ -d "$destdir/etc/bpfman" ]; then rmdir --ignore-fail-on-non-empty "$destdir/etc/bpfman"; fi
  if managing_live_systemd; then systemctl daemon-reload; fi
}

case "$action" in
  install) install_all ;;
  uninstall) uninstall_all ;;
  *) echo "usage: install.sh install|uninstall" >&2; exit 2 ;;
esac

#!/usr/bin/env bash
# Prints the GNU build ID the Makefile links bpfman's executables with, in hex:
# "bpfm", the 20-byte git commit, a state byte (0 clean, 1 dirty), the build
# date (8 bytes, big-endian seconds since the epoch: SOURCE_DATE_EPOCH when
# set, else the commit's date, so that an unchanged tree links the same), then
# the branch name. `bpfman version` reads it back from its own
# PT_NOTE segment. Outside a git checkout it prints nothing, and the linker's
# default build ID stays.
set -euo pipefail
cd "$(dirname "$0")/.."
commit=$(git rev-parse HEAD 2>/dev/null) || exit 0
state=00
[ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ] || state=01
branch=$(git rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)
printf '0x6270666d%s%s%016x%s\n' "$commit" "$state" "${SOURCE_DATE_EPOCH:-$(git show -s --format=%ct HEAD)}" \
  "$(printf %s "$branch" | od -An -v -tx1 | tr -d ' \n')"

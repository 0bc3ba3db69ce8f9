#!/usr/bin/env bash
# Builds a minimal container root file system without a network:
# busybox-static, the probe target and its own copies of the libraries ldd
# lists (so the container has its own inode of libc).
#
#   container-rootfs.sh DIR [glibc|nocache|musl-layout]
#     glibc        libraries where Debian keeps them, plus the container's own
#                  /etc/ld.so.cache (ldconfig -r)
#     nocache      the same without /etc/ld.so.cache
#     musl-layout  libraries flat in /lib, libc also as /lib/libc.so, no cache
set -euo pipefail
dir=$1
layout=${2:-glibc}
repo=$(cd "$(dirname "$0")/.." && pwd)
target=$repo/build/probe_target
rm -rf "$dir"
mkdir -p "$dir"/{bin,lib,lib64,tmp,proc,sys,dev,etc,usr/bin}
cp /bin/busybox "$dir/bin/busybox"
for applet in sh sleep cat ls unshare; do ln -sf busybox "$dir/bin/$applet"; done
cp "$target" "$dir/usr/bin/probe_target"
for lib in $(ldd "$target" | grep -o '/[^ ]*'); do
  if [ "$layout" = musl-layout ]; then
    cp -L "$lib" "$dir/lib/$(basename "$lib")"
  else
    mkdir -p "$dir$(dirname "$lib")"
    cp -L "$lib" "$dir$lib"
  fi
done
if [ "$layout" = musl-layout ]; then
  ln "$dir/lib/libc.so.6" "$dir/lib/libc.so"
  mkdir -p "$dir/lib64" && cp -L /lib64/ld-linux-x86-64.so.2 "$dir/lib64/"
fi
if [ "$layout" = glibc ]; then
  ldconfig -r "$dir"
fi

#!/usr/bin/env bash
# Installs what the guest lane needs and prints the guest kernel's path:
# qemu-system-x86 (Debian), virtme-ng (PyPI), and Debian's
# bookworm-backports 6.12 kernel, fetched through a private apt source list
# so the system's own sources stay untouched. The kernel package is
# unpacked, not installed: its files go to /boot and /lib/modules (the guest
# loads its modules from the host's root, shared read-only). The kernel
# comes from the Debian mirror (or proxy) the system's own apt sources name.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
state=$root/build/guest/apt
mkdir -p "$state/lists/partial" "$root/build/guest/debs"

if ! command -v qemu-system-x86_64 >/dev/null || ! [ -x /usr/sbin/depmod -o -x /sbin/depmod ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-system-x86 kmod >/dev/null
fi
if ! command -v vng >/dev/null; then
  python3 -m pip install -q virtme-ng==1.42 2>/dev/null || python3 -m pip install -q --break-system-packages virtme-ng==1.42
fi

kernel=$(ls /boot/vmlinuz-6.12.*-amd64 2>/dev/null | sort -V | tail -1 || true)
[ -n "$kernel" ] && [ ! -f "/lib/modules/${kernel#/boot/vmlinuz-}/modules.dep" ] && kernel=""
if [ -z "$kernel" ]; then
  echo "Types: deb
URIs: $(python3 "$root/scripts/guest/debian-mirror.py")
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg" > "$state/backports.sources"
  opts=(-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts="$state" -o Dir::State::Lists="$state/lists"
        -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
  apt-get "${opts[@]}" update -qq >/dev/null
  package=$(apt-cache "${opts[@]}" search --names-only '^linux-image-6\.12\.[0-9.+~a-z-]*-amd64$' | awk '{print $1}' | grep -v -e '-dbg' -e '-rt-' -e '-cloud-' | sort -V | tail -1)
  [ -n "$package" ] || { echo "no 6.12 kernel in bookworm-backports" >&2; exit 1; }
  (cd "$root/build/guest/debs" && apt-get "${opts[@]}" download "$package" >/dev/null)
  # Unpack rather than install: no maintainer scripts, no initramfs; the
  # guest boots the vmlinuz directly and loads modules from /lib/modules.
  unpacked=$root/build/guest/unpacked
  rm -rf "$unpacked"; mkdir -p "$unpacked"
  dpkg -x "$root/build/guest/debs/${package}"_*.deb "$unpacked"
  version=$(ls "$unpacked/lib/modules")
  mkdir -p /lib/modules /boot  # a fresh machine has neither a kernel nor modules
  rm -rf "/lib/modules/$version"
  cp -a "$unpacked/lib/modules/$version" "/lib/modules/$version"
  cp "$unpacked/boot/vmlinuz-$version" "$unpacked/boot/config-$version" "$unpacked/boot/System.map-$version" /boot/
  if command -v depmod >/dev/null || [ -x /usr/sbin/depmod ]; then PATH=$PATH:/usr/sbin depmod "$version"; fi
  rm -rf "$unpacked"
  kernel=$(ls /boot/vmlinuz-6.12.*-amd64 | sort -V | tail -1)
fi
echo "$kernel"

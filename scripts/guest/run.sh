#!/usr/bin/env bash
# The guest lane: boots Debian's bookworm-backports 6.12 kernel once under
# QEMU (TCG; KVM does not work here) with virtme-ng, sharing this machine's
# root read-only, and runs the already-built test bundle's suites tagged for
# a full kernel inside it. Prints their output; exits with their status.
#
#   run.sh [FILTER]     FILTER: a swift-testing --filter (default: the guest suites)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
filter=${1:-KernelHookTests|DispatcherTests}
setup_start=$(date +%s)
kernel=$(bash "$root/scripts/guest/setup.sh")
echo "guest lane: setup $(( $(date +%s) - setup_start )) s"
bundle=$root/.build/debug/bpfmanPackageTests.xctest
[ -x "$bundle" ] || { echo "build the tests first (make test-guest, or swift test)" >&2; exit 1; }

out=$root/build/guest/out
rm -rf "$out"; mkdir -p "$out"
# Modules udev would load for emulated hardware only cost boot time.
blacklist=kvm,kvm_intel,kvm_amd,ahci,libata,sr_mod,cdrom,sg,psmouse,i2c_i801,lpc_ich,pcspkr,serio_raw,evdev,aesni_intel
blacklist=$blacklist,sha1_ssse3,sha256_ssse3,sha512_ssse3,crc32_pclmul,crct10dif_pclmul,ghash_clmulni_intel,iTCO_wdt,button,qemu_fw_cfg
# BPF LSM runs only when "bpf" is in the boot's LSM list.
lsm=lockdown,capability,landlock,yama,apparmor,bpf

start=$(date +%s)
# --verbose sends the kernel's own log to the console file, so a guest that
# dies (a panic, an oops, the OOM killer) leaves its reason behind.
timeout 1800 vng --verbose --run "$kernel" --disable-kvm --force-9p --memory 4G --cpus 2 --rwdir "$out" --cwd "$root" \
  --append "modprobe.blacklist=$blacklist lsm=$lsm" \
  --exec "BPFMAN_GUEST_LANE=1 CI=true '$bundle' --testing-library swift-testing --filter '$filter' > '$out/log' 2>&1; echo \$? > '$out/rc'" \
  > "$out/console" 2>&1 < /dev/null || true
echo "guest lane: $(uname -m) host, guest kernel ${kernel#/boot/vmlinuz-}, boot and tests $(( $(date +%s) - start )) s"
cat "$out/log" 2>/dev/null || echo "the guest produced no test output" >&2
if [ -s "$out/rc" ]; then
  rc=$(cat "$out/rc")
else
  echo "the guest ended before its tests did; the last of its console:" >&2
  rc=1
fi
# The kernel's complaints (warnings, oopses, the OOM killer) are worth seeing
# whatever the outcome; the whole console stays in $out/console.
grep -n -E 'WARNING:|BUG:|Oops|Kernel panic|Call Trace|Out of memory|Killed process|segfault|traps:' "$out/console" | head -60 >&2 || true
[ -s "$out/rc" ] || tail -80 "$out/console" >&2
exit "$rc"

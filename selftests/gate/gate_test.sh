#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# gate_test.sh: prove that the gate fails when it must, on the host:
#   - builds selftests/gate/probe/mcr_gate_probe.ko against the debug kernel
#     (scripts/debug-kernel.sh; built there first if not cached);
#   - in one debug VM boot: the probe with mode=none, then kmemleak_check.sh
#     must pass (the control: no false positive), then mode=leak, and
#     kmemleak_check.sh must fail and show the probe's objects; last the
#     probe with mode=uaf: the command succeeds, and vm-run must exit 123
#     because of the KASAN report in the guest kernel log;
#   - on Debian's 6.12 kernel (no kmemleak): kmemleak_check.sh skips, exit 0.
# Prints KTAP; exit 0 when every assertion holds.
#
#   selftests/gate/gate_test.sh [--no-debian]
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
here=selftests/gate

# Inside the VM (called by ourselves through vm-run).
if [ "${1:-}" = --guest-leak ]; then
	ko=$2
	insmod "$ko" mode=none || exit 10
	$here/kmemleak_check.sh --unload mcr_gate_probe || exit 11
	insmod "$ko" mode=leak || exit 12
	$here/kmemleak_check.sh --unload mcr_gate_probe
	rc=$?
	echo "# kmemleak_check.sh after mode=leak exited $rc"
	[ $rc -ne 0 ] || exit 13
	# Succeeds; the use-after-free shows only in the kernel log.
	insmod "$ko" mode=uaf || exit 14
	exit 0
fi

debian=1
[ "${1:-}" = --no-debian ] && debian=0

n=0 failed=0
echo "TAP version 13"
result() { # ok|not ok name [directive]
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n gate: $2${3:+ # $3}"
	else
		failed=$((failed + 1))
		echo "not ok $n gate: $2${3:+ # $3}"
	fi
}
finish() {
	echo "1..$n"
	echo "$((n - failed)) passed, $failed failed, 0 skipped"
	[ "$failed" -eq 0 ]
	exit
}
indent() { sed 's/^/# /'; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The probe, built out of tree in build/KVER/gate-probe/.
if ! kdir=$(scripts/debug-kernel.sh --print-kdir 2>"$tmp/dk.err"); then
	indent <"$tmp/dk.err"
	result "not ok" "debug kernel available"
	finish
fi
image=$(scripts/debug-kernel.sh --print-image 2>/dev/null)
kver=$(cat "$(dirname "$image")/kernelrelease")
out=$top/build/$kver/gate-probe
mkdir -p "$out"
cp -u $here/probe/Kbuild $here/probe/mcr_gate_probe.c "$out/"
if make -s -C "$kdir" M="$out" W=1 modules >"$tmp/build.log" 2>&1 &&
	! grep -q 'warning:' "$tmp/build.log"; then
	result ok "probe module builds against $kver"
else
	indent <"$tmp/build.log"
	result "not ok" "probe module builds against $kver"
	finish
fi
ko=${out#"$top"/}/mcr_gate_probe.ko
export MCR_DEBUG_KERNEL=$image

# Leak: the control must pass, the leak must fail; then the use-after-free
# must turn the command's success into vm-run's 123.
tools/vm-run --kernel debug --timeout 900 --log "$tmp/debug.log" -- \
	$here/gate_test.sh --guest-leak "$ko" >"$tmp/debug.out" 2>&1
rc=$?
indent <"$tmp/debug.out"
case $rc in
10 | 11) result "not ok" "kmemleak_check.sh passes without a leak (control)" "exit $rc" ;;
*) result ok "kmemleak_check.sh passes without a leak (control)" ;;
esac
# 123: the command exited 0, which it does only once the leak was seen.
if [ $rc -eq 123 ] && grep -q '^not ok .*gate: kmemleak: no unreferenced object' "$tmp/debug.out" &&
	grep -q 'mcr-gate-probe-l' "$tmp/debug.out"; then
	result ok "kmemleak_check.sh fails on a leaked allocation and shows it"
else
	result "not ok" "kmemleak_check.sh fails on a leaked allocation and shows it" "vm-run exit $rc"
fi
grep -a -m 3 -e 'KASAN' "$tmp/debug.log" | indent
if [ $rc -eq 123 ] && grep -aq 'BUG: KASAN: slab-use-after-free in probe_uaf' "$tmp/debug.log"; then
	result ok "vm-run exits 123 on a KASAN use-after-free report"
else
	result "not ok" "vm-run exits 123 on a KASAN use-after-free report" "vm-run exit $rc"
fi

# Debian's kernel has no kmemleak: a clean skip, exit 0.
if [ "$debian" = 1 ]; then
	tools/vm-run --kernel 6.12 --timeout 300 -- \
		$here/kmemleak_check.sh --no-unload >"$tmp/deb.out" 2>&1
	rc=$?
	indent <"$tmp/deb.out"
	if [ $rc -eq 0 ] && grep -q '^ok .*kmemleak # SKIP' "$tmp/deb.out"; then
		result ok "kmemleak_check.sh skips on a kernel without kmemleak"
	else
		result "not ok" "kmemleak_check.sh skips on a kernel without kmemleak" "vm-run exit $rc"
	fi
fi
finish

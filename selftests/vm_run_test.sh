#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Self-test of tools/vm-run, run on the HOST. Boots the VM four times
# (~10-15 s each under TCG, plus a 20 s timeout case), and three times a
# kernel that panics at once, and prints KTAP.
#
#   selftests/vm_run_test.sh [--kernel K]     (K is passed to vm-run)
#
# Boots:
#   A  exit status and argv, from an empty
#      cache (MCR_CACHE)                       -> cases 1, 2, 9
#   B  cwd under /tmp, read-only /, env; run
#      with setsid and stdin closed            -> cases 3, 4, 5
#   C  a kernel WARNING fails a passing command -> case 6
#   D  --timeout kills the VM                  -> case 7
#   E  a kernel that panics while booting is
#      booted 3 times, then 125                -> case 8
set -eEuo pipefail
# Name the command that ends the script (subshells: their parent does).
# shellcheck disable=SC2154 # s is set in the trap
trap 's=$?; [ "$BASH_SUBSHELL" -gt 0 ] ||
	echo "${0##*/}: line $LINENO: \"$BASH_COMMAND\" failed (status $s)" >&2' ERR

VM_RUN=$(cd "$(dirname "$0")/../tools" && pwd -P)/vm-run
NUM_TESTS=9

kernel_args=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel)
		[ $# -ge 2 ] || { echo "usage: $0 [--kernel K]" >&2; exit 2; }
		kernel_args=(--kernel "$2")
		shift 2
		;;
	--kernel=*)
		kernel_args=(--kernel "${1#*=}")
		shift
		;;
	*) echo "usage: $0 [--kernel K]" >&2; exit 2 ;;
	esac
done

# Everything happens in a scratch dir under /tmp: it is not a git repo,
# and it lies below a path that is a tmpfs inside the VM, which is exactly
# the CI situation the work share must handle.
SCRATCH=$(mktemp -d /tmp/vm_run_test.XXXXXX)
trap 'rm -rf "$SCRATCH"' EXIT

test_num=0
failed=0

# ok NAME / not_ok NAME [DIAGNOSTIC FILE...]
ok() {
	test_num=$((test_num + 1))
	echo "ok $test_num $1"
}
not_ok() {
	local name=$1 f
	shift
	test_num=$((test_num + 1))
	failed=$((failed + 1))
	echo "not ok $test_num $name"
	for f in "$@"; do
		[ -s "$f" ] || continue
		echo "# --- ${f##*/}:"
		sed 's/^/# /' "$f" | tail -n 25
	done
}
# check NAME TEST-FUNCTION [DIAGNOSTIC FILE...]: one KTAP result.
check() {
	local name=$1 fn=$2
	shift 2
	if "$fn"; then ok "$name"; else not_ok "$name" "$@"; fi
}
# file_is FILE LINE...: FILE holds exactly these lines.
file_is() {
	local f=$1
	shift
	[ -f "$f" ] && [ "$(cat "$f")" = "$(printf '%s\n' "$@")" ]
}

# vm NAME ARGS...: run vm-run from $SCRATCH/NAME with stdin closed;
# stdout/stderr to $SCRATCH/NAME.out/.err, status in RC, seconds in SECS.
vm() {
	local name=$1 t0
	shift
	mkdir -p "$SCRATCH/$name"
	t0=$EPOCHREALTIME
	RC=0
	(cd "$SCRATCH/$name" && "$@") \
		<&- >"$SCRATCH/$name.out" 2>"$SCRATCH/$name.err" || RC=$?
	SECS=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	echo "# boot $name: exit $RC after $SECS s"
}

T_START=$EPOCHREALTIME
echo "TAP version 13"
echo "1..$NUM_TESTS"
echo "# vm-run: $VM_RUN ${kernel_args[*]}"

# --- A: exit status and argv --------------------------------------------
# The empty argument and the embedded quote are what naive quoting loses.
# A fresh machine has no cache: this boot starts from an empty one.
vm A env MCR_CACHE="$SCRATCH/cache" "$VM_RUN" "${kernel_args[@]}" -- \
	sh -c 'printf "%s|" "$@"; exit 7' x 'a b' '' 'c"d'
t_exit() { [ "$RC" -eq 7 ]; }
t_argv() { [ "$(cat "$SCRATCH/A.out")" = 'a b||c"d|' ]; }
check "vm_run: exit status propagates" t_exit "$SCRATCH/A.err"
check "vm_run: argv is preserved" t_argv "$SCRATCH/A.out" "$SCRATCH/A.err"
t_empty_cache() {
	compgen -G "$SCRATCH/cache/initramfs/*.cpio" >/dev/null
}

# --- B: cwd, file system, environment, no terminal ---------------------
# setsid: no controlling terminal, as under CI. The guest script records
# what it saw in files next to it, which the host must then see.
# shellcheck disable=SC2016 # expanded in the guest
guest_b='
pwd >cwd.txt
echo written >result.txt
if touch /mcr-vm-run-test 2>/dev/null; then echo "/ writable"; else echo "/ read-only"; fi >fs.txt
for d in /tmp /var/tmp /root /run; do
	if touch "$d/x" 2>/dev/null; then echo "$d writable"; else echo "$d not writable"; fi
done >>fs.txt
printf "%s\n" "MCR_VM_TEST_VAR=$MCR_VM_TEST_VAR" "CI=$CI" "HOME=$HOME" "NOT_PASSED=${NOT_PASSED-unset}" >env.txt
[ -t 0 ] && echo "stdin is a tty" >>env.txt
exit 0'
vm B env MCR_VM_TEST_VAR="x 'y' \$z" CI=true NOT_PASSED=1 \
	setsid -w "$VM_RUN" "${kernel_args[@]}" -- sh -c "$guest_b"
d=$SCRATCH/B
t_cwd() {
	[ "$RC" -eq 0 ] && file_is "$d/cwd.txt" "$d" && file_is "$d/result.txt" written
}
t_fs() {
	file_is "$d/fs.txt" '/ read-only' '/tmp writable' '/var/tmp writable' \
		'/root writable' '/run writable'
}
t_env() {
	file_is "$d/env.txt" "MCR_VM_TEST_VAR=x 'y' \$z" CI=true HOME=/root NOT_PASSED=unset
}
check "vm_run: cwd under /tmp is the same path and writable" t_cwd \
	"$d/cwd.txt" "$SCRATCH/B.err"
check "vm_run: / is read-only, /tmp /var/tmp /root /run writable" t_fs \
	"$d/fs.txt" "$SCRATCH/B.err"
check "vm_run: MCR_* and CI passed, others not, stdin not a tty" t_env \
	"$d/env.txt" "$SCRATCH/B.err"

# --- C: a kernel WARNING fails a command that exited 0 -----------------
# A real WARN needs lkdtm, which Debian's kernels do not ship (a debug
# kernel may have it). Without it, inject a WARNING line through
# /dev/kmsg: that proves the log scan, not that a real WARN reaches the
# log, and the test name says so.
# shellcheck disable=SC2016 # expanded in the guest
guest_c='
if modprobe -q lkdtm 2>/dev/null; [ -w /sys/kernel/debug/provoke-crash/DIRECT ]; then
	echo WARNING >/sys/kernel/debug/provoke-crash/DIRECT
	echo trigger=lkdtm
else
	echo "<4>WARNING: CPU: 0 PID: 1 at mcr-vm-run-selftest (injected via /dev/kmsg)" >/dev/kmsg
	echo trigger=kmsg
fi
exit 0'
vm C "$VM_RUN" "${kernel_args[@]}" -- sh -c "$guest_c"
if grep -q trigger=lkdtm "$SCRATCH/C.out"; then
	name_c="vm_run: real WARN (lkdtm) fails a passing command with 123"
else
	name_c="vm_run: WARNING line in kernel log (injected via /dev/kmsg) fails a passing command with 123"
fi
t_warn() {
	[ "$RC" -eq 123 ] && grep -q '^vm-run: guest kernel log: .*WARNING:' "$SCRATCH/C.err"
}
check "$name_c" t_warn "$SCRATCH/C.out" "$SCRATCH/C.err"

# --- D: timeout ----------------------------------------------------------
vm D "$VM_RUN" "${kernel_args[@]}" --timeout 20 -- sleep 1000
t_timeout() {
	[ "$RC" -eq 124 ] && awk -v s="$SECS" 'BEGIN { exit !(s < 30) }' &&
		grep -q '^vm-run: timeout after 20 s, VM killed' "$SCRATCH/D.err"
}
check "vm_run: --timeout 20 kills the VM with 124 within 30 s" t_timeout \
	"$SCRATCH/D.err"

# --- E: a kernel crash before COMMAND starts is retried, then fails ------
# No init in the initramfs: the kernel panics at once, every time.
vm E env MCR_VM_APPEND=rdinit=/mcr-vm-run-test-no-such-init \
	"$VM_RUN" "${kernel_args[@]}" --log "$SCRATCH/E.log" -- true
# vm-run quotes a boot's first crash line: under TCG a stray int3 (see
# tools/vm-run) may print an Oops before the panic, so either is accepted.
t_boot_retry() {
	[ "$RC" -eq 125 ] &&
		[ "$(grep -cE 'crashed while booting, before COMMAND started: .*(Kernel panic|Oops).*booting again' "$SCRATCH/E.err")" -eq 2 ] &&
		grep -q 'Kernel panic' "$SCRATCH/E.log.boot1" &&
		grep -q 'Kernel panic' "$SCRATCH/E.log.boot2" &&
		grep -q 'Kernel panic' "$SCRATCH/E.log" &&
		grep -q 'never reported an exit status' "$SCRATCH/E.err"
}
check "vm_run: a boot-time kernel panic is booted again twice, then 125" \
	t_boot_retry "$SCRATCH/E.err"

check "vm_run: boot A built its initramfs in an empty MCR_CACHE" t_empty_cache \
	"$SCRATCH/A.err"

echo "# total $(awk -v a="$T_START" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
echo "# $((NUM_TESTS - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]

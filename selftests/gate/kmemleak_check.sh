#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kmemleak_check.sh: the leak gate, run INSIDE the VM at the end of a run.
# Unloads the given modules (default: mcr, if loaded), then has kmemleak
# scan twice with a pause between (as netdev CI does: an object is only
# reported once it is older than kmemleak's minimum age, 5 s, and seen
# unreferenced), and fails on any "unreferenced object".
#
#   selftests/gate/kmemleak_check.sh [--unload MOD]... [--no-unload]
#                                    [--clear | --no-scan REASON]
#
#   --unload MOD   rmmod MOD first (repeatable; default: mcr if loaded);
#                  a failing rmmod is a failure (a leaked reference shows
#                  up this way)
#   --no-unload    unload nothing
#   --clear        instead of checking: scan once and mark every current
#                  suspect as seen ("clear"), so that a later check reports
#                  only what leaked after this point. Use it right before
#                  loading the module if the kernel leaks by itself at boot.
#   --no-scan REASON  unload only; the kmemleak line is a SKIP giving REASON
#                  (a boot with kmemleak=off, whose leaks another boot scans)
#
# KASAN, lockdep, WARN, ref_tracker etc. are not checked here: vm-run fails
# the run (exit 123) on those lines in the guest kernel log.
#
# Prints KTAP lines ("ok N gate: ..."); exit 0 when clean, 1 on a leak or a
# failing unload. Without kmemleak in the kernel (Debian's kernels): a SKIP
# line, exit 0. Environment: MCR_KMEMLEAK_WAIT (s between scans, default 6).
set -u

unload=()
default_unload=1
mode=check
no_scan_reason=
while [ $# -gt 0 ]; do
	case $1 in
	--unload) unload+=("$2"); default_unload=0; shift 2 ;;
	--no-unload) default_unload=0; shift ;;
	--clear) mode=clear; shift ;;
	--no-scan) mode=no-scan; no_scan_reason=$2; shift 2 ;;
	*) echo "usage: $0 [--unload MOD]... [--no-unload] [--clear | --no-scan REASON]" >&2; exit 2 ;;
	esac
done
[ "$default_unload" = 0 ] || [ ! -d /sys/module/mcr ] || unload=(mcr)

dbg=/sys/kernel/debug
km=$dbg/kmemleak
wait_s=${MCR_KMEMLEAK_WAIT:-6}
n=0 failed=0

result() { # ok|not ok|skip name [directive]
	n=$((n + 1))
	case $1 in
	ok) echo "ok $n gate: $2" ;;
	skip) echo "ok $n gate: $2 # SKIP ${3:-}" ;;
	*) failed=$((failed + 1)); echo "not ok $n gate: $2${3:+ # $3}" ;;
	esac
}

mountpoint -q "$dbg" 2>/dev/null || mount -t debugfs debugfs "$dbg" 2>/dev/null

for m in "${unload[@]}"; do
	if [ ! -d "/sys/module/$m" ]; then
		result ok "rmmod $m (not loaded)"
	elif out=$(rmmod "$m" 2>&1); then
		result ok "rmmod $m"
	else
		echo "# rmmod $m: $out"
		result "not ok" "rmmod $m"
	fi
done

if [ "$mode" = no-scan ] || [ ! -e "$km" ]; then
	[ "$mode" = no-scan ] ||
		no_scan_reason="kernel $(uname -r) has no CONFIG_DEBUG_KMEMLEAK"
	result skip "kmemleak" "$no_scan_reason"
	echo "1..$n"
	[ "$failed" -eq 0 ]
	exit
fi

scan() {
	local out
	if ! out=$( { echo scan >"$km"; } 2>&1); then
		echo "# echo scan > $km: $out"
		echo "# kmemleak is disabled (kmemleak=off, or it turned itself off:"
		echo "# see the kernel log for 'kmemleak:')"
		return 1
	fi
}

if [ "$mode" = clear ]; then
	if scan && echo clear >"$km" 2>/dev/null; then
		result ok "kmemleak: baseline cleared"
	else
		result "not ok" "kmemleak: baseline cleared"
	fi
	echo "1..$n"
	[ "$failed" -eq 0 ]
	exit
fi

# Objects freed after an RCU grace period or by a workqueue right after the
# unload must not count: let them go, and let new leaks age past 5 s.
sleep 1
if scan && sleep "$wait_s" && scan; then
	report=$(cat "$km")
	leaks=$(grep -c 'unreferenced object' <<<"$report")
	if [ "$leaks" -eq 0 ]; then
		result ok "kmemleak: no unreferenced object"
	else
		sed 's/^/# /' <<<"$report" | head -n 200
		result "not ok" "kmemleak: no unreferenced object" "$leaks found"
	fi
else
	result "not ok" "kmemleak: scan"
fi
echo "1..$n"
[ "$failed" -eq 0 ]

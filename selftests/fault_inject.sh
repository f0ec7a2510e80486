#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fault_inject: every slab allocation a request makes fails once, in turn
# (fail-nth, Documentation/fault-injection/fault-injection.rst), and each
# failure leaves nothing behind; a notification that cannot be allocated
# reaches the monitor as ENOBUFS, not silence.
#  1. rule-new of a rule with two outputs (nojoin) into an empty table, for
#     n = 1, 2, ... until the request has no n-th fault site: either the
#     rule with both outputs exists (id in the reply, ack 0 or ENOBUFS on
#     the request socket if the ack was lost) and the monitor got its
#     rule-new notification or ENOBUFS, or the request failed (sendmsg,
#     or ENOMEM with the module's extack or, failed in genetlink before
#     the handler, none) and nothing exists (netns rules=0 outputs=0) nor
#     was notified. At least one n must give "added, the monitor got
#     ENOBUFS": mcr_nl_notify_rule()'s genl_set_err().
#  2. stats-reset of every rule, a rule with counters moved by a few
#     packets set up anew for each n: either every counter is 0, or the
#     request failed (ENOMEM, "no counter was reset") and every counter
#     is as it was; the table is intact either way.
# nl_failnth.py does the sweeps (one thread, so that fail-nth counts the
# request's allocations); the kmemleak gate after the selftests catches
# what a failure path leaks. Skips without fail-nth and failslab (Debian's
# kernels); the debug kernel has them (scripts/debug.config).
#
#   +--------------------------------------------+
#   |  $R   va 10.14.0.1 --veth-- vb (input)     |   239.14.0.1:5000
#   |                             d0, d1 (dummy  |   -> outputs d0, d1
#   |                                   outputs) |
#   +--------------------------------------------+

source "$(dirname "$0")/lib.sh"

PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
DBG=/sys/kernel/debug
FAILSLAB=$DBG/failslab
SAVED_WAIT=
SAVED_VERBOSE=

# shellcheck disable=SC2317  # called from the EXIT trap
restore_failslab()
{
	[ -z "$SAVED_WAIT" ] || echo "$SAVED_WAIT" >"$FAILSLAB/ignore-gfp-wait"
	[ -z "$SAVED_VERBOSE" ] || echo "$SAVED_VERBOSE" >"$FAILSLAB/verbose"
}

# sweep WHAT: nl_failnth.py WHAT in $R; its output goes to the log, its
# summary lines are checked by the caller from $TMPD/WHAT.out.
sweep()
{
	local what=$1 t0 rc

	t0=$(now_ms)
	ip netns exec "$R" "$PYTHON" "$SELFTESTS_DIR/nl_failnth.py" "$what" \
		--iif "$(ifindex "$R" vb)" --oif "$(ifindex "$R" d0)" \
		--oif2 "$(ifindex "$R" d1)" --tx-addr 10.14.0.1 \
		>"$TMPD/$what.out" 2>&1
	rc=$?
	# Every n's outcome, then the summary: the reader sees the sweep.
	cat "$TMPD/$what.out"
	log "$what sweep took $((($(now_ms) - t0) / 1000))s"
	check_eq "nl_failnth.py $what exit status" "$rc" 0
}

# summary WHAT PATTERN: the count of the summary line "N x PATTERN".
summary()
{
	awk -v p="$2" '$2 == "summary:" && $4 == "x" {
		line = $0; sub(/^# summary: +[0-9]+ x /, "", line)
		if (line == p) print $3 }' "$TMPD/$1.out"
}

main()
{
	local sites

	require_root
	[ -e /proc/thread-self/fail-nth ] ||
		skip "kernel $(uname -r) has no /proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION)"
	mountpoint -q "$DBG" 2>/dev/null || mount -t debugfs debugfs "$DBG" 2>/dev/null
	[ -d "$FAILSLAB" ] ||
		skip "kernel $(uname -r) has no $FAILSLAB (CONFIG_FAILSLAB, CONFIG_FAULT_INJECTION_DEBUG_FS)"
	require_cmd ip awk jq
	[ -n "$PYTHON" ] || die "python3 not found"
	modprobe -q veth 2>/dev/null
	modprobe -q dummy 2>/dev/null
	require_module

	# GFP_KERNEL allocations fail only with ignore-gfp-wait off; no
	# stack dump per injected fault (vm-run reads the log for splats).
	SAVED_WAIT=$(cat "$FAILSLAB/ignore-gfp-wait")
	SAVED_VERBOSE=$(cat "$FAILSLAB/verbose")
	trap 'cleanup; restore_failslab' EXIT
	echo N >"$FAILSLAB/ignore-gfp-wait" || die "cannot set failslab/ignore-gfp-wait"
	echo 0 >"$FAILSLAB/verbose" || die "cannot set failslab/verbose"

	setup_ns R
	veth_pair "$R" va "$R" vb 10.14.0.1/24
	dummies "$R" d 2

	# 1. rule-new.
	sweep rule-new
	sites=$(sed -n 's/^# summary: \([0-9]*\) fault sites$/\1/p' "$TMPD/rule-new.out")
	check_ge "rule-new fault sites" "${sites:-}" 5
	check_ge "rule added, the monitor got ENOBUFS" \
		"$(summary rule-new "added, the monitor got ENOBUFS")" 1
	check_ge "rule-new refused with the module's ENOMEM" \
		"$(summary rule-new "error ENOMEM (out of memory, or the memory cgroup's limit reached)")" 1
	check_eq "rules after the rule-new sweep" "$(netns_stat "$R" rules)" 0
	check_eq "outputs after the rule-new sweep" "$(netns_stat "$R" outputs)" 0

	# 2. stats-reset of every rule.
	sweep stats-reset
	sites=$(sed -n 's/^# summary: \([0-9]*\) fault sites$/\1/p' "$TMPD/stats-reset.out")
	check_ge "stats-reset fault sites" "${sites:-}" 3
	check_ge "stats-reset refused with the module's ENOMEM" \
		"$(summary stats-reset "error ENOMEM (out of memory, or the memory cgroup's limit reached: no counter was reset)")" 1
	check_eq "rules after the stats-reset sweep" "$(netns_stat "$R" rules)" 0

	test_exit
}

main "$@"

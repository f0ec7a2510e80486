#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# memcg_limit: what a request allocates is charged to the caller's memory
# cgroup, and the cgroup's limit refuses a rule cleanly.
#  1. mcr-nl, in a cgroup without a limit, adds a rule of 1024 outputs: the
#     rule's memory is charged to the cgroup (memory.stat: percpu), and
#     given back when the rule is deleted.
#  2. In a new cgroup (no charge cached per CPU, nothing to reclaim) with
#     memory.max at 64 KiB, the same request
#     (nl_memcg.py, which joins the cgroup just before sending it, so that
#     the rule is what reaches the limit) fails with ENOMEM and the
#     kernel's message, without an OOM kill (memory.events), and leaves
#     nothing: no rule, no output, no per-CPU byte charged.
#  3. Without the limit, the same request succeeds.
# Also: the module parameters refuse values out of their bounds and keep
# the old value.
#
#   +-----------------------+
#   |  $R   d0 (input)      |   dummy devices; no traffic
#   |       d1 (outputs)    |
#   +-----------------------+

source "$(dirname "$0")/lib.sh"

OUTPUTS=1024
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
CGROOT=/sys/fs/cgroup

# memstat CGROUP KEY: a field of a cgroup's memory.stat.
memstat()
{
	awk -v k="$2" '$1 == k { print $2 }' "$1/memory.stat"
}

memevent()
{
	awk -v k="$2" '$1 == k { print $2 }' "$1/memory.events"
}

check_param_bounds()
{
	local p=$1 bad=$2 old

	old=$(cat "/sys/module/mcr/parameters/$p")
	check_fail "$p=$bad refused" sh -c "echo $bad > /sys/module/mcr/parameters/$p"
	check_fail "$p=0 refused" sh -c "echo 0 > /sys/module/mcr/parameters/$p"
	check_eq "$p unchanged" "$(cat "/sys/module/mcr/parameters/$p")" "$old"
	# Had it been taken, the next tests would run with it.
	echo "$old" >"/sys/module/mcr/parameters/$p"
}

# shellcheck disable=SC2317  # called from the EXIT trap
cleanup_cgroup()
{
	local cg

	for cg in "${CG:-}" "${CG_LIMITED:-}"; do
		[ -n "$cg" ] && [ -d "$cg" ] && rmdir "$cg" 2>/dev/null
	done
}

# add_in_cgroup GROUP: "mcr-nl rule add" of a rule of $OUTPUTS outputs,
# run inside the test cgroup; stderr in $TMPD/add.err, returns its status.
add_in_cgroup()
{
	# Into the cgroup first: "ip netns exec" mounts the namespace's own
	# /sys, without the cgroup file system.
	sh -c 'echo $$ > "$1/cgroup.procs" && exec ip netns exec "$2" "$3" -batch "$4"' \
		sh "$CG" "$R" "$MCR_NL" "$TMPD/$1.batch" >/dev/null 2>"$TMPD/add.err"
}

# raw_add_in_cgroup CGROUP GROUP: the same rule from nl_memcg.py, in CGROUP
# for the request only (then back in CGROUP's parent); prints its
# "errno=... msg=..." line.
raw_add_in_cgroup()
{
	ip netns exec "$R" "$PYTHON" "$SELFTESTS_DIR/nl_memcg.py" --procs-fd 3 \
		--iif "$(ifindex "$R" d0)" --oif "$(ifindex "$R" d1)" --group "$2" \
		--outputs $OUTPUTS --leave-fd 4 3>"$1/cgroup.procs" \
		4>"$(dirname "$1")/cgroup.procs" 2>&1
}

main()
{
	local i ports="" out rc

	require_all
	[ -n "$PYTHON" ] || die "python3 not found"
	check_param_bounds max_rules 65537
	check_param_bounds max_outputs_per_rule 1025

	grep -qw memory "$CGROOT/cgroup.controllers" 2>/dev/null ||
		die "no cgroup2 memory controller at $CGROOT"
	echo +memory >"$CGROOT/cgroup.subtree_control" ||
		die "cannot enable the memory controller"
	CG=$CGROOT/mcr-memcg-$$
	CG_LIMITED=$CGROOT/mcr-memcg-limited-$$
	mkdir "$CG" "$CG_LIMITED" || die "cannot create $CG and $CG_LIMITED"
	trap 'cleanup; cleanup_cgroup' EXIT

	setup_ns R
	dummies "$R" d 2
	for ((i = 1; i <= OUTPUTS; i++)); do
		ports+=" oif d1 port $i"
	done
	echo "rule add iif d0 group 239.12.0.1$ports" >"$TMPD/239.12.0.1.batch"

	# 1. Charged, and given back.
	add_in_cgroup 239.12.0.1 || die "rule add in the cgroup failed: $(cat "$TMPD/add.err")"
	check_ok "per-CPU counters charged to the cgroup" test "$(memstat "$CG" percpu)" -gt 0
	log "charged with the rule: $(memstat "$CG" percpu) per-CPU bytes," \
		"$(cat "$CG/memory.current") in all"
	mcr_nl "$R" rule flush || die "rule flush failed"
	check_eq "per-CPU bytes charged after the delete" \
		"$(wait_for_eq 30 0 memstat "$CG" percpu)" 0

	# 2. Refused at the limit, and nothing left. A new cgroup: one that
	# charged before may hold charges cached per CPU (up to 64 pages
	# each), which its next allocations use before the limit counts.
	echo $((64 << 10)) >"$CG_LIMITED/memory.max" || die "cannot set memory.max"
	out=$(raw_add_in_cgroup "$CG_LIMITED" 239.12.0.2)
	rc=$?
	log "nl_memcg.py exit status $rc: $out"
	[ $rc -ne 137 ] || dmesg | grep -A 24 "invoked oom-killer" | sed 's/^/#   /'
	check_eq "nl_memcg.py exit status at the limit" "$rc" 0
	check_eq "oom_kill events" "$(memevent "$CG_LIMITED" oom_kill)" 0
	check_eq "the kernel's answer at the limit" "$out" \
		"errno=ENOMEM msg=out of memory, or the memory cgroup's limit reached"
	check_eq "rules after the refusal" "$(netns_stat "$R" rules)" 0
	check_eq "outputs after the refusal" "$(netns_stat "$R" outputs)" 0
	check_eq "per-CPU bytes charged after the refusal" \
		"$(wait_for_eq 30 0 memstat "$CG_LIMITED" percpu)" 0

	# 3. Without the limit, the same request goes through.
	echo max >"$CG_LIMITED/memory.max"
	check_eq "the kernel's answer without the limit" \
		"$(raw_add_in_cgroup "$CG_LIMITED" 239.12.0.2)" "errno=0 msg="
	check_eq "rules without the limit" "$(netns_stat "$R" rules)" 1
	test_exit
}

main "$@"

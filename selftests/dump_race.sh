#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dump_race: a rule dump that a change interrupts resumes on the right
# rule and says it raced. Rules 1 and 2 on d0 have $N outputs each on d1
# (too many for one dump message); between dump batches, rule 1 is
# deleted, or its outputs are replaced by N on d2. nl_dump_race.py then checks that
# rule 2 is listed whole (before the fix it was listed from the output
# index where rule 1 had been cut), that no message mixes old and new
# outputs, and that the first message made after the change is flagged
# NLM_F_DUMP_INTR. Rule dumps and stats dumps both.
#
#   +-----------------------+
#   |  $R   d0 (input)      |   dummy devices; no traffic
#   |       d1 (outputs)    |
#   +-----------------------+

source "$(dirname "$0")/lib.sh"

N=1000
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}

# add_rule GROUP: a rule on d0 with N outputs on d1, ports 1..N.
add_rule()
{
	local group=$1 i
	local args=(iif d0 group "$group")

	for ((i = 1; i <= N; i++)); do
		args+=(oif d1 port "$i")
	done
	rule_add "$R" "${args[@]}"
}

case_run()
{
	local cmd=$1 change=$2 cut next rc out

	mcr_nl "$R" rule flush >/dev/null
	cut=$(add_rule 239.9.5.1)
	next=$(add_rule 239.9.5.2)
	[ "$next" -gt "$cut" ] || die "rule ids not ascending: $cut, $next"
	out=$(ip netns exec "$R" "$PYTHON" "$SELFTESTS_DIR/nl_dump_race.py" \
		--cmd "$cmd" --change "$change" --cut "$cut" --next "$next" \
		--outputs $N --iif "$(ifindex "$R" d0)" --oif "$(ifindex "$R" d1)" \
		--oif2 "$(ifindex "$R" d2)" \
		--group 239.9.5.1 2>&1)
	rc=$?
	echo "${out//# /# [$cmd $change] }"
	check_eq "$cmd dump, $change between batches: nl_dump_race.py exit status" "$rc" 0
}

main()
{
	require_all
	[ -n "$PYTHON" ] || die "python3 not found"
	setup_ns R
	for d in d0 d1 d2; do
		ip -n "$R" link add $d type dummy || die "cannot create $d"
		ip -n "$R" link set $d up
	done
	for cmd in rule stats; do
		for change in del replace; do
			case_run $cmd $change
		done
	done
	test_exit
}

main "$@"

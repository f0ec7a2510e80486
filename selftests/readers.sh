#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# readers: what any user reads, and the counters reset.
#  1. stats-reset of one rule zeroes that rule's and its outputs' counters
#     and nothing else; counting goes on from zero; stats-reset without an
#     id zeroes every rule, output and namespace counter.
#  2. rule and stats dumps filtered by input device (iif) or rule id list
#     exactly those rules.
#  3. a rule at the output limit (1024 outputs, every rewrite) is read
#     whole by mcr-nl and by the kernel's YNL CLI at their default buffer
#     sizes: get, dump, stats get and stats dump.
# The requests the tool has no command for are sent with the YNL CLI
# (tools/net/ynl/cli.py of Debian's linux-source-6.12, extracted by
# scripts/ynl-gen.sh), driven by the project's spec.
#
#   +----------+            +-------------+ oa ------- sa [$SK]
#   |   src    |            |     $R      |
#   |      vs0 +------------+ vi          | d0 (dummy input), d1 (dummy output)
#   | 10.0.0.1 |  10.0.0.2  |             |
#   +----------+            +-------------+

source "$(dirname "$0")/lib.sh"

N=$(scaled 200)
M=$(scaled 50)
RATE=2000
G1=239.10.0.1
G2=239.10.0.2
G3=239.10.0.3
GX=239.10.0.99
P=9400
BIG=1024
PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
YNL_CLI=${MCR_CACHE:-/var/cache/mcr}/ynl-6.12/tools/net/ynl/cli.py
SPEC=$REPO_DIR/Documentation/netlink/specs/mcr.yaml

# ynl ARGS...: the YNL CLI in the relay namespace; JSON on stdout. The
# 6.12 schema predates the uns-admin-perm flag the spec uses: no schema.
ynl()
{
	ip netns exec "$R" "$PYTHON" "$YNL_CLI" --spec "$SPEC" --no-schema \
		--output-json "$@"
}

send()
{
	local group=$1 count=$2 flow=$3 sent

	sent=$(send_udp "$SRC" --iface vs0 --dst "$group" --port $P --flow "$flow" \
		--count "$count" --rate $RATE --ttl 16 --size 200)
	check_eq "sent to $group" "$sent" "$count"
}

# ids JSON: the rule ids of a ynl dump, sorted and unique, space separated.
ids()
{
	jq -r '[.[] | (.id // ."rule-id")] | unique | map(tostring) | join(" ")'
}

main()
{
	local a b c big i vi d0 out args

	require_all
	[ -n "$PYTHON" ] || die "python3 not found"
	[ -f "$YNL_CLI" ] || die "$YNL_CLI missing: run scripts/ynl-gen.sh on the host"
	setup_ns SRC R SK
	veth_pair "$SRC" vs0 "$R" vi 10.0.0.1/24 10.0.0.2/24
	veth_pair "$R" oa "$SK" sa 10.0.1.1/24 10.0.1.2/24
	for d in d0 d1; do
		ip -n "$R" link add $d type dummy || die "cannot create $d"
		ip -n "$R" link set $d up
	done
	vi=$(ifindex "$R" vi)
	d0=$(ifindex "$R" d0)

	a=$(rule_add "$R" iif vi group $G1 port $P oif oa oif d1)
	b=$(rule_add "$R" iif vi group $G2 port $P oif d1)
	c=$(rule_add "$R" iif d0 group $G3 oif d1)

	# 1. Reset.
	send $G1 "$N" 1
	send $G2 "$N" 2
	send $GX "$M" 3
	check_eq "rule a packets" "$(wait_for_eq 10 "$N" rule_stat "$R" "$a" packets)" "$N"
	check_eq "rule b packets" "$(wait_for_eq 10 "$N" rule_stat "$R" "$b" packets)" "$N"
	check_eq "no_match" "$(wait_for_eq 10 "$M" netns_stat "$R" no_match)" "$M"

	out=$(ynl --do stats-reset --json "{\"rule-id\": $a}" 2>&1)
	check_eq "stats-reset rule a: exit status ($out)" $? 0
	check_eq "rule a packets after its reset" "$(rule_stat "$R" "$a" packets)" 0
	check_eq "rule a bytes after its reset" "$(rule_stat "$R" "$a" bytes)" 0
	check_eq "rule a oa packets after its reset" "$(output_stat "$R" "$a" oa packets)" 0
	check_eq "rule a d1 bytes after its reset" "$(output_stat "$R" "$a" d1 bytes)" 0
	check_eq "rule b packets after rule a's reset" "$(rule_stat "$R" "$b" packets)" "$N"
	check_eq "rule b d1 packets after rule a's reset" \
		"$(output_stat "$R" "$b" d1 packets)" "$N"
	check_eq "no_match after rule a's reset" "$(netns_stat "$R" no_match)" "$M"

	send $G1 "$N" 4
	check_eq "rule a packets counted again" "$(wait_for_eq 10 "$N" rule_stat "$R" "$a" packets)" "$N"
	check_eq "rule a oa packets counted again" "$(wait_for_eq 10 "$N" output_stat "$R" "$a" oa packets)" "$N"
	check_eq "rule a d1 packets counted again" "$(output_stat "$R" "$a" d1 packets)" "$N"
	check_eq "rule a bytes counted again" "$(rule_stat "$R" "$a" bytes)" $((N * 228))

	out=$(ynl --do stats-reset 2>&1)
	check_eq "stats-reset all: exit status ($out)" $? 0
	for id in "$a" "$b"; do
		check_eq "rule $id packets after the reset of all" \
			"$(rule_stat "$R" "$id" packets)" 0
		check_eq "rule $id d1 packets after the reset of all" \
			"$(output_stat "$R" "$id" d1 packets)" 0
	done
	check_eq "no_match after the reset of all" "$(netns_stat "$R" no_match)" 0
	send $GX "$M" 5
	check_eq "no_match counted again" "$(wait_for_eq 10 "$M" netns_stat "$R" no_match)" "$M"

	# 2. Filtered dumps.
	check_eq "rule dump, iif vi" \
		"$(ynl --dump rule-get --json "{\"iif\": $vi}" | ids)" "$a $b"
	check_eq "rule dump, iif d0" \
		"$(ynl --dump rule-get --json "{\"iif\": $d0}" | ids)" "$c"
	check_eq "rule dump, id b" \
		"$(ynl --dump rule-get --json "{\"id\": $b}" | ids)" "$b"
	check_eq "rule dump, all" "$(ynl --dump rule-get | ids)" "$a $b $c"
	check_eq "stats dump, iif vi" \
		"$(ynl --dump stats-get --json "{\"iif\": $vi}" | ids)" "$a $b"
	check_eq "stats dump, rule-id c" \
		"$(ynl --dump stats-get --json "{\"rule-id\": $c}" | ids)" "$c"

	# 3. The largest rule, every rewrite on every output.
	args=(iif vi group 239.10.1.1 port "$P")
	for ((i = 1; i <= BIG; i++)); do
		args+=(oif d1 group 239.10.2.1 port "$i" ttl 7 source 10.0.0.200)
	done
	big=$(rule_add "$R" "${args[@]}")
	# Each reply is read once (the CLI is slow under TCG) and checked
	# several ways.
	out=$(ynl --do rule-get --json "{\"id\": $big}")
	check_eq "ynl get: outputs of the largest rule" \
		"$(jq '.output | length' <<<"$out")" $BIG
	# Counters come in output-stats, the n-th of a message the n-th
	# output's; the output nests hold configuration only.
	check_eq "ynl get: one output-stats per output" \
		"$(jq -c '[(."output-stats" | length),
			   ([.output[] | select(has("stats"))] | length)]' <<<"$out")" \
		"[$BIG,0]"
	check_eq "ynl get: counters of its last output" \
		"$(jq '."output-stats"[-1].packets' <<<"$out")" 0
	out=$(ynl --do stats-get --json "{\"rule-id\": $big}")
	check_eq "ynl stats get: outputs of the largest rule" \
		"$(jq '.output | length' <<<"$out")" $BIG
	check_eq "ynl stats get: counters of its last output" \
		"$(jq '.output[-1].stats.packets' <<<"$out")" 0
	out=$(ynl --dump rule-get)
	check_eq "ynl dump: outputs of the largest rule" \
		"$(jq "[.[] | select(.id == $big) | .output[]] | length" <<<"$out")" $BIG
	# Spread over several messages, each with the counters of its own.
	check_eq "ynl dump: messages of the largest rule pair counters with outputs" \
		"$(jq -c "[.[] | select(.id == $big)] |
			  [length > 1, all((.\"output-stats\" | length) == (.output | length))]" <<<"$out")" \
		"[true,true]"
	check_eq "ynl stats dump: outputs of the largest rule" \
		"$(ynl --dump stats-get |
		   jq "[.[] | select(.\"rule-id\" == $big) | .output[]] | length")" $BIG
	check_eq "mcr-nl rule show id: outputs of the largest rule" \
		"$(mcr_nl "$R" -j rule show id "$big" |
		   jq '(if type == "array" then .[0] else . end).outputs | length')" $BIG
	check_eq "mcr-nl rule show: outputs of the largest rule" \
		"$(mcr_nl "$R" -j rule show |
		   jq "[.[] | select(.id == $big) | .outputs[]] | length")" $BIG
	test_exit
}

main "$@"

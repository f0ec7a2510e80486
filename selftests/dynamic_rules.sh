#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# dynamic_rules: rules added, deleted and replaced while a stream runs.
#
#   +----------+              +-----------+ oa ------- sa [$SA]
#   |   src    |              |    $R     |
#   |      vs0 +--------------+ vi        | ob ------- sb [$SB]
#   | 10.0.0.1 |   10.0.0.2   |           |
#   +----------+              +-----------+ d0..d3 (dummy, for unrelated rules)
#
# Over IPv4, or over IPv6 with MCR_TEST_FAMILY=6 (dynamic_rules6.sh): then
# 10.0.N.H is fd00:N::H and the groups are ff3e::4:1 (239.4.0.1),
# ff3e::4:1:I (239.4.1.I) and ff3e::4:2:1 (239.4.2.1).
#
# Each step streams 6000 packets at 1000 pps of 239.4.0.1:8001 (a fresh flow
# id per step; long, because under TCG one mcr-nl call takes about a second)
# and acts once the relay input's rx counter shows the stream is well under
# way: a counter is polled, nothing sleeps. Each step also checks that the
# action really happened mid-stream.
#  1. add: the rule appears mid-stream; sa receives a contiguous tail
#     [k, N-1] (no gaps, no duplicates) and the rule and output counters
#     equal what sa received.
#  2. delete: the rule goes away mid-stream; sa received a contiguous head
#     [0, k-1].
#  3. replace: outputs swapped from oa to ob mid-stream; sa gets [0, k-1],
#     sb gets [k, N-1]: together exactly N, nothing twice, nothing lost. The
#     rule keeps its id and its packet counter reads N.
#  4. replace storm: batches (mcr-nl -batch) of 100 swaps back and forth,
#     with unrelated rules added and deleted in between, run while the
#     stream flows; sa + sb unique == N, no duplicate, no reordering.
#  5. counters across a replace: an output left as it was (same device
#     and rewrite, wherever it is in the list) keeps its counters; a
#     changed or new output starts at zero.
# The IPv6 run also checks that every packet arrives with hop limit 15
# (sent with 16) and the sender's flow label, and byte counters of IPv6
# lengths (40 + 8 + payload) where packets are counted: a replace keeps
# those of an unchanged output too.

source "$(dirname "$0")/lib.sh"

N=6000
RATE=1000
G=$(pick 239.4.0.1 ff3e::4:1)
G_STORM=$(pick 239.4.1. ff3e::4:1:)	# + a number: the storms' unrelated rules
G_KEEP=$(pick 239.4.2.1 ff3e::4:2:1)
P=8001
# What only IPv6 checks: the flow label comes through, the hop limit goes
# down by one (the IPv4 receivers check no TTL).
SEND6=()
RECV6=()
if is_ipv6; then
	SEND6=(--flowlabel 0x4d1)
	RECV6=(--ttl 15 --flowlabel 0x4d1)
fi

# vi_rx: packets of the stream the relay's input device has received so far.
vi_rx()
{
	stream_rx "$R" vi "$SRC" vs0
}

# check_bytes6 NAME GOT PACKETS SIZE: in the IPv6 run, a byte counter is
# PACKETS IPv6 lengths of SIZE-byte payloads.
check_bytes6()
{
	! is_ipv6 || check_eq "$1" "$2" $(($3 * (IP_HLEN + 8 + $4)))
}

# check_clean NAME: a receiver saw no corruption, duplicate or reordering.
check_clean()
{
	local name=$1 f

	for f in dup reordered bad_payload bad_csum bad_mac bad_hdr sock_drops; do
		check_eq "$name $f" "$(recv_field "$name" "$f")" 0
	done
}

start_sinks()
{
	local flow=$1

	start_recv "a$flow" "$SA" --iface sa --group "$G" --port $P --flow "$flow" \
		--expect any --timeout 60 "${RECV6[@]}"
	start_recv "b$flow" "$SB" --iface sb --group "$G" --port $P --flow "$flow" \
		--expect any --timeout 60 "${RECV6[@]}"
}

stop_sinks()
{
	local flow=$1

	stop_recv "a$flow"
	stop_recv "b$flow"
	finish_recv "a$flow"
	finish_recv "b$flow"
}

# stream FLOW [COUNT]: a background sender (default N packets).
stream()
{
	send_bg "s$1" "$SRC" --iface vs0 --dst "$G" --port $P --flow "$1" --count "${2:-$N}" \
		--rate $RATE --ttl 16 --size 200 "${SEND6[@]}"
}

# wait_stream MIN: the relay input has received MIN more packets than
# when the step started (RX0).
wait_stream()
{
	wait_counter_ge 20 $((RX0 + $1)) vi_rx || log_fail "the stream did not get under way"
}

step_add()
{
	local id sent first

	log "=== step 1: add during traffic"
	start_sinks 1
	RX0=$(vi_rx)
	stream 1
	wait_stream 1000
	id=$(rule_add "$R" iif vi group "$G" port $P oif oa)
	send_wait s1
	sent=$SENT
	check_eq "sent" "$sent" $N
	stop_sinks 1
	check_clean a1
	first=$(recv_field a1 min_seq)
	check_ge "first seq relayed (rule added mid-stream)" "$first" 1000
	check_eq "sa missing (gaps)" "$(recv_field a1 missing)" 0
	check_eq "sa max_seq" "$(recv_field a1 max_seq)" $((N - 1))
	check_eq "sa unique = N - first seq" "$(recv_field a1 unique)" $((N - first))
	check_eq "sb unique" "$(recv_field b1 unique)" 0
	check_eq "rule packets = sa unique" "$(rule_stat "$R" "$id" packets)" "$(recv_field a1 unique)"
	check_eq "output oa packets = sa unique" "$(output_stat "$R" "$id" oa packets)" \
		"$(recv_field a1 unique)"
	check_bytes6 "rule bytes" "$(rule_stat "$R" "$id" bytes)" "$(recv_field a1 unique)" 200
	check_bytes6 "output oa bytes" "$(output_stat "$R" "$id" oa bytes)" \
		"$(recv_field a1 unique)" 200
	check_ok "rule del" mcr_nl "$R" rule del id "$id"
}

step_del()
{
	local id sent unique

	log "=== step 2: delete during traffic"
	id=$(rule_add "$R" iif vi group "$G" port $P oif oa)
	start_sinks 2
	RX0=$(vi_rx)
	stream 2
	wait_stream 1000
	check_ok "rule del during traffic" mcr_nl "$R" rule del id "$id"
	send_wait s2
	sent=$SENT
	check_eq "sent" "$sent" $N
	stop_sinks 2
	check_clean a2
	unique=$(recv_field a2 unique)
	check_eq "sa min_seq" "$(recv_field a2 min_seq)" 0
	check_eq "sa missing (gaps)" "$(recv_field a2 missing)" 0
	check_eq "sa unique = last seq + 1" "$unique" $(($(recv_field a2 max_seq) + 1))
	check_ge "sa unique" "$unique" 1000
	check_eq "deleted mid-stream (sa got less than N)" \
		"$([ "$unique" -lt $N ] && echo yes || echo "no: $unique")" yes
	check_eq "rules left" "$(rule_count "$R")" 0
}

step_replace()
{
	local id sent a b id2

	log "=== step 3: replace oa -> ob during traffic"
	id=$(rule_add "$R" iif vi group "$G" port $P name rep oif oa)
	start_sinks 3
	RX0=$(vi_rx)
	stream 3
	wait_stream 1500
	check_ok "rule replace" mcr_nl "$R" rule replace iif vi group "$G" port $P name rep oif ob
	send_wait s3
	sent=$SENT
	check_eq "sent" "$sent" $N
	stop_sinks 3
	check_clean a3
	check_clean b3
	a=$(recv_field a3 unique)
	b=$(recv_field b3 unique)
	check_eq "sa + sb unique" $((a + b)) $N
	check_ge "sa unique (before the swap)" "$a" 1500
	check_ge "sb unique (after the swap)" "$b" 1
	check_eq "sa missing" "$(recv_field a3 missing)" 0
	check_eq "sb missing" "$(recv_field b3 missing)" 0
	check_eq "sa min_seq" "$(recv_field a3 min_seq)" 0
	check_eq "sb min_seq = sa max_seq + 1" "$(recv_field b3 min_seq)" \
		$(($(recv_field a3 max_seq) + 1))
	check_eq "sb max_seq" "$(recv_field b3 max_seq)" $((N - 1))
	id2=$(mcr_nl "$R" -j rule show | jq -r '.[] | select(.group == "'"$G"'") | .id')
	check_eq "rule id kept by replace" "$id2" "$id"
	check_eq "rule packets" "$(rule_stat "$R" "$id" packets)" $N
	check_eq "output ob packets = sb unique" "$(output_stat "$R" "$id" ob packets)" "$b"
	check_bytes6 "rule bytes" "$(rule_stat "$R" "$id" bytes)" $N 200
	check_bytes6 "output ob bytes" "$(output_stat "$R" "$id" ob bytes)" "$b" 200
	check_eq "outputs after replace" \
		"$(mcr_nl "$R" -j rule show id "$id" | jq -r '(if type == "array" then .[0] else . end).outputs | map(.oif) | join(",")')" ob
	check_ok "rule del" mcr_nl "$R" rule del id "$id"
}

# storm_batch FILE: 100 replaces alternating oa/ob, with an unrelated rule
# added and deleted every 10 swaps. Ends on oa.
storm_batch()
{
	local i

	for ((i = 1; i <= 100; i++)); do
		if ((i % 2)); then
			echo "rule replace iif vi group $G port $P oif ob"
		else
			echo "rule replace iif vi group $G port $P oif oa"
		fi
		if ((i % 10 == 0)); then
			echo "rule add iif vi group $G_STORM$i port $P oif d$((i % 4))"
			echo "rule del iif vi group $G_STORM$i port $P"
		fi
	done >"$1"
}

step_storm()
{
	local id sent a b nomatch0 round

	log "=== step 4: replace storms (mcr-nl -batch) during traffic"
	# Step 2 may have counted a few no_match between the delete and the
	# hook's removal; from here on, nothing may miss.
	nomatch0=$(netns_stat "$R" no_match)
	storm_batch "$TMPD/storm"
	id=$(rule_add "$R" iif vi group "$G" port $P oif oa)
	start_sinks 4
	RX0=$(vi_rx)
	# The stream runs until stopped, so every storm lands mid-stream
	# however slowly the batches run; the totals are what it sent.
	stream 4 0
	for round in 1 2 3; do
		wait_stream $((round * 1500))
		mcr_nl "$R" -batch "$TMPD/storm" || log_fail "storm batch $round"
	done
	wait_stream $((3 * 1500 + 500))
	send_stop s4
	sent=$SENT
	check_ge "sent" "$sent" $((3 * 1500 + 500))
	stop_sinks 4
	check_clean a4
	check_clean b4
	a=$(recv_field a4 unique)
	b=$(recv_field b4 unique)
	check_eq "sa + sb unique" $((a + b)) "$sent"
	check_ge "sb unique (some packets went the other way)" "$b" 1
	check_eq "rule packets" "$(rule_stat "$R" "$id" packets)" "$sent"
	check_eq "no_match" "$(netns_stat "$R" no_match)" "$nomatch0"
	check_eq "rules" "$(netns_stat "$R" rules)" 1
	mcr_nl "$R" rule flush || log_fail "flush"
	check_eq "rules after flush" "$(netns_stat "$R" rules)" 0
}

step_keep_counters()
{
	local id sent k=$((N / 20)) g=$G_KEEP

	log "=== step 5: a replace keeps the counters of unchanged outputs"
	id=$(rule_add "$R" iif vi group "$g" port $P oif d0 oif d1 port 9001)
	sent=$(send_udp "$SRC" --iface vs0 --dst "$g" --port $P --flow 5 --count $k \
		--rate $RATE)
	check_eq "sent" "$sent" $k
	check_eq "d0 packets" "$(wait_for_eq 10 $k output_stat "$R" "$id" d0 packets)" $k
	check_eq "d1 packets" "$(output_stat "$R" "$id" d1 packets)" $k
	# d0 as it was (now second), d1 with another port, d2 new.
	check_ok "rule replace" mcr_nl "$R" rule replace iif vi group "$g" port $P \
		oif d2 oif d0 oif d1 port 9002
	check_eq "d0 packets, kept" "$(output_stat "$R" "$id" d0 packets)" $k
	check_bytes6 "d0 bytes, kept" "$(output_stat "$R" "$id" d0 bytes)" $k 100
	check_eq "d1 packets, changed: from zero" "$(output_stat "$R" "$id" d1 packets)" 0
	check_eq "d2 packets, new: from zero" "$(output_stat "$R" "$id" d2 packets)" 0
	sent=$(send_udp "$SRC" --iface vs0 --dst "$g" --port $P --flow 6 --count $k \
		--rate $RATE)
	check_eq "sent after replace" "$sent" $k
	check_eq "d0 packets after" \
		"$(wait_for_eq 10 $((2 * k)) output_stat "$R" "$id" d0 packets)" $((2 * k))
	check_eq "d1 packets after" "$(wait_for_eq 10 $k output_stat "$R" "$id" d1 packets)" $k
	check_eq "d2 packets after" "$(wait_for_eq 10 $k output_stat "$R" "$id" d2 packets)" $k
	check_eq "rule packets" "$(rule_stat "$R" "$id" packets)" $((2 * k))
	check_ok "rule del" mcr_nl "$R" rule del id "$id"
}

main()
{
	require_all
	setup_ns SRC R SA SB
	family_ns "$SRC" "$R" "$SA" "$SB"
	veth_pair "$SRC" vs0 "$R" vi "$(cidr_in 0 1)" "$(cidr_in 0 2)"
	veth_pair "$R" oa "$SA" sa "$(cidr_in 1 1)" "$(cidr_in 1 2)"
	veth_pair "$R" ob "$SB" sb "$(cidr_in 2 1)" "$(cidr_in 2 2)"
	dummies "$R" d 4

	step_add
	step_del
	step_replace
	step_storm
	step_keep_counters
	test_exit
}

main "$@"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sg_precedence: the most specific rule wins:
#   (S,G,port) > (*,G,port) > (S,G,any) > (*,G,any)
#
#   +-------------+                 +----------------+             +---------+
#   |    src      |                 |       $R       | p1 ------ q1|         |
#   |  vs0        +-----------------+ vi             | p2 ------ q2|   sk    |
#   | 10.0.0.1/24 |   10.0.0.2/24   |                | p3 ------ q3|         |
#   | 10.0.0.3/24 |                 |                | p4 ------ q4|         |
#   +-------------+                 +----------------+             +---------+
#
#   rule A (10.0.0.1, 239.3.0.1, 7001) -> p1
#   rule B (*,        239.3.0.1, 7001) -> p2
#   rule C (10.0.0.1, 239.3.0.1, any)  -> p3
#   rule D (*,        239.3.0.1, any)  -> p4
# added least specific first, so insertion order cannot explain the result.
#
#   flow 1: 10.0.0.1 -> 239.3.0.1:7001  matches A   (300 packets)
#   flow 2: 10.0.0.3 -> 239.3.0.1:7001  matches B   (400)
#   flow 3: 10.0.0.1 -> 239.3.0.1:7002  matches C   (500)
#   flow 4: 10.0.0.3 -> 239.3.0.1:7002  matches D   (600)
#   flow 5: 10.0.0.1 -> 239.3.0.9:7001  matches nothing: no_match += 100
# Distinct counts make any misrouting visible in the counters. Then rule A
# is deleted and flow 1 falls back to B; then B, and it falls back to C.
#
# Over IPv6 with MCR_TEST_FAMILY=6 (sg_precedence6.sh): 10.0.0.H is
# fd00::H, 239.3.0.X is ff3e::3:X, and also
#   flow 6: 10.0.0.1 -> 239.3.0.1:7001  IPv4 on the same input, where only
#           IPv6 rules are: matches nothing, no_match += 50
# and every relayed packet of flows 1-4 arrives with hop limit 15 (sent
# with 16).

source "$(dirname "$0")/lib.sh"

RATE=2000
G=$(pick 239.3.0.1 ff3e::3:1)
S1=$(addr_in 0 1)	# the source of (S,G) rules A and C
S3=$(addr_in 0 3)	# another source
# Packets no rule matches: flow 5 (and the IPv6 run's flow 6).
NO_MATCH=$(pick 100 150)
RECV6=()
if is_ipv6; then
	RECV6=(--ttl 15)
fi

# flow_send FLOW SRC PORT COUNT [GROUP]
flow_send()
{
	local flow=$1 src=$2 port=$3 count=$4 group=${5:-$G} sent

	sent=$(send_udp "$SRC" --iface vs0 --src "$src" --dst "$group" --port "$port" \
		--flow "$flow" --count "$count" --rate $RATE --ttl 16 --size 100)
	check_eq "flow $flow sent" "$sent" "$count"
}

# expect_counters A B C D: rule packet counters and output counters.
expect_counters()
{
	local want=("$@") i

	for i in 0 1 2 3; do
		check_eq "rule ${NAMES[i]} packets" "$(rule_stat "$R" "${IDS[i]}" packets)" "${want[i]}"
		check_eq "rule ${NAMES[i]} output p$((i + 1)) packets" \
			"$(output_stat "$R" "${IDS[i]}" "p$((i + 1))" packets)" "${want[i]}"
	done
}

main()
{
	local i
	NAMES=(A B C D)
	IDS=()

	require_all
	setup_ns SRC R SK
	family_ns "$SRC" "$R" "$SK"
	veth_pair "$SRC" vs0 "$R" vi "$(cidr_in 0 1)" "$(cidr_in 0 2)"
	addr_add "$SRC" vs0 "$(cidr_in 0 3)"
	# For flow 6, IPv4 into the IPv6 rules.
	if is_ipv6; then
		ip -n "$SRC" addr add 10.0.0.1/24 dev vs0
	fi
	for i in 1 2 3 4; do
		veth_pair "$R" "p$i" "$SK" "q$i"
	done

	# Least specific first.
	IDS[3]=$(rule_add "$R" iif vi group "$G" name D oif p4)
	IDS[2]=$(rule_add "$R" iif vi group "$G" source "$S1" name C oif p3)
	IDS[1]=$(rule_add "$R" iif vi group "$G" port 7001 name B oif p2)
	IDS[0]=$(rule_add "$R" iif vi group "$G" port 7001 source "$S1" name A oif p1)
	log "rules A B C D: ${IDS[*]}"

	# Each sink interface sees exactly its flow, and nothing else.
	start_recv q1 "$SK" --iface q1 --group "$G" --port 7001 --flow 1 --expect 300 \
		--saddr "$S1" "${RECV6[@]}"
	start_recv q2 "$SK" --iface q2 --group "$G" --port 7001 --flow 2 --expect 400 \
		--saddr "$S3" "${RECV6[@]}"
	start_recv q3 "$SK" --iface q3 --group "$G" --port 7002 --flow 3 --expect 500 \
		--saddr "$S1" "${RECV6[@]}"
	start_recv q4 "$SK" --iface q4 --group "$G" --port 7002 --flow 4 --expect 600 \
		--saddr "$S3" "${RECV6[@]}"

	flow_send 1 "$S1" 7001 300
	flow_send 2 "$S3" 7001 400
	flow_send 3 "$S1" 7002 500
	flow_send 4 "$S3" 7002 600
	flow_send 5 "$S1" 7001 100 "$(pick 239.3.0.9 ff3e::3:9)"
	if is_ipv6; then
		flow_send 6 10.0.0.1 7001 50 239.3.0.1
	fi
	for i in 1 2 3 4; do
		check_recv "q$i"
	done
	for i in 1 2 3 4; do
		check_eq "q$i other_flow" "$(recv_field "q$i" other_flow)" 0
	done
	expect_counters 300 400 500 600
	check_eq "no_match" "$(netns_stat "$R" no_match)" "$NO_MATCH"

	log "--- delete A: flow 1 falls back to B (*,G,port)"
	check_ok "rule del A" mcr_nl "$R" rule del id "${IDS[0]}"
	start_recv q2b "$SK" --iface q2 --group "$G" --port 7001 --flow 1 --expect 200 \
		--saddr "$S1"
	flow_send 1 "$S1" 7001 200
	check_recv q2b
	check_eq "rule B packets" "$(rule_stat "$R" "${IDS[1]}" packets)" 600

	log "--- delete B by key: flow 1 falls back to C (S,G,any)"
	check_ok "rule del B by key" mcr_nl "$R" rule del iif vi group "$G" port 7001
	start_recv q3b "$SK" --iface q3 --group "$G" --port 7001 --flow 1 --expect 150 \
		--saddr "$S1"
	flow_send 1 "$S1" 7001 150
	check_recv q3b
	check_eq "rule C packets" "$(rule_stat "$R" "${IDS[2]}" packets)" 650
	check_eq "rule D packets" "$(rule_stat "$R" "${IDS[3]}" packets)" 600
	check_eq "no_match" "$(netns_stat "$R" no_match)" "$NO_MATCH"
	test_exit
}

main "$@"

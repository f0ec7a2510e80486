#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tree_fanout: one input, many outputs.
#
#                                +---------------------------+
#   +--------+                   |            $R             | o1 --- s1 [$S1] 239.2.0.1:6001
#   |  src   |                   |                           | o2 --- s2 [$S2] 239.2.0.2:6002 (rewritten)
#   |    vs0 +-------------------+ vi                        | o3 --- s3 [$S3] 239.2.0.1:6001 ttl 5, source auto
#   |10.0.0.1|   10.0.0.2/24     |                           |
#   +--------+                   |                           | f0..f49 ===== g0..g49 [$SK]   (50 veth)
#                                |                           |
#                                |  d0 .. d1023 (dummy)      |
#                                +---------------------------+
#
# Step 1 (tree): 239.2.0.1:6001 on vi -> o1, o2 (group/port rewritten),
#   o3 (TTL 5, source = o3's address); each receiver gets every packet
#   exactly once with valid checksums and the expected headers. Twice:
#   with every output taking fragment lists (veth's default), and with o3
#   not taking them (tx-scatter-gather-fraglist off), the two ways the
#   outputs share a payload.
# Step 2 (high fan-out, the predecessor's high_fanout_50): 239.2.0.50:6050
#   -> f0..f49, veth pairs into one sink namespace. Every output counter
#   equals the number sent, every peer device received exactly that many
#   frames, and three outputs (first, middle, last) are checked packet by
#   packet.
# Step 3: 239.2.4.0:7024 -> 1024 dummy devices. The rule is accepted with
#   1024 outputs; every output counter and every dummy's tx counter equals
#   the number sent.
#
# Over IPv6 with MCR_TEST_FAMILY=6 (tree_fanout6.sh): 10.0.N.H is
# fd00:N::H, the groups are ff3e::2:1, ff3e::2:2, ff3e::2:50 and
# ff3e::2:400 (for 239.2.4.0), TTL is the hop limit, and o3's source the
# address source selection picks on o3, its only global one (fd00:13::1).
# The source also sends traffic class 0x48 and flow label 0xbeef, which
# the step 1 receivers check with the rest (the application's socket:
# hop limit, traffic class and source address); byte counters are IPv6
# lengths (40 + 8 + payload); fragments and zero_checksum end at 0. The
# devices of steps 2 and 3 have IPv6 on but no address (addr_gen_mode
# none), checked on f0..f49: nothing but the relayed packets leaves them
# (no MLD report for a solicited-node group), so device counters can be
# exact.

source "$(dirname "$0")/lib.sh"

G_TREE=$(pick 239.2.0.1 ff3e::2:1)
G_O2=$(pick 239.2.0.2 ff3e::2:2)	# o2's rewritten group
G_FAN50=$(pick 239.2.0.50 ff3e::2:50)
G_FAN1024=$(pick 239.2.4.0 ff3e::2:400)
# What only the IPv6 run checks in step 1 (see above).
SEND6=()
PKT6=()
SOCK6=()
if is_ipv6; then
	SEND6=(--src "$(addr_in 0 1)" --tos 0x48 --flowlabel 0xbeef)
	PKT6=(--tos 0x48 --flowlabel 0xbeef)
	SOCK6=(--ttl 31 --tos 0x48 --saddr "$(addr_in 0 1)")
fi

# tree_round ID ROUND: COUNT packets through the tree rule ID; every
# receiver gets each exactly once, and the counters are ROUND x COUNT.
tree_round()
{
	local id=$1 round=$2 count rate=2000 sent oif

	count=$(scaled 2000)

	start_recv "t1-$round" "$S1" --iface s1 --group "$G_TREE" --port 6001 \
		--expect "$count" --ttl 31 --saddr "$(addr_in 0 1)" --src-port 4001 "${PKT6[@]}"
	start_recv "t2-$round" "$S2" --iface s2 --group "$G_O2" --port 6002 \
		--expect "$count" --ttl 31 --saddr "$(addr_in 0 1)" --src-port 4001 "${PKT6[@]}"
	start_recv "t3-$round" "$S3" --iface s3 --group "$G_TREE" --port 6001 \
		--expect "$count" --ttl 5 --saddr "$(addr_in 13 1)" --src-port 4001 "${PKT6[@]}"
	# A real application on one of them, too.
	start_recv "t2s-$round" "$S2" --mode socket --iface s2 --group "$G_O2" \
		--port 6002 --expect "$count" "${SOCK6[@]}"
	sent=$(send_udp "$SRC" --iface vs0 --dst "$G_TREE" --port 6001 --src-port 4001 \
		--ttl 32 --size 512 --count "$count" --rate $rate "${SEND6[@]}")
	check_eq "sent" "$sent" "$count"
	check_recv "t1-$round"
	check_recv "t2-$round"
	check_recv "t3-$round"
	check_recv "t2s-$round"

	count=$((round * count))
	check_eq "rule packets" "$(rule_stat "$R" "$id" packets)" "$count"
	# IP length: 20 (IPv6: 40) + 8 + 512.
	check_eq "rule bytes" "$(rule_stat "$R" "$id" bytes)" $((count * (IP_HLEN + 520)))
	for oif in o1 o2 o3; do
		check_eq "output $oif packets" "$(output_stat "$R" "$id" $oif packets)" "$count"
		check_eq "output $oif bytes" "$(output_stat "$R" "$id" $oif bytes)" \
			$((count * (IP_HLEN + 520)))
	done
	check_output_drops "$R" "$id"
}

step_tree()
{
	local id

	log "=== step 1: one input, three receivers"
	setup_ns S1 S2 S3
	family_ns "$S1" "$S2" "$S3"
	veth_pair "$R" o1 "$S1" s1 "$(cidr_in 11 1)" "$(cidr_in 11 2)"
	veth_pair "$R" o2 "$S2" s2 "$(cidr_in 12 1)" "$(cidr_in 12 2)"
	veth_pair "$R" o3 "$S3" s3 "$(cidr_in 13 1)" "$(cidr_in 13 2)"

	id=$(rule_add "$R" iif vi group "$G_TREE" port 6001 name tree \
		oif o1 \
		oif o2 group "$G_O2" port 6002 \
		oif o3 ttl 5 source auto)

	# veth takes fragment lists: the outputs share the payload as one.
	tree_round "$id" 1
	# An output device that does not (most NICs): the payload is copied
	# once and the outputs share its pages.
	log "o3 without fragment lists"
	ip netns exec "$R" ethtool -K o3 tx-scatter-gather-fraglist off >/dev/null ||
		die "cannot turn fragment lists off on o3"
	check_eq "o3 fragment lists" \
		"$(ip netns exec "$R" ethtool -k o3 | awk '$1 == "tx-scatter-gather-fraglist:" { print $2 }')" off
	tree_round "$id" 2
	check_ok "rule del" mcr_nl "$R" rule del id "$id"
}

# dev_counter NS PREFIX WHAT: statistics/WHAT of every device PREFIX<number>
# in NS, one per line (one cat: 1024 forks are slow under TCG).
dev_counter()
{
	local ns=$1 prefix=$2 what=$3

	# shellcheck disable=SC2016  # expanded by the inner shell
	ip netns exec "$ns" sh -c 'cat /sys/class/net/"$1"[0-9]*/statistics/"$2"' \
		sh "$prefix" "$what"
}

# check_all_equal NAME WANT N: stdin has N values, one per line, all WANT.
# Shown as "COUNTxVALUE ..." so a mismatch says how many differ and how.
check_all_equal()
{
	local name=$1 want=$2 n=$3 summary

	summary=$(sort -n | uniq -c | awk '{ printf "%s%dx%s", sep, $1, $2; sep = " " }')
	check_eq "$name" "$summary" "${n}x$want"
}

# no_addresses NS: devices made in NS from now on get no IPv6 address (not
# even a link-local one), hence join no solicited-node group and send no
# MLD report: only the relayed packets leave them.
no_addresses()
{
	ip netns exec "$1" sh -c 'echo 1 > /proc/sys/net/ipv6/conf/default/addr_gen_mode' ||
		die "cannot set addr_gen_mode in $1"
}

step_fanout50()
{
	local count rate=1000 n=50 id sent i args=()

	count=$(scaled 1000)

	log "=== step 2: 50 outputs over veth"
	setup_ns SK
	if is_ipv6; then
		ns_ipv6 "$SK"
		no_addresses "$R"
	fi
	# One ip -batch per side (50 x veth_pair is minutes under TCG).
	for ((i = 0; i < n; i++)); do
		echo "link add f$i type veth peer name g$i netns $SK"
		echo "link set f$i up"
	done | ip -n "$R" -batch - || die "cannot create 50 veth pairs"
	for ((i = 0; i < n; i++)); do
		args+=(oif "f$i")
	done
	for ((i = 0; i < n; i++)); do
		echo "link set g$i up"
	done | ip -n "$SK" -batch - || die "cannot set the 50 peers up"
	if is_ipv6; then
		check_eq "IPv6 addresses on f0..f49" \
			"$(ip -n "$R" -6 -o addr show | awk '$2 ~ /^f[0-9]+$/' | wc -l)" 0
	fi
	id=$(rule_add "$R" iif vi group "$G_FAN50" port 6050 name fan50 "${args[@]}")
	check_eq "outputs in rule" \
		"$(mcr_nl "$R" -j rule show id "$id" | jq -r '(if type == "array" then .[0] else . end).outputs | length')" $n

	for i in 0 24 49; do
		start_recv "g$i" "$SK" --iface "g$i" --group "$G_FAN50" --port 6050 \
			--expect "$count" --ttl 31
	done
	sent=$(send_udp "$SRC" --iface vs0 --dst "$G_FAN50" --port 6050 --ttl 32 \
		--size 200 --count "$count" --rate $rate)
	check_eq "sent" "$sent" "$count"
	for i in 0 24 49; do
		check_recv "g$i"
	done

	check_eq "rule packets" "$(rule_stat "$R" "$id" packets)" "$count"
	output_stats_all "$R" "$id" packets | check_all_equal "output packets (count x value)" "$count" $n
	output_stats_all "$R" "$id" bytes |
		check_all_equal "output bytes (count x value)" $((count * (IP_HLEN + 208))) $n
	check_output_drops "$R" "$id"
	dev_counter "$SK" g rx_packets | check_all_equal "peer rx_packets (count x value)" "$count" $n
	mcr_nl "$R" rule del id "$id" || log_fail "rule del $id"
}

step_fanout1024()
{
	local count rate=100 n=1024 id sent i max last args=()

	count=$(scaled 200)

	log "=== step 3: 1024 outputs on dummy devices"
	max=$(netns_stat "$R" max_outputs)
	log "max_outputs per rule: $max"
	dummies "$R" d $n
	args=()
	for ((i = 0; i < n; i++)); do
		args+=(oif "d$i")
	done
	id=$(rule_add "$R" iif vi group "$G_FAN1024" port 7024 name fan1024 "${args[@]}")
	check_eq "netns outputs" "$(netns_stat "$R" outputs)" $n

	sent=$(send_udp "$SRC" --iface vs0 --dst "$G_FAN1024" --port 7024 --ttl 32 \
		--size 100 --count "$count" --rate $rate)
	check_eq "sent" "$sent" "$count"
	# The relay is done with a packet when the dummies' counters moved;
	# wait until the last output has them all (no fixed sleep).
	last=$(wait_for_eq 20 "$count" ip netns exec "$R" cat /sys/class/net/d$((n - 1))/statistics/tx_packets)
	check_eq "last dummy tx_packets" "$last" "$count"
	check_eq "rule packets" "$(rule_stat "$R" "$id" packets)" "$count"
	output_stats_all "$R" "$id" packets | check_all_equal "output packets (count x value)" "$count" $n
	output_stats_all "$R" "$id" bytes |
		check_all_equal "output bytes (count x value)" $((count * (IP_HLEN + 108))) $n
	check_output_drops "$R" "$id"
	dev_counter "$R" d tx_packets | check_all_equal "dummy tx_packets (count x value)" "$count" $n
	# The lighter stats dump must carry all 1024 outputs too.
	check_eq "stats dump outputs" \
		"$(mcr_nl "$R" -j stats id "$id" | jq -r '[.rules[]? | select(.id == '"$id"') | .outputs[]] | length')" $n
}

main()
{
	require_all
	require_cmd ethtool
	setup_ns SRC R
	family_ns "$SRC" "$R"
	veth_pair "$SRC" vs0 "$R" vi "$(cidr_in 0 1)" "$(cidr_in 0 2)"

	step_tree
	step_fanout50
	step_fanout1024
	check_eq "no_match" "$(netns_stat "$R" no_match)" 0
	if is_ipv6; then
		check_eq "fragments" "$(netns_stat "$R" fragments)" 0
		check_eq "zero_checksum" "$(netns_stat "$R" zero_checksum)" 0
	fi
	test_exit
}

main "$@"

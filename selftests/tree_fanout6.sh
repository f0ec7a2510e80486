#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tree_fanout6: tree_fanout over IPv6. One input, many outputs.
#
#                                +---------------------------+
#   +---------+                  |            $R             | o1 --- s1 [$S1] [ff3e::2:1]:6001
#   |  src    |                  |                           | o2 --- s2 [$S2] [ff3e::2:2]:6002 (rewritten)
#   |     vs0 +------------------+ vi                        | o3 --- s3 [$S3] [ff3e::2:1]:6001 hop limit 5,
#   |fd00::1  |   fd00::2/64     |                           |                 source auto (fd00:13::1)
#   +---------+                  |                           | f0..f49 ===== g0..g49 [$SK]   (50 veth)
#                                |                           |
#                                |  d0 .. d1023 (dummy)      |
#                                +---------------------------+
#
# Step 1 (tree): [ff3e::2:1]:6001 on vi -> o1, o2 (group/port rewritten),
#   o3 (hop limit 5, source = the address source selection picks on o3,
#   its only global one); each receiver gets every packet exactly once
#   with valid checksums and the expected headers (hop limit, traffic
#   class, flow label, source address and port). Twice: with every output
#   taking fragment lists (veth's default), and with o3 not taking them
#   (tx-scatter-gather-fraglist off), the two ways the outputs share a
#   payload.
# Step 2 (high fan-out): [ff3e::2:50]:6050 -> f0..f49, veth pairs into one
#   sink namespace. Every output counter equals the number sent, every
#   peer device received exactly that many frames, and three outputs
#   (first, middle, last) are checked packet by packet.
# Step 3: [ff3e::2:400]:7024 -> 1024 dummy devices. The rule is accepted
#   with 1024 outputs; every output counter and every dummy's tx counter
#   equals the number sent.
# The devices of steps 2 and 3 have IPv6 on but no address (addr_gen_mode
# none): nothing but the relayed packets leaves them (no MLD report for a
# solicited-node group), so device counters can be exact.

source "$(dirname "$0")/lib.sh"

# IPv6 length of the step 1 packets: 40 + 8 + 512.
LEN1=560

# tree_round ID ROUND: COUNT packets through the tree rule ID; every
# receiver gets each exactly once, and the counters are ROUND x COUNT.
tree_round()
{
	local id=$1 round=$2 count rate=2000 sent oif

	count=$(scaled 2000)

	start_recv "t1-$round" "$S1" --iface s1 --group ff3e::2:1 --port 6001 \
		--expect "$count" --ttl 31 --tos 0x48 --flowlabel 0xbeef \
		--saddr fd00::1 --src-port 4001
	start_recv "t2-$round" "$S2" --iface s2 --group ff3e::2:2 --port 6002 \
		--expect "$count" --ttl 31 --tos 0x48 --flowlabel 0xbeef \
		--saddr fd00::1 --src-port 4001
	start_recv "t3-$round" "$S3" --iface s3 --group ff3e::2:1 --port 6001 \
		--expect "$count" --ttl 5 --tos 0x48 --flowlabel 0xbeef \
		--saddr fd00:13::1 --src-port 4001
	# A real application on one of them, too.
	start_recv "t2s-$round" "$S2" --mode socket --iface s2 --group ff3e::2:2 \
		--port 6002 --expect "$count" --ttl 31 --tos 0x48 --saddr fd00::1
	sent=$(send_udp "$SRC" --iface vs0 --src fd00::1 --dst ff3e::2:1 --port 6001 \
		--src-port 4001 --ttl 32 --tos 0x48 --flowlabel 0xbeef --size 512 \
		--count "$count" --rate $rate)
	check_eq "sent" "$sent" "$count"
	check_recv "t1-$round"
	check_recv "t2-$round"
	check_recv "t3-$round"
	check_recv "t2s-$round"

	count=$((round * count))
	check_eq "rule packets" "$(rule_stat "$R" "$id" packets)" $count
	check_eq "rule bytes" "$(rule_stat "$R" "$id" bytes)" $((count * LEN1))
	for oif in o1 o2 o3; do
		check_eq "output $oif packets" "$(output_stat "$R" "$id" $oif packets)" $count
		check_eq "output $oif bytes" "$(output_stat "$R" "$id" $oif bytes)" $((count * LEN1))
	done
	check_output_drops "$R" "$id"
}

step_tree()
{
	local id

	log "=== step 1: one input, three receivers"
	setup_ns S1 S2 S3
	ns_ipv6 "$S1" "$S2" "$S3"
	veth_pair "$R" o1 "$S1" s1 fd00:11::1/64 fd00:11::2/64
	veth_pair "$R" o2 "$S2" s2 fd00:12::1/64 fd00:12::2/64
	veth_pair "$R" o3 "$S3" s3 fd00:13::1/64 fd00:13::2/64

	id=$(rule_add "$R" iif vi group ff3e::2:1 port 6001 name tree \
		oif o1 \
		oif o2 group ff3e::2:2 port 6002 \
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
	ns_ipv6 "$SK"
	no_addresses "$R"
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
	check_eq "IPv6 addresses on f0..f49" \
		"$(ip -n "$R" -6 -o addr show | awk '$2 ~ /^f[0-9]+$/' | wc -l)" 0
	id=$(rule_add "$R" iif vi group ff3e::2:50 port 6050 name fan50 "${args[@]}")
	check_eq "outputs in rule" \
		"$(mcr_nl "$R" -j rule show id "$id" | jq -r '(if type == "array" then .[0] else . end).outputs | length')" $n

	for i in 0 24 49; do
		start_recv "g$i" "$SK" --iface "g$i" --group ff3e::2:50 --port 6050 \
			--expect "$count" --ttl 31
	done
	sent=$(send_udp "$SRC" --iface vs0 --dst ff3e::2:50 --port 6050 --ttl 32 \
		--size 200 --count "$count" --rate $rate)
	check_eq "sent" "$sent" "$count"
	for i in 0 24 49; do
		check_recv "g$i"
	done

	check_eq "rule packets" "$(rule_stat "$R" "$id" packets)" "$count"
	output_stats_all "$R" "$id" packets | check_all_equal "output packets (count x value)" "$count" $n
	output_stats_all "$R" "$id" bytes | check_all_equal "output bytes (count x value)" $((count * 248)) $n
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
	id=$(rule_add "$R" iif vi group ff3e::2:400 port 7024 name fan1024 "${args[@]}")
	check_eq "netns outputs" "$(netns_stat "$R" outputs)" $n

	sent=$(send_udp "$SRC" --iface vs0 --dst ff3e::2:400 --port 7024 --ttl 32 \
		--size 100 --count "$count" --rate $rate)
	check_eq "sent" "$sent" "$count"
	# The relay is done with a packet when the dummies' counters moved;
	# wait until the last output has them all (no fixed sleep).
	last=$(wait_for_eq 20 "$count" ip netns exec "$R" cat /sys/class/net/d$((n - 1))/statistics/tx_packets)
	check_eq "last dummy tx_packets" "$last" "$count"
	check_eq "rule packets" "$(rule_stat "$R" "$id" packets)" "$count"
	output_stats_all "$R" "$id" packets | check_all_equal "output packets (count x value)" "$count" $n
	output_stats_all "$R" "$id" bytes | check_all_equal "output bytes (count x value)" $((count * 148)) $n
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
	ns_ipv6 "$SRC" "$R"
	veth_pair "$SRC" vs0 "$R" vi fd00::1/64 fd00::2/64

	step_tree
	step_fanout50
	step_fanout1024
	check_eq "no_match" "$(netns_stat "$R" no_match)" 0
	check_eq "fragments" "$(netns_stat "$R" fragments)" 0
	check_eq "zero_checksum" "$(netns_stat "$R" zero_checksum)" 0
	test_exit
}

main "$@"

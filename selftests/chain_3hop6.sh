#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# chain_3hop6: chain_3hop over IPv6. A stream crosses three relays; every
# hop rewrites the group and the port, and decrements the hop limit.
#
#   +---------+      +-------------------+      +-------------------+      +-------------------+      +---------+
#   |  src    |      |       $R1         |      |       $R2         |      |       $R3         |      |  sink   |
#   |     vs0 +------+ v1i           v1o +------+ v2i           v2o +------+ v3i           v3o +------+ vk0     |
#   |fd00:1::1|      |fd00:1::2 fd00:2::1|      |fd00:2::2 fd00:3::1|      |fd00:3::2 fd00:4::1|      |fd00:4::2|
#   +---------+      +-------------------+      +-------------------+      +-------------------+      +---------+
#   [ff3e::1:1]:5001 --> [ff3e::1:2]:5002     --> [ff3e::1:3]:5003     --> [ff3e::1:4]:5004
#
# The source sends from fd00:1::1 port 4000 with hop limit 10, traffic
# class 0xb9 (DSCP EF, ECT(1)) and flow label 0x12345; the sink must see
# every packet exactly once, in order, with valid UDP checksums (over the
# rewritten pseudo-header), the group's multicast MAC (33:33:00:01:00:04),
# hop limit 7, traffic class 0xb9, flow label 0x12345, no extension
# header, source fd00:1::1 port 4000 and an identical payload; an
# application's socket joined to the group too. The first relay gets the
# packets as CHECKSUM_PARTIAL (straight from a local socket over veth).
# Every rule and output counter must equal the number sent, with bytes the
# IPv6 length (40 + 8 + payload); no drops, no_match, fragments and
# zero_checksum 0 on every relay. Payload sizes 46 and 1452 (the largest
# that fits a 1500-byte MTU unfragmented) are both run.

source "$(dirname "$0")/lib.sh"

RATE=2000
COUNT=$(scaled 1000)

setup()
{
	setup_ns SRC R1 R2 R3 SINK
	ns_ipv6 "$SRC" "$R1" "$R2" "$R3" "$SINK"
	veth_pair "$SRC" vs0 "$R1" v1i fd00:1::1/64 fd00:1::2/64
	veth_pair "$R1" v1o "$R2" v2i fd00:2::1/64 fd00:2::2/64
	veth_pair "$R2" v2o "$R3" v3i fd00:3::1/64 fd00:3::2/64
	veth_pair "$R3" v3o "$SINK" vk0 fd00:4::1/64 fd00:4::2/64

	ID1=$(rule_add "$R1" iif v1i group ff3e::1:1 port 5001 name hop1 \
		oif v1o group ff3e::1:2 port 5002)
	ID2=$(rule_add "$R2" iif v2i group ff3e::1:2 port 5002 name hop2 \
		oif v2o group ff3e::1:3 port 5003)
	ID3=$(rule_add "$R3" iif v3i group ff3e::1:3 port 5003 name hop3 \
		oif v3o group ff3e::1:4 port 5004)
	log "rules: $R1#$ID1 $R2#$ID2 $R3#$ID3"
}

# check_rule_counters NS ID OIF PACKETS BYTES
check_rule_counters()
{
	local ns=$1 id=$2 oif=$3 packets=$4 bytes=$5

	check_eq "$ns rule $id packets" "$(rule_stat "$ns" "$id" packets)" "$packets"
	check_eq "$ns rule $id bytes" "$(rule_stat "$ns" "$id" bytes)" "$bytes"
	check_eq "$ns rule $id output $oif packets" \
		"$(output_stat "$ns" "$id" "$oif" packets)" "$packets"
	check_eq "$ns rule $id output $oif bytes" \
		"$(output_stat "$ns" "$id" "$oif" bytes)" "$bytes"
	check_output_drops "$ns" "$id"
	check_eq "$ns no_match" "$(netns_stat "$ns" no_match)" 0
	check_eq "$ns fragments" "$(netns_stat "$ns" fragments)" 0
	check_eq "$ns zero_checksum" "$(netns_stat "$ns" zero_checksum)" 0
}

# run_size SIZE FLOW: one stream of COUNT packets of SIZE payload bytes.
run_size()
{
	local size=$1 flow=$2 sent

	log "--- payload $size bytes, $COUNT packets at $RATE pps"
	start_recv "pkt$size" "$SINK" --iface vk0 --group ff3e::1:4 --port 5004 \
		--flow "$flow" --expect "$COUNT" --ttl 7 --tos 0xb9 --flowlabel 0x12345 \
		--expect-exthdr 0 --src-port 4000 --saddr fd00:1::1
	start_recv "sock$size" "$SINK" --mode socket --iface vk0 --group ff3e::1:4 \
		--port 5004 --flow "$flow" --expect "$COUNT" --ttl 7 --tos 0xb9 \
		--flowlabel 0x12345 --src-port 4000 --saddr fd00:1::1
	sent=$(send_udp "$SRC" --iface vs0 --src fd00:1::1 --dst ff3e::1:1 --port 5001 \
		--src-port 4000 --ttl 10 --tos 0xb9 --flowlabel 0x12345 --size "$size" \
		--count "$COUNT" --rate "$RATE" --flow "$flow")
	check_eq "sent ($size)" "$sent" "$COUNT"
	check_recv "pkt$size"
	check_recv "sock$size"
}

main()
{
	local ns id oif bytes h
	local -a hops

	require_all
	setup

	run_size 46 1
	run_size 1452 2

	# Counters are exact: COUNT packets of each size went through each hop.
	# bytes = IPv6 length = 40 + 8 + payload.
	bytes=$((COUNT * (48 + 46) + COUNT * (48 + 1452)))
	hops=("$R1 $ID1 v1o" "$R2 $ID2 v2o" "$R3 $ID3 v3o")
	for h in "${hops[@]}"; do
		read -r ns id oif <<<"$h"
		check_rule_counters "$ns" "$id" "$oif" $((2 * COUNT)) "$bytes"
	done
	test_exit
}

main "$@"

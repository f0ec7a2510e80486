#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# chain_3hop: a stream crosses three relays; every hop rewrites the group
# and the port, and decrements the TTL.
#
#   +--------+      +-----------------+      +-----------------+      +-----------------+      +--------+
#   |  src   |      |      $R1        |      |      $R2        |      |      $R3        |      |  sink  |
#   |    vs0 +------+ v1i         v1o +------+ v2i         v2o +------+ v3i         v3o +------+ vk0    |
#   |10.0.1.1|      |10.0.1.2 10.0.2.1|      |10.0.2.2 10.0.3.1|      |10.0.3.2 10.0.4.1|      |10.0.4.2|
#   +--------+      +-----------------+      +-----------------+      +-----------------+      +--------+
#   239.1.1.1:5001  --> 239.1.1.2:5002      --> 239.1.1.3:5003      --> 239.1.1.4:5004
#
# The source sends with TTL 10 and TOS 0xb9 (DSCP EF, ECT(1)) from port
# 4000; the sink must see every packet exactly once, in order, with valid
# checksums, the group's multicast MAC, TTL 7, TOS 0xb9, source port 4000
# and an identical payload. The first relay gets the packets as
# CHECKSUM_PARTIAL (straight from a local socket over veth). Every rule and
# output counter must equal the number sent. Payload sizes 46 and 1472 (the
# largest that fits a 1500-byte MTU unfragmented) are both run.
#
# Over IPv6 with MCR_TEST_FAMILY=6 (chain_3hop6.sh): 10.0.N.H is
# fd00:N::H, the groups ff3e::1:1 .. ff3e::1:4, TTL the hop limit and TOS
# the traffic class. The source also sets flow label 0x12345; the sink
# must also see that flow label, no extension header, the UDP checksum
# right over the rewritten pseudo-header, MAC 33:33:00:01:00:04, source
# fd00:1::1 (and source port 4000 on the application's socket too). Byte
# counters are IPv6 lengths (40 + 8 + payload), the large payload 1452
# bytes, and zero_checksum is 0 on every relay as well.

source "$(dirname "$0")/lib.sh"

RATE=2000
COUNT=$(scaled 1000)
# The groups of the four links, source to sink.
G1=$(pick 239.1.1.1 ff3e::1:1)
G2=$(pick 239.1.1.2 ff3e::1:2)
G3=$(pick 239.1.1.3 ff3e::1:3)
G4=$(pick 239.1.1.4 ff3e::1:4)
# The largest payload of an unfragmented packet on a 1500-byte MTU.
MAX_SIZE=$((1500 - IP_HLEN - 8))
# What only the IPv6 run checks (see above).
SEND6=()
PKT6=()
SOCK6=()
if is_ipv6; then
	SEND6=(--src "$(addr_in 1 1)" --flowlabel 0x12345)
	PKT6=(--flowlabel 0x12345 --expect-exthdr 0 --saddr "$(addr_in 1 1)")
	SOCK6=(--flowlabel 0x12345 --src-port 4000 --saddr "$(addr_in 1 1)")
fi

setup()
{
	setup_ns SRC R1 R2 R3 SINK
	family_ns "$SRC" "$R1" "$R2" "$R3" "$SINK"
	veth_pair "$SRC" vs0 "$R1" v1i "$(cidr_in 1 1)" "$(cidr_in 1 2)"
	veth_pair "$R1" v1o "$R2" v2i "$(cidr_in 2 1)" "$(cidr_in 2 2)"
	veth_pair "$R2" v2o "$R3" v3i "$(cidr_in 3 1)" "$(cidr_in 3 2)"
	veth_pair "$R3" v3o "$SINK" vk0 "$(cidr_in 4 1)" "$(cidr_in 4 2)"

	ID1=$(rule_add "$R1" iif v1i group "$G1" port 5001 name hop1 \
		oif v1o group "$G2" port 5002)
	ID2=$(rule_add "$R2" iif v2i group "$G2" port 5002 name hop2 \
		oif v2o group "$G3" port 5003)
	ID3=$(rule_add "$R3" iif v3i group "$G3" port 5003 name hop3 \
		oif v3o group "$G4" port 5004)
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
	if is_ipv6; then
		check_eq "$ns zero_checksum" "$(netns_stat "$ns" zero_checksum)" 0
	fi
}

# run_size SIZE FLOW: one stream of COUNT packets of SIZE payload bytes.
run_size()
{
	local size=$1 flow=$2 sent

	log "--- payload $size bytes, $COUNT packets at $RATE pps"
	start_recv "pkt$size" "$SINK" --iface vk0 --group "$G4" --port 5004 \
		--flow "$flow" --expect "$COUNT" --ttl 7 --tos 0xb9 --src-port 4000 "${PKT6[@]}"
	start_recv "sock$size" "$SINK" --mode socket --iface vk0 --group "$G4" \
		--port 5004 --flow "$flow" --expect "$COUNT" --ttl 7 --tos 0xb9 "${SOCK6[@]}"
	sent=$(send_udp "$SRC" --iface vs0 --dst "$G1" --port 5001 --src-port 4000 \
		--ttl 10 --tos 0xb9 --size "$size" --count "$COUNT" --rate "$RATE" \
		--flow "$flow" "${SEND6[@]}")
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
	run_size $MAX_SIZE 2

	# Counters are exact: COUNT packets of each size went through each hop.
	# bytes = IP length = 20 (IPv6: 40) + 8 + payload.
	bytes=$((COUNT * (IP_HLEN + 8 + 46) + COUNT * (IP_HLEN + 8 + MAX_SIZE)))
	hops=("$R1 $ID1 v1o" "$R2 $ID2 v2o" "$R3 $ID3 v3o")
	for h in "${hops[@]}"; do
		read -r ns id oif <<<"$h"
		check_rule_counters "$ns" "$id" "$oif" $((2 * COUNT)) "$bytes"
	done
	test_exit
}

main "$@"

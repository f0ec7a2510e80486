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

source "$(dirname "$0")/lib.sh"

RATE=2000
COUNT=$(scaled 1000)

setup()
{
	setup_ns SRC R1 R2 R3 SINK
	veth_pair "$SRC" vs0 "$R1" v1i 10.0.1.1/24 10.0.1.2/24
	veth_pair "$R1" v1o "$R2" v2i 10.0.2.1/24 10.0.2.2/24
	veth_pair "$R2" v2o "$R3" v3i 10.0.3.1/24 10.0.3.2/24
	veth_pair "$R3" v3o "$SINK" vk0 10.0.4.1/24 10.0.4.2/24

	ID1=$(rule_add "$R1" iif v1i group 239.1.1.1 port 5001 name hop1 \
		oif v1o group 239.1.1.2 port 5002)
	ID2=$(rule_add "$R2" iif v2i group 239.1.1.2 port 5002 name hop2 \
		oif v2o group 239.1.1.3 port 5003)
	ID3=$(rule_add "$R3" iif v3i group 239.1.1.3 port 5003 name hop3 \
		oif v3o group 239.1.1.4 port 5004)
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
}

# run_size SIZE TOTAL_BEFORE: one stream of COUNT packets of SIZE payload
# bytes; counters are cumulative, so the expected totals are passed in.
run_size()
{
	local size=$1 flow=$2 sent

	log "--- payload $size bytes, $COUNT packets at $RATE pps"
	start_recv "pkt$size" "$SINK" --iface vk0 --group 239.1.1.4 --port 5004 \
		--flow "$flow" --expect "$COUNT" --ttl 7 --tos 0xb9 --src-port 4000
	start_recv "sock$size" "$SINK" --mode socket --iface vk0 --group 239.1.1.4 \
		--port 5004 --flow "$flow" --expect "$COUNT" --ttl 7 --tos 0xb9
	sent=$(send_udp "$SRC" --iface vs0 --dst 239.1.1.1 --port 5001 --src-port 4000 \
		--ttl 10 --tos 0xb9 --size "$size" --count "$COUNT" --rate "$RATE" \
		--flow "$flow")
	check_eq "sent ($size)" "$sent" "$COUNT"
	check_recv "pkt$size"
	check_recv "sock$size"
}

main()
{
	local ns id oif bytes
	local -a hops

	require_all
	setup

	run_size 46 1
	run_size 1472 2

	# Counters are exact: COUNT packets of each size went through each hop.
	# bytes = IP length = 20 + 8 + payload.
	bytes=$((COUNT * (28 + 46) + COUNT * (28 + 1472)))
	hops=("$R1 $ID1 v1o" "$R2 $ID2 v2o" "$R3 $ID3 v3o")
	for h in "${hops[@]}"; do
		read -r ns id oif <<<"$h"
		check_rule_counters "$ns" "$id" "$oif" $((2 * COUNT)) "$bytes"
	done
	test_exit
}

main "$@"

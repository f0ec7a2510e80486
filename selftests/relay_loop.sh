#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# relay_loop: two relays that feed each other the same group, with default
# outputs, form a loop that the TTL ends, as it ends a routing loop: every
# relay decrements it and drops the packet at 1 (drop_ttl). Sent with TTL
# 10, each packet crosses B->A->B... and dies in A at TTL 1.
#
#   +-----+ s0 -- bs +-----+ b2 ---- a2 +-----+
#   | src |          | $B  |            | $A  |
#   +-----+          +-----+ b1 ---- a1 +-----+
#
#   B: iif bs -> b2 (TTL 10 -> 9); A: iif a2 -> a1; B: iif b1 -> b2.

source "$(dirname "$0")/lib.sh"

N=$(scaled 50)
RATE=500
G=239.8.3.1
P=9330

main()
{
	local ida idb idin sent

	require_all
	setup_ns SRC A B
	veth_pair "$SRC" s0 "$B" bs 10.0.0.1/24 10.0.0.2/24
	veth_pair "$B" b1 "$A" a1 10.0.1.2/24 10.0.1.1/24
	veth_pair "$B" b2 "$A" a2 10.0.2.2/24 10.0.2.1/24
	idin=$(rule_add "$B" iif bs group $G port $P oif b2)
	idb=$(rule_add "$B" iif b1 group $G port $P oif b2)
	ida=$(rule_add "$A" iif a2 group $G port $P oif a1)

	sent=$(send_udp "$SRC" --iface s0 --dst $G --port $P --flow 1 --count "$N" \
		--rate $RATE --ttl 10 --size 100)
	check_eq "sent" "$sent" "$N"
	# Each packet reaches A with TTL 9, 7, 5, 3 and 1, and B again with
	# 8, 6, 4 and 2; at 1 A drops it. N drops: no packet is still going
	# round, and the counters below are final.
	check_eq "A a1 drop_ttl" \
		"$(wait_for_eq 20 "$N" output_stat "$A" "$ida" a1 drop_ttl)" "$N"
	check_eq "A rule packets" "$(rule_stat "$A" "$ida" packets)" "$((5 * N))"
	check_eq "A a1 packets" "$(output_stat "$A" "$ida" a1 packets)" "$((4 * N))"
	check_eq "B input rule packets" "$(rule_stat "$B" "$idin" packets)" "$N"
	check_eq "B loop rule packets" "$(rule_stat "$B" "$idb" packets)" "$((4 * N))"
	check_eq "B b2 packets (loop)" "$(output_stat "$B" "$idb" b2 packets)" "$((4 * N))"
	check_eq "B b2 drop_ttl (loop)" "$(output_stat "$B" "$idb" b2 drop_ttl)" 0
	test_exit
}

main "$@"

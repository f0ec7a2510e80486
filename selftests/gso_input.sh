#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# gso_input: a UDP_SEGMENT sender hands the relay GSO skbs over veth, each
# holding ten datagrams; every datagram is relayed with its own boundaries,
# every byte and checksum intact, and counted as one packet.
#
#   +--------+  (GSO)     +-----------+ oa ---- sa
#   |  src   | vs0 -- vi  |    $R     |
#   +--------+            +-----------+ ob ---- sb
#
# IPv4 (10.0.N.0/24, groups 239.9.0.FLOW); with MCR_TEST_FAMILY=6
# (gso_input6.sh) the same over IPv6 (fd00:N::/64, groups ff3e::9:FLOW),
# where a datagram is 40 + 8 + payload bytes long.

source "$(dirname "$0")/lib.sh"

N=$(scaled 200)
SEGS=10
SIZE=1000
RATE=2000
P=9400

# run_case FLOW FLAGS: N datagrams, SEGS per send, through one rule.
run_case()
{
	local flow=$1 flags=$2 g id sent rx0 rx
	local ip_len=$((SIZE + $(pick 28 48)))

	g=$(pick "239.9.0.$flow" "ff3e::9:$flow")
	log "=== flow $flow: ${flags:-pass}, $SEGS datagrams of $SIZE bytes per send"
	# shellcheck disable=SC2086 # flags: zero or one word
	id=$(rule_add "$R" iif vi group $g port $P $flags oif oa oif ob)
	start_recv "sa$flow" "$SK" --iface sa --group $g --port $P --flow "$flow" \
		--expect $N --ttl 15
	start_recv "sb$flow" "$SK" --iface sb --group $g --port $P --flow "$flow" \
		--expect $N --ttl 15
	rx0=$(dev_stat "$R" vi rx_packets)
	sent=$(send_udp "$SRC" --iface vs0 --dst $g --port $P --flow "$flow" \
		--count $N --rate $RATE --ttl 16 --size $SIZE --gso $SEGS)
	check_eq "datagrams sent" "$sent" $N
	check_recv "sa$flow"
	check_recv "sb$flow"
	# veth counts an skb once: fewer than N means GSO skbs reached the hook.
	rx=$(($(dev_stat "$R" vi rx_packets) - rx0))
	check_eq "skbs at vi: GSO ($rx of $N datagrams)" "$((rx < N))" 1
	check_eq "rule packets (datagrams)" "$(rule_stat "$R" "$id" packets)" $N
	check_eq "rule bytes" "$(rule_stat "$R" "$id" bytes)" $((N * ip_len))
	for o in oa ob; do
		check_eq "$o packets" "$(output_stat "$R" "$id" $o packets)" $N
		check_eq "$o bytes" "$(output_stat "$R" "$id" $o bytes)" $((N * ip_len))
	done
	check_output_drops "$R" "$id"
	check_ok "rule del" mcr_nl "$R" rule del id "$id"
}

main()
{
	require_all
	setup_ns SRC R SK
	family_ns "$SRC" "$R" "$SK"
	veth_pair "$SRC" vs0 "$R" vi "$(pick 10.0.0.1/24 fd00::1/64)" \
		"$(pick 10.0.0.2/24 fd00::2/64)"
	veth_pair "$R" oa "$SK" sa "$(pick 10.0.1.1/24 fd00:1::1/64)" \
		"$(pick 10.0.1.2/24 fd00:1::2/64)"
	veth_pair "$R" ob "$SK" sb "$(pick 10.0.2.1/24 fd00:2::1/64)" \
		"$(pick 10.0.2.2/24 fd00:2::2/64)"

	run_case 1 ""
	run_case 2 consume
	test_exit
}

main "$@"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# unicast_outputs: an output to a unicast destination is routed as a socket
# bound to the output device would route it, in that device's table (here
# a VRF's): to a destination behind a gateway, through the gateway. A next
# hop that does not answer ARP counts every packet in drop_xmit, none as
# sent; mcr starts resolving it, and once the host is there the next
# packet resolves it and the packets after it are sent.
#
#   +-----+          +-------------+ ou ---- gu +-----+ gd ---- sd +-----+
#   | src | vs0 - vi |     $R      | (VRF blue)  | $GW |            | $D  |
#   +-----+          |             |             +-----+            +-----+
#                    |             | on -- sn    (no host at 10.0.7.99,
#                    +-------------+              then sn has it)
#
# IPv4 as drawn; with MCR_TEST_FAMILY=6 (unicast_outputs6.sh) the same over
# IPv6: fd00:N::/64 for 10.0.N.0/24 (the destination fd00:6::2 via the
# gateway fd00:5::2 in the VRF's table, the silent next hop fd00:7::99,
# resolved by neighbour discovery), group ff3e::8:2:1.

source "$(dirname "$0")/lib.sh"

N=$(scaled 200)
RATE=2000
G=$(pick 239.8.2.1 ff3e::8:2:1)
P=9320
DST=$(pick 10.0.6.2 fd00:6::2)
DPORT=9420
GW_ADDR=$(pick 10.0.5.2 fd00:5::2)
UNRES=$(pick 10.0.7.99 fd00:7::99)
PLEN=$(pick 24 64)

# neigh_state NS DEV ADDR: the state of ADDR's neighbour entry on DEV
# (INCOMPLETE, FAILED, REACHABLE, ...; nothing if there is none).
neigh_state()
{
	ip -n "$1" neigh show "$3" dev "$2" | awk '{ print $NF }'
}

# shellcheck disable=SC2317  # called indirectly, through wait_for
neigh_settled()
{
	[ "$(neigh_state "$@")" != INCOMPLETE ]
}

main()
{
	local id sent state

	require_all
	require_cmd ping
	modprobe -q vrf 2>/dev/null
	setup_ns SRC R GW D SN
	family_ns "$SRC" "$R" "$GW" "$D" "$SN"
	veth_pair "$SRC" vs0 "$R" vi "$(pick 10.0.0.1/24 fd00::1/64)" \
		"$(pick 10.0.0.2/24 fd00::2/64)"
	# ou gets its address in the VRF: enslaving it takes it down and up,
	# which removes IPv6 addresses.
	veth_pair "$R" ou "$GW" gu "" "$GW_ADDR/$PLEN"
	veth_pair "$GW" gd "$D" sd "$(pick 10.0.6.1/24 fd00:6::1/64)" "$DST/$PLEN"
	veth_pair "$R" on "$SN" sn "$(pick 10.0.7.1/24 fd00:7::1/64)" \
		"$(pick 10.0.7.2/24 fd00:7::2/64)"
	if is_ipv6; then
		ip netns exec "$GW" sh -c 'echo 1 > /proc/sys/net/ipv6/conf/all/forwarding'
	else
		ip netns exec "$GW" sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'
	fi
	ip -n "$D" route add default via "$(pick 10.0.6.1 fd00:6::1)"

	# ou in VRF blue, whose table alone knows the way to $DST.
	ip -n "$R" link add blue type vrf table 10 || die "cannot create VRF blue"
	ip -n "$R" link set blue up
	ip -n "$R" link set ou master blue || die "cannot enslave ou to blue"
	addr_add "$R" ou "$(pick 10.0.5.1/24 fd00:5::1/64)"
	ip -n "$R" route add "$(pick 10.0.6.0/24 fd00:6::/64)" via "$GW_ADDR" dev ou \
		table 10 || die "cannot add the route in table 10"
	ip -n "$R" route get "$DST" oif ou 2>&1 | grep -q "via $GW_ADDR " ||
		die "route to $DST via $GW_ADDR not in effect: $(ip -n "$R" route get "$DST" oif ou 2>&1)"
	# Resolve the gateway first: mcr drops (and counts) what it cannot
	# send yet rather than queue it. The gateway resolves $DST too.
	wait_for 10 ip netns exec "$R" ping -q -c 1 -W 1 -I ou "$GW_ADDR" ||
		die "gateway $GW_ADDR does not answer"
	ip netns exec "$GW" ping -q -c 1 -W 5 "$DST" >/dev/null ||
		die "$DST does not answer the gateway"

	id=$(rule_add "$R" iif vi group $G port $P oif ou group $DST port $DPORT \
		oif on group "$UNRES" port $DPORT)

	start_recv d "$D" --mode socket --iface sd --group $DST --port $DPORT \
		--flow 1 --expect "$N" --ttl 14
	sent=$(send_udp "$SRC" --iface vs0 --dst $G --port $P --flow 1 --count "$N" \
		--rate $RATE --ttl 16 --size 300)
	check_eq "sent" "$sent" "$N"
	check_recv d
	check_eq "rule packets" "$(rule_stat "$R" "$id" packets)" "$N"
	check_eq "ou packets (via the gateway)" "$(output_stat "$R" "$id" ou packets)" "$N"
	check_eq "ou drop_xmit" "$(output_stat "$R" "$id" ou drop_xmit)" 0
	check_eq "on packets (no $(pick ARP ND) answer)" "$(output_stat "$R" "$id" on packets)" 0
	check_eq "on drop_xmit" "$(output_stat "$R" "$id" on drop_xmit)" "$N"

	# Nothing but mcr sends to $UNRES: the entry is its resolution.
	state=$(neigh_state "$R" on "$UNRES")
	check_eq "resolution of $UNRES started (entry $state)" \
		"$([[ $state == INCOMPLETE || $state == FAILED ]] && echo yes)" yes
	wait_for 20 neigh_settled "$R" on "$UNRES" ||
		log_fail "$UNRES still INCOMPLETE after 20 s"

	log "=== $UNRES on sn: the next packet resolves it"
	addr_add "$SN" sn "$UNRES/$PLEN"
	sent=$(send_udp "$SRC" --iface vs0 --dst $G --port $P --flow 2 --count 1 \
		--ttl 16 --size 300)
	check_eq "sent (one)" "$sent" 1
	check_eq "on drop_xmit (unresolved still)" \
		"$(wait_for_eq 10 $((N + 1)) output_stat "$R" "$id" on drop_xmit)" $((N + 1))
	check_eq "$UNRES resolved" "$(wait_for_eq 10 REACHABLE neigh_state "$R" on "$UNRES")" \
		REACHABLE
	start_recv sn "$SN" --mode socket --iface sn --group "$UNRES" --port $DPORT \
		--flow 3 --expect "$N" --ttl 15
	sent=$(send_udp "$SRC" --iface vs0 --dst $G --port $P --flow 3 --count "$N" \
		--rate $RATE --ttl 16 --size 300)
	check_eq "sent" "$sent" "$N"
	check_recv sn
	check_eq "rule packets (all)" "$(rule_stat "$R" "$id" packets)" $((2 * N + 1))
	check_eq "ou packets (all)" "$(output_stat "$R" "$id" ou packets)" $((2 * N + 1))
	check_eq "ou drop_xmit (all)" "$(output_stat "$R" "$id" ou drop_xmit)" 0
	check_eq "on packets (resolved)" "$(output_stat "$R" "$id" on packets)" "$N"
	check_eq "on drop_xmit (all)" "$(output_stat "$R" "$id" on drop_xmit)" $((N + 1))
	test_exit
}

main "$@"

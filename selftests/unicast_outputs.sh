#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# unicast_outputs: an output to a unicast destination is routed as a socket
# bound to the output device would route it, in that device's table (here
# a VRF's): to a destination behind a gateway, through the gateway. A next
# hop that does not answer ARP counts every packet in drop_xmit, none as
# sent.
#
#   +-----+          +-------------+ ou ---- gu +-----+ gd ---- sd +-----+
#   | src | vs0 - vi |     $R      | (VRF blue)  | $GW |            | $D  |
#   +-----+          |             |             +-----+            +-----+
#                    |             | on -- sn    (no host at 10.0.7.99)
#                    +-------------+

source "$(dirname "$0")/lib.sh"

N=$(scaled 200)
RATE=2000
G=239.8.2.1
P=9320
DST=10.0.6.2
DPORT=9420

main()
{
	local id sent

	require_all
	require_cmd ping
	modprobe -q vrf 2>/dev/null
	setup_ns SRC R GW D SN
	veth_pair "$SRC" vs0 "$R" vi 10.0.0.1/24 10.0.0.2/24
	veth_pair "$R" ou "$GW" gu 10.0.5.1/24 10.0.5.2/24
	veth_pair "$GW" gd "$D" sd 10.0.6.1/24 $DST/24
	veth_pair "$R" on "$SN" sn 10.0.7.1/24 10.0.7.2/24
	ip netns exec "$GW" sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'
	ip -n "$D" route add default via 10.0.6.1

	# ou in VRF blue, whose table alone knows the way to $DST.
	ip -n "$R" link add blue type vrf table 10 || die "cannot create VRF blue"
	ip -n "$R" link set blue up
	ip -n "$R" link set ou master blue || die "cannot enslave ou to blue"
	ip -n "$R" route add 10.0.6.0/24 via 10.0.5.2 dev ou table 10 ||
		die "cannot add the route in table 10"
	ip -n "$R" route get $DST oif ou 2>&1 | grep -q 'via 10.0.5.2' ||
		die "route to $DST via 10.0.5.2 not in effect: $(ip -n "$R" route get $DST oif ou 2>&1)"
	# Resolve the gateway first: mcr drops (and counts) what it cannot
	# send yet rather than queue it.
	ip netns exec "$R" ping -q -c 1 -W 5 -I ou 10.0.5.2 >/dev/null ||
		die "gateway 10.0.5.2 does not answer"

	id=$(rule_add "$R" iif vi group $G port $P oif ou group $DST port $DPORT \
		oif on group 10.0.7.99 port $DPORT)

	start_recv d "$D" --mode socket --iface sd --group $DST --port $DPORT \
		--flow 1 --expect "$N" --ttl 14
	sent=$(send_udp "$SRC" --iface vs0 --dst $G --port $P --flow 1 --count "$N" \
		--rate $RATE --ttl 16 --size 300)
	check_eq "sent" "$sent" "$N"
	check_recv d
	check_eq "rule packets" "$(rule_stat "$R" "$id" packets)" "$N"
	check_eq "ou packets (via the gateway)" "$(output_stat "$R" "$id" ou packets)" "$N"
	check_eq "ou drop_xmit" "$(output_stat "$R" "$id" ou drop_xmit)" 0
	check_eq "on packets (no ARP answer)" "$(output_stat "$R" "$id" on packets)" 0
	check_eq "on drop_xmit" "$(output_stat "$R" "$id" on drop_xmit)" "$N"
	test_exit
}

main "$@"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tunnel_outputs: outputs on devices without a link layer header (ipip,
# gre, WireGuard, tun) take the relayed packets as IP packets, each exactly
# once with every byte intact, beside an Ethernet output of the same rule.
#
#   +-----+          +-----------------------+  u0 ===== u1  +-----------+
#   | src | vs0 - vi |          $R           |  underlay     |    $SK    |
#   +-----+          | ipip1 gre1 wg1 -------+---------------+- ipip1    |
#                    |                       |   tunnels     |  gre1 wg1 |
#                    | tun1 (read by mcr-udp)|               |           |
#                    | oe -------------------+---------------+- se      |
#                    +-----------------------+               +-----------+
#
# IPv4 as drawn. With MCR_TEST_FAMILY=6 (tunnel_outputs6.sh) the relayed
# packets are IPv6 (fd00:N::/64 for 10.0.N.0/24, fd00:1N::/64 for the
# tunnels' 10.N.0.0/24, group ff3e::8:1:1) over the same IPv4 underlay
# (10.1.0.0/24): gre1 carries IPv6 as GRE protocol 0x86dd, WireGuard
# allows ::/0, tun1 is read as IPv6. An ipip device carries IPv4 only
# (ipip_tunnel_xmit() drops anything else), so the IPv6 run has no ipip1
# output: sit1, IPv6 in IPv4 (protocol 41), the ipip of IPv6, takes its
# place. (ip6gre and ip6tnl, with an IPv6 underlay, need CONFIG_IPV6_GRE
# and CONFIG_IPV6_TUNNEL, which the debug kernel does not have.)

source "$(dirname "$0")/lib.sh"

N=$(scaled 300)
RATE=2000
G=$(pick 239.8.1.1 ff3e::8:1:1)
P=9310
# The IPv4-in-IPv4 tunnel, or IPv6-in-IPv4 for IPv6 (no ipip: see above).
IPIP=$(pick ipip1 sit1)
TUNNELS="$IPIP gre1 wg1"

# wg_setup NS PRIVATE PEER_PUBLIC PEER_ENDPOINT ADDR: wg1 in NS.
wg_setup()
{
	local ns=$1 key=$2 peer=$3 endpoint=$4 addr=$5

	ip -n "$ns" link add wg1 type wireguard || die "cannot create wg1 in $ns"
	ip netns exec "$ns" wg set wg1 listen-port 51820 private-key "$key" \
		peer "$peer" endpoint "$endpoint:51820" \
		allowed-ips "$(pick 0.0.0.0/0 ::/0)" ||
		die "cannot configure wg1 in $ns"
	addr_add "$ns" wg1 "$addr"
	ip -n "$ns" link set wg1 up
}

main()
{
	local id sent kr ks o

	require_all
	require_cmd ping
	require_cmd wg
	modprobe -q ipip 2>/dev/null
	modprobe -q ip_gre 2>/dev/null
	modprobe -q wireguard 2>/dev/null
	modprobe -q tun 2>/dev/null
	! is_ipv6 || modprobe -q sit 2>/dev/null
	setup_ns SRC R SK
	if is_ipv6; then
		ns_ipv6 "$SRC" "$R" "$SK"
		log "no ipip1 output: ipip carries IPv4 only; $IPIP instead"
	fi
	veth_pair "$SRC" vs0 "$R" vi "$(pick 10.0.0.1/24 fd00::1/64)" \
		"$(pick 10.0.0.2/24 fd00::2/64)"
	veth_pair "$R" oe "$SK" se "$(pick 10.0.9.1/24 fd00:9::1/64)" \
		"$(pick 10.0.9.2/24 fd00:9::2/64)"
	# The underlay is IPv4 in both runs.
	veth_pair "$R" u0 "$SK" u1 10.1.0.1/24 10.1.0.2/24
	for ns in "$R" "$SK"; do
		local l=10.1.0.1 r=10.1.0.2 a=1

		[ "$ns" = "$SK" ] && { l=10.1.0.2; r=10.1.0.1; a=2; }
		ip -n "$ns" link add "$IPIP" type "$(pick ipip sit)" local $l remote $r ||
			die "cannot create $IPIP"
		ip -n "$ns" link add gre1 type gre local $l remote $r ||
			die "cannot create gre1"
		addr_add "$ns" "$IPIP" "$(pick 10.2.0.$a/24 fd00:12::$a/64)"
		addr_add "$ns" gre1 "$(pick 10.3.0.$a/24 fd00:13::$a/64)"
		ip -n "$ns" link set "$IPIP" up
		ip -n "$ns" link set gre1 up
	done
	TMP_KEYS=$(mktemp -d)
	kr=$TMP_KEYS/r.key
	ks=$TMP_KEYS/sk.key
	(umask 077 && wg genkey >"$kr" && wg genkey >"$ks") || die "wg genkey failed"
	wg_setup "$R" "$kr" "$(wg pubkey <"$ks")" 10.1.0.2 "$(pick 10.4.0.1/24 fd00:14::1/64)"
	wg_setup "$SK" "$ks" "$(wg pubkey <"$kr")" 10.1.0.1 "$(pick 10.4.0.2/24 fd00:14::2/64)"
	# Handshake now: what WireGuard holds back until then, it may drop.
	ip netns exec "$R" ping -q -c 1 -W 10 "$(pick 10.4.0.2 fd00:14::2)" >/dev/null ||
		die "no WireGuard handshake between $R and $SK"
	ip -n "$R" tuntap add dev tun1 mode tun || die "cannot create tun1"
	ip -n "$R" link set tun1 up

	id=$(rule_add "$R" iif vi group $G port $P oif "$IPIP" oif gre1 oif wg1 \
		oif tun1 oif oe)

	for o in $TUNNELS; do
		start_recv "$o" "$SK" --iface "$o" --group $G --port $P --flow 1 \
			--expect "$N" --ttl 15
	done
	start_recv se "$SK" --iface se --group $G --port $P --flow 1 --expect "$N" --ttl 15
	# The reader attaches to tun1, which then has carrier.
	start_recv tun1 "$R" --mode tun --iface tun1 --group $G --port $P --flow 1 \
		--expect "$N" --ttl 15
	wait_for 10 sh -c "[ \"\$(ip netns exec $R cat /sys/class/net/tun1/carrier)\" = 1 ]" ||
		log_fail "tun1 has no carrier with its reader attached"

	sent=$(send_udp "$SRC" --iface vs0 --dst $G --port $P --flow 1 --count "$N" \
		--rate $RATE --ttl 16 --size 700)
	check_eq "sent" "$sent" "$N"
	for o in $TUNNELS se tun1; do
		check_recv "$o"
	done
	check_eq "rule packets" "$(rule_stat "$R" "$id" packets)" "$N"
	for o in $TUNNELS tun1 oe; do
		check_eq "$o packets" "$(output_stat "$R" "$id" "$o" packets)" "$N"
	done
	check_output_drops "$R" "$id"
	rm -rf "$TMP_KEYS"
	test_exit
}

main "$@"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ingress_filter: what reaches a hooked device but is not the relay's to
# forward stays with the stack, and no input's VLAN tag reaches an output.
#
#   +-----------+                 +-------------+
#   |   src     | vs0 ------- vi  |     $R      | oa -------- sa   [$SA]
#   |           | vs0.100 - vi.100|             |             sa.100
#   |           | vs0.0 (VLAN 0)  |             |             sa.0
#   +-----------+                 +-------------+
#
# 1. VLANs: a rule on vi matches untagged and priority-tagged (VLAN 0)
#    frames only; VLAN 100's traffic goes to the rule on vi.100. The rules
#    consume, so their single output sends the received skb itself: no
#    frame may reach sa.100 or sa.0, the receivers that a leaked tag would
#    reach.
# 2. The relay's own multicast, looped back by ip_mc_output() into vi's
#    ingress, is not relayed.
# 3. A frame to another host's MAC (PACKET_OTHERHOST) is not relayed; the
#    same frames to the group's MAC are (the control).
# 4. Martian sources (multicast, limited broadcast, 0.0.0.0, 127/8) are not
#    relayed; 127/8 is once vi has route_localnet set.
# 5. A VXLAN (vx0, to [239.6.0.9]:4789) whose inner datagrams (IPv4 in
#    both runs, from a socket, to [239.6.0.42]:9100) leave their checksums
#    pending (vx0 offloads them, and veth passes them on so): relayed
#    to vx1, the VXLAN's other end on sa, with every inner checksum
#    completed where it belongs, with and without an outer checksum. A
#    kernel without VXLAN (the debug kernel) logs that it cannot run it.
# Every refusal counts exactly once in the namespace's not_routable.
#
# IPv4 as drawn; with MCR_TEST_FAMILY=6 (ingress_filter6.sh) the same steps
# over IPv6: fd00:N::/64 for 10.0.N.0/24, groups ff3e::6:X for 239.6.0.X.
# Its martian sources: multicast (ff02::1) and loopback (::1), which
# ip6_rcv_core() drops, the unspecified address (::), which ip6_forward()
# drops, and IPv4-mapped (::ffff:10.0.0.1, RFC 4291 2.5.5.2); IPv6 has no
# route_localnet, and a link-local source (fe80::5) is relayed instead, as
# ip6_rcv_core() takes it. In step 5, a VXLAN with udp6zerocsumtx sends a
# zero outer UDP checksum over the pending inner one: counted in
# zero_checksum and not relayed. And a step of its own:
# 6. A device without IPv6 (disable_ipv6): nothing is relayed out of oa
#    once oa has it set, as ip6_output() sends nothing (the output counts
#    drop_xmit), nor from vi once vi has, as ip6_rcv_core() takes nothing
#    (not_routable).

source "$(dirname "$0")/lib.sh"

N=$(scaled 100)
RATE=1000
P=9100
OTHER_MAC=02:00:00:00:00:99

# vlan NS DEV ID [ADDR/LEN]: DEV.ID, up.
vlan()
{
	local ns=$1 dev=$2 id=$3 addr=${4:-}

	ip -n "$ns" link add link "$dev" name "$dev.$id" type vlan id "$id" ||
		die "cannot create $dev.$id in $ns"
	[ -z "$addr" ] || addr_add "$ns" "$dev.$id" "$addr"
	ip -n "$ns" link set "$dev.$id" up
	sysctl_dev "$ns" "$dev.$id"
	[[ $addr != *:* ]] || ipv6_ready "$ns" "$dev.$id"
}

# joined NS DEV G: DEV in NS is a member of G (ip maddr).
joined()
{
	ip -n "$1" maddr show dev "$2" | grep -Eq "inet6? +$3( |\$)"
}

# leak_receivers FLOW GROUP: receivers on sa.100 and sa.0 that must get
# nothing, and on sa one that must get N of FLOW.
leak_receivers()
{
	local flow=$1 group=$2

	start_recv "sa$flow" "$SA" --iface sa --group "$group" --port $P \
		--flow "$flow" --expect $N
	start_recv "sa100_$flow" "$SA" --iface sa.100 --group "$group" --port $P \
		--expect 0
	start_recv "sa0_$flow" "$SA" --iface sa.0 --group "$group" --port $P \
		--expect 0
}

check_leak_receivers()
{
	local flow=$1

	check_recv "sa$flow"
	stop_recv "sa100_$flow"
	stop_recv "sa0_$flow"
	check_recv "sa100_$flow"
	check_recv "sa0_$flow"
}

step_vlan()
{
	local g parent vlan100 sent

	g=$(pick 239.6.0.1 ff3e::6:1)

	log "=== step 1: VLAN 100 to vi.100's rule, untagged and VLAN 0 to vi's"
	parent=$(rule_add "$R" iif vi group $g port $P consume oif oa)
	vlan100=$(rule_add "$R" iif vi.100 group $g port $P consume oif oa)

	leak_receivers 1 $g
	sent=$(send_udp "$SRC" --iface vs0.100 --dst $g --port $P --flow 1 \
		--count $N --rate $RATE --ttl 16 --size 300)
	check_eq "sent on VLAN 100" "$sent" $N
	check_leak_receivers 1
	check_eq "vi's rule: VLAN 100 packets" "$(rule_stat "$R" "$parent" packets)" 0
	check_eq "vi.100's rule packets" "$(rule_stat "$R" "$vlan100" packets)" $N

	leak_receivers 2 $g
	sent=$(send_udp "$SRC" --iface vs0 --dst $g --port $P --flow 2 \
		--count $N --rate $RATE --ttl 16 --size 300)
	check_eq "sent untagged" "$sent" $N
	check_leak_receivers 2
	check_eq "vi's rule: untagged packets" "$(rule_stat "$R" "$parent" packets)" $N

	leak_receivers 3 $g
	sent=$(send_udp "$SRC" --iface vs0.0 --dst $g --port $P --flow 3 \
		--count $N --rate $RATE --ttl 16 --size 300)
	check_eq "sent priority-tagged" "$sent" $N
	check_leak_receivers 3
	check_eq "vi's rule: untagged and VLAN 0 packets" \
		"$(rule_stat "$R" "$parent" packets)" $((2 * N))
	check_eq "vi.100's rule packets after" "$(rule_stat "$R" "$vlan100" packets)" $N
	check_output_drops "$R" "$parent"
	check_output_drops "$R" "$vlan100"
	check_eq "not_routable after step 1" "$(netns_stat "$R" not_routable)" 0
	check_ok "rule del (vi)" mcr_nl "$R" rule del id "$parent"
	check_ok "rule del (vi.100)" mcr_nl "$R" rule del id "$vlan100"
}

step_loopback()
{
	local g id sent before

	g=$(pick 239.6.0.2 ff3e::6:2)
	log "=== step 2: the relay's own multicast looped back into vi"
	id=$(rule_add "$R" iif vi group $g port $P oif oa)
	# The rule's join (made shortly after rule add returns) is what makes
	# ip_mc_output() / ip6_finish_output2() loop a copy back.
	wait_for 10 joined "$R" vi "$g" || log_fail "vi did not join $g"
	before=$(netns_stat "$R" not_routable)
	start_recv sa_loop "$SA" --iface sa --group $g --port $P --expect 0
	start_recv src_loop "$SRC" --iface vs0 --group $g --port $P --flow 4 \
		--expect $N --allow-partial-csum
	sent=$(send_udp "$R" --iface vi --dst $g --port $P --flow 4 --count $N \
		--rate $RATE --ttl 16 --size 300 --loop)
	check_eq "sent from the relay" "$sent" $N
	# The copies that left vi arrived: the looped ones were made too.
	check_recv src_loop
	check_eq "looped back, counted not_routable" \
		"$(netns_stat "$R" not_routable)" $((before + N))
	check_eq "rule packets" "$(rule_stat "$R" "$id" packets)" 0
	stop_recv sa_loop
	check_recv sa_loop
	check_ok "rule del" mcr_nl "$R" rule del id "$id"
}

# raw_send FLOW SRC_ADDR [ARGS...]: N frames of our own from vs0.
raw_send()
{
	local flow=$1 saddr=$2 sent
	shift 2

	sent=$(send_udp "$SRC" --raw --iface vs0 --src "$saddr" --dst "$G_RAW" \
		--port $P --flow "$flow" --count $N --rate $RATE --ttl 16 --size 200 "$@")
	check_eq "raw frames sent (flow $flow, source $saddr)" "$sent" $N
}

step_otherhost()
{
	local id before

	log "=== step 3: frames to another host's MAC"
	id=$(rule_add "$R" iif vi group $G_RAW port $P oif oa)
	RAW_RULE=$id
	before=$(netns_stat "$R" not_routable)
	start_recv sa_other "$SA" --iface sa --group $G_RAW --port $P --expect 0
	raw_send 5 "$SRC_ADDR" --dst-mac $OTHER_MAC
	check_eq "to another MAC, counted not_routable" \
		"$(netns_stat "$R" not_routable)" $((before + N))
	check_eq "rule packets" "$(rule_stat "$R" "$id" packets)" 0
	stop_recv sa_other
	check_recv sa_other

	# The control: the same frames to the group's MAC are relayed.
	start_recv sa_raw "$SA" --iface sa --group $G_RAW --port $P --flow 6 \
		--expect $N --ttl 15 --saddr "$SRC_ADDR"
	raw_send 6 "$SRC_ADDR"
	check_recv sa_raw
	check_eq "rule packets (control)" "$(rule_stat "$R" "$id" packets)" $N
}

step_martians()
{
	local id=$RAW_RULE before src flow=7 martians routable

	log "=== step 4: martian sources"
	if is_ipv6; then
		martians=(ff02::1 ::1 :: ::ffff:10.0.0.1)
		routable=fe80::5
	else
		martians=(224.0.0.5 255.255.255.255 0.0.0.0 127.0.0.5)
		routable=127.0.0.5
	fi
	before=$(netns_stat "$R" not_routable)
	start_recv sa_martian "$SA" --iface sa --group $G_RAW --port $P --expect 0
	for src in "${martians[@]}"; do
		raw_send $flow "$src"
		flow=$((flow + 1))
	done
	check_eq "martians counted not_routable" \
		"$(netns_stat "$R" not_routable)" $((before + ${#martians[@]} * N))
	check_eq "rule packets" "$(rule_stat "$R" "$id" packets)" $N
	stop_recv sa_martian
	check_recv sa_martian

	if is_ipv6; then
		# A link-local source is no martian to ip6_rcv_core(): relayed.
		log "link-local source $routable"
	else
		# route_localnet makes 127/8 routable on vi, as for the stack.
		ip netns exec "$R" sysctl -qw net.ipv4.conf.vi.route_localnet=1
	fi
	start_recv sa_localnet "$SA" --iface sa --group $G_RAW --port $P --flow 20 \
		--expect $N --saddr "$routable"
	raw_send 20 "$routable"
	check_recv sa_localnet
	check_eq "rule packets ($(pick route_localnet link-local))" \
		"$(rule_stat "$R" "$id" packets)" $((2 * N))
	check_eq "not_routable unchanged" "$(netns_stat "$R" not_routable)" \
		$((before + ${#martians[@]} * N))
	check_output_drops "$R" "$id"
}

step_ipv6_disabled()
{
	local id=$RAW_RULE before packets

	log "=== step 6: devices with disable_ipv6 set"
	start_recv sa_off "$SA" --iface sa --group $G_RAW --port $P --expect 0
	ip netns exec "$R" sysctl -qw net.ipv6.conf.oa.disable_ipv6=1
	packets=$(rule_stat "$R" "$id" packets)
	raw_send 30 "$SRC_ADDR"
	check_eq "oa without IPv6: rule packets" \
		"$(rule_stat "$R" "$id" packets)" $((packets + N))
	check_eq "oa without IPv6: drop_xmit" \
		"$(output_stat "$R" "$id" oa drop_xmit)" $N

	ip netns exec "$R" sysctl -qw net.ipv6.conf.vi.disable_ipv6=1
	before=$(netns_stat "$R" not_routable)
	raw_send 31 "$SRC_ADDR"
	check_eq "vi without IPv6: counted not_routable" \
		"$(netns_stat "$R" not_routable)" $((before + N))
	check_eq "vi without IPv6: rule packets" \
		"$(rule_stat "$R" "$id" packets)" $((packets + N))
	stop_recv sa_off
	check_recv sa_off
}

# vxlan NS DEV LOWER ADDR [ARGS...]: a VXLAN (VNI 42) on LOWER to
# [$G_VX]:4789, carrying IPv4 only (no ICMPv6 of its own to count), up,
# with ADDR.
vxlan()
{
	local ns=$1 dev=$2 lower=$3 addr=$4
	shift 4

	ip -n "$ns" link add "$dev" type vxlan id 42 group "$G_VX" \
		dev "$lower" dstport 4789 ttl 16 "$@" ||
		die "cannot create VXLAN $dev in $ns"
	ip netns exec "$ns" sh -c \
		"echo 1 > /proc/sys/net/ipv6/conf/$dev/disable_ipv6" 2>/dev/null
	addr_add "$ns" "$dev" "$addr"
	ip -n "$ns" link set "$dev" up
}

# vxlan_case FLOW ZERO ARGS...: N datagrams to [239.6.0.42]:$P from a
# socket on vx0, a VXLAN in $SRC made with ARGS, whose outer UDP checksum
# is 0 when ZERO is 1. The inner checksums are left pending (vx0 offloads
# them); the outer ones, when there are, cover them as the inner ones will
# be (local checksum offload). In IPv6, a zero is counted in zero_checksum
# and nothing is relayed; else every datagram reaches vx1 with its inner
# checksum complete, and its outer one valid (or 0, in IPv4).
vxlan_case()
{
	local flow=$1 zero=$2 id=$VX_RULE sent zeros packets want=$N
	shift 2

	vxlan "$SRC" vx0 vs0 10.42.0.1/24 "$@"
	zeros=$(netns_stat "$R" zero_checksum)
	packets=$(rule_stat "$R" "$id" packets)
	[ "$zero" = 0 ] || ! is_ipv6 || want=0
	start_recv "vx1_$flow" "$SA" --iface vx1 --group 239.6.0.42 --port $P \
		--flow "$flow" --expect $want --saddr 10.42.0.1
	sent=$(send_udp "$SRC" --iface vx0 --src 10.42.0.1 --dst 239.6.0.42 \
		--port $P --flow "$flow" --count $N --rate $RATE --size 200)
	check_eq "sent over vx0 ($*)" "$sent" $N
	[ "$want" != 0 ] || stop_recv "vx1_$flow"
	check_recv "vx1_$flow"
	check_eq "$*: rule packets" "$(rule_stat "$R" "$id" packets)" \
		$((packets + want))
	check_eq "$*: zero_checksum" "$(netns_stat "$R" zero_checksum)" \
		$((zeros + N - want))
	ip -n "$SRC" link del vx0
}

step_tunnel_csum()
{
	log "=== step 5: VXLAN with its inner checksums pending"
	modprobe -q vxlan 2>/dev/null
	# The debug kernel is built without VXLAN; the Debian kernels run this.
	if ! ip -n "$SA" link add vxprobe type vxlan id 1 dstport 4789 2>/dev/null; then
		log "step 5 not run: kernel $(uname -r) has no VXLAN (CONFIG_VXLAN)"
		return
	fi
	ip -n "$SA" link del vxprobe
	VX_RULE=$(rule_add "$R" iif vi group "$G_VX" port 4789 oif oa)
	vxlan "$SA" vx1 sa 10.42.0.2/24
	if is_ipv6; then
		vxlan_case 40 1 udp6zerocsumtx
		vxlan_case 41 0 noudp6zerocsumtx
	else
		vxlan_case 40 1 noudpcsum
		vxlan_case 41 0 udpcsum
	fi
	check_output_drops "$R" "$VX_RULE"
	check_ok "rule del (VXLAN)" mcr_nl "$R" rule del id "$VX_RULE"
}

main()
{
	require_all
	modprobe -q 8021q 2>/dev/null
	setup_ns SRC R SA
	family_ns "$SRC" "$R" "$SA"
	SRC_ADDR=$(pick 10.0.0.1 fd00::1)
	veth_pair "$SRC" vs0 "$R" vi "$SRC_ADDR/$(pick 24 64)" \
		"$(pick 10.0.0.2/24 fd00::2/64)"
	veth_pair "$R" oa "$SA" sa "$(pick 10.0.1.1/24 fd00:1::1/64)" \
		"$(pick 10.0.1.2/24 fd00:1::2/64)"
	vlan "$SRC" vs0 100 "$(pick 10.0.100.1/24 fd00:100::1/64)"
	vlan "$R" vi 100 "$(pick 10.0.100.2/24 fd00:100::2/64)"
	vlan "$SA" sa 100
	vlan "$SRC" vs0 0 "$(pick 10.0.50.1/24 fd00:50::1/64)"
	vlan "$SA" sa 0
	G_RAW=$(pick 239.6.0.3 ff3e::6:3)
	G_VX=$(pick 239.6.0.9 ff3e::6:9)

	step_vlan
	step_loopback
	step_otherhost
	step_martians
	step_tunnel_csum
	! is_ipv6 || step_ipv6_disabled
	test_exit
}

main "$@"

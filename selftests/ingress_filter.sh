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
# Every refusal counts exactly once in the namespace's not_routable.

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
	[ -z "$addr" ] || ip -n "$ns" addr add "$addr" dev "$dev.$id"
	ip -n "$ns" link set "$dev.$id" up
	sysctl_dev "$ns" "$dev.$id"
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
	local g=239.6.0.1 parent vlan100 sent

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
	local g=239.6.0.2 id sent before

	log "=== step 2: the relay's own multicast looped back into vi"
	id=$(rule_add "$R" iif vi group $g port $P oif oa)
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
	raw_send 5 10.0.0.1 --dst-mac $OTHER_MAC
	check_eq "to another MAC, counted not_routable" \
		"$(netns_stat "$R" not_routable)" $((before + N))
	check_eq "rule packets" "$(rule_stat "$R" "$id" packets)" 0
	stop_recv sa_other
	check_recv sa_other

	# The control: the same frames to the group's MAC are relayed.
	start_recv sa_raw "$SA" --iface sa --group $G_RAW --port $P --flow 6 \
		--expect $N --ttl 15 --saddr 10.0.0.1
	raw_send 6 10.0.0.1
	check_recv sa_raw
	check_eq "rule packets (control)" "$(rule_stat "$R" "$id" packets)" $N
}

step_martians()
{
	local id=$RAW_RULE before src flow=7

	log "=== step 4: martian sources"
	before=$(netns_stat "$R" not_routable)
	start_recv sa_martian "$SA" --iface sa --group $G_RAW --port $P --expect 0
	for src in 224.0.0.5 255.255.255.255 0.0.0.0 127.0.0.5; do
		raw_send $flow $src
		flow=$((flow + 1))
	done
	check_eq "martians counted not_routable" \
		"$(netns_stat "$R" not_routable)" $((before + 4 * N))
	check_eq "rule packets" "$(rule_stat "$R" "$id" packets)" $N
	stop_recv sa_martian
	check_recv sa_martian

	# route_localnet makes 127/8 routable on vi, as for the stack.
	ip netns exec "$R" sysctl -qw net.ipv4.conf.vi.route_localnet=1
	start_recv sa_localnet "$SA" --iface sa --group $G_RAW --port $P --flow 20 \
		--expect $N --saddr 127.0.0.5
	raw_send 20 127.0.0.5
	check_recv sa_localnet
	check_eq "rule packets (route_localnet)" "$(rule_stat "$R" "$id" packets)" $((2 * N))
	check_eq "not_routable unchanged" "$(netns_stat "$R" not_routable)" \
		$((before + 4 * N))
	check_output_drops "$R" "$id"
}

main()
{
	require_all
	modprobe -q 8021q 2>/dev/null
	setup_ns SRC R SA
	veth_pair "$SRC" vs0 "$R" vi 10.0.0.1/24 10.0.0.2/24
	veth_pair "$R" oa "$SA" sa 10.0.1.1/24 10.0.1.2/24
	vlan "$SRC" vs0 100 10.0.100.1/24
	vlan "$R" vi 100 10.0.100.2/24
	vlan "$SA" sa 100
	vlan "$SRC" vs0 0 10.0.50.1/24
	vlan "$SA" sa 0
	G_RAW=239.6.0.3

	step_vlan
	step_loopback
	step_otherhost
	step_martians
	test_exit
}

main "$@"

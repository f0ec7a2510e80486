#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ipv6_off: a host booted with ipv6.disable=1 has no IPv6 to relay with (no
# neighbour table, no inet6_dev on any device): IPv6 rules are refused,
# IPv6 frames that reach a hooked device are left to the stack, and IPv4
# is relayed as on any host. Runs in a boot of its own (scripts/check.sh,
# scripts/vm-tests.sh --boot noipv6); elsewhere it skips.
#
#   +--------+            +-------------+
#   |  src   | vs0 --- vi |     $R      | oa ---- sa   [$SA]
#   +--------+            +-------------+
#
# 1. rule add, rule del and rule replace of an IPv6 rule fail with
#    "IPv6 is disabled on this host", and change nothing.
# 2. An IPv4 rule relays N datagrams to sa, every byte and checksum.
# 3. N IPv6 frames (crafted, to the IPv4 rule's port) are counted in
#    not_routable, the IPv4 rule's counters stay.

source "$(dirname "$0")/lib.sh"

N=$(scaled 100)
RATE=1000
P=9700
G=239.7.0.1
G6=ff3e::7:1

# expect_refused ARGS...: mcr-nl ARGS fails, names the reason, and the
# rule table is what it was.
expect_refused()
{
	local out rc before after

	before=$(mcr_nl "$R" -j rule show)
	out=$(mcr_nl "$R" "$@" 2>&1)
	rc=$?
	after=$(mcr_nl "$R" -j rule show)
	check_eq "mcr-nl $*: exit status" "$rc" 1
	check_eq "mcr-nl $*: names the reason" \
		"$([[ $out == *"IPv6 is disabled on this host"* ]] && echo yes || echo "$out")" yes
	check_eq "mcr-nl $*: rule table unchanged" \
		"$([ "$after" = "$before" ] && echo yes || echo "$after")" yes
}

main()
{
	local id sent

	[ ! -d /proc/sys/net/ipv6 ] ||
		skip "IPv6 is on in this boot (scripts/vm-tests.sh --boot noipv6 runs this)"
	require_all
	setup_ns SRC R SA
	veth_pair "$SRC" vs0 "$R" vi 10.0.0.1/24 10.0.0.2/24
	veth_pair "$R" oa "$SA" sa 10.0.1.1/24 10.0.1.2/24

	log "=== step 1: IPv6 rules refused"
	id=$(rule_add "$R" iif vi group $G port $P oif oa)
	expect_refused rule add iif vi group $G6 port $P oif oa
	expect_refused rule add iif vi group $G6 source fd00::1 nojoin oif oa
	expect_refused rule del iif vi group $G6 port $P
	expect_refused rule replace iif vi group $G6 port $P oif oa
	check_eq "rules" "$(rule_count "$R")" 1

	log "=== step 2: IPv4 relayed"
	start_recv sa "$SA" --iface sa --group $G --port $P --flow 1 --expect $N \
		--ttl 15 --saddr 10.0.0.1
	sent=$(send_udp "$SRC" --iface vs0 --src 10.0.0.1 --dst $G --port $P \
		--flow 1 --count $N --rate $RATE --ttl 16 --size 300)
	check_eq "sent" "$sent" $N
	check_recv sa
	check_eq "rule packets" "$(rule_stat "$R" "$id" packets)" $N
	check_eq "oa packets" "$(output_stat "$R" "$id" oa packets)" $N
	check_output_drops "$R" "$id"

	log "=== step 3: IPv6 frames left to the stack"
	sent=$(send_udp "$SRC" --raw --iface vs0 --src fd00::1 --dst $G6 \
		--port $P --flow 2 --count $N --rate $RATE --ttl 16 --size 200)
	check_eq "IPv6 frames sent" "$sent" $N
	check_eq "not_routable" "$(netns_stat "$R" not_routable)" $N
	check_eq "rule packets after" "$(rule_stat "$R" "$id" packets)" $N
	check_eq "oa packets after" "$(output_stat "$R" "$id" oa packets)" $N
	test_exit
}

main "$@"

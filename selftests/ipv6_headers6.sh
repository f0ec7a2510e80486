#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ipv6_headers6: what is particular to IPv6 in the packet path: zero UDP
# checksums, extension headers, fragments, the hop limit and source
# selection.
#
#   +---------+          +-------------+ oa (fd00:1::1) ---- sa
#   |  src    | vs0 - vi |     $R      | ob (fd00:2::1) ---- sb     [$SK]
#   | fd00::1 |          |             | oc (fd00:3::1) ---- sc
#   +---------+          +-------------+ od (no address) --- sd
#
# 1. zero: [ff3e::5:1]:9501 -> oa. Datagrams with a zero UDP checksum
#    (crafted, --raw) are counted in zero_checksum, not in the rule nor
#    no_match, and not relayed; the same flow with checksums then is.
# 2. dstopts: [ff3e::5:2]:9502 -> oa as [ff3e::5:12]:9512, and ob as is.
#    Datagrams with a Destination Options header before UDP are relayed
#    with it kept (one extension header at the receivers), the UDP
#    checksum right after the rewrite, hop limit 15 of 16, traffic class
#    and flow label kept; bytes count the extension header.
# 3. frag: [ff3e::5:3]:9503 -> oa. A first fragment (offset 0, M = 1) is
#    counted in fragments, not relayed; an atomic fragment (offset 0,
#    M = 0) is no fragment (RFC 6946, and ip6_rcv takes it whole too): it
#    is relayed with its Fragment header kept.
# 4. hoplimit: [ff3e::5:4]:9504 -> oa (hop limit decremented), ob (ttl
#    255). Sent with hop limit 1: oa drops every packet in drop_ttl, ob
#    sends them all with 255. Sent with 2: oa relays them with 1.
# 5. source: [ff3e::5:5]:9505 -> oc (source auto: fd00:3::1, what source
#    selection picks on oc), ob (source fd00:99::5), od (source auto, but
#    od has no address: drop_xmit). Checksums right after the rewrite.
# 6. link-local: [ff02::fb]:5353 -> oa (source auto, ttl 255), the way an
#    mDNS reflector relays. A group of link-local scope is relayed by a
#    rule that names it; a link-local source (fe80::5) is no martian; the
#    copy leaves from oa's own link-local address, the one source
#    selection picks for a link-local destination, with hop limit 255.
# no_match stays 0 throughout.

source "$(dirname "$0")/lib.sh"

N=$(scaled 200)
RATE=1000

# raw_send ARGS...: N crafted datagrams from fd00::1 out of vs0.
raw_send()
{
	local sent

	sent=$(send_udp "$SRC" --raw --iface vs0 --src fd00::1 --count "$N" --rate $RATE "$@")
	check_eq "sent ($*)" "$sent" "$N"
}

# sock_send ARGS...: N datagrams from a socket in $SRC.
sock_send()
{
	local sent

	sent=$(send_udp "$SRC" --iface vs0 --src fd00::1 --count "$N" --rate $RATE "$@")
	check_eq "sent ($*)" "$sent" "$N"
}

# expect_none NAME: a receiver started with --expect 0 got nothing at all.
expect_none()
{
	stop_recv "$1"
	check_recv "$1"
}

step_zero()
{
	local id

	log "=== 1. zero UDP checksum"
	id=$(rule_add "$R" iif vi group ff3e::5:1 port 9501 name zero oif oa)
	start_recv z0 "$SK" --iface sa --group ff3e::5:1 --port 9501 --expect 0
	raw_send --dst ff3e::5:1 --port 9501 --flow 1 --zero-csum --size 100
	check_eq "zero_checksum" "$(wait_for_eq 10 "$N" netns_stat "$R" zero_checksum)" "$N"
	expect_none z0
	check_eq "rule zero packets" "$(rule_stat "$R" "$id" packets)" 0
	check_eq "oa packets" "$(output_stat "$R" "$id" oa packets)" 0
	check_eq "no_match" "$(netns_stat "$R" no_match)" 0

	start_recv z1 "$SK" --iface sa --group ff3e::5:1 --port 9501 --flow 2 \
		--expect "$N" --ttl 15
	raw_send --dst ff3e::5:1 --port 9501 --flow 2 --ttl 16 --size 100
	check_recv z1
	check_eq "rule zero packets (with checksums)" "$(rule_stat "$R" "$id" packets)" "$N"
	check_eq "zero_checksum (unchanged)" "$(netns_stat "$R" zero_checksum)" "$N"
	check_output_drops "$R" "$id"
}

step_dstopts()
{
	local id o bytes=$((N * (40 + 8 + 8 + 200)))
	local hdrs=(--ttl 15 --tos 0x28 --flowlabel 0x54321 --saddr fd00::1)

	log "=== 2. destination options header"
	id=$(rule_add "$R" iif vi group ff3e::5:2 port 9502 name dstopts \
		oif oa group ff3e::5:12 port 9512 oif ob)
	start_recv da "$SK" --iface sa --group ff3e::5:12 --port 9512 --flow 3 \
		--expect "$N" --expect-exthdr 1 --src-port 4002 "${hdrs[@]}"
	start_recv das "$SK" --mode socket --iface sa --group ff3e::5:12 --port 9512 \
		--flow 3 --expect "$N" --src-port 4002 "${hdrs[@]}"
	start_recv db "$SK" --iface sb --group ff3e::5:2 --port 9502 --flow 3 \
		--expect "$N" --expect-exthdr 1 --src-port 4002 "${hdrs[@]}"
	raw_send --dst ff3e::5:2 --port 9502 --src-port 4002 --flow 3 --dstopts \
		--ttl 16 --tos 0x28 --flowlabel 0x54321 --size 200
	check_recv da
	check_recv das
	check_recv db
	check_eq "rule dstopts packets" "$(rule_stat "$R" "$id" packets)" "$N"
	check_eq "rule dstopts bytes" "$(rule_stat "$R" "$id" bytes)" "$bytes"
	for o in oa ob; do
		check_eq "$o packets" "$(output_stat "$R" "$id" $o packets)" "$N"
		check_eq "$o bytes" "$(output_stat "$R" "$id" $o bytes)" "$bytes"
	done
	check_output_drops "$R" "$id"
}

step_frag()
{
	local id

	log "=== 3. fragments"
	id=$(rule_add "$R" iif vi group ff3e::5:3 port 9503 name frag oif oa)
	start_recv f0 "$SK" --iface sa --group ff3e::5:3 --port 9503 --expect 0
	raw_send --dst ff3e::5:3 --port 9503 --flow 4 --frag-more --size 200
	check_eq "fragments" "$(wait_for_eq 10 "$N" netns_stat "$R" fragments)" "$N"
	expect_none f0
	check_eq "rule frag packets" "$(rule_stat "$R" "$id" packets)" 0

	log "atomic fragments: whole datagrams"
	start_recv f1 "$SK" --iface sa --group ff3e::5:3 --port 9503 --flow 5 \
		--expect "$N" --expect-exthdr 1 --ttl 15
	raw_send --dst ff3e::5:3 --port 9503 --flow 5 --frag --ttl 16 --size 200
	check_recv f1
	check_eq "rule frag packets (atomic)" "$(rule_stat "$R" "$id" packets)" "$N"
	check_eq "rule frag bytes (atomic)" "$(rule_stat "$R" "$id" bytes)" \
		$((N * (40 + 8 + 8 + 200)))
	check_eq "fragments (unchanged)" "$(netns_stat "$R" fragments)" "$N"
	check_output_drops "$R" "$id"
}

step_hoplimit()
{
	local id

	log "=== 4. hop limit"
	id=$(rule_add "$R" iif vi group ff3e::5:4 port 9504 name hoplimit \
		oif oa oif ob ttl 255)
	start_recv h1a "$SK" --iface sa --group ff3e::5:4 --port 9504 --expect 0
	start_recv h1b "$SK" --iface sb --group ff3e::5:4 --port 9504 --flow 6 \
		--expect "$N" --ttl 255
	sock_send --dst ff3e::5:4 --port 9504 --flow 6 --ttl 1
	check_recv h1b
	check_eq "oa drop_ttl" "$(wait_for_eq 10 "$N" output_stat "$R" "$id" oa drop_ttl)" "$N"
	expect_none h1a
	check_eq "oa packets (hop limit 1)" "$(output_stat "$R" "$id" oa packets)" 0
	check_eq "ob packets (hop limit 1)" "$(output_stat "$R" "$id" ob packets)" "$N"

	start_recv h2a "$SK" --iface sa --group ff3e::5:4 --port 9504 --flow 7 \
		--expect "$N" --ttl 1
	start_recv h2b "$SK" --iface sb --group ff3e::5:4 --port 9504 --flow 7 \
		--expect "$N" --ttl 255
	sock_send --dst ff3e::5:4 --port 9504 --flow 7 --ttl 2
	check_recv h2a
	check_recv h2b
	check_eq "rule hoplimit packets" "$(rule_stat "$R" "$id" packets)" $((2 * N))
	check_eq "oa packets" "$(output_stat "$R" "$id" oa packets)" "$N"
	check_eq "oa drop_ttl" "$(output_stat "$R" "$id" oa drop_ttl)" "$N"
	check_eq "ob packets" "$(output_stat "$R" "$id" ob packets)" $((2 * N))
	check_eq "ob drop_ttl" "$(output_stat "$R" "$id" ob drop_ttl)" 0
}

step_source()
{
	local id o

	log "=== 5. source rewrite"
	id=$(rule_add "$R" iif vi group ff3e::5:5 port 9505 name source \
		oif oc source auto oif ob source fd00:99::5 oif od source auto)
	start_recv sc "$SK" --iface sc --group ff3e::5:5 --port 9505 --flow 8 \
		--expect "$N" --saddr fd00:3::1 --ttl 15
	start_recv scs "$SK" --mode socket --iface sc --group ff3e::5:5 --port 9505 \
		--flow 8 --expect "$N" --saddr fd00:3::1 --ttl 15
	start_recv sb "$SK" --iface sb --group ff3e::5:5 --port 9505 --flow 8 \
		--expect "$N" --saddr fd00:99::5 --ttl 15
	sock_send --dst ff3e::5:5 --port 9505 --flow 8 --ttl 16
	check_recv sc
	check_recv scs
	check_recv sb
	check_eq "od drop_xmit (no address)" \
		"$(wait_for_eq 10 "$N" output_stat "$R" "$id" od drop_xmit)" "$N"
	check_eq "od packets" "$(output_stat "$R" "$id" od packets)" 0
	for o in oc ob; do
		check_eq "$o packets" "$(output_stat "$R" "$id" $o packets)" "$N"
		check_eq "$o drop_xmit" "$(output_stat "$R" "$id" $o drop_xmit)" 0
	done
}

step_linklocal()
{
	local id ll sent

	log "=== 6. link-local group and source (mDNS reflector)"
	ll=$(ip -n "$R" -6 -o addr show dev oa scope link | awk '{ print $4 }')
	ll=${ll%/*}
	[[ $ll == fe80:* ]] || die "no link-local address on oa: '$ll'"
	id=$(rule_add "$R" iif vi group ff02::fb port 5353 name mdns \
		oif oa source auto ttl 255)
	start_recv ll "$SK" --iface sa --group ff02::fb --port 5353 --flow 9 \
		--expect "$N" --saddr "$ll" --ttl 255
	sent=$(send_udp "$SRC" --raw --iface vs0 --src fe80::5 --dst ff02::fb \
		--port 5353 --flow 9 --ttl 255 --count "$N" --rate $RATE)
	check_eq "sent (link-local)" "$sent" "$N"
	check_recv ll
	check_eq "rule mdns packets" "$(rule_stat "$R" "$id" packets)" "$N"
	check_eq "oa packets" "$(output_stat "$R" "$id" oa packets)" "$N"
	check_output_drops "$R" "$id"
	check_eq "not_routable" "$(netns_stat "$R" not_routable)" 0
}

main()
{
	require_all
	setup_ns SRC R SK
	ns_ipv6 "$SRC" "$R" "$SK"
	veth_pair "$SRC" vs0 "$R" vi fd00::1/64 fd00::2/64
	veth_pair "$R" oa "$SK" sa fd00:1::1/64 fd00:1::2/64
	veth_pair "$R" ob "$SK" sb fd00:2::1/64 fd00:2::2/64
	veth_pair "$R" oc "$SK" sc fd00:3::1/64 fd00:3::2/64
	# od: IPv6 on, but not even a link-local address.
	ip -n "$R" link add od type veth peer name sd netns "$SK" ||
		die "cannot create veth od"
	ip -n "$R" link set od addrgenmode none || die "cannot set addrgenmode on od"
	ip -n "$R" link set od up
	ip -n "$SK" link set sd up
	check_eq "IPv6 addresses on od" "$(ip -n "$R" -6 -o addr show dev od | wc -l)" 0

	step_zero
	step_dstopts
	step_frag
	step_hoplimit
	step_source
	step_linklocal
	check_eq "no_match" "$(netns_stat "$R" no_match)" 0
	test_exit
}

main "$@"

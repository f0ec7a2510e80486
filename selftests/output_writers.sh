#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# output_writers: a writer on one output's path never changes what another
# output, or the local stack, receives.
#
#   +--------+            +---------------------+ o1 ---- s1  untouched
#   |  src   | vs0 -- vi  |        $R           | o2 ---- s2  tc pedit (egress)
#   +--------+            | [local listener, vi]| o3 ---- s3  nft payload set
#   +--------+            +---------------------+             (netdev egress)
#
# o2's egress has a tc pedit that overwrites payload bytes, o3's an nft
# netdev egress rule that does the same. For each case the receiver behind
# o1 and, without consume, a local socket on vi must get every packet with
# every byte and checksum intact, while s2 and s3 must see the writers'
# changes (proof that they ran). Cases: pass and consume; 100-byte
# payloads (copied for every output) and 1000-byte ones (payload shared
# between the outputs), these with every output taking fragment lists and
# with o3 not taking them (the outputs then point at one private copy's
# pages).
# Pass runs with o3 last, consume with o2 last: the last output is the one
# that may send the received skb itself.

source "$(dirname "$0")/lib.sh"

N=$(scaled 200)
RATE=2000
P=9200

writers_on()
{
	ip netns exec "$R" tc qdisc add dev o2 clsact || die "tc clsact on o2"
	ip netns exec "$R" tc filter add dev o2 egress matchall \
		action pedit munge offset 60 u32 set 0xdeadbeef pipe action ok ||
		die "tc pedit on o2"
	ip netns exec "$R" nft -f - <<'NFT' || die "nft egress on o3"
table netdev mcr_writers {
	chain egress {
		type filter hook egress device "o3" priority 0; policy accept;
		ip protocol udp @th,256,32 set 0x12345678
	}
}
NFT
}

# run_case FLOW MODE SIZE FRAGLIST OUTPUTS...: one rule, N packets.
run_case()
{
	local flow=$1 mode=$2 size=$3 fraglist=$4 g id sent oif n
	shift 4
	local args=() flags='' rx0=()

	g=239.7.0.$flow
	log "=== flow $flow: $mode, $size-byte payload, o3 tx fraglist $fraglist, outputs $*"
	ip netns exec "$R" ethtool -K o3 tx-scatter-gather-fraglist "$fraglist" ||
		die "ethtool -K o3 tx-scatter-gather-fraglist $fraglist"
	[ "$mode" = consume ] && flags=consume
	for oif in "$@"; do
		args+=(oif "$oif")
	done
	# shellcheck disable=SC2086 # flags: zero or one word
	id=$(rule_add "$R" iif vi group "$g" port $P $flags "${args[@]}")

	start_recv "s1_$flow" "$SK" --iface s1 --group "$g" --port $P --flow "$flow" \
		--expect $N --ttl 15
	for n in 2 3; do
		rx0[n]=$(dev_stat "$SK" "s$n" rx_packets)
		start_recv "s${n}_$flow" "$SK" --iface "s$n" --group "$g" --port $P \
			--expect any --idle-ms 300
	done
	[ "$mode" = pass ] &&
		start_recv "local_$flow" "$R" --mode socket --iface vi --group "$g" \
			--port $P --flow "$flow" --expect $N
	sent=$(send_udp "$SRC" --iface vs0 --dst "$g" --port $P --flow "$flow" \
		--count $N --rate $RATE --ttl 16 --size "$size")
	check_eq "sent" "$sent" $N
	check_recv "s1_$flow"
	[ "$mode" = pass ] && check_recv "local_$flow"
	# The writers ran: every packet behind them arrived changed.
	for n in 2 3; do
		wait_counter_ge 10 $((rx0[n] + N)) dev_stat "$SK" "s$n" rx_packets ||
			log_fail "s$n: fewer than $N packets"
		stop_recv "s${n}_$flow"
		finish_recv "s${n}_$flow"
		check_eq "s$n: packets that arrived changed" \
			$(($(recv_field "s${n}_$flow" bad_csum) + $(recv_field "s${n}_$flow" bad_payload))) $N
	done
	for oif in "$@"; do
		check_eq "output $oif packets" "$(output_stat "$R" "$id" "$oif" packets)" $N
	done
	check_output_drops "$R" "$id"
	check_ok "rule del" mcr_nl "$R" rule del id "$id"
}

main()
{
	require_all
	require_cmd tc nft ethtool
	setup_ns SRC R SK
	veth_pair "$SRC" vs0 "$R" vi 10.0.0.1/24 10.0.0.2/24
	veth_pair "$R" o1 "$SK" s1 10.0.1.1/24 10.0.1.2/24
	veth_pair "$R" o2 "$SK" s2 10.0.2.1/24 10.0.2.2/24
	veth_pair "$R" o3 "$SK" s3 10.0.3.1/24 10.0.3.2/24
	writers_on

	local flow=1 mode size fraglist outputs
	for mode in pass consume; do
		outputs="o1 o2 o3"
		[ "$mode" = pass ] || outputs="o1 o3 o2"
		for size in 100 1000; do
			for fraglist in on off; do
				# Short payloads are copied whatever the devices take.
				[ "$size$fraglist" != 100off ] || continue
				# shellcheck disable=SC2086 # outputs: words
				run_case $flow $mode $size $fraglist $outputs
				flow=$((flow + 1))
			done
		done
	done
	test_exit
}

main "$@"

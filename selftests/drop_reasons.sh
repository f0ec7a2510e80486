#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# drop_reasons: a packet mcr drops is freed with a drop reason that the
# skb:kfree_skb tracepoint shows (dropwatch, perf trace): one event per
# packet, with the reason that its output counter names.
#
#   +-----+          +-----------+ ot ---- st   consume, TTL runs out: IP_INHDR
#   | src | vs0 - vi |    $R     | oa ---- sa   source auto, no address: IP_OUTNOROUTES
#   +-----+          |           | on ---- sn   unicast 10.0.3.99, no ARP answer:
#                    +-----------+              NEIGH_FAILED

source "$(dirname "$0")/lib.sh"

N=$(scaled 40)
RATE=500
P=9340

TRACING=/sys/kernel/tracing

tracing_on()
{
	[ -d "$TRACING/events" ] || mount -t tracefs nodev "$TRACING" 2>/dev/null
	[ -w "$TRACING/events/skb/kfree_skb/enable" ] ||
		die "no skb:kfree_skb tracepoint in $TRACING"
	echo 0 >"$TRACING/tracing_on"
	echo >"$TRACING/trace"
	echo 1 >"$TRACING/events/skb/kfree_skb/enable"
	echo 1 >"$TRACING/tracing_on"
}

tracing_off()
{
	echo 0 >"$TRACING/tracing_on"
	echo 0 >"$TRACING/events/skb/kfree_skb/enable"
}

# reason_count REASON: kfree_skb events with that reason since tracing_on.
reason_count()
{
	grep -c "reason: $1\$" "$TRACING/trace"
}

main()
{
	local idt ida idn sent

	require_all
	setup_ns SRC R SK
	veth_pair "$SRC" vs0 "$R" vi 10.0.0.1/24 10.0.0.2/24
	veth_pair "$R" ot "$SK" st 10.0.1.1/24 10.0.1.2/24
	veth_pair "$R" oa "$SK" sa "" 10.0.2.2/24
	veth_pair "$R" on "$SK" sn 10.0.3.1/24 10.0.3.2/24
	idt=$(rule_add "$R" iif vi group 239.8.4.1 port $P consume oif ot)
	ida=$(rule_add "$R" iif vi group 239.8.4.2 port $P oif oa source auto)
	idn=$(rule_add "$R" iif vi group 239.8.4.3 port $P oif on group 10.0.3.99)

	tracing_on
	sent=$(send_udp "$SRC" --iface vs0 --dst 239.8.4.1 --port $P --flow 1 \
		--count "$N" --rate $RATE --ttl 1 --size 100)
	check_eq "sent (TTL 1)" "$sent" "$N"
	sent=$(send_udp "$SRC" --iface vs0 --dst 239.8.4.2 --port $P --flow 2 \
		--count "$N" --rate $RATE --ttl 16 --size 100)
	check_eq "sent (source auto)" "$sent" "$N"
	sent=$(send_udp "$SRC" --iface vs0 --dst 239.8.4.3 --port $P --flow 3 \
		--count "$N" --rate $RATE --ttl 16 --size 100)
	check_eq "sent (unicast)" "$sent" "$N"
	check_eq "ot drop_ttl" \
		"$(wait_for_eq 10 "$N" output_stat "$R" "$idt" ot drop_ttl)" "$N"
	check_eq "oa drop_xmit" \
		"$(wait_for_eq 10 "$N" output_stat "$R" "$ida" oa drop_xmit)" "$N"
	check_eq "on drop_xmit" \
		"$(wait_for_eq 10 "$N" output_stat "$R" "$idn" on drop_xmit)" "$N"
	tracing_off
	check_eq "IP_INHDR drops traced" "$(reason_count IP_INHDR)" "$N"
	check_eq "IP_OUTNOROUTES drops traced" "$(reason_count IP_OUTNOROUTES)" "$N"
	check_eq "NEIGH_FAILED drops traced" "$(reason_count NEIGH_FAILED)" "$N"
	test_exit
}

main "$@"

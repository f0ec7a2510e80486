#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# output_down: an output that cannot send counts every packet in drop_xmit,
# never in packets, and the rule's other outputs still get everything.
#
#   +--------+            +-----------+ oa ---- sa   up
#   |  src   | vs0 -- vi  |    $R     | ob ---- sb   ob down (its qdisc is
#   +--------+            |           |              noop_qdisc, which
#                         |           |              answers NET_XMIT_CN)
#                         |           | oc ---- sc   sc down: oc up, no carrier
#                         +-----------+

source "$(dirname "$0")/lib.sh"

N=$(scaled 300)
RATE=2000
G=239.8.0.1
P=9300

main()
{
	local id sent

	require_all
	setup_ns SRC R SK
	veth_pair "$SRC" vs0 "$R" vi 10.0.0.1/24 10.0.0.2/24
	veth_pair "$R" oa "$SK" sa 10.0.1.1/24 10.0.1.2/24
	veth_pair "$R" ob "$SK" sb 10.0.2.1/24 10.0.2.2/24
	veth_pair "$R" oc "$SK" sc 10.0.3.1/24 10.0.3.2/24
	id=$(rule_add "$R" iif vi group $G port $P oif ob oif oc oif oa)

	ip -n "$R" link set ob down
	ip -n "$SK" link set sc down
	wait_for 10 sh -c "[ \"\$(ip netns exec $R cat /sys/class/net/oc/carrier)\" = 0 ]" ||
		log_fail "oc still has carrier"

	start_recv sa "$SK" --iface sa --group $G --port $P --flow 1 --expect $N --ttl 15
	sent=$(send_udp "$SRC" --iface vs0 --dst $G --port $P --flow 1 --count $N \
		--rate $RATE --ttl 16 --size 400)
	check_eq "sent" "$sent" $N
	check_recv sa
	check_eq "rule packets" "$(rule_stat "$R" "$id" packets)" $N
	check_eq "oa packets" "$(output_stat "$R" "$id" oa packets)" $N
	check_eq "oa drop_xmit" "$(output_stat "$R" "$id" oa drop_xmit)" 0
	for o in ob oc; do
		check_eq "$o packets (cannot send)" "$(output_stat "$R" "$id" $o packets)" 0
		check_eq "$o drop_xmit" "$(output_stat "$R" "$id" $o drop_xmit)" $N
		check_eq "$o bytes" "$(output_stat "$R" "$id" $o bytes)" 0
	done

	# Back up: every output sends again.
	ip -n "$R" link set ob up
	ip -n "$SK" link set sc up
	wait_for 10 sh -c "[ \"\$(ip netns exec $R cat /sys/class/net/oc/carrier)\" = 1 ]" ||
		log_fail "oc has no carrier after sc came up"
	wait_for 10 sh -c "[ \"\$(ip netns exec $R cat /sys/class/net/ob/carrier)\" = 1 ]" ||
		log_fail "ob has no carrier after it came up"
	for o in a b c; do
		start_recv "s${o}2" "$SK" --iface "s$o" --group $G --port $P --flow 2 \
			--expect $N --ttl 15
	done
	sent=$(send_udp "$SRC" --iface vs0 --dst $G --port $P --flow 2 --count $N \
		--rate $RATE --ttl 16 --size 400)
	check_eq "sent after" "$sent" $N
	for o in a b c; do
		check_recv "s${o}2"
	done
	check_eq "oa packets after" "$(output_stat "$R" "$id" oa packets)" $((2 * N))
	check_eq "ob packets after" "$(output_stat "$R" "$id" ob packets)" $N
	check_eq "oc packets after" "$(output_stat "$R" "$id" oc packets)" $N
	check_eq "ob drop_xmit after" "$(output_stat "$R" "$id" ob drop_xmit)" $N
	test_exit
}

main "$@"

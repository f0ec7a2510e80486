#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# consume_vs_pass: without "consume" the original packet also goes up the
# relay's own stack (a local listener gets it); with "consume" the relay
# steals it, and the outputs still get everything.
#
#   +----------+             +----------------------+ oa ------ sa [$SA]
#   |   src    |             |         $R           |
#   |      vs0 +-------------+ vi   [local listener |
#   | 10.0.0.1 |  10.0.0.2   |       on vi, socket] | ob ------ sb [$SB]
#   +----------+             +----------------------+
#
# Each case runs with one output (oa) and with two (oa, ob): with consume the
# last output takes the original skb instead of a clone, a separate path.

source "$(dirname "$0")/lib.sh"

N=$(scaled 1500)
RATE=2000
G=239.5.0.1
P=9001

# run_case NAME FLOW LOCAL_EXPECT RULE_FLAGS OUTPUTS...
run_case()
{
	local name=$1 flow=$2 local_expect=$3 flags=$4 id sent oif
	shift 4
	local oifs=("$@") args=()

	log "=== $name: flags '${flags:-none}', outputs ${oifs[*]}"
	for oif in "${oifs[@]}"; do
		args+=(oif "$oif")
	done
	# shellcheck disable=SC2086  # flags: zero or one word
	id=$(rule_add "$R" iif vi group $G port $P $flags "${args[@]}")

	# The local listener: a plain UDP socket joined on vi in the relay ns.
	start_recv "local$flow" "$R" --mode socket --iface vi --group $G --port $P \
		--flow "$flow" --expect "$local_expect"
	for oif in "${oifs[@]}"; do
		start_recv "$oif$flow" "$(sink_ns "$oif")" --iface "s${oif#o}" --group $G \
			--port $P --flow "$flow" --expect $N --ttl 15
	done
	sent=$(send_udp "$SRC" --iface vs0 --dst $G --port $P --flow "$flow" --count $N \
		--rate $RATE --ttl 16 --size 300)
	check_eq "sent" "$sent" $N
	for oif in "${oifs[@]}"; do
		check_recv "$oif$flow"
	done
	# The listener with --expect 0 waits for a stop; the outputs are done,
	# so the stream is over.
	[ "$local_expect" -eq 0 ] && stop_recv "local$flow"
	check_recv "local$flow"
	check_eq "local listener unique" "$(recv_field "local$flow" unique)" "$local_expect"

	check_eq "rule packets" "$(rule_stat "$R" "$id" packets)" $N
	for oif in "${oifs[@]}"; do
		check_eq "output $oif packets" "$(output_stat "$R" "$id" "$oif" packets)" $N
	done
	check_output_drops "$R" "$id"
	check_eq "flags shown" \
		"$(mcr_nl "$R" -j rule show id "$id" | jq -r '(if type == "array" then .[0] else . end).flags | index("consume") != null')" \
		"$([ -n "$flags" ] && echo true || echo false)"
	check_ok "rule del" mcr_nl "$R" rule del id "$id"
}

sink_ns()
{
	case $1 in
	oa) echo "$SA" ;;
	ob) echo "$SB" ;;
	esac
}

main()
{
	require_all
	setup_ns SRC R SA SB
	veth_pair "$SRC" vs0 "$R" vi 10.0.0.1/24 10.0.0.2/24
	veth_pair "$R" oa "$SA" sa 10.0.1.1/24 10.0.1.2/24
	veth_pair "$R" ob "$SB" sb 10.0.2.1/24 10.0.2.2/24

	run_case "pass, one output" 1 $N "" oa
	run_case "consume, one output" 2 0 consume oa
	run_case "pass, two outputs" 3 $N "" oa ob
	run_case "consume, two outputs" 4 0 consume oa ob
	test_exit
}

main "$@"

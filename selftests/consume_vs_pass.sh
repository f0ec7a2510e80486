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
#
# Over IPv4, or over IPv6 with MCR_TEST_FAMILY=6 (consume_vs_pass6.sh):
# then 10.0.N.H is fd00:N::H and the group ff3e::5:1. The IPv6 run also
# checks the sender's flow label on every copy, the hop limit the local
# listener sees (16: not relayed) and byte counters of IPv6 lengths
# (40 + 8 + 300).

source "$(dirname "$0")/lib.sh"

N=$(scaled 1500)
RATE=2000
G=$(pick 239.5.0.1 ff3e::5:1)
P=9001
SIZE=300
# What only IPv6 checks (the IPv4 listener checks no TTL).
SEND6=()
RECV6=()
LOCAL6=()
if is_ipv6; then
	SEND6=(--flowlabel 0x5c0)
	RECV6=(--flowlabel 0x5c0)
	LOCAL6=(--flowlabel 0x5c0 --ttl 16)
fi

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
	id=$(rule_add "$R" iif vi group "$G" port $P $flags "${args[@]}")

	# The local listener: a plain UDP socket joined on vi in the relay ns.
	start_recv "local$flow" "$R" --mode socket --iface vi --group "$G" --port $P \
		--flow "$flow" --expect "$local_expect" "${LOCAL6[@]}"
	for oif in "${oifs[@]}"; do
		start_recv "$oif$flow" "$(sink_ns "$oif")" --iface "s${oif#o}" --group "$G" \
			--port $P --flow "$flow" --expect "$N" --ttl 15 "${RECV6[@]}"
	done
	sent=$(send_udp "$SRC" --iface vs0 --dst "$G" --port $P --flow "$flow" --count "$N" \
		--rate $RATE --ttl 16 --size $SIZE "${SEND6[@]}")
	check_eq "sent" "$sent" "$N"
	for oif in "${oifs[@]}"; do
		check_recv "$oif$flow"
	done
	# The listener with --expect 0 waits for a stop; the outputs are done,
	# so the stream is over.
	[ "$local_expect" -eq 0 ] && stop_recv "local$flow"
	check_recv "local$flow"
	check_eq "local listener unique" "$(recv_field "local$flow" unique)" "$local_expect"

	check_eq "rule packets" "$(rule_stat "$R" "$id" packets)" "$N"
	for oif in "${oifs[@]}"; do
		check_eq "output $oif packets" "$(output_stat "$R" "$id" "$oif" packets)" "$N"
	done
	if is_ipv6; then
		check_eq "rule bytes" "$(rule_stat "$R" "$id" bytes)" $((N * (IP_HLEN + 8 + SIZE)))
		for oif in "${oifs[@]}"; do
			check_eq "output $oif bytes" "$(output_stat "$R" "$id" "$oif" bytes)" \
				$((N * (IP_HLEN + 8 + SIZE)))
		done
	fi
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
	family_ns "$SRC" "$R" "$SA" "$SB"
	veth_pair "$SRC" vs0 "$R" vi "$(cidr_in 0 1)" "$(cidr_in 0 2)"
	veth_pair "$R" oa "$SA" sa "$(cidr_in 1 1)" "$(cidr_in 1 2)"
	veth_pair "$R" ob "$SB" sb "$(cidr_in 2 1)" "$(cidr_in 2 2)"

	run_case "pass, one output" 1 "$N" "" oa
	run_case "consume, one output" 2 0 consume oa
	run_case "pass, two outputs" 3 "$N" "" oa ob
	run_case "consume, two outputs" 4 0 consume oa ob
	test_exit
}

main "$@"

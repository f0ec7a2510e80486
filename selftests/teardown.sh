#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# teardown: things disappear under a running stream; nothing crashes, the
# rule table follows, notifications are sent, memberships are dropped.
#
#   +----------+             +---------------+ oa ------ sa [$SA]
#   |   src    |             |      $R       |
#   |      vs0 +-------------+ vi            | ob ------ sb [$SB]
#   | 10.0.0.1 |  10.0.0.2   |  [monitor]    |
#   +----------+             +---------------+
#
#   +----------+             +---------------+
#   |   src2   +-------------+ $R2  (rules)  | x0..x3 (dummy)       deleted whole
#   +----------+             +---------------+
#
#  1. delete output device ob mid-stream: the rule stays with oa only, the
#     monitor shows output-del, outputs_removed = 1, and sa still receives
#     every packet (exactly N).
#  2. delete input device vi mid-stream: the rule is deleted, the monitor
#     shows rule-del, rules = 0, sa got a contiguous head of the stream.
#  3. delete the namespace $R2 (rules, joined groups, hooked device) while
#     src2 streams into it.
#  4. rmmod mcr while src streams into a hooked vi of $R (rules, outputs,
#     memberships): rmmod succeeds, the membership is gone, the stream goes
#     on unharmed; then insmod $MCR_KO again (later tests need the module)
#     and the table is empty.
# The VM runner fails the run on any kernel splat or leak report.
#
# Over IPv4, or over IPv6 with MCR_TEST_FAMILY=6 (teardown6.sh): then
# 10.0.N.H is fd00:N::H, the groups are ff3e::7:X for 239.7.0.X (the
# probe's ff3e::7:9:9), memberships are read in /proc/net/igmp6 (the MLD
# joins), and sa also checks hop limit 15 and the sender's flow label on
# every packet and, in step 1, byte counters of IPv6 lengths (40 + 8 + 200).

source "$(dirname "$0")/lib.sh"

N=8000		# 8 s at RATE: long enough for slow (TCG) control operations
RATE=1000
G=$(pick 239.7.0.1 ff3e::7:1)
G_PROBE=$(pick 239.7.9.9 ff3e::7:9:9)
P=7777
# What only IPv6 checks (the IPv4 receivers check no TTL).
SEND6=()
RECV6=()
if is_ipv6; then
	SEND6=(--flowlabel 0x7ea)
	RECV6=(--ttl 15 --flowlabel 0x7ea)
fi

# group_hex G: G as /proc/net/igmp (igmp_hex) or /proc/net/igmp6 (32 hex
# digits, no colon) print it.
group_hex()
{
	local head tail g out="" i
	local -a h=() t=()

	if ! is_ipv6; then
		igmp_hex "$1"
		return
	fi
	head=$1
	tail=
	if [[ $1 == *::* ]]; then
		head=${1%%::*}
		tail=${1#*::}
	fi
	[ -z "$head" ] || IFS=: read -ra h <<<"$head"
	[ -z "$tail" ] || IFS=: read -ra t <<<"$tail"
	for g in "${h[@]}"; do
		printf -v g '%04x' "0x$g"
		out+=$g
	done
	for ((i = ${#h[@]} + ${#t[@]}; i < 8; i++)); do
		out+=0000
	done
	for g in "${t[@]}"; do
		printf -v g '%04x' "0x$g"
		out+=$g
	done
	echo "$out"
}

# memberships NS G: the lines of NS's /proc/net/igmp (igmp6) that name G.
memberships()
{
	ip netns exec "$1" grep -c "$(group_hex "$2")" /proc/net/"$(pick igmp igmp6)"
}

# shellcheck disable=SC2317  # called through has_event
# monitor_events EVENT: rule ids in the monitor's EVENT notifications.
monitor_events()
{
	jq -r "select(.event == \"$1\") | .rule.id" "$TMPD/monitor.json" 2>/dev/null
}

# has_event EVENT ID
# shellcheck disable=SC2317  # called through wait_for
has_event()
{
	monitor_events "$1" | grep -qx "$2"
}

start_monitor()
{
	local probe seen=0 i

	ip netns exec "$R" "$MCR_NL" -j monitor >"$TMPD/monitor.json" 2>"$TMPD/monitor.err" &
	BG_PIDS+=("$!")
	MON_PID=$!
	# The monitor has no ready signal: add and delete probe rules until
	# one shows up, then it is subscribed. A probe added before it
	# subscribed never shows, so each gets a short wait and the next one
	# is tried (no sleep that might be too short).
	dummies "$R" probe 1
	for ((i = 0; i < 30 && !seen; i++)); do
		probe=$(rule_add "$R" iif probe0 group "$G_PROBE" nojoin oif oa)
		wait_for 2 has_event rule-new "$probe" && seen=1
		mcr_nl "$R" rule del id "$probe"
	done
	if [ "$seen" = 0 ]; then
		log "monitor output: $(cat "$TMPD/monitor.json" "$TMPD/monitor.err")"
		die "mcr-nl monitor shows no rule-new event in $i tries"
	fi
	wait_for 10 has_event rule-del "$probe" || log_fail "no rule-del event for probe rule"
	ip -n "$R" link del probe0
}

# check_running NAME: a background sender is still sending (so what was just
# done happened during traffic).
check_running()
{
	check_eq "stream $1 still running" \
		"$(kill -0 "${SEND_PID[$1]}" 2>/dev/null && echo yes || echo no)" yes
}

# shellcheck disable=SC2317  # called through wait_for
vs0_gone()
{
	! ip -n "$1" link show vs0 >/dev/null 2>&1
}

# src_tx: the packets of the stream vs0 in $SRC sent (its ICMPv6 ones, the
# MLD reports of the IPv6 run, left out: icmp6_sent).
src_tx()
{
	local tx icmp

	tx=$(ip netns exec "$SRC" cat /sys/class/net/vs0/statistics/tx_packets) || return 1
	icmp=$(icmp6_sent "$SRC" vs0) || return 1
	echo $((tx - icmp))
}

stream()
{
	local name=$1 ns=$2
	shift 2

	send_bg "$name" "$ns" --iface vs0 --dst "$G" --port $P --rate $RATE --ttl 16 \
		--size 200 --keep-going "${SEND6[@]}" "$@"
}

step_del_output()
{
	local id sent

	log "=== step 1: delete an output device during traffic"
	id=$(rule_add "$R" iif vi group "$G" port $P oif oa oif ob)
	start_recv a1 "$SA" --iface sa --group "$G" --port $P --flow 1 --expect $N --timeout 120 \
		"${RECV6[@]}"
	stream s1 "$SRC" --flow 1 --count $N
	wait_counter_ge 20 1000 stream_rx "$R" vi "$SRC" vs0 || log_fail "stream did not start"
	check_ok "ip link del ob" ip -n "$R" link del ob
	check_running s1
	send_wait s1
	sent=$SENT
	check_eq "sent" "$sent" $N
	check_recv a1
	check_eq "rule still there" "$(rule_count "$R")" 1
	check_eq "outputs left" \
		"$(mcr_nl "$R" -j rule show id "$id" | jq -r '(if type == "array" then .[0] else . end).outputs | map(.oif) | join(",")')" oa
	check_eq "rule packets" "$(rule_stat "$R" "$id" packets)" $N
	check_eq "output oa packets" "$(output_stat "$R" "$id" oa packets)" $N
	if is_ipv6; then
		check_eq "rule bytes" "$(rule_stat "$R" "$id" bytes)" $((N * (IP_HLEN + 8 + 200)))
		check_eq "output oa bytes" "$(output_stat "$R" "$id" oa bytes)" \
			$((N * (IP_HLEN + 8 + 200)))
	fi
	check_eq "outputs_removed" "$(netns_stat "$R" outputs_removed)" 1
	check_eq "netns outputs" "$(netns_stat "$R" outputs)" 1
	if wait_for 5 has_event output-del "$id"; then
		log "ok: monitor shows output-del for rule $id"
	else
		log_fail "monitor shows no output-del for rule $id"
	fi
	RULE1=$id
}

step_del_input()
{
	local id=$RULE1 rx0

	log "=== step 2: delete the input device during traffic"
	start_recv a2 "$SA" --iface sa --group "$G" --port $P --flow 2 --expect any --timeout 30 \
		"${RECV6[@]}"
	stream s2 "$SRC" --flow 2 --count 0 --duration-max 120
	rx0=$(stream_rx "$R" vi "$SRC" vs0)
	wait_counter_ge 20 $((rx0 + 1000)) stream_rx "$R" vi "$SRC" vs0 ||
		log_fail "stream did not start"
	check_ok "ip link del vi" ip -n "$R" link del vi
	check_running s2
	send_stop s2
	stop_recv a2
	finish_recv a2
	check_eq "sa min_seq" "$(recv_field a2 min_seq)" 0
	check_eq "sa gaps" "$(recv_field a2 missing)" 0
	check_eq "sa dup" "$(recv_field a2 dup)" 0
	check_eq "sa bad_csum" "$(recv_field a2 bad_csum)" 0
	check_ge "sa unique" "$(recv_field a2 unique)" 1000
	check_eq "rules" "$(netns_stat "$R" rules)" 0
	check_eq "rule dump" "$(rule_count "$R")" 0
	if wait_for 5 has_event rule-del "$id"; then
		log "ok: monitor shows rule-del for rule $id"
	else
		log_fail "monitor shows no rule-del for rule $id"
	fi
	check_eq "group left in /proc/net/$(pick igmp igmp6)" "$(memberships "$R" "$G")" 0

	# The input link again, for step 4.
	veth_pair "$SRC" vs0 "$R" vi "$(cidr_in 0 1)" "$(cidr_in 0 2)"
}

step_del_netns()
{
	local i id args=()

	log "=== step 3: delete a relay namespace with rules, during traffic"
	setup_ns SRC2 R2
	family_ns "$SRC2" "$R2"
	veth_pair "$SRC2" vs0 "$R2" vi "$(cidr_in 0 1)" "$(cidr_in 0 2)"
	dummies "$R2" x 4
	for i in 0 1 2 3; do
		args+=(oif "x$i")
	done
	id=$(rule_add "$R2" iif vi group "$G" port $P "${args[@]}")
	rule_add "$R2" iif vi group "$G" "${args[@]}" >/dev/null
	rule_add "$R2" iif vi group "$(pick 239.7.0.2 ff3e::7:2)" port $P consume \
		"${args[@]}" >/dev/null
	rule_add "$R2" iif x0 group "$(pick 239.7.0.3 ff3e::7:3)" oif x1 >/dev/null
	stream s3 "$SRC2" --flow 3 --count 0 --duration-max 120
	wait_counter_ge 20 500 rule_stat "$R2" "$id" packets || log_fail "stream did not start"
	check_ok "ip netns del $R2" del_ns "$R2"
	check_running s3
	# The namespace is dismantled asynchronously; its end of the veth
	# going takes the source's end with it.
	if wait_for 60 vs0_gone "$SRC2"; then
		log "ok: $R2 dismantled (its veth is gone)"
	else
		log_fail "$R2's devices still there after 60 s"
	fi
	send_stop s3
	check_eq "namespace gone" "$(ip netns list | grep -c "^$R2\b")" 0
}

step_rmmod()
{
	local id sent ko tx0

	log "=== step 4: rmmod during traffic, then insmod again"
	ko=${MCR_KO:-$REPO_DIR/kmod/mcr.ko}
	[ -f "$ko" ] || die "no module to reload (MCR_KO unset and $ko missing)"
	id=$(rule_add "$R" iif vi group "$G" port $P oif oa)
	rule_add "$R" iif vi group "$(pick 239.7.0.9 ff3e::7:9)" oif oa >/dev/null
	start_recv a4 "$SA" --iface sa --group "$G" --port $P --flow 4 --expect any --timeout 60 \
		"${RECV6[@]}"
	stream s4 "$SRC" --flow 4 --count 0 --duration-max 120
	wait_counter_ge 10 500 rule_stat "$R" "$id" packets || log_fail "stream did not start"
	check_eq "joined before rmmod" "$(memberships "$R" "$G")" 1

	check_ok "rmmod mcr during traffic" rmmod mcr
	check_running s4
	check_eq "module gone" "$([ -d /sys/module/mcr ] && echo loaded || echo gone)" gone
	check_eq "membership dropped by unload" "$(memberships "$R" "$G")" 0
	# Traffic keeps arriving on the formerly hooked device for a while.
	tx0=$(src_tx)
	wait_counter_ge 10 $((tx0 + 500)) src_tx || log_fail "stream stalled after rmmod"
	send_stop s4
	stop_recv a4
	finish_recv a4
	check_eq "sa gaps before unload" "$(recv_field a4 missing)" 0
	check_eq "sa dup" "$(recv_field a4 dup)" 0

	check_ok "insmod $ko" insmod "$ko"
	check_eq "rules after reload" "$(netns_stat "$R" rules)" 0
	check_eq "rule dump after reload" "$(rule_count "$R")" 0
}

main()
{
	require_all
	setup_ns SRC R SA SB
	family_ns "$SRC" "$R" "$SA" "$SB"
	veth_pair "$SRC" vs0 "$R" vi "$(cidr_in 0 1)" "$(cidr_in 0 2)"
	veth_pair "$R" oa "$SA" sa "$(cidr_in 1 1)" "$(cidr_in 1 2)"
	veth_pair "$R" ob "$SB" sb "$(cidr_in 2 1)" "$(cidr_in 2 2)"
	start_monitor

	step_del_output
	step_del_input
	step_del_netns
	kill "$MON_PID" 2>/dev/null
	step_rmmod
	test_exit
}

main "$@"

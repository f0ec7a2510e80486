#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# group_join: a rule joins its group on the input device, like a socket's
# IP_ADD_MEMBERSHIP: the group is on the device's membership list, an IGMP
# membership report goes out on the input link, the membership is shared
# by the rules of one group and leaves with the last of them; "nojoin"
# rules join nothing.
#
#   +-------------------+                 +------------------+
#   |       src         |                 |       $R         |
#   |  vs0 [tcpdump]    +-----------------+ vi           d0  | (dummy output)
#   |  10.0.0.1         |    10.0.0.2     |                  |
#   +-------------------+                 +------------------+
#
# IGMP reports are captured on the peer (vs0) with tcpdump; a v3 report
# names the group in a record ("gaddr G to_ex" on join, "to_in" on leave),
# a v2 report/leave names it directly: both are accepted.

source "$(dirname "$0")/lib.sh"

G1=239.6.0.1
G2=239.6.0.2
G3=239.6.0.3

# in_maddr G: the group is in "ip maddr show dev vi" in the relay ns.
in_maddr()
{
	ip -n "$R" maddr show dev vi | grep -Eq "inet +${1//./\\.}( |$)"
}

# in_igmp G: the group is listed under vi in the relay's /proc/net/igmp
# (groups are printed as the hex of the network-order word, read on a
# little-endian host: 239.6.0.1 -> 010006EF).
in_igmp()
{
	local hex

	hex=$(awk -F. '{ printf "%02X%02X%02X%02X", $4, $3, $2, $1 }' <<<"$1")
	# shellcheck disable=SC2016  # an awk program
	ip netns exec "$R" awk -v g="$hex" '
		/^[0-9]/ { dev = $2 }
		dev == "vi" && $1 == g { found = 1 }
		END { exit !found }' /proc/net/igmp
}

# check_member G yes|no WHY
check_member()
{
	local g=$1 want=$2 why=$3 m=no i=no

	in_maddr "$g" && m=yes
	in_igmp "$g" && i=yes
	check_eq "$why: $g in ip maddr show dev vi" $m "$want"
	check_eq "$why: $g in /proc/net/igmp (vi)" $i "$want"
}

join_seen() { grep -Eq "gaddr $1 to_ex|v2 report $1" "$CAP"; }
leave_seen() { grep -Eq "gaddr $1 to_in|leave $1" "$CAP"; }

start_capture()
{
	CAP="$TMPD/igmp.txt"
	ip netns exec "$SRC" tcpdump -i vs0 -n -v -l igmp >"$CAP" 2>"$TMPD/tcpdump.err" &
	BG_PIDS+=("$!")
	wait_for 10 grep -q "listening on" "$TMPD/tcpdump.err" ||
		die "tcpdump did not start: $(cat "$TMPD/tcpdump.err")"
}

main()
{
	local a b c

	require_all
	require_cmd tcpdump
	setup_ns SRC R
	veth_pair "$SRC" vs0 "$R" vi 10.0.0.1/24 10.0.0.2/24
	dummies "$R" d 1
	start_capture

	log "--- a rule joins its group"
	check_member $G1 no "before any rule"
	a=$(rule_add "$R" iif vi group $G1 port 1001 oif d0)
	check_member $G1 yes "after rule add"
	if wait_for 10 join_seen $G1; then
		log "ok: IGMP report for $G1 seen on the input link"
	else
		log_fail "no IGMP report for $G1 on the input link"
	fi

	log "--- nojoin: no membership"
	c=$(rule_add "$R" iif vi group $G3 port 1003 nojoin oif d0)
	check_member $G3 no "nojoin rule"

	log "--- a second rule on the same group shares the membership"
	b=$(rule_add "$R" iif vi group $G1 port 1002 oif d0)
	check_member $G1 yes "two rules"
	check_ok "rule replace keeps the rule" \
		mcr_nl "$R" rule replace iif vi group $G1 port 1002 oif d0
	check_member $G1 yes "after replace"
	check_ok "delete the first rule" mcr_nl "$R" rule del id "$a"
	check_member $G1 yes "one of two rules deleted"
	check_eq "no leave while a rule remains" "$(leave_seen $G1 && echo yes || echo no)" no
	check_ok "delete the last rule" mcr_nl "$R" rule del id "$b"
	check_member $G1 no "last rule deleted"
	if wait_for 10 leave_seen $G1; then
		log "ok: IGMP leave for $G1 seen on the input link"
	else
		log_fail "no IGMP leave for $G1 on the input link"
	fi

	log "--- a rule on a group with port 0, then flush"
	rule_add "$R" iif vi group $G2 oif d0 >/dev/null
	check_member $G2 yes "any-port rule"
	wait_for 10 join_seen $G2 || log_fail "no IGMP report for $G2"
	check_ok "flush" mcr_nl "$R" rule flush
	check_member $G2 no "after flush"
	check_member $G3 no "after flush (nojoin)"
	# The nojoin group must never have been reported.
	check_eq "IGMP report for nojoin $G3" "$(join_seen $G3 && echo yes || echo no)" no
	check_eq "rules" "$(netns_stat "$R" rules)" 0
	: "$c"
	test_exit
}

main "$@"

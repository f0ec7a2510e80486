#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# group_join: a rule joins its group on the input device, like a socket's
# IP_ADD_MEMBERSHIP: the group is on the device's membership list, an IGMP
# membership report goes out on the input link, the membership is shared
# by the rules of one group and leaves with the last of them; "nojoin"
# rules join nothing. When the input's IPv4 state is destroyed and made
# again (MTU below 68 and back), the rule joins again on it, and deleting
# the rule then leaves a socket's membership alone.
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
G4=239.6.0.4
MDEV=vi		# the device whose memberships are checked

# in_maddr G: the group is in "ip maddr show dev $MDEV" in the relay ns.
in_maddr()
{
	ip -n "$R" maddr show dev "$MDEV" | grep -Eq "inet +${1//./\\.}( |$)"
}

# in_igmp G: the group is listed under $MDEV in the relay's /proc/net/igmp.
in_igmp()
{
	[ "$(igmp_users "$R" "$MDEV" "$1")" -gt 0 ]
}

# check_member G yes|no WHY
check_member()
{
	local g=$1 want=$2 why=$3 m=no i=no

	in_maddr "$g" && m=yes
	in_igmp "$g" && i=yes
	check_eq "$why: $g in ip maddr show dev $MDEV" $m "$want"
	check_eq "$why: $g in /proc/net/igmp ($MDEV)" $i "$want"
}

join_seen() { grep -Eq "gaddr $1 to_ex|v2 report $1" "$CAP"; }
leave_seen() { grep -Eq "gaddr $1 to_in|leave $1" "$CAP"; }

main()
{
	local a b c

	require_all
	require_cmd tcpdump
	setup_ns SRC R
	veth_pair "$SRC" vs0 "$R" vi 10.0.0.1/24 10.0.0.2/24
	dummies "$R" d 2
	start_capture "$SRC" vs0 igmp

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

	# On a dummy: veth, as most Ethernet devices, refuses an MTU below 68.
	log "--- the membership follows d1's IPv4 state (MTU below 68, and back)"
	MDEV=d1
	a=$(rule_add "$R" iif d1 group $G4 port 1004 oif d0)
	check_member $G4 yes "rule on $G4"
	ip -n "$R" link set d1 mtu 60 || die "cannot set d1's MTU to 60"
	check_member $G4 no "MTU 60: d1 has no IPv4 state"
	ip -n "$R" link set d1 mtu 1500
	check_member $G4 yes "MTU 1500: the rule joined again"
	start_recv sock "$R" --mode socket --iface d1 --group $G4 --port 1004 \
		--expect any --timeout 60
	check_eq "users of $G4 on d1: the rule and a socket" "$(igmp_users "$R" "$MDEV" $G4)" 2
	check_ok "delete the rule" mcr_nl "$R" rule del id "$a"
	check_eq "users of $G4 on d1 after the rule: the socket" "$(igmp_users "$R" "$MDEV" $G4)" 1
	stop_recv sock
	check_recv sock
	: "$c"
	test_exit
}

main "$@"

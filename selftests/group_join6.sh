#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# group_join6: IPv6 rules join with MLD as sockets would. A (*,G) rule
# joins any-source, like IPV6_JOIN_GROUP: the group is in the input
# device's membership list (/proc/net/igmp6), an MLDv2 report with the
# group in EXCLUDE mode goes out on the input link, the membership is
# counted per rule (ipv6_dev_mc_inc()) and left with the last; nojoin
# rules join nothing. An (S,G) rule joins source-specifically, like
# MCAST_JOIN_SOURCE_GROUP: an MLDv2 "allow { S }" record and no any-source
# one, shared by the rules of the (S,G), left with "block { S }". When the
# input's IPv6 state is destroyed and made again (MTU below 1280 and back)
# both kinds join again, and deleting the rules then leaves a socket's
# membership alone.
#
#   +-------------------+                    +------------------+
#   |       src         |                    |       $R         |
#   |  vs0 [tcpdump]    +--------------------+ vi           d0  | (dummy output)
#   |  2001:db8:6::1    |    2001:db8:6::2   |                  |
#   +-------------------+                    +------------------+
#
# tcpdump -vv prints an MLDv2 record as "[gaddr G TYPE { SOURCES }]". The
# filter is ip6, not icmp6: MLD comes after a Hop-by-Hop header (Router
# Alert), which "icmp6" (ip6 proto 58) does not look past.

source "$(dirname "$0")/lib.sh"

S1=2001:db8:6::1
S2=2001:db8:6::3
G1=ff3e::6:1
G2=ff3e::6:2
G3=ff3e::6:3
G4=ff3e::6:4
G5=ff3e::6:5
G6=ff3e::6:6

# hex6 A: A as /proc/net/igmp6 and mcfilter6 print it (32 hex digits).
hex6()
{
	python3 -c 'import ipaddress, sys
print(ipaddress.IPv6Address(sys.argv[1]).exploded.replace(":", ""))' "$1"
}

# users6 DEV G: the users of G on DEV in the relay's /proc/net/igmp6, 0 if
# it is not listed.
users6()
{
	local hex

	hex=$(hex6 "$2")
	# shellcheck disable=SC2016  # an awk program
	ip netns exec "$R" awk -v dev="$1" -v g="$hex" '
		$2 == dev && $3 == g { users = $4 }
		END { print users + 0 }' /proc/net/igmp6
}

asm_join_re() { echo "gaddr $1 (to_ex|is_ex) \{ \}"; }
asm_leave_re() { echo "gaddr $1 (to_in|is_in) \{ \}"; }
ssm_join_re() { echo "gaddr $1 allow \{ $2 \}"; }
ssm_leave_re() { echo "gaddr $1 block \{ $2 \}"; }

# wait_users DEV G N WHY: G has N users on DEV within 10 s (source-specific
# joins are made by a work item, after the rule add returned).
wait_users()
{
	check_eq "$4: users of $2 on $1" "$(wait_for_eq 10 "$3" users6 "$1" "$2")" "$3"
}

step_any_source()
{
	local a b

	log "--- a (*,G) rule joins any-source"
	check_eq "users of $G1 before any rule" "$(users6 vi $G1)" 0
	a=$(rule_add "$R" iif vi group $G1 port 1001 oif d0)
	check_eq "users of $G1 after rule add" "$(users6 vi $G1)" 1
	expect_seen "MLDv2 EXCLUDE {} report for $G1" "$(asm_join_re $G1)"

	log "--- nojoin: no membership, no report"
	rule_add "$R" iif vi group $G3 port 1003 nojoin oif d0 >/dev/null
	check_eq "users of nojoin $G3" "$(users6 vi $G3)" 0

	log "--- a second rule of the group: the kernel counts both users"
	b=$(rule_add "$R" iif vi group $G1 port 1002 oif d0)
	check_eq "users of $G1 with two rules" "$(users6 vi $G1)" 2
	check_ok "rule replace keeps the rule" \
		mcr_nl "$R" rule replace iif vi group $G1 port 1002 oif d0
	check_ok "delete the first rule" mcr_nl "$R" rule del id "$a"
	check_eq "users of $G1 with one rule left" "$(users6 vi $G1)" 1
	expect_unseen "no leave of $G1 while a rule remains" "$(asm_leave_re $G1)"
	check_ok "delete the last rule" mcr_nl "$R" rule del id "$b"
	check_eq "users of $G1 after the last rule" "$(users6 vi $G1)" 0
	expect_seen "MLDv2 leave (INCLUDE {}) for $G1" "$(asm_leave_re $G1)"

	log "--- an any-port rule, then flush"
	rule_add "$R" iif vi group $G2 oif d0 >/dev/null
	check_eq "users of $G2" "$(users6 vi $G2)" 1
	check_ok "flush" mcr_nl "$R" rule flush
	check_eq "users of $G2 after flush" "$(users6 vi $G2)" 0
	expect_unseen "no report ever for nojoin $G3" "gaddr $G3 "
}

step_source_specific()
{
	local a b

	log "--- an (S,G) rule joins source-specifically"
	a=$(rule_add "$R" iif vi group $G4 source $S1 port 2001 oif d0)
	wait_users vi $G4 1 "(S,G) rule"
	expect_seen "MLDv2 INCLUDE report for $G4 from $S1" "$(ssm_join_re $G4 $S1)"
	expect_unseen "no any-source report for $G4" "$(asm_join_re $G4)"
	# mcfilter6 lists a device only if the first group of its list has
	# sources (igmp6_mcf_get_first()): $G4 was joined last, so it is.
	check_eq "$G4 from $S1 in /proc/net/mcfilter6" \
		"$(ip netns exec "$R" awk -v g="$(hex6 $G4)" -v s="$(hex6 $S1)" \
			'$2 == "vi" && $3 == g && $4 == s { print $5, $6 }' \
			/proc/net/mcfilter6)" "1 0"

	log "--- a second rule of the (S,G) shares the membership"
	b=$(rule_add "$R" iif vi group $G4 source $S1 port 2002 oif d0)
	check_eq "users of $G4 with two rules" "$(users6 vi $G4)" 1
	check_ok "delete the first rule" mcr_nl "$R" rule del id "$a"
	check_eq "users of $G4 with one rule left" "$(users6 vi $G4)" 1
	expect_unseen "no block of $S1 while a rule remains" "$(ssm_leave_re $G4 $S1)"

	log "--- a second source of the group: a membership of its own"
	a=$(rule_add "$R" iif vi group $G4 source $S2 port 2003 oif d0)
	wait_users vi $G4 2 "two sources"
	expect_seen "MLDv2 INCLUDE report for $G4 from $S2" "$(ssm_join_re $G4 $S2)"
	check_ok "delete the rule of $S2" mcr_nl "$R" rule del id "$a"
	check_eq "users of $G4 after $S2's rule" "$(users6 vi $G4)" 1
	expect_seen "MLDv2 block of $S2 for $G4" "$(ssm_leave_re $G4 $S2)"
	check_ok "delete the last rule" mcr_nl "$R" rule del id "$b"
	check_eq "users of $G4 after the last rule" "$(users6 vi $G4)" 0
	expect_seen "MLDv2 block of $S1 for $G4" "$(ssm_leave_re $G4 $S1)"

	log "--- nojoin (S,G): nothing joined; replace without nojoin joins"
	a=$(rule_add "$R" iif vi group $G6 source $S1 port 2004 nojoin oif d0)
	check_eq "users of nojoin $G6" "$(users6 vi $G6)" 0
	check_ok "replace without nojoin" \
		mcr_nl "$R" rule replace iif vi group $G6 source $S1 port 2004 oif d0
	wait_users vi $G6 1 "replace without nojoin"
	check_ok "replace with nojoin" \
		mcr_nl "$R" rule replace iif vi group $G6 source $S1 port 2004 nojoin oif d0
	check_eq "users of $G6 after replace with nojoin" "$(users6 vi $G6)" 0
	check_ok "flush" mcr_nl "$R" rule flush
}

# MTU below 1280 destroys the inet6_dev and its memberships; back at 1500
# it is made again, and the rules join again on it.
step_mtu()
{
	local a b

	log "--- the memberships follow vi's IPv6 state (MTU 1200, and back)"
	a=$(rule_add "$R" iif vi group $G5 port 1005 oif d0)
	b=$(rule_add "$R" iif vi group $G4 source $S1 port 2005 oif d0)
	wait_users vi $G4 1 "(S,G) before the MTU change"
	check_eq "users of $G5 before the MTU change" "$(users6 vi $G5)" 1
	ip -n "$R" link set vi mtu 1200 || die "cannot set vi's MTU to 1200"
	check_eq "users of $G5 at MTU 1200" "$(users6 vi $G5)" 0
	check_eq "users of $G4 at MTU 1200" "$(users6 vi $G4)" 0
	ip -n "$R" link set vi mtu 1500
	check_eq "users of $G5 at MTU 1500: joined again" "$(users6 vi $G5)" 1
	wait_users vi $G4 1 "(S,G) at MTU 1500: joined again"

	start_recv sock "$R" --mode socket --iface vi --group $G5 --port 1005 \
		--expect any --timeout 60
	wait_users vi $G5 2 "the rule and a socket"
	check_ok "delete the (*,G) rule" mcr_nl "$R" rule del id "$a"
	check_eq "users of $G5 after the rule: the socket" "$(users6 vi $G5)" 1
	check_ok "delete the (S,G) rule" mcr_nl "$R" rule del id "$b"
	check_eq "users of $G4 after its rule" "$(users6 vi $G4)" 0
	stop_recv sock
	check_recv sock
}

main()
{
	require_all
	require_cmd tcpdump python3
	setup_ns SRC R
	ns_ipv6 "$SRC" "$R"
	veth_pair "$SRC" vs0 "$R" vi $S1/64 2001:db8:6::2/64
	dummies "$R" d 1
	start_capture "$SRC" vs0 ip6

	step_any_source
	step_source_specific
	step_mtu
	check_eq "rules" "$(netns_stat "$R" rules)" 0
	test_exit
}

main "$@"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ssm_join: an (S,G) rule joins source-specifically, as a socket's
# MCAST_JOIN_SOURCE_GROUP would (IGMPv3 INCLUDE {S}): the source is in
# /proc/net/mcfilter under the input device, and an IGMPv3 report goes out
# that names S and is no any-source join; the rules of one (S,G) share the
# membership, a (*,G) rule on the same group leaves it alone, and deleting
# the last rule leaves at once. "nojoin" rules join nothing, and a replace
# that toggles nojoin joins and leaves. Past net.ipv4.igmp_max_memberships
# (per socket) mcr joins on more sockets; with the limit at 0 the join fails
# with a kernel warning and the rule stays. When the input's IPv4 state is
# destroyed and made again (MTU below 68 and back) the rule joins again and
# later leaves only its own membership. Deleting a namespace or unloading
# the module drops the memberships (the VM runner fails on leak reports).
#
#   +-------------------+                 +------------------+
#   |       src         |                 |       $R         |
#   |  vs0 [tcpdump]    +-----------------+ vi        d0, d1 | (dummies)
#   |  10.0.0.1         |    10.0.0.2     |                  |
#   +-------------------+                 +------------------+
#
# tcpdump -vv prints an IGMPv3 record as "[gaddr G TYPE { SOURCES }]": a
# source-specific join is "allow { S }", its leave "block { S }" (also for
# the group's last source); an any-source join is "to_ex { }".

source "$(dirname "$0")/lib.sh"

S1=10.0.0.1
S2=10.0.0.3
G1=232.1.1.1
G2=232.1.1.2
G3=232.1.1.3
G4=232.1.1.4
G5=232.1.1.5
G6=232.1.1.6

# hexaddr A: A as /proc/net/mcfilter prints it (0x, host order, lowercase).
hexaddr()
{
	local a b c d

	IFS=. read -r a b c d <<<"$1"
	printf '0x%02x%02x%02x%02x\n' "$a" "$b" "$c" "$d"
}

# mcf NS DEV G S: "INC EXC" of source S of G on DEV in NS's /proc/net/mcfilter,
# "none" if it is not listed.
mcf()
{
	local ns=$1 dev=$2 g s

	g=$(hexaddr "$3")
	s=$(hexaddr "$4")
	# shellcheck disable=SC2016  # an awk program
	ip netns exec "$ns" awk -v dev="$dev" -v g="$g" -v s="$s" '
		$2 == dev && $3 == g && $4 == s { r = $5 " " $6 }
		END { print r == "" ? "none" : r }' /proc/net/mcfilter
}

# mcf_count NS DEV: how many sources DEV lists in NS's /proc/net/mcfilter.
mcf_count()
{
	# shellcheck disable=SC2016  # an awk program
	ip netns exec "$1" awk -v dev="$2" '$2 == dev { n++ } END { print n + 0 }' \
		/proc/net/mcfilter
}

# wait_mcf DEV G S WANT WHY: the mcfilter entry becomes WANT within 10 s
# (joins are made by a work item, after the rule add returned).
wait_mcf()
{
	local dev=$1 g=$2 s=$3 want=$4 why=$5

	check_eq "$why: $g from $s in /proc/net/mcfilter ($dev)" \
		"$(wait_for_eq 10 "$want" mcf "$R" "$dev" "$g" "$s")" "$want"
}

# check_mcf DEV G S WANT WHY: the entry is WANT now (leaves are immediate).
check_mcf()
{
	check_eq "$5: $2 from $3 in /proc/net/mcfilter ($1)" \
		"$(mcf "$R" "$1" "$2" "$3")" "$4"
}

# in_dmesg TEXT: the kernel log has TEXT.
in_dmesg() { dmesg | grep -qF "$1"; }

ssm_join_re() { echo "gaddr ${1//./\\.} allow \{ ${2//./\\.} \}"; }
ssm_leave_re() { echo "gaddr ${1//./\\.} block \{ ${2//./\\.} \}"; }
asm_join_re() { echo "gaddr ${1//./\\.} (to_ex|is_ex)|v2 report ${1//./\\.}"; }

step_join()
{
	local a b c d

	log "--- an (S,G) rule joins source-specifically"
	check_mcf vi $G1 $S1 none "before any rule"
	a=$(rule_add "$R" iif vi group $G1 source $S1 port 2001 oif d0)
	wait_mcf vi $G1 $S1 "1 0" "after rule add"
	check_eq "users of $G1 on vi" "$(igmp_users "$R" vi $G1)" 1
	expect_seen "IGMPv3 INCLUDE report for $G1 from $S1" "$(ssm_join_re $G1 $S1)"
	expect_unseen "any-source report for $G1" "$(asm_join_re $G1)"

	log "--- a second rule of the same (S,G) shares the membership"
	b=$(rule_add "$R" iif vi group $G1 source $S1 port 2002 oif d0)
	check_ok "replace keeps the rule" \
		mcr_nl "$R" rule replace iif vi group $G1 source $S1 port 2002 oif d0
	check_ok "delete the first rule" mcr_nl "$R" rule del id "$a"
	check_mcf vi $G1 $S1 "1 0" "one of two rules deleted"

	log "--- a second source of the group"
	c=$(rule_add "$R" iif vi group $G1 source $S2 port 2003 oif d0)
	wait_mcf vi $G1 $S2 "1 0" "second source"
	check_mcf vi $G1 $S1 "1 0" "second source"
	expect_seen "IGMPv3 report for $G1 from $S2" "$(ssm_join_re $G1 $S2)"

	log "--- deleting the last rules leaves"
	check_ok "delete $S2's rule" mcr_nl "$R" rule del id "$c"
	check_mcf vi $G1 $S2 none "$S2's rule deleted"
	check_mcf vi $G1 $S1 "1 0" "$S2's rule deleted"
	expect_seen "IGMPv3 leave of $G1 from $S2" "$(ssm_leave_re $G1 $S2)"
	check_ok "delete $S1's last rule" mcr_nl "$R" rule del id "$b"
	check_mcf vi $G1 $S1 none "last rule deleted"
	check_eq "users of $G1 on vi after the last rule" "$(igmp_users "$R" vi $G1)" 0
	expect_seen "IGMPv3 leave of $G1 from $S1" "$(ssm_leave_re $G1 $S1)"

	log "--- a (*,G) rule comes and goes, the (S,G) membership stays"
	a=$(rule_add "$R" iif vi group $G6 source $S1 port 2006 oif d0)
	wait_mcf vi $G6 $S1 "1 0" "(S,G) rule"
	d=$(rule_add "$R" iif vi group $G6 port 2007 oif d0)
	check_eq "users of $G6 on vi with the (*,G) rule" "$(igmp_users "$R" vi $G6)" 2
	check_ok "delete the (*,G) rule" mcr_nl "$R" rule del id "$d"
	check_mcf vi $G6 $S1 "1 0" "(*,G) rule deleted"
	check_eq "users of $G6 on vi after the (*,G) rule" "$(igmp_users "$R" vi $G6)" 1
	check_ok "delete the (S,G) rule" mcr_nl "$R" rule del id "$a"
	check_mcf vi $G6 $S1 none "(S,G) rule deleted"
	check_eq "users of $G6 on vi after both" "$(igmp_users "$R" vi $G6)" 0
}

step_nojoin()
{
	log "--- nojoin, and a replace toggling it"
	rule_add "$R" iif vi group $G2 source $S1 nojoin oif d0 >/dev/null
	# A later join done proves the work went past the nojoin rule.
	rule_add "$R" iif vi group $G3 source $S1 oif d0 >/dev/null
	wait_mcf vi $G3 $S1 "1 0" "a joining rule after the nojoin one"
	check_mcf vi $G2 $S1 none "nojoin rule"
	check_ok "replace without nojoin" \
		mcr_nl "$R" rule replace iif vi group $G2 source $S1 oif d0
	wait_mcf vi $G2 $S1 "1 0" "replaced without nojoin"
	expect_seen "IGMPv3 report for $G2 from $S1" "$(ssm_join_re $G2 $S1)"
	check_ok "replace with nojoin" \
		mcr_nl "$R" rule replace iif vi group $G2 source $S1 nojoin oif d0
	check_mcf vi $G2 $S1 none "replaced with nojoin"
	check_eq "users of $G2 on vi" "$(igmp_users "$R" vi $G2)" 0
	check_eq "rules" "$(netns_stat "$R" rules)" 2
	check_ok "flush" mcr_nl "$R" rule flush
	check_eq "mcfilter entries on vi after flush" "$(mcf_count "$R" vi)" 0
}

step_limits()
{
	local i n=25 max

	max=$(ip netns exec "$R" cat /proc/sys/net/ipv4/igmp_max_memberships)
	log "--- $n (S,G) rules: more than igmp_max_memberships ($max) per socket"
	for ((i = 1; i <= n; i++)); do
		rule_add "$R" iif vi group "232.2.0.$i" source $S1 oif d0 >/dev/null
	done
	check_eq "mcfilter entries on vi" \
		"$(wait_for_eq 20 $n mcf_count "$R" vi)" $n
	check_ok "flush" mcr_nl "$R" rule flush
	check_eq "mcfilter entries on vi after flush" "$(mcf_count "$R" vi)" 0

	log "--- igmp_max_memberships 0: the join fails, with a warning"
	ip netns exec "$R" sh -c 'echo 0 > /proc/sys/net/ipv4/igmp_max_memberships' ||
		die "cannot set igmp_max_memberships"
	rule_add "$R" iif vi group $G4 source $S1 oif d0 >/dev/null
	if wait_for 10 in_dmesg "mcr: cannot join $G4 from $S1 on vi: net.ipv4.igmp_max_memberships"; then
		log "ok: the failed join is reported in the kernel log"
	else
		log_fail "no warning of the failed join in the kernel log"
	fi
	check_mcf vi $G4 $S1 none "igmp_max_memberships 0"
	check_eq "rules" "$(netns_stat "$R" rules)" 1
	ip netns exec "$R" sh -c "echo $max > /proc/sys/net/ipv4/igmp_max_memberships"
	check_ok "replace with nojoin" \
		mcr_nl "$R" rule replace iif vi group $G4 source $S1 nojoin oif d0
	check_ok "replace without nojoin: join again" \
		mcr_nl "$R" rule replace iif vi group $G4 source $S1 oif d0
	wait_mcf vi $G4 $S1 "1 0" "igmp_max_memberships back to $max"
	check_ok "flush" mcr_nl "$R" rule flush
	check_mcf vi $G4 $S1 none "after flush"
}

# On a dummy: veth, as most Ethernet devices, refuses an MTU below 68.
step_mtu()
{
	local a

	log "--- the membership follows d1's IPv4 state (MTU below 68, and back)"
	a=$(rule_add "$R" iif d1 group $G5 source $S1 port 2005 oif d0)
	wait_mcf d1 $G5 $S1 "1 0" "rule on d1"
	ip -n "$R" link set d1 mtu 60 || die "cannot set d1's MTU to 60"
	check_eq "MTU 60: mcfilter entries on d1" "$(mcf_count "$R" d1)" 0
	ip -n "$R" link set d1 mtu 1500
	wait_mcf d1 $G5 $S1 "1 0" "MTU 1500: the rule joined again"
	check_eq "users of $G5 on d1" "$(igmp_users "$R" d1 $G5)" 1
	start_recv sock "$R" --mode socket --iface d1 --group $G5 --port 2005 \
		--expect any --timeout 60
	check_eq "users of $G5 on d1: the rule and a socket" "$(igmp_users "$R" d1 $G5)" 2
	check_ok "delete the rule" mcr_nl "$R" rule del id "$a"
	check_eq "users of $G5 on d1 after the rule: the socket" "$(igmp_users "$R" d1 $G5)" 1
	check_mcf d1 $G5 $S1 none "rule deleted"
	stop_recv sock
	check_recv sock
}

step_teardown()
{
	local ko hex

	log "--- a namespace with (S,G) memberships is deleted"
	setup_ns R2
	dummies "$R2" x 2
	rule_add "$R2" iif x0 group $G1 source $S1 oif x1 >/dev/null
	check_eq "joined in $R2" "$(wait_for_eq 10 "1 0" mcf "$R2" x0 $G1 $S1)" "1 0"
	del_ns "$R2"

	log "--- rmmod with (S,G) memberships, then insmod again"
	ko=${MCR_KO:-$REPO_DIR/kmod/mcr.ko}
	[ -f "$ko" ] || die "no module to reload (MCR_KO unset and $ko missing)"
	rule_add "$R" iif vi group $G1 source $S1 oif d0 >/dev/null
	wait_mcf vi $G1 $S1 "1 0" "before rmmod"
	check_ok "rmmod mcr" rmmod mcr
	check_mcf vi $G1 $S1 none "after rmmod"
	hex=$(igmp_hex "$G1")
	check_eq "$G1 in /proc/net/igmp after rmmod" \
		"$(ip netns exec "$R" grep -c "$hex" /proc/net/igmp)" 0
	check_ok "insmod $ko" insmod "$ko"
}

main()
{
	require_all
	require_cmd tcpdump
	setup_ns SRC R
	veth_pair "$SRC" vs0 "$R" vi $S1/24 10.0.0.2/24
	dummies "$R" d 2
	start_capture "$SRC" vs0 igmp

	step_join
	step_nojoin
	step_limits
	step_mtu
	step_teardown
	test_exit
}

main "$@"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bad_input: malformed commands and requests are refused with the right
# error, a message naming what is wrong, and no change to the rule table.
#
#   +------------------------------+
#   |             $R               |
#   |  d0  d1  d2  d3  d4  d5      |   (dummy devices; no traffic)
#   +------------------------------+
#
#  1. mcr-nl usage errors: exit 2 and a message naming the bad word.
#  2. requests the kernel rejects: exit 1 and the kernel's extack text
#     naming the attribute (self-loop, duplicate key, bad addresses,
#     duplicate output, missing id or key, limits from the module
#     parameters max_rules and max_outputs_per_rule, lowered via sysfs).
#  3. raw netlink (nl_raw.py): missing attributes, wrong types and lengths,
#     out-of-range values, unknown attributes, a family other than AF_INET;
#     each gets the right errno and an extack naming the attribute. Then
#     what the family tells, read raw: a named rule's stats-get reply
#     carries its name; deleting a device that is two of its outputs sends
#     output-del naming both as removed-output.
# After every case the rule table (mcr-nl -j rule show) is unchanged.
#
# Over IPv4, or over IPv6 with MCR_TEST_FAMILY=6 (bad_input6.sh): the same
# cases with IPv6 groups and sources (ff3e::9:X:Y for 239.9.X.Y, fd00::1
# for 10.0.0.1), in a namespace with IPv6 on; the cases of IPv4 addresses
# the kernel refuses (0.0.0.0, 255.255.255.255, a multicast source) become
# their IPv6 counterparts, which mcr-nl refuses itself (exit 2, nothing
# sent, the message naming the word and why): mixed families (a source,
# an output's group or source of the other family, either way round), ::,
# ::1, ff01::1 and ff00::1 (interface-local and reserved scope), an
# IPv4-mapped address, a multicast source, and -4/-6 given to rule add;
# and an output on an ipip device (tip), which carries no IPv6, is the
# kernel's to refuse.
# nl_raw.py sends the kernel both families' malformed requests itself; it
# runs in both runs, the IPv6 one with IPv6 on in the namespace, so that
# its IPv6 rules really join their groups (MLD) there.

source "$(dirname "$0")/lib.sh"

PYTHON=${PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}

# The groups and sources of the cases, by family.
G=$(pick 239.9.0.1 ff3e::9:0:1)
G_EXISTING=$(pick 239.9.9.1 ff3e::9:9:1)	# the rule "existing" (port 1000)
S=$(pick 10.0.0.1 fd00::1)

# table: the rule table as JSON; the kernel dumps rules in id order and
# mcr-nl prints keys in a fixed order, so equal tables print the same.
table()
{
	mcr_nl "$R" -j rule show
}

# expect_err WANT_RC WORD ARGS...: "mcr-nl ARGS" exits WANT_RC (a list
# like "1|2" allowed) and its message contains WORD; the table must not
# change.
expect_err()
{
	local want=$1 word=$2 out rc after
	shift 2

	out=$(mcr_nl "$R" "$@" 2>&1)
	rc=$?
	after=$(table)
	if ! [[ $rc =~ ^($want)$ ]]; then
		log_fail "mcr-nl $*: exit $rc, want $want: $out"
	elif [[ ${out,,} != *"${word,,}"* ]]; then
		log_fail "mcr-nl $*: message does not name '$word': $out"
	elif [ "$after" != "$BEFORE" ]; then
		log_fail "mcr-nl $*: rule table changed"
		BEFORE=$after
	else
		log "ok: mcr-nl $* -> exit $rc: $(head -n 1 <<<"$out")"
	fi
}

step_usage()
{
	local g=$G

	log "=== usage errors (exit 2)"
	expect_err 2 oif rule add iif d0 group "$g"
	expect_err 2 oif rule add iif d0 group "$g" oif
	expect_err 2 group rule add iif d0 oif d1
	expect_err 2 iif rule add group "$g" oif d1
	expect_err 2 300.1.1.1 rule add iif d0 group 300.1.1.1 oif d1
	expect_err 2 70000 rule add iif d0 group "$g" port 70000 oif d1
	expect_err 2 -1 rule add iif d0 group "$g" port -1 oif d1
	expect_err 2 65536 rule add iif d0 group "$g" oif d1 port 65536
	expect_err 2 ttl rule add iif d0 group "$g" oif d1 ttl 0
	expect_err 2 256 rule add iif d0 group "$g" oif d1 ttl 256
	expect_err 2 nonsense rule add iif d0 group "$g" oif d1 source nonsense
	expect_err 2 bogus rule add iif d0 group "$g" bogus oif d1
	expect_err 2 name rule add iif d0 group "$g" name "$(printf 'n%.0s' {1..40})" oif d1
	expect_err 2 source rule add iif d0 group "$g" oif d1 source auto \
		source "$(pick 10.1.1.1 fd01::1)"
	expect_err 2 abc rule del id abc
	expect_err 2 id rule del id 0
	expect_err 2 frob rule frob
	expect_err 2 '"x"' stats id x
	expect_err 2 -x -x rule show
	# Device names are resolved by mcr-nl itself; either exit code is
	# acceptable as long as the name is given back.
	expect_err '1|2' nosuchdev rule add iif nosuchdev group "$g" oif d1
	expect_err '1|2' nosuchdev rule add iif d0 group "$g" oif nosuchdev
}

# step_usage6: IPv6 addresses mcr-nl refuses before sending anything: the
# message names the word, its value and what is wrong with it.
step_usage6()
{
	local g=$G fam

	log "=== IPv6 usage errors (exit 2)"
	# A rule is of one family, its group's; each mismatch names both.
	fam="is IPv4, but the rule's group \"$g\" is IPv6"
	expect_err 2 "source \"10.0.0.1\" $fam" rule add iif d0 group "$g" source 10.0.0.1 oif d1
	expect_err 2 "source \"10.0.0.1\" $fam" rule add iif d0 source 10.0.0.1 group "$g" oif d1
	expect_err 2 "group \"239.9.0.2\" of oif #1 $fam" \
		rule add iif d0 group "$g" oif d1 group 239.9.0.2
	expect_err 2 "source \"10.0.0.1\" of oif #2 $fam" \
		rule add iif d0 group "$g" oif d1 oif d2 source 10.0.0.1
	expect_err 2 "source \"10.0.0.1\" $fam" rule del iif d0 group "$g" source 10.0.0.1
	fam="is IPv6, but the rule's group \"239.9.0.1\" is IPv4"
	expect_err 2 "source \"fd00::1\" $fam" rule add iif d0 group 239.9.0.1 source fd00::1 oif d1
	expect_err 2 "group \"ff3e::9:0:2\" of oif #1 $fam" \
		rule add iif d0 group 239.9.0.1 oif d1 group ff3e::9:0:2
	expect_err 2 "source \"fd00::1\" of oif #1 $fam" \
		rule add iif d0 group 239.9.0.1 oif d1 source fd00::1
	# Addresses that are no group or source of a routed packet.
	expect_err 2 'group "::" (the unspecified address)' rule add iif d0 group :: oif d1
	expect_err 2 'group "::1" (the loopback address)' rule add iif d0 group ::1 oif d1
	expect_err 2 'group "ff01::1" (a multicast address of interface-local or reserved scope' \
		rule add iif d0 group ff01::1 oif d1
	expect_err 2 'group "ff00::1" (a multicast address of interface-local or reserved scope' \
		rule add iif d0 group ff00::1 oif d1
	expect_err 2 'group "::ffff:239.9.0.1" (an IPv4-mapped address' \
		rule add iif d0 group ::ffff:239.9.0.1 oif d1
	expect_err 2 'source "ff3e::9" (a multicast address: a source is a unicast address)' \
		rule add iif d0 group "$g" source ff3e::9 oif d1
	expect_err 2 'source "::" (the unspecified address)' \
		rule add iif d0 group "$g" source :: oif d1
	expect_err 2 'source "::1" (the loopback address)' \
		rule add iif d0 group "$g" source ::1 oif d1
	expect_err 2 'source "::ffff:10.0.0.1" (an IPv4-mapped address' \
		rule add iif d0 group "$g" source ::ffff:10.0.0.1 oif d1
	expect_err 2 'group "::1" (the loopback address)' rule add iif d0 group "$g" oif d1 group ::1
	expect_err 2 'group "ff01::1" (a multicast address of interface-local' \
		rule add iif d0 group "$g" oif d1 group ff01::1
	expect_err 2 'source "ff02::1" (a multicast address: a source is a unicast address)' \
		rule add iif d0 group "$g" oif d1 source ff02::1
	expect_err 2 'source "::ffff:10.0.0.1" (an IPv4-mapped address' \
		rule add iif d0 group "$g" oif d1 source ::ffff:10.0.0.1
	expect_err 2 'group "::1" (the loopback address)' rule del iif d0 group ::1
	expect_err 2 'group "ff3e::g" (expected an IPv4 or IPv6 address)' \
		rule add iif d0 group ff3e::g oif d1
	# -4 and -6 filter listings; a rule's family is its group's.
	expect_err 2 '"-6" filters' -6 rule add iif d0 group "$g" oif d1
	expect_err 2 '"-4" filters' -4 rule add iif d0 group "$g" oif d1
}

step_kernel()
{
	local g=$G

	log "=== requests the kernel rejects (exit 1, extack)"
	expect_err 1 input rule add iif d0 group "$g" oif d0
	expect_err 1 input rule add iif d0 group "$g" oif d1 oif d0
	expect_err 1 loopback rule add iif d0 group "$g" oif lo
	expect_err 1 exist rule add iif d0 group "$G_EXISTING" port 1000 oif d2
	# IPv6's counterparts are usage errors (step_usage6); the kernel's
	# own checks of them, in nl_raw.py.
	if ! is_ipv6; then
		expect_err 1 group rule add iif d0 group 0.0.0.0 oif d1
		expect_err 1 group rule add iif d0 group 255.255.255.255 oif d1
		expect_err 1 source rule add iif d0 group "$g" source 239.1.1.2 oif d1
		expect_err 1 source rule add iif d0 group "$g" oif d1 source 239.1.1.3
	fi
	expect_err 1 duplicate rule add iif d0 group "$g" oif d1 oif d1
	# ipip_tunnel_xmit() would drop every packet: refused, not counted.
	if is_ipv6; then
		expect_err 1 "ipip device carries no IPv6" \
			rule add iif d0 group "$g" oif d1 oif tip
	fi
	expect_err 1 "no such rule" rule del id 999999
	expect_err 1 "no rule" rule del iif d0 group "$(pick 239.9.9.9 ff3e::9:9:9)"
	expect_err 1 "no such rule" rule show id 999999
	expect_err 1 "no such rule" stats id 999999
}

# set_param NAME VALUE: a module parameter through sysfs.
set_param()
{
	echo "$2" >"/sys/module/mcr/parameters/$1"
}

step_limits()
{
	local old_out old_rules n id g1 g2

	g1=$(pick 239.9.1.1 ff3e::9:1:1)
	g2=$(pick 239.9.2.1 ff3e::9:2:1)

	log "=== limits (module parameters)"
	old_out=$(cat /sys/module/mcr/parameters/max_outputs_per_rule) ||
		die "no max_outputs_per_rule parameter"
	old_rules=$(cat /sys/module/mcr/parameters/max_rules) || die "no max_rules parameter"
	# Restore them whatever happens.
	RESTORE="max_outputs_per_rule=$old_out max_rules=$old_rules"
	check_eq "stats max_outputs = parameter" "$(netns_stat "$R" max_outputs)" "$old_out"
	check_eq "stats max_rules = parameter" "$(netns_stat "$R" max_rules)" "$old_rules"

	set_param max_outputs_per_rule 4 || die "max_outputs_per_rule is not writable"
	check_eq "stats max_outputs after lowering" "$(netns_stat "$R" max_outputs)" 4
	expect_err 1 max_outputs rule add iif d0 group "$g1" oif d1 oif d2 oif d3 oif d4 oif d5
	id=$(rule_add "$R" iif d0 group "$g1" oif d1 oif d2 oif d3 oif d4)
	BEFORE=$(table)
	check_eq "rule with exactly the limit of outputs" \
		"$(mcr_nl "$R" -j rule show id "$id" | jq -r '(if type == "array" then .[0] else . end).outputs | length')" 4
	expect_err 1 max_outputs rule replace iif d0 group "$g1" oif d1 oif d2 oif d3 oif d4 oif d5
	mcr_nl "$R" rule del id "$id"
	BEFORE=$(table)
	set_param max_outputs_per_rule "$old_out"

	n=$(netns_stat "$R" rules)
	set_param max_rules $((n + 1)) || die "max_rules is not writable"
	id=$(rule_add "$R" iif d0 group "$g2" oif d1)
	BEFORE=$(table)
	expect_err 1 max_rules rule add iif d0 group "$(pick 239.9.2.2 ff3e::9:2:2)" oif d1
	# Replacing an existing rule is not a new rule: allowed at the limit.
	check_ok "replace at the rule limit" mcr_nl "$R" rule replace iif d0 group "$g2" oif d2
	mcr_nl "$R" rule del id "$id"
	BEFORE=$(table)
	set_param max_rules "$old_rules"
	RESTORE=
}

step_raw()
{
	local before_raw out rc

	log "=== raw netlink (nl_raw.py)"
	[ -n "$PYTHON" ] || die "python3 not found"
	before_raw=$(table)
	# rawgone: the output device whose removal nl_raw.py watches.
	ip -n "$R" link add rawgone type dummy || die "cannot add a dummy device"
	out=$(ip netns exec "$R" "$PYTHON" "$SELFTESTS_DIR/nl_raw.py" \
		--iif "$(ifindex "$R" d0)" --oif "$(ifindex "$R" d1)" \
		--gone rawgone 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^\([^#]\)/# \1/'
	check_eq "nl_raw.py exit status" "$rc" 0
	check_eq "rule table after raw cases" "$(table)" "$before_raw"
}

# shellcheck disable=SC2317  # called from the EXIT trap
restore_params()
{
	local kv

	for kv in ${RESTORE:-}; do
		set_param "${kv%%=*}" "${kv#*=}" 2>/dev/null
	done
}

main()
{
	require_all
	setup_ns R
	family_ns "$R"
	dummies "$R" d 6
	if is_ipv6; then
		modprobe -q ipip 2>/dev/null
		ip -n "$R" link add tip type ipip local 10.0.0.1 remote 10.0.0.2 ||
			die "cannot add an ipip device"
		ip -n "$R" link set tip up || die "cannot set tip up"
	fi
	trap 'restore_params; cleanup' EXIT

	# One rule so that duplicates and "table unchanged" mean something.
	rule_add "$R" iif d0 group "$G_EXISTING" port 1000 name existing oif d2 >/dev/null
	rule_add "$R" iif d1 group "$(pick 239.9.9.2 ff3e::9:9:2)" source "$S" oif d2 ttl 4 \
		oif d3 source auto >/dev/null
	BEFORE=$(table)
	log "rule table: $BEFORE"

	step_usage
	if is_ipv6; then
		step_usage6
	fi
	step_kernel
	step_limits
	step_raw
	test_exit
}

main "$@"

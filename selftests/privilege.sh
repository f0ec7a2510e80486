#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# privilege: changing rules needs CAP_NET_ADMIN over the network namespace
# (GENL_UNS_ADMIN_PERM), so an unprivileged user is refused, while a user
# namespace's root manages the rules of its own network namespace and sees
# nothing else.
#
#   +------------------------------+      +-----------------------------------+
#   |  $R (owned by init userns)   |      |  unshare -Urn as uid 65534        |
#   |  d0  d1   rule 239.10.0.1    |      |  (own userns + netns)             |
#   |                              |      |  e0  e1   rule 239.10.0.2         |
#   +------------------------------+      +-----------------------------------+
#
#  1. uid 65534 in $R: rule add / replace / del / flush fail with exit 1 and
#     a permission error; rule show and stats (read-only) work; the table
#     is unchanged.
#  2. uid 65534 in its own user+net namespace: rule add, show, del work on
#     its own devices; its dump holds only its own rule, not $R's; $R's
#     table is untouched.

source "$(dirname "$0")/lib.sh"

NOBODY=65534

# CMD as an unprivileged user with no capabilities: "${AS_NOBODY[@]}" CMD...
AS_NOBODY=(setpriv "--reuid=$NOBODY" "--regid=$NOBODY" --clear-groups --inh-caps=-all --)

# expect_eperm WHAT ARGS...: mcr-nl ARGS as nobody in $R must fail with
# exit 1 and a permission message.
expect_eperm()
{
	local what=$1 out rc
	shift

	out=$(ip netns exec "$R" "${AS_NOBODY[@]}" "$MCR_NL" "$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 1 ] && grep -qiE "permi|not permitted|EPERM" <<<"$out"; then
		log "ok: $what refused: $out"
	else
		log_fail "$what as uid $NOBODY: exit $rc, want 1 and a permission error: $out"
	fi
}

main()
{
	local before out ns_out rc

	require_all
	require_cmd setpriv unshare
	# uid 65534 must reach the binary: the checkout may sit under a 0700
	# directory (mktemp -d), so run a copy from a world-readable one.
	nl_dir=$(mktemp -d /tmp/mcr-nl.XXXXXX) && chmod 755 "$nl_dir" &&
		cp "$MCR_NL" "$nl_dir/" || log_fail "cannot copy mcr-nl to /tmp"
	MCR_NL=$nl_dir/mcr-nl
	setup_ns R
	dummies "$R" d 2
	rule_add "$R" iif d0 group 239.10.0.1 name root-rule oif d1 >/dev/null
	before=$(mcr_nl "$R" -j rule show)

	log "=== unprivileged user in $R"
	expect_eperm "rule add" rule add iif d0 group 239.10.0.9 oif d1
	expect_eperm "rule replace" rule replace iif d0 group 239.10.0.1 oif d1
	expect_eperm "rule del" rule del iif d0 group 239.10.0.1
	expect_eperm "rule flush" rule flush
	check_ok "rule show as uid $NOBODY" ip netns exec "$R" "${AS_NOBODY[@]}" "$MCR_NL" rule show
	check_ok "stats as uid $NOBODY" ip netns exec "$R" "${AS_NOBODY[@]}" "$MCR_NL" stats
	check_eq "table unchanged" "$(mcr_nl "$R" -j rule show)" "$before"

	log "=== unshare -Urn as uid $NOBODY: its own namespace only"
	# The kernel refuses CLONE_NEWUSER to anyone inside a chroot; say so
	# plainly instead of failing with a bare EPERM below.
	if ! unshare -Urn true 2>/dev/null; then
		log_fail "cannot create a user namespace even as root (unshare -Urn: EPERM). If the" \
			"test VM runs the command with chroot(1), user namespaces cannot be" \
			"created (kernel rule for chrooted callers): the runner should use" \
			"switch_root/pivot_root"
		test_exit
	fi
	# The script runs as root inside a fresh user and network namespace
	# created by an unprivileged user.
	# shellcheck disable=SC2016  # expanded by the inner shell
	out=$("${AS_NOBODY[@]}" unshare -Urn sh -c '
		set -e
		ip link add e0 type dummy
		ip link add e1 type dummy
		ip link set e0 up
		ip link set e1 up
		"$1" -j rule add iif e0 group 239.10.0.2 name userns-rule oif e1
		echo
		"$1" -j rule show
		echo
		"$1" rule del iif e0 group 239.10.0.2
		"$1" -j stats' sh "$MCR_NL" 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/#   /'
	check_eq "userns: add, show, del, stats" "$rc" 0
	ns_out=$(sed -n 3p <<<"$out")
	check_eq "userns dump: its own rule only" \
		"$(jq -r 'map(.name // "") | join(",")' <<<"$ns_out" 2>/dev/null)" userns-rule
	check_eq "$R table untouched" "$(mcr_nl "$R" -j rule show)" "$before"
	check_eq "$R rules" "$(netns_stat "$R" rules)" 1
	test_exit
}

main "$@"

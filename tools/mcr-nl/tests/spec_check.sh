#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# msg.c's attribute policies and names against the spec (spec_check.py), and
# the check itself: copies of msg.c with one type changed, or one
# attribute dropped, must be refused.  TAP lines, then "N passed, N failed".
#
# Usage: tests/spec_check.sh SPEC.yaml msg.c
SPEC=$1 MSG=$2
CHECK="python3 $(dirname "$0")/spec_check.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 passed=0 failed=0

result()	# STATUS NAME
{
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		passed=$((passed + 1)); echo "ok $n - $2"
	else
		failed=$((failed + 1)); echo "not ok $n - $2"
	fi
}

echo "TAP version 13"
$CHECK "$SPEC" "$MSG" >"$tmp/out" 2>&1
rc=$?
sed 's/^/# /' "$tmp/out"
result $rc "msg.c policies and names agree with $(basename "$SPEC")"

# must_fail NAME SED: the check refuses msg.c edited by SED.
must_fail()
{
	sed "$2" "$MSG" >"$tmp/msg.c"
	if cmp -s "$MSG" "$tmp/msg.c"; then
		result 1 "$1 # the edit changed nothing"
		return
	fi
	$CHECK "$SPEC" "$tmp/msg.c" >"$tmp/out" 2>&1
	rc=$?
	[ $rc -eq 1 ] && grep -q '^not ok' "$tmp/out"
	result $? "$1"
}
must_fail "a type that differs is refused" \
	's/\(\[MCR_A_OUTPUT_PORT\] = { .type = \)NLA_U16/\1NLA_U32/'
must_fail "a missing attribute is refused" \
	'/\[MCR_A_NETNS_STATS_NOT_ROUTABLE\] =/d'
must_fail "an attribute of another set is refused" \
	's/\[MCR_A_RULE_STATS_BYTES\]/[MCR_A_OUTPUT_STATS_BYTES]/'
must_fail "a name that differs is refused" \
	's/\(\[MCR_A_OUTPUT_TTL\] = \)"ttl"/\1"bogus"/'
must_fail "a missing name is refused" \
	'/\[MCR_A_STATS_IIF\] = "iif"/d'
must_fail "a binary attribute without its exact length is refused" \
	's/, \.maxlen = 16//'

echo "1..$n"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

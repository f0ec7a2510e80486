#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Everything make check runs inside one VM boot of a kernel: the KUnit
# suites (kernels with KUnit), the topology selftests, mcr-nl against the
# real module, then the leak gate (unload, kmemleak scans). Each part prints
# KTAP; scripts/check.sh numbers their results into one list. Splats in the
# kernel log (KASAN, lockdep, WARN, ref_tracker...) fail the run in vm-run.
#
#   tools/vm-run --kernel K -- scripts/vm-tests.sh --ko PATH [--test-ko PATH]
#                                  [--timeout S] [--boot all|leaks|sanitizers|noipv6]
#
# --timeout: each selftest's limit (selftests/run.sh; default 300 s).
# --boot: what this boot runs (default all). The debug kernel's kmemleak
#   records every allocation with its stack: under TCG that made a whole
#   run about a third slower (a fork or a namespace up to twice as slow),
#   and the debug kernel is the long pole of make check. So it boots twice:
#   leaks       (kmemleak on): KUnit, the selftests of the control plane's
#               lifetimes and error paths and of the packet path's drops
#               (LEAK_TESTS), mcr-nl's tests, then the kmemleak scans;
#   sanitizers  (booted with kmemleak=off): the other selftests, the
#               topologies, under KASAN, lockdep and UBSAN, except those
#               in RELAY_SEMANTICS; then unload.
#   noipv6      (booted with ipv6.disable=1): only NOIPV6_TESTS, which the
#               other boots leave out; then unload.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)

# Every allocation and free path of the module: rules, outputs, joins,
# counters and dumps are made and destroyed by these, including under
# injected allocation failures, memcg limits, device and namespace
# teardown, module unload, and every drop of the packet path (a replace
# frees outputs too: mcr-nl's tests replace rules, and dynamic_rules,
# whose storms kmemleak made twice as slow, runs in the other boot).
LEAK_TESTS=(group_join output_down drop_reasons dump_race readers
	memcg_limit fault_inject bad_input privilege teardown group_join6
	bad_input6 teardown6)
# What these check is which packets go where: match precedence, TTL and
# counters along a chain of relays. They take no path of the module that
# the other selftests do not, so the debug kernel, there for splats,
# races and leaks, leaves them to the Debian kernels. Their IPv6 runs
# stay: several IPv6 rules of one device, their precedence and joins,
# under the sanitizers.
RELAY_SEMANTICS=(chain_3hop sg_precedence)
# The IPv6 runs of VLAN, martian and tunnel topologies: their steps take
# no IPv6 path of the module that the debug kernel's other IPv6 tests do
# not (the same hook, the same transmit), and their IPv4 runs take the
# device classes there; the Debian kernels run both.
IPV6_TWINS=(ingress_filter6 tunnel_outputs6)
# What needs a host without IPv6 (ipv6.disable=1): a boot of its own, which
# runs nothing else.
NOIPV6_TESTS=(ipv6_off)

ko=''
test_ko=''
timeout=300
boot=all
usage()
{
	echo "usage: $0 --ko PATH [--test-ko PATH] [--timeout S]" \
		"[--boot all|leaks|sanitizers|noipv6]" >&2
	exit 2
}
while [ $# -gt 0 ]; do
	case $1 in
	--ko) ko=$2; shift 2 ;;
	--test-ko) test_ko=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--boot) boot=$2; shift 2 ;;
	*) usage ;;
	esac
done
[ -n "$ko" ] || usage
case $boot in all | leaks | sanitizers | noipv6) ;; *) usage ;; esac

# listed NAME LIST...: NAME is one of LIST.
listed()
{
	local name=$1 l

	shift
	for l in "$@"; do [ "$l" != "$name" ] || return 0; done
	return 1
}

tests=()
while IFS= read -r t; do
	case $boot in
	noipv6) listed "$t" "${NOIPV6_TESTS[@]}" || continue ;;
	*) ! listed "$t" "${NOIPV6_TESTS[@]}" || continue ;;&
	leaks) listed "$t" "${LEAK_TESTS[@]}" || continue ;;
	sanitizers)
		! listed "$t" "${LEAK_TESTS[@]}" "${RELAY_SEMANTICS[@]}" \
			"${IPV6_TWINS[@]}" || continue ;;
	esac
	tests+=("$t")
done < <("$top/selftests/run.sh" --list)

gate=$top/selftests/gate/kmemleak_check.sh
rc=0
if [ "$boot" = sanitizers ]; then
	gate_args=(--no-scan "kmemleak is off in this boot; the leaks boot scans")
else
	gate_args=()
	# What the kernel leaked by itself while booting is not ours.
	if [ -e /sys/kernel/debug/kmemleak ]; then
		"$gate" --no-unload --clear || rc=1
	fi
fi
if [ -n "$test_ko" ] && [ "$boot" != sanitizers ]; then
	"$top/kmod/tests/run_kunit.sh" --ko "$ko" --test-ko "$test_ko" || rc=1
fi
if [ ${#tests[@]} -gt 0 ]; then
	"$top/selftests/run.sh" --ko "$ko" --timeout "$timeout" "${tests[@]}" || rc=1
fi
if [ "$boot" = all ] || [ "$boot" = leaks ]; then
	"$top/tools/mcr-nl/tests/vm_e2e.sh" --ko "$ko" || rc=1
fi
# Unloads mcr (vm_e2e leaves it loaded if it loaded it): a leaked
# reference fails the rmmod, a leaked allocation the kmemleak scan.
"$gate" "${gate_args[@]}" || rc=1
exit $rc

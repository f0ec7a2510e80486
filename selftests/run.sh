#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run.sh: the mcr topology selftests, run INSIDE the test VM as root:
#
#   tools/vm-run --kernel 6.12 -- selftests/run.sh [--ko PATH] [--timeout S] [TEST...]
#   selftests/run.sh --list      the names of all tests, in their order
#
# Loads the module (insmod PATH, default kmod/mcr.ko of this repo; exported
# as MCR_KO so tests that unload it can load it again), runs the tests
# (default: all, in a fixed order) each under timeout(1) (default 300 s),
# unloads the module (a failure to unload is a failure) and prints KTAP:
#
#   TAP version 13
#   1..N
#   # <test output>
#   ok 1 selftests: mcr: chain_3hop
#   ...
#   ok N selftests: mcr: rmmod
#   N passed, N failed, N skipped
#
# Exit status: 0 if nothing failed, 1 otherwise.

set -u

SELFTESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO_DIR=$(dirname "$SELFTESTS_DIR")
ALL_TESTS=(chain_3hop tree_fanout sg_precedence dynamic_rules consume_vs_pass
	group_join ssm_join ingress_filter output_writers output_down gso_input
	tunnel_outputs unicast_outputs relay_loop drop_reasons dump_race readers
	memcg_limit fault_inject bad_input
	privilege teardown
	chain_3hop6 tree_fanout6 sg_precedence6 group_join6 ipv6_headers6
	dynamic_rules6 consume_vs_pass6 bad_input6 teardown6
	gso_input6 ingress_filter6 tunnel_outputs6 unicast_outputs6 ipv6_off)

ko=$REPO_DIR/kmod/mcr.ko
per_test_timeout=300
tests=()

usage()
{
	echo "usage: $0 [--ko PATH] [--timeout S] [TEST...] | --list" >&2
	echo "tests: ${ALL_TESTS[*]}" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--ko) [ $# -ge 2 ] || usage; ko=$2; shift 2 ;;
	--ko=*) ko=${1#*=}; shift ;;
	--timeout) [ $# -ge 2 ] || usage; per_test_timeout=$2; shift 2 ;;
	--timeout=*) per_test_timeout=${1#*=}; shift ;;
	--list) printf '%s\n' "${ALL_TESTS[@]}"; exit 0 ;;
	-h | --help) usage ;;
	-*) usage ;;
	*) tests+=("${1%.sh}"); shift ;;
	esac
done
[ ${#tests[@]} -gt 0 ] || tests=("${ALL_TESTS[@]}")
for t in "${tests[@]}"; do
	[ -f "$SELFTESTS_DIR/$t.sh" ] || { echo "no such test: $t" >&2; usage; }
done

passed=0
failed=0
skipped=0
num=0
total=$((${#tests[@]} + 1))	# + the final rmmod

ktap_result()
{
	local result=$1 name=$2 directive=${3:-}

	num=$((num + 1))
	case $result in
	ok) passed=$((passed + 1)) ;;
	skip) skipped=$((skipped + 1)); result=ok ;;
	*) failed=$((failed + 1)) ;;
	esac
	echo "$result $num selftests: mcr: $name${directive:+ # $directive}"
}

indent() { sed -u 's/^/# /'; }

# Everything the tests need, once (a missing tool fails the tests anyway,
# but this says it up front).
preflight()
{
	local c missing=()

	for c in ip jq awk tcpdump timeout insmod rmmod make gcc; do
		command -v "$c" >/dev/null 2>&1 || missing+=("$c")
	done
	[ ${#missing[@]} -eq 0 ] || echo "# missing tools: ${missing[*]}"
	if ! make -s -C "$SELFTESTS_DIR" mcr-udp 2>&1 | indent; then
		echo "# could not build mcr-udp"
	fi
}

load_module()
{
	if [ -d /sys/module/mcr ]; then
		echo "# mcr already loaded; unloading it first"
		rmmod mcr || return 1
	fi
	insmod "$ko"
}

echo "TAP version 13"
echo "1..$total"

# Fan-out over veth queues every copy to the relaying CPU's backlog
# (netif_rx); 50 outputs of a paced stream overflow the default of 1000
# in one burst. A relay host is tuned the same way (see PERFORMANCE_NOTES).
sysctl -qw net.core.netdev_max_backlog=10000

# Under TCG with several vCPUs, kernel text patched while another vCPU runs
# it can leave that vCPU a stray int3: a rule added during traffic once
# registered the first netdev ingress hook, flipped its static keys and
# the guest died with "Oops: int3" in __netif_receive_skb_core. A netdev
# ingress chain on a device of its own, held for the whole run, keeps those
# keys on: mcr's hooks still come and go as the tests say, only the
# kernel's switching of the keys is left out.
keepkey_on()
{
	ip link add mcr-keepkey type dummy &&
		nft -f - <<'NFT'
table netdev mcr_selftest_keepkey {
	chain ingress {
		type filter hook ingress device "mcr-keepkey" priority 0; policy accept;
	}
}
NFT
}
keepkey_off()
{
	nft delete table netdev mcr_selftest_keepkey 2>/dev/null
	ip link del mcr-keepkey 2>/dev/null
}
keepkey_on || echo "# warning: cannot hold the netdev ingress static keys on"
trap keepkey_off EXIT

ko=$(cd "$(dirname "$ko")" 2>/dev/null && pwd -P)/$(basename "$ko")
export MCR_KO=$ko
preflight
module_ok=1
if ! load_module 2>&1 | indent || [ ! -d /sys/module/mcr ]; then
	echo "# cannot load the module from $ko"
	module_ok=0
fi
echo "# kernel $(uname -r), module $ko"

for t in "${tests[@]}"; do
	if [ "$module_ok" -eq 0 ]; then
		ktap_result "not ok" "$t" "module not loaded"
		continue
	fi
	start=$(date +%s)
	timeout --kill-after=10 "$per_test_timeout" bash "$SELFTESTS_DIR/$t.sh" </dev/null 2>&1 |
		tee "/tmp/mcr-selftest-$t.log" | indent
	rc=${PIPESTATUS[0]}
	secs=$(($(date +%s) - start))
	case $rc in
	0) ktap_result ok "$t" ;;
	4) ktap_result skip "$t" "SKIP $(sed -n 's/^# SKIP: //p' "/tmp/mcr-selftest-$t.log" | head -n 1)" ;;
	124 | 137) ktap_result "not ok" "$t" "TIMEOUT after ${per_test_timeout}s" ;;
	*) ktap_result "not ok" "$t" "exit=$rc" ;;
	esac
	echo "# $t took ${secs}s"
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ]; then
		echo "# last kernel messages:"
		dmesg | tail -n 20 | indent
	fi
	# A test that unloads the module must load it again; if it did not,
	# do it here so the remaining tests still run (its failure is counted).
	if [ ! -d /sys/module/mcr ]; then
		echo "# module not loaded after $t; loading it again"
		insmod "$ko" 2>&1 | indent
	fi
done

# Unloading must work: a leaked reference or a stuck hook shows up here.
if [ -d /sys/module/mcr ]; then
	if out=$(rmmod mcr 2>&1); then
		ktap_result ok rmmod
	else
		echo "# rmmod mcr: $out" | indent
		ktap_result "not ok" rmmod "rmmod failed"
	fi
else
	ktap_result "not ok" rmmod "module was not loaded"
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

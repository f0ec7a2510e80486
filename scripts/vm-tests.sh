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
#                                               [--timeout S] [--part K/N]
#
# --timeout: each selftest's limit (selftests/run.sh; default 300 s).
# --part K/N: only the K-th of N shares, so that N VMs can run the whole
#             at once (scripts/check.sh does on the slow debug kernel): the
#             selftests are dealt out in turn, KUnit and mcr-nl's tests go
#             to the last share, and every share ends with the leak gate.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
ko=''
test_ko=''
timeout=300
part=1/1
usage() { echo "usage: $0 --ko PATH [--test-ko PATH] [--timeout S] [--part K/N]" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--ko) ko=$2; shift 2 ;;
	--test-ko) test_ko=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--part) part=$2; shift 2 ;;
	*) usage ;;
	esac
done
[ -n "$ko" ] || usage
[[ $part =~ ^([1-9][0-9]*)/([1-9][0-9]*)$ ]] || usage
share=${BASH_REMATCH[1]} shares=${BASH_REMATCH[2]}
[ "$share" -le "$shares" ] || usage
last=$([ "$share" -eq "$shares" ] && echo 1 || echo 0)

tests=()
i=0
while IFS= read -r t; do
	[ $((i % shares + 1)) -ne "$share" ] || tests+=("$t")
	i=$((i + 1))
done < <("$top/selftests/run.sh" --list)

gate=$top/selftests/gate/kmemleak_check.sh
rc=0
# What the kernel leaked by itself while booting is not ours.
if [ -e /sys/kernel/debug/kmemleak ]; then
	"$gate" --no-unload --clear || rc=1
fi
if [ -n "$test_ko" ] && [ "$last" = 1 ]; then
	"$top/kmod/tests/run_kunit.sh" --ko "$ko" --test-ko "$test_ko" || rc=1
fi
if [ ${#tests[@]} -gt 0 ]; then
	"$top/selftests/run.sh" --ko "$ko" --timeout "$timeout" "${tests[@]}" || rc=1
fi
if [ "$last" = 1 ]; then
	"$top/tools/mcr-nl/tests/vm_e2e.sh" --ko "$ko" || rc=1
fi
# Unloads mcr (vm_e2e leaves it loaded if it loaded it): a leaked
# reference fails the rmmod, a leaked allocation the kmemleak scan.
"$gate" || rc=1
exit $rc

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
#                                               [--timeout S]
#
# --timeout: each selftest's limit (selftests/run.sh; default 300 s).
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
ko=''
test_ko=''
timeout=300
usage() { echo "usage: $0 --ko PATH [--test-ko PATH] [--timeout S]" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--ko) ko=$2; shift 2 ;;
	--test-ko) test_ko=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	*) usage ;;
	esac
done
[ -n "$ko" ] || usage

gate=$top/selftests/gate/kmemleak_check.sh
rc=0
# What the kernel leaked by itself while booting is not ours.
if [ -e /sys/kernel/debug/kmemleak ]; then
	"$gate" --no-unload --clear || rc=1
fi
if [ -n "$test_ko" ]; then
	"$top/kmod/tests/run_kunit.sh" --ko "$ko" --test-ko "$test_ko" || rc=1
fi
"$top/selftests/run.sh" --ko "$ko" --timeout "$timeout" || rc=1
"$top/tools/mcr-nl/tests/vm_e2e.sh" --ko "$ko" || rc=1
# Unloads mcr (vm_e2e leaves it loaded if it loaded it): a leaked
# reference fails the rmmod, a leaked allocation the kmemleak scan.
"$gate" || rc=1
exit $rc

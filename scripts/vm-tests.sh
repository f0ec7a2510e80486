#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Everything make check runs inside one VM boot of a kernel: the topology
# selftests, then mcr-nl against the real module. Each part prints KTAP;
# scripts/check.sh numbers their results into one list.
#
#   tools/vm-run --kernel K -- scripts/vm-tests.sh --ko PATH
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
ko=
while [ $# -gt 0 ]; do
	case $1 in
	--ko) ko=$2; shift 2 ;;
	*) echo "usage: $0 --ko PATH" >&2; exit 2 ;;
	esac
done
[ -n "$ko" ] || { echo "usage: $0 --ko PATH" >&2; exit 2; }

rc=0
"$top/selftests/run.sh" --ko "$ko" || rc=1
"$top/tools/mcr-nl/tests/vm_e2e.sh" --ko "$ko" || rc=1
# vm_e2e leaves the module loaded only if it loaded it; unload for the
# kernel log's sake so that a leak on unload shows up there.
if grep -q '^mcr ' /proc/modules; then
	if rmmod mcr; then echo "ok 1 mcr-nl e2e: rmmod"; else echo "not ok 1 mcr-nl e2e: rmmod"; rc=1; fi
fi
exit $rc

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test of the project.
#  - host: generated netlink files match the spec, mcr-nl unit tests,
#    the VM runner's own tests;
#  - for each installed Debian kernel (6.12 and 6.1): build the module for
#    it and run the selftests inside one VM boot of that kernel; the boot
#    fails on any splat or leak report in the guest's kernel log.
# Prints one KTAP line per test and closes with "N passed, N failed".
#
#   scripts/check.sh [--kernel K]...    (default: every installed 6.12 and 6.1)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

kernels=()
while [ $# -gt 0 ]; do
	case $1 in
	--kernel) kernels+=("$2"); shift 2 ;;
	*) echo "usage: $0 [--kernel K]..." >&2; exit 2 ;;
	esac
done

# Newest installed Debian kernel of a series, e.g. 6.12 -> 6.12.117+deb12-amd64.
newest_kernel() {
	local v
	v=$(ls -1 /boot/vmlinuz-"$1".*-amd64 2>/dev/null | sed 's|/boot/vmlinuz-||' |
		sort -V | tail -n 1)
	[ -n "$v" ] && [ -d "/lib/modules/$v/build" ] && echo "$v"
}

if [ ${#kernels[@]} -eq 0 ]; then
	for series in 6.12 6.1; do
		k=$(newest_kernel "$series") || k="missing-$series"
		kernels+=("$k")
	done
fi

passed=0 failed=0 skipped=0 n=0
results=$(mktemp)
trap 'rm -f "$results"' EXIT

echo "TAP version 13"

report() { # status name [directive]
	n=$((n + 1))
	case $1 in
	ok) passed=$((passed + 1)); echo "ok $n $2" ;;
	skip) skipped=$((skipped + 1)); echo "ok $n $2 # SKIP ${3:-}" ;;
	*) failed=$((failed + 1)); echo "not ok $n $2" ;;
	esac
}

# Run a command whose output is KTAP; re-number its results under prefix.
run_ktap() { # prefix command...
	local prefix=$1 line rc
	shift
	"$@" >"$results" 2>&1
	rc=$?
	while IFS= read -r line; do
		case $line in
		"ok "*"# SKIP"*)
			report skip "$prefix: $(sed -E 's/^ok [0-9]+ (.*) # SKIP.*/\1/' <<<"$line")" \
				"$(sed -E 's/.*# SKIP ?//' <<<"$line")" ;;
		"ok "*) report ok "$prefix: ${line#ok * }" ;;
		"not ok "*) report fail "$prefix: ${line#not ok * }" ;;
		"TAP version"* | 1..* | *" passed, "*" failed"*) ;;
		*) echo "# $line" ;;
		esac
	done <"$results"
	return $rc
}

run_host() { # name command...
	local name=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	sed 's/^/# /' <<<"$out"
	if [ $rc -eq 0 ]; then report ok "$name"; else report fail "$name"; fi
}

start=$(date +%s)

run_host "host: netlink spec: generated files match mcr.yaml" scripts/ynl-gen.sh --check
run_host "host: mcr-nl builds with -Wall -Wextra -Werror" make -s -C tools/mcr-nl
run_ktap "host: mcr-nl unit" make -s -C tools/mcr-nl test ||
	report fail "host: mcr-nl unit: exit status"
run_host "host: selftests tools build" make -s -C selftests
run_ktap "host: vm-run" selftests/vm_run_test.sh --kernel "${kernels[0]}" ||
	report fail "host: vm-run: exit status"
run_ktap "host: install" scripts/install-test.sh ||
	report fail "host: install: exit status"
run_ktap "host: dkms" scripts/dkms-test.sh ||
	report fail "host: dkms: exit status"

for k in "${kernels[@]}"; do
	case $k in
	missing-*)
		report fail "kernel ${k#missing-}: installed (run scripts/deps.sh)"
		continue ;;
	esac
	ko=$(scripts/build-module.sh "$k" 2>"$results")
	if [ $? -ne 0 ]; then
		sed 's/^/# /' "$results"
		report fail "$k: module builds with W=1"
		continue
	fi
	if grep -q "warning:" "$results"; then
		sed 's/^/# /' "$results"
		report fail "$k: module builds with W=1"
	else
		report ok "$k: module builds with W=1"
	fi
	log=$(mktemp -d)/guest.log
	run_ktap "$k" tools/vm-run --kernel "$k" --timeout 2400 --log "$log" -- \
		scripts/vm-tests.sh --ko "${ko#"$top"/}"
	rc=$?
	# 123: the selftests passed but the guest kernel logged a splat.
	case $rc in
	0) report ok "$k: guest kernel log clean, VM exit status 0" ;;
	123) grep -n -E "BUG|WARNING|Oops|KASAN|UBSAN|ref_tracker|unreferenced|waiting for" \
		"$log" | head -n 40 | sed 's/^/# /'
	     report fail "$k: guest kernel log clean (see $log)" ;;
	*) report fail "$k: VM exit status $rc (guest log: $log)" ;;
	esac
done

echo "1..$n"
echo "# make check took $(($(date +%s) - start)) s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

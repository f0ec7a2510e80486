#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test of the project.
#  - host: generated netlink files match the spec, mcr-nl unit tests,
#    the VM runner's own tests;
#  - for each installed Debian kernel (6.12 and 6.1) and the debug kernel
#    (scripts/debug-kernel.sh: KASAN, lockdep, kmemleak, KUnit; built once
#    and cached): build the module for it and run the selftests (and on
#    the debug kernel the KUnit suites) inside one VM boot of that kernel,
#    then unload and scan for leaks; the boot fails on any splat in the
#    guest's kernel log;
#  - the gate's own test: a leaking and a use-after-free probe module must
#    make it fail;
#  - the benchmark's smoke run: every contender relays.
# Prints one KTAP line per test, then the time each phase took, and closes
# with "N passed, N failed".
#
# The debug kernel takes about ten minutes to build from an empty cache;
# that build starts at once, at the lowest CPU priority, and takes the CPU
# the Debian kernels' VMs leave idle, so a fresh machine does not wait for
# it in series.
#
#   scripts/check.sh [--kernel K]...   (default: 6.12, 6.1 and debug; K is
#                                       a Debian kernel version or "debug")
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
	kernels+=(debug)
fi
first_debian=
for k in "${kernels[@]}"; do
	case $k in debug | missing-*) ;; *) first_debian=${first_debian:-$k} ;; esac
done

passed=0 failed=0 skipped=0 n=0
results=$(mktemp)

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
	# Line by line as the command prints them: a run cut short (a CI
	# time limit) still shows how far it got.
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
	done < <("$@" 2>&1)
	wait $!
	rc=$?
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
# CI stops the whole run after 90 minutes: a VM that hangs is killed in
# time for the run to report it, and what follows it, rather than be cut.
budget=${MCR_CHECK_BUDGET:-4800}

# Wall time per phase, printed at the end: "name seconds".
phases=()
phase_start=$start
phase_end() { # name
	local now
	now=$(date +%s)
	phases+=("$1 $((now - phase_start)) s")
	phase_start=$now
}

debug_build_pid=
debug_build_log=$(mktemp)
debug_build_out=$(mktemp)
trap 'rm -f "$results" "$debug_build_log" "$debug_build_out"' EXIT
for k in "${kernels[@]}"; do
	if [ "$k" = debug ]; then
		nice -n 19 scripts/debug-kernel.sh --print-kdir \
			>"$debug_build_out" 2>"$debug_build_log" &
		debug_build_pid=$!
	fi
done

run_host "host: caches: every cache the tests keep works from empty" \
	scripts/cache-test.sh ${first_debian:+--kernel "$first_debian"}
run_host "host: netlink spec: generated files match mcr.yaml" scripts/ynl-gen.sh --check
run_host "host: mcr-nl builds with -Wall -Wextra -Werror" make -s -C tools/mcr-nl
run_ktap "host: mcr-nl unit" make -s -C tools/mcr-nl test ||
	report fail "host: mcr-nl unit: exit status"
run_host "host: selftests tools build" make -s -C selftests
if [ -n "$first_debian" ]; then
	run_ktap "host: vm-run" selftests/vm_run_test.sh --kernel "$first_debian" ||
		report fail "host: vm-run: exit status"
fi
run_ktap "host: install" scripts/install-test.sh ||
	report fail "host: install: exit status"
run_ktap "host: dkms" scripts/dkms-test.sh ||
	report fail "host: dkms: exit status"
phase_end host

for k in "${kernels[@]}"; do
	case $k in
	missing-*)
		report fail "kernel ${k#missing-}: installed (run scripts/deps.sh)"
		continue ;;
	esac
	vm_kernel=$k test_ko=() timeout=2400 test_timeout=300 scale=1
	if [ "$k" = debug ]; then
		# Built once per config fragment and cached outside the repo;
		# the build started in the background at the beginning.
		wait "$debug_build_pid"
		rc=$?
		sed 's/^/# /' "$debug_build_log"
		phase_end "debug kernel build (waited)"
		kdir=$(tail -n 1 "$debug_build_out")
		if [ $rc -ne 0 ] || [ ! -d "$kdir" ]; then
			report fail "debug kernel: builds (scripts/debug-kernel.sh, exit status $rc)"
			continue
		fi
		report ok "debug kernel: built or cached"
		k=$(make -s -C "$kdir" kernelrelease)
		export MCR_DEBUG_KERNEL
		MCR_DEBUG_KERNEL=$(scripts/debug-kernel.sh --print-image 2>/dev/null)
		build_arg=$kdir
		# KASAN and lockdep under TCG: several times slower. This
		# kernel is there for splats, races and leaks on every path:
		# a tenth of the packets (selftests/lib.sh: scaled()).
		timeout=4800 test_timeout=1200 scale=10
	else
		build_arg=$k
	fi
	ko=$(scripts/build-module.sh "$build_arg" 2>"$results")
	if [ $? -ne 0 ]; then
		sed 's/^/# /' "$results"
		report fail "$k: module builds with W=1"
		phase_end "$k module build"
		continue
	fi
	if grep -q "warning:" "$results"; then
		sed 's/^/# /' "$results"
		report fail "$k: module builds with W=1"
	else
		report ok "$k: module builds with W=1"
	fi
	phase_end "$k module build"
	if [ "$vm_kernel" = debug ]; then
		if [ -f "$(dirname "$ko")/tests/mcr_kunit.ko" ]; then
			report ok "$k: KUnit module builds with W=1"
			test_ko=(--test-ko "$(dirname "${ko#"$top"/}")/tests/mcr_kunit.ko")
		else
			report fail "$k: KUnit module builds with W=1"
		fi
	fi
	# Within the budget, keeping time for the phases after this one.
	left=$((start + budget - $(date +%s) - 300))
	if [ "$left" -lt 120 ]; then
		report fail "$k: VM not started: the ${budget} s budget of make check is spent"
		continue
	fi
	[ "$timeout" -le "$left" ] || timeout=$left
	log=$(mktemp -d)/guest.log
	run_ktap "$k" env MCR_SELFTEST_SCALE=$scale \
		tools/vm-run --kernel "$vm_kernel" --timeout "$timeout" --log "$log" -- \
		scripts/vm-tests.sh --ko "${ko#"$top"/}" "${test_ko[@]}" --timeout "$test_timeout"
	rc=$?
	# 123: the selftests passed but the guest kernel logged a splat.
	case $rc in
	0) report ok "$k: guest kernel log clean, VM exit status 0" ;;
	123) grep -n -E "BUG|WARNING|Oops|KASAN|UBSAN|ref_tracker|unreferenced|waiting for|lock|RCU" \
		"$log" | head -n 60 | sed 's/^/# /'
	     report fail "$k: guest kernel log clean (see $log)" ;;
	*) tail -n 40 "$log" | sed 's/^/# guest: /'
	   report fail "$k: VM exit status $rc (guest log: $log)" ;;
	esac
	phase_end "$k VM"
	if [ "$vm_kernel" = debug ]; then
		gate_args=()
		[ -n "$first_debian" ] || gate_args=(--no-debian)
		run_ktap "host: gate" selftests/gate/gate_test.sh "${gate_args[@]}" ||
			report fail "host: gate: exit status"
		phase_end gate
	fi
done

if [ -n "$first_debian" ]; then
	run_host "host: bench: smoke: every contender relays" \
		bench/run.sh --smoke --kernel "$first_debian"
	phase_end "bench smoke"
fi

echo "1..$n"
time_line=
for p in "${phases[@]}"; do
	time_line+="${time_line:+, }$p"
done
echo "# time per phase: $time_line"
echo "# make check took $(($(date +%s) - start)) s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: every test of the project.
#  - host: generated netlink files match the spec, mcr-nl unit tests,
#    the VM runner's own tests;
#  - for each installed Debian kernel (6.12 and 6.1) and the debug kernel
#    (scripts/debug-kernel.sh: KASAN, lockdep, kmemleak, KUnit; built once
#    and cached): build the module for it and run the selftests (and on
#    the debug kernel the KUnit suites) inside one VM boot of that kernel
#    (two on the slow debug kernel: one with kmemleak for the lifetime and
#    error-path tests, one without it for the rest, scripts/vm-tests.sh
#    --boot), then unload and scan for leaks; the boot fails on any splat
#    in the guest's kernel log;
#  - the gate's own test: a leaking and a use-after-free probe module must
#    make it fail;
#  - the benchmark's smoke run: every contender relays.
# Prints one KTAP line per test, then the time each phase took, and closes
# with "N passed, N failed".
#
# The debug kernel takes about ten minutes to build from an empty cache;
# that build starts at once, at the lowest CPU priority, and takes the CPU
# the Debian kernels' VMs leave idle, so a fresh machine does not wait for
# it in series. The VMs run side by side as long as their vCPUs fit in the
# host's CPUs (MCR_CHECK_CPUS, default nproc). The whole stays within
# MCR_CHECK_BUDGET seconds (default 4800; .ci/run passes what the installs
# left of CI's 5400): a VM that would run past it is stopped and reported,
# with the end of its kernel log.
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

# Re-number the KTAP read on stdin under prefix.
report_ktap() { # prefix
	local prefix=$1 line
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
	done
}

# Run a command whose output is KTAP; re-number its results under prefix,
# line by line as it prints them.
run_ktap() { # prefix command...
	local prefix=$1
	shift
	report_ktap "$prefix" < <("$@" 2>&1)
	wait $!
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
[[ $budget =~ ^[1-9][0-9]*$ ]] || { echo "MCR_CHECK_BUDGET: not a number of seconds" >&2; exit 2; }

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

# ---- The VM jobs -----------------------------------------------------------
# Jobs start in queue order, each as soon as its vCPUs fit in the
# MCR_CHECK_CPUS host CPUs left (default: all of them; a job that does not
# fit runs when nothing else does). One host CPU per vCPU: with more vCPUs
# than CPUs a guest spins on locks and waits on IPIs whose holder's thread
# the host has descheduled, and on a 2-CPU machine two 2-vCPU VMs side by
# side took longer than one after the other (the debug kernel's selftests
# three to four times as long each). The debug kernel's VMs have two vCPUs,
# for the races KASAN and lockdep are there to catch; on a machine with
# fewer than four CPUs the Debian kernels' VMs have one each and run side
# by side (one vCPU made their selftests about 15% slower, two VMs at once
# halve the time). While the debug kernel is being built (a fresh machine)
# the build counts as one CPU. Each job's output goes to a file, reported
# and numbered when the job ends.
cpus=${MCR_CHECK_CPUS:-$(nproc)}
[[ $cpus =~ ^[1-9][0-9]*$ ]] || cpus=1
debian_smp=1
[ "$cpus" -lt 4 ] || debian_smp=2
jobdir=$(mktemp -d)
trap 'rm -rf "$results" "$debug_build_log" "$debug_build_out" "$jobdir"' EXIT
declare -A job_spec job_pid job_t0 job_cpus
ready=()	# job names, in the order they start
jobs_done=()	# "name seconds" of each finished job
njobs=0

# add_job first|last CPUS KIND LABEL ARGS...: queue a job that keeps CPUS
# host CPUs busy (a VM: its vCPUs).
#   vm LABEL VM_KERNEL KO TEST_KO SCALE TIMEOUT TEST_TIMEOUT BOOT APPEND
#   ktap LABEL COMMAND...       its KTAP re-numbered under LABEL
#   host LABEL COMMAND...       one result, LABEL, from its exit status
add_job() {
	local where=$1 name
	njobs=$((njobs + 1))
	name=job$njobs
	job_cpus[$name]=$2
	shift 2
	job_spec[$name]=$(printf '%q ' "$@")
	if [ "$where" = first ]; then ready=("$name" "${ready[@]}"); else ready+=("$name"); fi
}

start_job() { # name
	local name=$1 out=$jobdir/$1.out left
	eval "set -- ${job_spec[$name]}"
	# Within the budget, keeping time for the reports after it.
	left=$((start + budget - $(date +%s) - 120))
	if [ "$left" -lt 120 ]; then
		report fail "$2: not started: the ${budget} s budget of make check is spent"
		return
	fi
	job_t0[$name]=$(date +%s)
	echo "# started: $2"
	case $1 in
	vm)
		local vm_kernel=$3 ko=$4 test_ko=$5 scale=$6 timeout=$7 test_timeout=$8
		local boot=$9 append=${10}
		[ "$timeout" -le "$left" ] || timeout=$left
		MCR_SELFTEST_SCALE=$scale MCR_VM_APPEND=$append \
			tools/vm-run --kernel "$vm_kernel" --smp "${job_cpus[$name]}" \
			--timeout "$timeout" --log "$jobdir/$name.guest.log" -- \
			scripts/vm-tests.sh --ko "$ko" ${test_ko:+--test-ko "$test_ko"} \
			--timeout "$test_timeout" --boot "$boot" >"$out" 2>&1 &
		;;
	*)
		shift 2
		timeout --kill-after=10 "$left" "$@" >"$out" 2>&1 &
		;;
	esac
	job_pid[$name]=$!
}

finish_job() { # name exit-status
	local name=$1 rc=$2 out=$jobdir/$1.out log=$jobdir/$1.guest.log
	eval "set -- ${job_spec[$name]}"
	jobs_done+=("$2 $(($(date +%s) - ${job_t0[$name]})) s")
	case $1 in
	vm)
		report_ktap "$2" <"$out"
		# 123: the tests passed but the guest kernel logged a splat.
		case $rc in
		0) report ok "$2: guest kernel log clean, VM exit status 0" ;;
		123) grep -n -E "BUG|WARNING|Oops|KASAN|UBSAN|ref_tracker|unreferenced|waiting for|lock|RCU" \
			"$log" | head -n 60 | sed 's/^/# /'
		     report fail "$2: guest kernel log clean" ;;
		*) tail -n 40 "$log" | sed 's/^/# guest: /'
		   report fail "$2: VM exit status $rc" ;;
		esac
		;;
	ktap)
		report_ktap "$2" <"$out"
		[ "$rc" -eq 0 ] || report fail "$2: exit status $rc"
		;;
	host)
		sed 's/^/# /' "$out"
		if [ "$rc" -eq 0 ]; then report ok "$2"; else report fail "$2 (exit status $rc)"; fi
		;;
	esac
}

# build_module LABEL KVER|KDIR: prints the module's path relative to the
# top; reports the W=1 build.
build_module() {
	local label=$1 ko
	if ! ko=$(scripts/build-module.sh "$2" 2>"$results"); then
		sed 's/^/# /' "$results"
		report fail "$label: module builds with W=1"
		return 1
	fi
	if grep -q "warning:" "$results"; then
		sed 's/^/# /' "$results"
		report fail "$label: module builds with W=1"
	else
		report ok "$label: module builds with W=1"
	fi
	echo "${ko#"$top"/}" >"$results"
}

for k in "${kernels[@]}"; do
	case $k in
	debug) ;;
	missing-*) report fail "kernel ${k#missing-}: installed (run scripts/deps.sh)" ;;
	*)
		build_module "$k" "$k" || continue
		add_job last "$debian_smp" vm "$k" "$k" "$(cat "$results")" "" 1 2400 300 all ""
		[ "$k" != "$first_debian" ] ||
			add_job last "$debian_smp" vm "$k [ipv6.disable=1]" "$k" \
				"$(cat "$results")" "" 1 600 300 noipv6 ipv6.disable=1
		;;
	esac
done
[ -z "$first_debian" ] ||
	add_job last 2 host "host: bench: smoke: every contender relays" \
		bench/run.sh --smoke --kernel "$first_debian"
phase_end "Debian module builds"

# The debug kernel is built (or found cached) in the background since the
# start: its jobs go first once it is there.
debug_ready() { # exit-status-of-the-build
	local rc=$1 kdir kver ko test_ko gate_args=()
	sed 's/^/# /' "$debug_build_log"
	kdir=$(tail -n 1 "$debug_build_out")
	if [ "$rc" -ne 0 ] || [ ! -d "$kdir" ]; then
		report fail "debug kernel: builds (scripts/debug-kernel.sh, exit status $rc)"
		return
	fi
	echo "# debug kernel ready $(($(date +%s) - start)) s into make check"
	report ok "debug kernel: built or cached"
	kver=$(make -s -C "$kdir" kernelrelease)
	export MCR_DEBUG_KERNEL
	MCR_DEBUG_KERNEL=$(scripts/debug-kernel.sh --print-image 2>/dev/null)
	build_module "$kver" "$kdir" || return
	ko=$(cat "$results")
	test_ko=$(dirname "$ko")/tests/mcr_kunit.ko
	if [ -f "$test_ko" ]; then
		report ok "$kver: KUnit module builds with W=1"
	else
		report fail "$kver: KUnit module builds with W=1"
		test_ko=
	fi
	[ -n "$first_debian" ] || gate_args=(--no-debian)
	add_job last 2 ktap "host: gate" selftests/gate/gate_test.sh "${gate_args[@]}"
	# KASAN and lockdep under TCG: several times slower. This kernel is
	# there for splats, races and leaks on every path: a tenth of the
	# packets (selftests/lib.sh: scaled()), in two boots, kmemleak on for
	# the tests of lifetimes and error paths and off for the rest (it
	# stacks every allocation: dynamic_rules took 258 s with it, 137 s
	# without).
	add_job first 2 vm "$kver [sanitizers]" debug "$ko" "" 10 3600 1200 \
		sanitizers kmemleak=off
	add_job first 2 vm "$kver [leaks]" debug "$ko" "$test_ko" 10 3600 1200 \
		leaks ""
}

declare -A running=()
while :; do
	if [ -n "$debug_build_pid" ] && ! kill -0 "$debug_build_pid" 2>/dev/null; then
		wait "$debug_build_pid"
		debug_ready $?
		debug_build_pid=
	fi
	# The CPUs in use: the running jobs', and one for the debug build.
	used=0
	for name in "${!running[@]}"; do
		used=$((used + job_cpus[$name]))
	done
	[ -z "$debug_build_pid" ] || used=$((used + 1))
	waiting=()
	for name in "${ready[@]}"; do
		if [ $((used + job_cpus[$name])) -gt "$cpus" ] && [ "$used" -gt 0 ]; then
			waiting+=("$name")
			continue
		fi
		start_job "$name"
		[ -z "${job_pid[$name]:-}" ] || running[$name]=${job_pid[$name]}
		used=$((used + job_cpus[$name]))
	done
	ready=("${waiting[@]}")
	[ ${#running[@]} -gt 0 ] || [ -n "$debug_build_pid" ] || break
	sleep 1
	for name in "${!running[@]}"; do
		kill -0 "${running[$name]}" 2>/dev/null && continue
		wait "${running[$name]}"
		rc=$?
		unset "running[$name]"
		finish_job "$name" "$rc"
	done
done
phase_end "VM jobs ($cpus CPUs)"

echo "1..$n"
time_line=
for p in "${phases[@]}"; do
	time_line+="${time_line:+, }$p"
done
echo "# time per phase: $time_line"
time_line=
for p in "${jobs_done[@]}"; do
	time_line+="${time_line:+, }$p"
done
echo "# time per job: $time_line"
echo "# make check took $(($(date +%s) - start)) s"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]

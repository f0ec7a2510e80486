#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: mcr against every peer, side by side in one VM boot.
# Builds mcr.ko for the kernel, boots one VM (tools/vm-run --smp 2 --mem
# 2048) that runs bench/guest.sh, and summarises the CSV it writes:
#
#   bench/results/<date>-<kernel>.csv   every measurement
#   bench/results/latest.md             medians (min–max), ratios, cost/packet
#   bench/results/latest.png            input pps relayed vs fan-out
#
#   bench/run.sh [--smoke] [--kernel K] [--runs N] [--secs S]
#                [--fanouts "1 4 16 64"] [--sizes "64 1400"] [--only "c ..."]
#                [--phases "inject scale e2e insns"] [--e2e-fanouts "1 16"]
#                [--e2e-only "c ..."] [--families "4 6"] [--insn-reps N]
#
# Phases (bench/guest.sh explains each): inject, the matrix; scale, one
# and two receive queues; e2e, the highest rate over veth with <= 0.1%
# loss; insns, instructions per input packet over the matrix, in a second
# boot with the QEMU plugin bench/insn-count.so (it slows the guest, so
# the timed phases run without it; --insn-reps windows per point, 3 by
# default, of which the report takes the least). --families: the address
# families of the inject and insns matrices, IPv4 (239.1.1.1) and IPv6
# (ff3e::1:1) by default; scale and e2e are IPv4 only. --smoke: 2 s per
# contender and family at fan-out 4, 64-byte payload (nft fwd at fan-out
# 1), one run, one low-rate e2e trial and one instruction count per
# contender and family; exits non-zero unless every contender ran and
# relayed something in every phase and family. Its results go to
# bench/results/smoke-<kernel>.* and leave latest.* alone. With
# MCR_BENCH_PROFILE=PFILE, the insns phase also writes where the counted
# instructions went, over all its windows (bench/insn-profile.py maps
# it). Exit status: 0, 1 on a failed check or run.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1

smoke=0
kernel=6.12
phases="inject scale e2e insns"
families="4 6"
guest_args=()
while [ $# -gt 0 ]; do
	case $1 in
	--smoke) smoke=1; shift ;;
	--kernel) kernel=$2; shift 2 ;;
	--phases) [ $# -ge 2 ] || { echo "bench: $1 needs a value" >&2; exit 2; }
		phases=$2; shift 2 ;;
	--families) [ $# -ge 2 ] || { echo "bench: $1 needs a value" >&2; exit 2; }
		families=$2; shift 2 ;;
	--runs | --secs | --fanouts | --sizes | --only | --e2e-fanouts | --e2e-only | --insn-reps)
		[ $# -ge 2 ] || { echo "bench: $1 needs a value" >&2; exit 2; }
		guest_args+=("$1" "$2"); shift 2 ;;
	-h | --help) sed -n '3,32s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "usage: $0 [--smoke] [--kernel K] [--runs N] [--secs S] [--fanouts L] [--sizes L] [--only L] [--phases L] [--e2e-fanouts L] [--e2e-only L] [--families L] [--insn-reps N]" >&2
	   exit 2 ;;
	esac
done
for f in $families; do
	[ "$f" = 4 ] || [ "$f" = 6 ] || { echo "bench: --families: 4 and/or 6, not '$f'" >&2; exit 2; }
done
guest_args+=(--families "$families")

# 6.12 / 6.1: the newest installed of that series; else a full version.
case $kernel in
*.*.*) kver=$kernel ;;
*) kver=$(ls -1 /boot/vmlinuz-"$kernel".*-amd64 2>/dev/null | sed 's|/boot/vmlinuz-||' |
	sort -V | tail -n 1) ;;
esac
[ -n "$kver" ] && [ -e "/boot/vmlinuz-$kver" ] ||
	{ echo "bench: kernel '$kernel' not installed (scripts/deps.sh)" >&2; exit 1; }

for t in gnuplot nft tc smcrouted socat python3; do
	command -v "$t" >/dev/null || { echo "bench: $t missing (scripts/deps.sh)" >&2; exit 1; }
done

start=$(date +%s)
ko=$(scripts/build-module.sh "$kver") || { echo "bench: module build failed" >&2; exit 1; }
# mcr-nl is optional: guest.sh falls back to the kernel's YNL client.
make -s -C tools/mcr-nl >/dev/null 2>&1 || echo "bench: mcr-nl did not build; using ynl cli.py" >&2
timed=$(tr ' ' '\n' <<<"$phases" | grep -v '^insns$' | paste -sd' ')
insns=0
if [[ " $phases " == *" insns "* ]]; then
	insns=1
	mkdir -p build/bench
	cc=(gcc -O2 -Wall -Wextra -Werror)
	"${cc[@]}" -shared -fPIC -o build/bench/insn-count.so bench/insn-count.c &&
		"${cc[@]}" -o build/bench/insn-mark bench/insn-mark.c ||
		{ echo "bench: the instruction counter did not build" >&2; exit 1; }
fi

mkdir -p bench/results
# What else was running on the host: the figures are only as quiet as it.
others="host: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at start, $(pgrep -c qemu-system || true) other QEMU VM(s), $(pgrep -fc 'make -j' || true) parallel make(s) running"
if [ $smoke -eq 1 ]; then
	base=bench/results/smoke-$kver
	rm -f "$base.csv"
	guest_args+=(--smoke)
	timeout=420
else
	base=bench/results/$(date -u +%Y%m%d-%H%M)-$kver
	timeout=0
fi
csv=$base.csv

echo "bench: $others" >&2
# Under TCG the clocksource watchdog may find the TSC skewed late in a
# long boot (0.8 ms over 0.5 s, 30 minutes in); marking it unstable
# flips the sched_clock static key, and patching kernel text while the
# other vCPU runs it leaves that vCPU a stray int3 (README, Testing):
# the guest panics. The TSC is the host's clock here.
export MCR_VM_APPEND="${MCR_VM_APPEND:+$MCR_VM_APPEND }tsc=reliable"
rc=0
if [ -n "$timed" ]; then
	tools/vm-run --kernel "$kver" --smp 2 --mem 2048 --timeout "$timeout" -- \
		bench/guest.sh --ko "${ko#"$top"/}" --csv "$csv" --phases "$timed" \
		"${guest_args[@]}" || rc=$?
fi
if [ $insns -eq 1 ]; then
	# The plugin's counts go to a file the guest reads back through the
	# shared work tree.
	insn_file=$top/build/bench/insns-$kver.txt
	: >"$insn_file"
	MCR_VM_PLUGIN="$top/build/bench/insn-count.so,out=$insn_file${MCR_BENCH_PROFILE:+,profile=$MCR_BENCH_PROFILE}" \
		tools/vm-run --kernel "$kver" --smp 2 --mem 2048 --timeout "$timeout" -- \
		bench/guest.sh --ko "${ko#"$top"/}" --csv "$csv" --phases insns \
		--insn-file "$insn_file" "${guest_args[@]}" || rc=$?
fi
[ -s "$csv" ] || { echo "bench: no results (VM exit status $rc)" >&2; exit 1; }

if [ $smoke -eq 1 ]; then
	bench/report.py "$csv" --md "$base.md" --check --families "$families" --note "Smoke run. $others."
	chk=$?
	echo "bench: smoke: VM exit status $rc, check $([ $chk -eq 0 ] && echo passed || echo FAILED)," \
		"$(($(date +%s) - start)) s"
	[ $rc -eq 0 ] && [ $chk -eq 0 ]
	exit
fi

# latest.* is the last run of the matrix; a run without it reports alone.
if [[ " $phases " == *" inject "* ]]; then
	bench/report.py "$csv" --md bench/results/latest.md --png bench/results/latest.png \
		--note "$others. Raw data: \`$(basename "$csv")\`." || rc=1
	cp bench/results/latest.md "$base.md"
	out="bench/results/latest.md, bench/results/latest.png"
else
	bench/report.py "$csv" --md "$base.md" \
		--note "$others. Raw data: \`$(basename "$csv")\`." || rc=1
	out=$base.md
fi
cat "$base.md"
echo "bench: $csv, $out; $(($(date +%s) - start)) s, VM exit status $rc"
exit $rc

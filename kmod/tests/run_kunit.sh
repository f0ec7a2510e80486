#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# run_kunit.sh: load mcr.ko and the KUnit module mcr_kunit.ko INSIDE the VM
# (a kernel with CONFIG_KUNIT, i.e. the debug kernel), read each suite's
# KTAP from /sys/kernel/debug/kunit/SUITE/results and print one KTAP line
# per case (per parameter of a parameterised case):
#
#   tools/vm-run --kernel debug -- kmod/tests/run_kunit.sh \
#       --ko build/KVER/kmod/mcr.ko --test-ko build/KVER/kmod/tests/mcr_kunit.ko
#
#   TAP version 13
#   ok 1 kunit: mcr_table: mcr_key_specificity_test: S_G_port
#   ...
#   1..N
#   N passed, N failed, N skipped
#
# A failing case, a suite that fails without a failing case (e.g. its init),
# no case at all, or a module that does not load or unload: exit 1.
# Without KUnit in the kernel: one SKIP line and exit 4.
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
ko=$here/../mcr.ko
test_ko=$here/mcr_kunit.ko
while [ $# -gt 0 ]; do
	case $1 in
	--ko) ko=$2; shift 2 ;;
	--test-ko) test_ko=$2; shift 2 ;;
	*) echo "usage: $0 [--ko PATH] [--test-ko PATH]" >&2; exit 2 ;;
	esac
done

dbg=/sys/kernel/debug
kunit_dir=$dbg/kunit
n=0 passed=0 failed=0 skipped=0

echo "TAP version 13"
result() { # ok|not ok|skip name [directive]
	n=$((n + 1))
	case $1 in
	ok) passed=$((passed + 1)); echo "ok $n $2" ;;
	skip) skipped=$((skipped + 1)); echo "ok $n $2 # SKIP ${3:-}" ;;
	*) failed=$((failed + 1)); echo "not ok $n $2${3:+ # $3}" ;;
	esac
}
finish() {
	echo "1..$n"
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
	exit $?
}

mountpoint -q "$dbg" || mount -t debugfs debugfs "$dbg" 2>/dev/null
if [ ! -d "$kunit_dir" ]; then
	echo "ok 1 kunit # SKIP kernel $(uname -r) has no CONFIG_KUNIT (or no KUNIT_DEBUGFS)"
	echo "1..1"
	exit 4
fi

loaded_mcr=0
if [ ! -d /sys/module/mcr ]; then
	if out=$(insmod "$ko" 2>&1); then
		loaded_mcr=1
	else
		echo "# insmod $ko: $out"
		result "not ok" "kunit: load mcr.ko"
		finish
	fi
fi

before=$(ls -1 "$kunit_dir")
# KUnit runs the suites while the module loads: insmod returns when done.
if ! out=$(insmod "$test_ko" 2>&1); then
	echo "# insmod $test_ko: $out"
	result "not ok" "kunit: load mcr_kunit.ko"
	finish
fi
suites=$(comm -13 <(echo "$before" | sort) <(ls -1 "$kunit_dir" | sort))
[ -n "$suites" ] || { echo "# mcr_kunit.ko registered no suite"; result "not ok" "kunit: suites"; }

# One line per leaf: "STATUS<TAB>suite: case[: param]<TAB>directive".
# Parameter results (indent 8) come before their case's line (indent 4);
# the suite's own line is at indent 0.
parse() { # suite file
	awk -v suite="$1" '
	function emit(st, name, dir) { printf "%s\t%s\t%s\n", st, name, dir }
	{
		line = $0
		match(line, /^ */)
		depth = int(RLENGTH / 4)
		body = substr(line, RLENGTH + 1)
		if (body !~ /^(not ok|ok) [0-9]+ /)
			next
		st = (body ~ /^not ok/) ? "fail" : "ok"
		sub(/^(not ok|ok) [0-9]+ /, "", body)
		dir = ""
		if (index(body, " # ")) {
			dir = substr(body, index(body, " # ") + 3)
			body = substr(body, 1, index(body, " # ") - 1)
		}
		if (st == "ok" && dir ~ /^SKIP/)
			st = "skip"
		if (depth >= 2) {
			np++; pst[np] = st; pname[np] = body; pdir[np] = dir
		} else if (depth == 1) {
			if (np) {
				for (i = 1; i <= np; i++)
					emit(pst[i], suite ": " body ": " pname[i], pdir[i])
				# A parameterised case can fail outside its params.
				if (st == "fail" && nfail_params() == 0)
					emit("fail", suite ": " body, dir)
			} else {
				emit(st, suite ": " body, dir)
			}
			leaves++; if (st == "fail") cfail++
			np = 0
		} else {
			suite_st = st; suite_dir = dir
		}
	}
	function nfail_params(   k, c) { c = 0; for (k = 1; k <= np; k++) if (pst[k] == "fail") c++; return c }
	END {
		if (suite_st == "")
			emit("fail", suite ": no suite result line", "")
		else if (suite_st == "fail" && cfail == 0)
			emit("fail", suite ": suite failed outside its cases", suite_dir)
		if (leaves == 0)
			emit("fail", suite ": no test case ran", "")
	}' "$2"
}

for s in $suites; do
	f=$kunit_dir/$s/results
	if [ ! -r "$f" ]; then
		result "not ok" "kunit: $s: results" "no $f"
		continue
	fi
	res=$(cat "$f")
	suite_failed=0
	while IFS=$'\t' read -r st name dir; do
		[ -n "$st" ] || continue
		case $st in
		ok) result ok "kunit: $name" ;;
		skip) result skip "kunit: $name" "${dir#SKIP }" ;;
		*) result "not ok" "kunit: $name" "$dir"; suite_failed=1 ;;
		esac
	done < <(parse "$s" <(echo "$res"))
	# The whole log of a failing suite, for the reader.
	[ "$suite_failed" = 0 ] || sed 's/^/# /' <<<"$res"
done

if ! out=$(rmmod mcr_kunit 2>&1); then
	echo "# rmmod mcr_kunit: $out"
	result "not ok" "kunit: unload mcr_kunit.ko"
fi
if [ "$loaded_mcr" = 1 ] && ! out=$(rmmod mcr 2>&1); then
	echo "# rmmod mcr: $out"
	result "not ok" "kunit: unload mcr.ko"
fi
finish

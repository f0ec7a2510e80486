#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The mcr-nl binary on the host, where no mcr module can answer: what
# fails before a request is sent (usage errors, batch files) and what
# needs no kernel (help, version).  TAP lines, then "N passed, N failed".
#
# Usage: tests/cli.sh path/to/mcr-nl
NL=${1:-./mcr-nl}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 passed=0 failed=0

# check NAME WANT_RC WANT_STDERR_LINES CMD...: exit status and how many
# lines on stderr.
check()
{
	name=$1 want_rc=$2 want_lines=$3
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	lines=$(wc -l <"$tmp/err")
	n=$((n + 1))
	if [ "$rc" = "$want_rc" ] && [ "$lines" = "$want_lines" ]; then
		passed=$((passed + 1))
		echo "ok $n - $name"
	else
		failed=$((failed + 1))
		echo "not ok $n - $name # exit $rc (want $want_rc), $lines lines on stderr (want $want_lines)"
		sed 's/^/# /' "$tmp/err"
	fi
}

# grep_err NAME PATTERN: the last check's stderr matches.
grep_err()
{
	n=$((n + 1))
	if grep -q -- "$2" "$tmp/err"; then
		passed=$((passed + 1))
		echo "ok $n - $1"
	else
		failed=$((failed + 1))
		echo "not ok $n - $1 # stderr lacks \"$2\""
		sed 's/^/# /' "$tmp/err"
	fi
}

echo "TAP version 13"

check "help exits 0" 0 0 "$NL" help
check "rule help exits 0" 0 0 "$NL" rule help
check "stats help exits 0" 0 0 "$NL" stats help
check "-V exits 0" 0 0 "$NL" -V
check "-V extra is a usage error" 2 1 "$NL" -V extra
check "-h rule show is a usage error" 2 1 "$NL" -h rule show
check "no command: usage on stderr" 2 "$("$NL" 2>&1 | wc -l)" "$NL"

printf 'rule frob\nrule add iif lo group 1.2.3 oif lo\nrule show id 0\n' >"$tmp/bad"
check "a batch stops at the first bad line" 2 1 "$NL" -batch "$tmp/bad"
grep_err "it names the line" "batch line 1: "
check "-force goes on after a bad line" 2 3 "$NL" -force -batch "$tmp/bad"
grep_err "-force names each line" "batch line 3: "

printf 'rule\0 flush\n' >"$tmp/nul"
check "a NUL byte in a batch line is refused" 2 1 "$NL" -batch "$tmp/nul"
grep_err "the NUL byte is named" "batch line 1: NUL byte"
printf 'monitor\n' >"$tmp/mon"
check "monitor is refused in a batch" 2 1 "$NL" -batch "$tmp/mon"

printf '# a comment\nrule show \\\n\tid 0\n' >"$tmp/cont"
check "a continued line is one command" 2 1 "$NL" -batch "$tmp/cont"
grep_err "named by its first line" "batch line 2: rule show: bad id"
printf "rule add iif lo group 239.1.1.1 name 'a b\\n" >"$tmp/sq"
check "an unterminated single quote is refused" 2 1 "$NL" -batch "$tmp/sq"
grep_err "unterminated quote" "batch line 1: unterminated quote"

check "-n: a namespace that does not exist" 1 1 "$NL" -n mcr-nl-no-such-ns rule show
grep_err "it is named" 'cannot open network namespace "mcr-nl-no-such-ns"'
check "-n: a bad namespace name" 2 1 "$NL" -n ../etc rule show

echo "1..$n"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

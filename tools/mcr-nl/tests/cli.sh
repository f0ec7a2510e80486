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
check "-j -p help exits 0" 0 0 "$NL" -j -p help
check "-pretty is -p" 0 0 "$NL" -pretty -j help
check "-s help exits 0" 0 0 "$NL" -s help
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

check "a batch file that cannot be opened" 1 1 "$NL" -batch "$tmp/none"
grep_err "it is named" "cannot open \"$tmp/none\""
check "a batch file that cannot be read" 1 1 "$NL" -batch "$tmp"
grep_err "the reason is given" "cannot read \"$tmp\": Is a directory"

# A message that repeats a word given escapes its control bytes (here an
# escape sequence and a C1 control), as a batch file would write them.
check "a word with control bytes is refused" 2 1 "$NL" rule show "$(printf 'x\033[2J\302\233')"
grep_err "its bytes are escaped" 'unknown keyword "x\\x1b\[2J\\xc2\\x9b"'
n=$((n + 1))
if LC_ALL=C grep -q "$(printf '[\033\233]')" "$tmp/err"; then
	failed=$((failed + 1))
	echo "not ok $n - no control byte reaches stderr"
else
	passed=$((passed + 1))
	echo "ok $n - no control byte reaches stderr"
fi

# Output that cannot be written (a full disk, a closed pipe) must not
# pass for success.
to_full()
{
	"$@" >/dev/full
}
if [ -w /dev/full ]; then
	check "-V to a full disk fails" 1 1 to_full "$NL" -V
	grep_err "it is reported" "cannot write the output: No space left"
	check "help to a full disk fails" 1 1 to_full "$NL" help
else
	echo "# /dev/full is missing: output errors not tried"
fi

# IPv6: a rule's addresses are of one family; -4 and -6 filter only
# what lists or flushes rules. Refused before anything is sent.
check "an IPv4 source in an IPv6 rule is refused" 2 1 "$NL" rule add iif lo group ff3e::1 source 10.0.0.1 oif lo
grep_err "both families are named" 'source "10.0.0.1" is IPv4, but the rule.s group "ff3e::1" is IPv6'
check "an IPv6 oif group in an IPv4 rule is refused" 2 1 "$NL" rule add iif lo group 239.1.1.1 oif lo group ff3e::2
grep_err "the output is named" 'group "ff3e::2" of oif #1 is IPv6'
check "an IPv6 multicast source is refused" 2 1 "$NL" rule del iif lo group ff3e::1 source ff02::1
check "-6 with rule add is a usage error" 2 1 "$NL" -6 rule add iif lo group ff3e::1 oif lo
grep_err "what -6 filters is said" '"-6" filters "rule show", "stats" and "rule flush" only'
check "-4 with monitor is a usage error" 2 1 "$NL" -4 monitor
check "-4 with rule save is a usage error" 2 1 "$NL" -4 rule save
check "-4 and -6 together are a usage error" 2 1 "$NL" -4 -6 rule show
check "-6 after the command is a usage error" 2 1 "$NL" rule show -6
grep_err "its place is said" 'as in "mcr-nl -6 rule show"'
check "-6 help exits 0" 0 0 "$NL" -6 help
printf '# IPv6\nrule add iif lo group ff3e::1 oif lo group 239.1.1.1\n' >"$tmp/mixed"
check "a batch line mixing families is refused" 2 1 "$NL" -batch "$tmp/mixed"
grep_err "it names the line" 'batch line 2: rule add: group "239.1.1.1" of oif #1 is IPv4'
printf 'stats reset\n' >"$tmp/reset"
check "-6 applies to each batch line" 2 1 "$NL" -6 -batch "$tmp/reset"
grep_err "the line is named" 'batch line 1: stats reset: "-6" filters'

check "-n: a namespace that does not exist" 1 1 "$NL" -n mcr-nl-no-such-ns rule show
grep_err "it is named" 'cannot open network namespace "mcr-nl-no-such-ns"'
check "-n: a bad namespace name" 2 1 "$NL" -n ../etc rule show

# Every synopsis line of the man page, run three times: with no optional
# part, then with each given and the first, then the last, of each choice
# (OUTPUT expanded the same way from its own line). The tool must take
# each (exit 0, or 1 when it needs the module or a namespace that is not
# here), never call it a usage error (2).
MAN=${MAN:-$(dirname "$0")/../../../packaging/mcr-nl.8}
README=${README:-$(dirname "$0")/../../../README.md}
fail_check()	# NAME: a check that failed
{
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
}
pass_check()	# NAME
{
	n=$((n + 1))
	passed=$((passed + 1))
	echo "ok $n - $1"
}
# The man page's synopsis as plain text, continuation lines joined.
man_synopsis()
{
	sed -n '/^\.SH SYNOPSIS/,/^\.fi/p' "$MAN" |
		sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e '/^\./d'
}
joined_synopsis()
{
	man_synopsis |
		awk '/^ / { line = line $0; next }
		     { if (line != "") print line; line = $0 }
		     END { print line }'
}
expand()	# $1: bare|first|last; a synopsis line on stdin
{
	case $1 in
	bare)
		pick='s/ *\[[^][]*\]//'
		top='s/ | .*//'
		word='s/\([^ []\)|[^] ]*/\1/g' ;;
	first)
		pick='s/\[\([^][|]*\)\( |[^][]*\)\{0,1\}\]/\1/'
		top='s/ | .*//'
		word='s/\([^ []\)|[^] ]*/\1/g' ;;
	last)
		pick='s/\[\([^][]*| \)\{0,1\}\([^][|]*\)\]/\2/'
		top='s/^\(mcr-nl \).* | /\1/'
		word='s/[^[ ]*|\([^ ]\)/\1/g' ;;
	esac
	sed -e "$word" -e ':a' -e "$pick" -e 'ta' -e "$top" \
	    -e 's/\.\.\.//g' -e 's/DEV/lo/g' -e 's/ADDR/239.1.1.1/g' \
	    -e 's/PORT/5000/g' -e 's/NAME/x/g' -e 's/ ID/ 1/g' \
	    -e 's/SECONDS/1/g' -e 's/ N\( \|$\)/ 8\1/g' \
	    -e 's|FILE|/dev/null|g' -e 's/ -n NETNS//' -e 's/  */ /g'
}
synopsis()	# $1: bare|first|last
{
	output=$(joined_synopsis | sed -n 's/^OUTPUT := //p' | expand "$1")
	joined_synopsis | grep '^mcr-nl ' | expand "$1" |
		sed "s|OUTPUT|$output|g"
}
if [ ! -r "$MAN" ]; then
	fail_check "the man page is readable ($MAN)"
else
	{ synopsis bare; synopsis first; synopsis last; } |
		sort -u >"$tmp/synopsis"
	if [ -s "$tmp/synopsis" ] && grep -q "oif lo group" "$tmp/synopsis"
	then
		pass_check "the man page has a synopsis, OUTPUT included"
	else
		fail_check "the man page has a synopsis, OUTPUT included"
	fi
fi
while read -r line; do
	# shellcheck disable=SC2086  # the words of the line
	set -- $line
	shift
	timeout 10 "$NL" "$@" >/dev/null 2>"$tmp/err" </dev/null
	rc=$?
	if [ "$rc" -le 1 ]; then
		pass_check "man synopsis: $line"
	else
		fail_check "man synopsis: $line # exit $rc"
		sed 's/^/# /' "$tmp/err"
	fi
done <"$tmp/synopsis"

# README's usage block is the man page's synopsis, word for word.
sed -n '/^## Using mcr/,/^## /p' "$README" 2>/dev/null |
	awk '/^```$/ { if (inside) exit; inside = 1; next } inside' \
	>"$tmp/readme"
man_synopsis >"$tmp/man"
if [ -s "$tmp/man" ] && diff -u "$tmp/man" "$tmp/readme" >"$tmp/diff"; then
	pass_check "README's synopsis is the man page's"
else
	fail_check "README's synopsis is the man page's"
	sed 's/^/# /' "$tmp/diff"
fi

echo "1..$n"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

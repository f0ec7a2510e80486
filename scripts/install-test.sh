#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make install` as a user sees it: the exact files installed into a
# DESTDIR, an existing rules.conf kept, the man page rendering without
# warnings, bash completion offering the right words, the systemd unit
# passing `systemd-analyze verify`, and uninstall removing it all.
# Runs on the host (nothing here loads the module).
#
# KTAP lines, then "N passed, N failed"; exits non-zero on a failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 passed=0 failed=0
result() { # status name
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		passed=$((passed + 1)); echo "ok $n $2"
	else
		failed=$((failed + 1)); echo "not ok $n $2"
	fi
}
indent() { sed 's/^/# /'; }
install_mk() { make -s -C "$top" -f packaging/install.mk "$@"; }

echo "KTAP version 1"
echo "1..10"

# 1: the exact file list, default PREFIX.
dest=$tmp/root
install_mk install DESTDIR="$dest" >"$tmp/log" 2>&1
rc=$?
(cd "$dest" && find . -type f -printf '%P %m\n' | sort) >"$tmp/files"
cat >"$tmp/expected" <<EOT
etc/mcr/rules.conf 644
usr/local/lib/systemd/system/mcr.service 644
usr/local/sbin/mcr-nl 755
usr/local/share/bash-completion/completions/mcr-nl 644
usr/local/share/man/man8/mcr-nl.8 644
EOT
if ! diff -u "$tmp/expected" "$tmp/files" >"$tmp/diff"; then
	indent <"$tmp/diff"; rc=1
fi
[ $rc -eq 0 ] || indent <"$tmp/log"
result $rc "install: exact file list and modes under DESTDIR (PREFIX=/usr/local)"

# 2: PREFIX=/usr, and the unit runs the installed binary.
dest2=$tmp/root2
install_mk install DESTDIR="$dest2" PREFIX=/usr >"$tmp/log" 2>&1
rc=$?
(cd "$dest2" && find . -type f -printf '%P\n' | sort) >"$tmp/files"
printf '%s\n' etc/mcr/rules.conf usr/lib/systemd/system/mcr.service \
	usr/sbin/mcr-nl usr/share/bash-completion/completions/mcr-nl \
	usr/share/man/man8/mcr-nl.8 >"$tmp/expected"
diff -u "$tmp/expected" "$tmp/files" | indent
cmp -s "$tmp/expected" "$tmp/files" || rc=1
grep -q '^ExecStart=/usr/sbin/mcr-nl -batch /etc/mcr/rules.conf$' \
	"$dest2/usr/lib/systemd/system/mcr.service" || rc=1
grep -q '@' "$dest2/usr/lib/systemd/system/mcr.service" && rc=1
result $rc "install PREFIX=/usr: file list, unit names /usr/sbin/mcr-nl"

# 3: an existing rules.conf is kept.
echo "rule add iif eth0 group 239.1.1.1 oif eth1  # mine" \
	>"$dest/etc/mcr/rules.conf"
install_mk install DESTDIR="$dest" >"$tmp/log" 2>&1
rc=$?
grep -q "# mine" "$dest/etc/mcr/rules.conf" || rc=1
result $rc "install keeps an existing /etc/mcr/rules.conf"

# 4: the man page renders without warnings.
man_page=$dest/usr/local/share/man/man8/mcr-nl.8
warn=$(MANWIDTH=80 man --warnings -l "$man_page" 2>&1 >/dev/null)
rc=0
[ -z "$warn" ] || { echo "$warn" | indent; rc=1; }
MANWIDTH=80 man -l "$man_page" 2>/dev/null >"$tmp/man.txt" || rc=1
for s in NAME SYNOPSIS OPTIONS COMMANDS COUNTERS "JSON OUTPUT" \
	"PROMETHEUS METRICS" "BATCH FILES" "EXIT STATUS" FILES EXAMPLES; do
	grep -q "^$s" "$tmp/man.txt" || { echo "# no section $s"; rc=1; }
done
result $rc "man -l renders mcr-nl(8) without warnings, every section"

# 5: the man page covers every command, option and metric.
rc=0
for w in "rule add" "rule replace" "rule del" "rule show" "rule flush" \
	"rule save" "stats -w" "stats --prometheus" "stats reset" monitor -batch \
	--version --help consume nojoin "source auto" drop-xmit drop-too-big \
	drop-ttl drop-nomem no-match not-udp fragments outputs-removed \
	max_rules max_outputs_per_rule mcr_rules mcr_outputs \
	mcr_netns_no_match_total mcr_rule_packets_total \
	mcr_rule_bytes_total mcr_output_packets_total mcr_output_bytes_total \
	mcr_output_drops_total /etc/mcr/rules.conf; do
	grep -qF -- "$w" "$tmp/man.txt" || { echo "# man page lacks \"$w\""; rc=1; }
done
result $rc "mcr-nl(8) names every command, option, counter and metric"

# 6-8: bash completion.
complete_words() { # words of the command line, the last being completed
	bash -c '
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_mcr_nl mcr-nl "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		echo "${COMPREPLY[*]}"' _ \
		"$dest/usr/local/share/bash-completion/completions/mcr-nl" "$@"
}
check_completion() { # expected words...
	local got
	got=$(complete_words "${line[@]}")
	if [ "$got" != "$*" ]; then
		echo "# \"${line[*]}<TAB>\": got \"$got\", expected \"$*\""
		rc=1
	fi
}
rc=0
line=(mcr-nl ""); check_completion rule stats monitor help
line=(mcr-nl ru); check_completion rule
line=(mcr-nl -j st); check_completion stats
line=(mcr-nl rule ""); check_completion add del show flush save replace help
line=(mcr-nl rule a); check_completion add
line=(mcr-nl stats ""); check_completion reset help id dev -w --prometheus
line=(mcr-nl stats reset ""); check_completion id
line=(mcr-nl -); check_completion -j -p -s -4 -6 -n -force -batch -V --version -h --help
line=(mcr-nl -6 rule ""); check_completion add del show flush save replace help
result $rc "completion: commands, subcommands and options"

rc=0
line=(mcr-nl rule add ""); check_completion iif group port source name consume nojoin oif
line=(mcr-nl rule add iif eth0 group 239.1.1.1 ""); check_completion port source name consume nojoin oif
line=(mcr-nl rule add iif eth0 group 239.1.1.1 oif eth1 ""); check_completion oif group port ttl source
line=(mcr-nl rule add iif eth0 group ff3e::1:1 oif eth1 ""); check_completion oif group port ttl source
line=(mcr-nl rule add iif eth0 group 239.1.1.1 oif eth1 ttl 3 ""); check_completion oif group port source
line=(mcr-nl rule add iif eth0 group 239.1.1.1 oif eth1 source ""); check_completion auto
line=(mcr-nl rule add iif eth0 group ""); check_completion
line=(mcr-nl rule del ""); check_completion id iif group port source
line=(mcr-nl rule flush ""); check_completion iif
line=(mcr-nl monitor ""); check_completion -t id dev
line=(mcr-nl monitor -t ""); check_completion id dev
result $rc "completion: keywords of rule add, del and flush"

rc=0
devs=$(ls /sys/class/net | sort | tr '\n' ' ' | sed 's/ $//')
got=$(complete_words mcr-nl rule add iif eth0 group 239.1.1.1 oif "" |
	tr ' ' '\n' | sort | tr '\n' ' ' | sed 's/ $//')
[ "$got" = "$devs" ] || { echo "# oif <TAB>: got \"$got\", expected \"$devs\""; rc=1; }
first=$(ls /sys/class/net | head -1)
got=$(complete_words mcr-nl rule flush iif "${first:0:1}")
[[ " $got " == *" $first "* ]] || { echo "# iif ${first:0:1}<TAB>: got \"$got\""; rc=1; }
echo "# devices: $devs"
result $rc "completion: device names from /sys/class/net after iif and oif"

# 9: systemd-analyze verify on the installed unit (PREFIX=/usr so that
# ExecStart names a path this host has; mcr-nl installed there for it).
rc=0
if ! command -v systemd-analyze >/dev/null; then
	echo "# systemd-analyze missing (apt-get install systemd)"; rc=1
else
	unit=$dest2/usr/lib/systemd/system/mcr.service
	sed "s|/usr/sbin/mcr-nl|$dest2/usr/sbin/mcr-nl|" "$unit" >"$tmp/mcr.service"
	out=$(SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no \
		"$tmp/mcr.service" 2>&1)
	rc=$?
	# Only our unit's diagnostics count (the host's units may have theirs).
	ours=$(echo "$out" | grep -F "mcr.service" || true)
	[ -n "$out" ] && echo "$out" | indent
	[ -z "$ours" ] || rc=1
	grep -q '^Type=oneshot$' "$unit" && grep -q '^RemainAfterExit=yes$' "$unit" &&
		grep -q '^ExecStartPre=/sbin/modprobe mcr$' "$unit" &&
		grep -q '^ExecStop=/usr/sbin/mcr-nl rule flush$' "$unit" &&
		grep -q '^ConditionPathExists=/etc/mcr/rules.conf$' "$unit" || rc=1
fi
result $rc "systemd-analyze verify mcr.service"

# 10: uninstall removes what install added, keeps an edited rules.conf.
install_mk uninstall DESTDIR="$dest" >"$tmp/log" 2>&1
rc=$?
left=$(cd "$dest" && find . -type f -printf '%P\n' | sort)
[ "$left" = etc/mcr/rules.conf ] || { echo "# left: $left"; rc=1; }
install_mk uninstall DESTDIR="$dest2" PREFIX=/usr >"$tmp/log" 2>&1 || rc=1
left=$(cd "$dest2" && find . -type f | wc -l)
[ "$left" = 0 ] || { echo "# left $left files in $dest2"; rc=1; }
result $rc "uninstall removes the files, keeps an edited rules.conf"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# vm_e2e.sh: mcr-nl against the real module, run INSIDE a test VM as root
# (the host kernel cannot load modules):
#
#   tools/vm-run --kernel 6.12 -- tools/mcr-nl/tests/vm_e2e.sh --ko PATH
#
# Loads PATH (default: build/$(uname -r)/kmod/mcr.ko, then kmod/mcr.ko)
# unless mcr is loaded, and checks what the unit tests cannot: the
# requests the kernel accepts, the replies and extended acks it sends, dumps
# of rules too large for one message, notifications, and the save/batch
# round trip.  Everything runs in a private network namespace.  Prints
# KTAP, ending with "N passed, N failed"; exits 1 if anything failed.

set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
top=$(cd "$here/../../.." && pwd -P)
NL=${MCR_NL:-$top/tools/mcr-nl/mcr-nl}
NS=mcrnl-e2e
TMPD=$(mktemp -d)
ko=

while [ $# -gt 0 ]; do
	case $1 in
	--ko) ko=$2; shift 2 ;;
	*) echo "usage: $0 [--ko PATH]" >&2; exit 2 ;;
	esac
done

passed=0
failed=0
num=0

ok()
{
	num=$((num + 1))
	passed=$((passed + 1))
	echo "ok $num $1"
}

not_ok()
{
	num=$((num + 1))
	failed=$((failed + 1))
	echo "not ok $num $1"
	shift
	[ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/# /'
}

# check NAME GOT WANT
check()
{
	if [ "$2" == "$3" ]; then
		ok "$1"
	else
		not_ok "$1" "got:  $2" "want: $3"
	fi
}

nl()
{
	ip netns exec "$NS" "$NL" "$@"
}

# expect RC TEXT NAME ARGS...: "mcr-nl ARGS" exits RC and says TEXT.
expect()
{
	local want_rc=$1 text=$2 name=$3 out rc
	shift 3

	out=$(nl "$@" 2>&1)
	rc=$?
	if [ "$rc" != "$want_rc" ]; then
		not_ok "$name" "exit $rc, want $want_rc: $out"
	elif ! grep -qF -- "$text" <<<"$out"; then
		not_ok "$name" "no '$text' in: $out"
	else
		ok "$name"
	fi
}

cleanup()
{
	ip netns del "$NS" 2>/dev/null
	rm -rf "$TMPD"
}
trap cleanup EXIT

load_module()
{
	local k

	[ -d /sys/module/mcr ] && return 0
	for k in "$ko" "$top/build/$(uname -r)/kmod/mcr.ko" "$top/kmod/mcr.ko"; do
		[ -n "$k" ] && [ -f "$k" ] && { insmod "$k"; return; }
	done
	echo "# no mcr.ko found (use --ko PATH)"
	return 1
}

# The rule table without ids and counters, for comparisons.
table()
{
	nl -j rule show | jq -S -c 'map(del(.id, .stats) |
		.outputs |= map(del(.stats)))'
}

echo "TAP version 13"
[ "$(id -u)" = 0 ] || { echo "# must run as root, in a VM"; exit 1; }
for cmd in ip jq; do
	command -v $cmd >/dev/null || { echo "# $cmd is missing"; exit 1; }
done
[ -x "$NL" ] || { echo "# $NL not built (make -C tools/mcr-nl)"; exit 1; }
if load_module; then ok "module loaded"; else not_ok "module loaded"; fi

ip netns add "$NS" || exit 1
modprobe -q dummy 2>/dev/null
for i in 0 1 2 3 4 5 6 7 8; do
	ip -n "$NS" link add d$i type dummy && ip -n "$NS" link set d$i up ||
		exit 1
done

# ---- add, show, errors -------------------------------------------------

out=$(nl rule add iif d0 group 239.1.1.1 port 5000 oif d1 2>&1)
check "rule add is silent" "$?:$out" "0:"
id=$(nl -j rule add iif d0 group 239.1.1.2 port 5000 source 10.0.0.1 \
	name "feed A" consume nojoin oif d1 group 239.2.2.2 port 6000 ttl 5 \
	source auto oif d2 source 192.0.2.1 | jq -r .id)
[[ $id =~ ^[0-9]+$ ]] && ok "rule add -j prints the id" ||
	not_ok "rule add -j prints the id" "got '$id'"

check "rule show id: first line" "$(nl rule show id "$id" | head -n 1)" \
	"rule $id name \"feed A\" iif d0 group 239.1.1.2 port 5000 source 10.0.0.1 consume nojoin"
check "rule show id: outputs" "$(nl rule show id "$id" | grep -c '^    oif ')" 2
check "rule show -j: the rule as given" \
	"$(nl -j rule show id "$id" | jq -c '.[0] | del(.stats) |
		.outputs |= map(del(.stats))')" \
	"{\"id\":$id,\"name\":\"feed A\",\"iif\":\"d0\",\"iif_index\":$(ip -n "$NS" -j link show d0 | jq .[0].ifindex),\"group\":\"239.1.1.2\",\"port\":5000,\"source\":\"10.0.0.1\",\"flags\":[\"consume\",\"nojoin\"],\"outputs\":[{\"oif\":\"d1\",\"oif_index\":$(ip -n "$NS" -j link show d1 | jq .[0].ifindex),\"group\":\"239.2.2.2\",\"port\":6000,\"ttl\":5,\"source\":\"auto\"},{\"oif\":\"d2\",\"oif_index\":$(ip -n "$NS" -j link show d2 | jq .[0].ifindex),\"source\":\"192.0.2.1\"}]}"
check "rule show -j: counters present" \
	"$(nl -j rule show id "$id" | jq -c '[.[0].stats.packets, .[0].outputs[1].stats.drop_nomem]')" \
	"[0,0]"
check "rule show: dump lists both rules" "$(nl -j rule show | jq length)" 2

expect 1 "File exists: a rule with this match key exists" \
	"duplicate key: EEXIST with the kernel's message" \
	rule add iif d0 group 239.1.1.1 port 5000 oif d2
expect 1 '(oif #2, attribute "ifindex")' \
	"output on the input device: extack names the oif" \
	rule add iif d0 group 239.1.1.9 oif d1 oif d0
expect 1 "duplicate of an earlier output (same device, destination and port) (oif #2)" \
	"duplicate output: extack points at the second oif" \
	rule add iif d0 group 239.1.1.9 oif d1 oif d1
expect 1 "source: not a unicast address" "multicast source refused" \
	rule add iif d0 group 239.1.1.9 source 239.0.0.1 oif d1
expect 1 "no such rule" "rule show of a missing id" rule show id 999999
expect 1 "no such rule" "stats of a missing id" stats id 999999
expect 1 "no such rule" "rule del of a missing id" rule del id 999999
expect 1 "no rule with this match key" "rule del of a missing key" \
	rule del iif d0 group 239.1.1.1 port 5001
expect 2 'bad ttl "0"' "usage error: nothing sent, exit 2" \
	rule add iif d0 group 239.1.1.9 oif d1 ttl 0

# ---- replace, del --------------------------------------------------------

rid=$(nl -j rule replace iif d0 group 239.1.1.1 port 5000 oif d3 oif d4 |
	jq -r .id)
check "rule replace: same rule, new outputs" \
	"$(nl -j rule show | jq -r --arg id "$rid" \
		'.[] | select(.id == ($id | tonumber)) | [.group, (.outputs | map(.oif) | join(","))] | join(" ")')" \
	"239.1.1.1 d3,d4"
nl rule del iif d0 group 239.1.1.1 port 5000 &&
	check "rule del by key" "$(nl -j rule show | jq length)" 1 ||
	not_ok "rule del by key"
nl rule del id "$id" && check "rule del by id" "$(nl -j rule show)" "[]" ||
	not_ok "rule del by id"

# ---- stats ---------------------------------------------------------------

id=$(nl -j rule add iif d0 group 239.3.3.3 oif d1 oif d2 | jq -r .id)
check "stats -j: namespace counters" \
	"$(nl -j stats | jq -c '.netns | [.rules, .outputs, (.max_rules > 0)]')" \
	"[1,2,true]"
check "stats -j: the rule's outputs" \
	"$(nl -j stats | jq -c '.rules | map([.id, (.outputs | map(.oif))])')" \
	"[[$id,[\"d1\",\"d2\"]]]"
check "stats -j id" "$(nl -j stats id "$id" | jq -c '.rules[0].stats')" \
	'{"packets":0,"bytes":0}'
check "stats: human table" "$(nl stats | grep -cE '^ +[0-9]+ +- +0 +0$')" 1
nl rule flush
check "rule flush" "$(nl -j rule show)" "[]"

# ---- a rule too large for one dump message -------------------------------

# 1024 outputs over 8 devices, told apart by port.
args=(rule add iif d0 group 239.4.4.4 port 4000 name big)
for i in $(seq 0 1023); do
	args+=(oif "d$((1 + i % 8))" port $((10000 + i)) ttl $((1 + i % 255)))
done
id=$(nl -j "${args[@]}" | jq -r .id)
[[ $id =~ ^[0-9]+$ ]] && ok "rule add with 1024 outputs" ||
	not_ok "rule add with 1024 outputs" "got '$id'"
nl -j rule add iif d0 group 239.4.4.5 oif d1 >/dev/null
check "dump: the big rule is one rule of 1024 outputs" \
	"$(nl -j rule show | jq -c 'map(.outputs | length)')" "[1024,1]"
check "dump: outputs in order" \
	"$(nl -j rule show | jq -c '[.[0].outputs[0].port, .[0].outputs[1023].port]')" \
	"[10000,11023]"
check "rule show (human): one block" \
	"$(nl rule show | grep -c '^rule ') $(nl rule show | grep -c '^    oif ')" \
	"2 1025"
check "rule show id: 1024 outputs" \
	"$(nl -j rule show id "$id" | jq '.[0].outputs | length')" 1024
check "stats dump: one rule of 1024 outputs" \
	"$(nl -j stats | jq -c '.rules | map(.outputs | length)')" "[1024,1]"
check "stats id: 1024 outputs" \
	"$(nl -j stats id "$id" | jq '.rules[0].outputs | length')" 1024

# ---- save and load -------------------------------------------------------

nl -j rule add iif d0 group 239.5.5.5 port 7 source 10.9.9.9 \
	name 'we"ird # name' nojoin oif d2 group 239.6.6.6 port 8 ttl 9 \
	source auto >/dev/null
before=$(table)
nl rule save >"$TMPD/saved" && ok "rule save" || not_ok "rule save"
check "rule save: header" "$(head -n 1 "$TMPD/saved")" \
	"# mcr rules, saved by mcr-nl $("$NL" -V | cut -d' ' -f2)"
nl rule flush
nl -batch "$TMPD/saved" && ok "saved rules load with -batch" ||
	not_ok "saved rules load with -batch"
check "save/load round trip" "$(table)" "$before"
nl rule flush
nl -batch - <"$TMPD/saved" && check "load from stdin" "$(table)" "$before" ||
	not_ok "load from stdin"

printf 'rule flush\n# comment\n\nrule add iif d0 group 239.7.7.7 oif d1\nrule add iif d0 group 239.7.7.7 oif d1\nrule add iif d0 group 239.7.7.8 oif d1\n' >"$TMPD/batch"
expect 1 "batch line 5: rule add: File exists" \
	"batch: stops at the failing line" -batch "$TMPD/batch"
check "batch: lines after the failure not run" "$(nl -j rule show | jq length)" 1
printf 'rule show\nrule add iif d0 group 239.7.7.9 oif d1 ttl 300\nrule flush\n' >"$TMPD/batch"
expect 2 "batch line 2: rule add: bad ttl" "batch: usage error names its line" \
	-batch "$TMPD/batch"
check "batch: nothing after a usage error" "$(nl -j rule show | jq length)" 1

# ---- monitor -------------------------------------------------------------

# wait_lines FILE N: until FILE has at least N lines, within 10 s.
wait_lines()
{
	local i
	for ((i = 0; i < 200; i++)); do
		[ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# probe_deleted FILE ID: prints the number of the line of FILE (JSON or
# text) that reports the deletion of rule ID, once there is one (10 s).
probe_deleted()
{
	local i n
	for ((i = 0; i < 200; i++)); do
		n=$(grep -n -E "\"rule-del\".*\"id\": ?$2[,}]|^deleted rule $2 " "$1" | cut -d: -f1)
		[ -n "$n" ] && { echo "$n"; return 0; }
		sleep 0.05
	done
	return 1
}

# monitor_ready FILE: waits until the monitor writing FILE has subscribed
# (probe rules are added and deleted until it reports one) and prints how
# many lines of FILE are about probes: the events under test follow.
monitor_ready()
{
	local i id
	for ((i = 0; i < 50; i++)); do
		id=$(nl -j rule add iif d0 group 239.8.8.1 oif d1 | jq -r .id)
		nl rule del id "$id"
		probe_deleted "$1" "$id" >/dev/null && break
	done
	# Subscribed: the last probe's events are the last ones before ours.
	id=$(nl -j rule add iif d0 group 239.8.8.1 oif d1 | jq -r .id)
	nl rule del id "$id"
	probe_deleted "$1" "$id"
}

nl rule flush
ip netns exec "$NS" "$NL" -j monitor >"$TMPD/mon.json" 2>"$TMPD/mon.err" &
mon=$!
skip=$(monitor_ready "$TMPD/mon.json")
id=$(nl -j rule add iif d0 group 239.8.8.8 oif d1 oif d5 | jq -r .id)
nl rule replace iif d0 group 239.8.8.8 oif d5 oif d6
d6=$(ip -n "$NS" -j link show d6 | jq '.[0].ifindex')
ip -n "$NS" link del d6
nl rule del id "$id"
wait_lines "$TMPD/mon.json" $((skip + 4))
kill -TERM "$mon"
wait "$mon"
check "monitor: exits 0 on SIGTERM" "$?" 0
check "monitor: events" "$(tail -n +$((skip + 1)) "$TMPD/mon.json" | jq -r -c '[.event, .rule.id, (.rule.outputs | map(.oif) | join(",")), (.removed // [] | map(.oif_index | tostring) | join(","))] | join(" ")' | tr '\n' ';')" \
	"rule-new $id d1,d5 ;rule-new $id d5,d6 ;output-del $id d5 $d6;rule-del $id d5 ;"
check "monitor: nothing on stderr" "$(cat "$TMPD/mon.err")" ""
ip netns exec "$NS" "$NL" monitor >"$TMPD/mon.txt" 2>&1 &
mon=$!
skip=$(monitor_ready "$TMPD/mon.txt")
id=$(nl -j rule add iif d0 group 239.8.8.9 name m oif d1 ttl 3 | jq -r .id)
nl rule del id "$id"
wait_lines "$TMPD/mon.txt" $((skip + 2))
kill -INT "$mon"
wait "$mon"
check "monitor: exits 0 on SIGINT" "$?" 0
check "monitor: human lines" "$(tail -n +$((skip + 1)) "$TMPD/mon.txt")" \
	"added rule $id name m iif d0 group 239.8.8.9 oif d1 ttl 3
deleted rule $id name m iif d0 group 239.8.8.9 oif d1 ttl 3"

# ---- flush by device -----------------------------------------------------

nl -j rule add iif d7 group 239.9.9.9 oif d1 >/dev/null
nl -j rule add iif d8 group 239.9.9.9 oif d1 >/dev/null
nl rule flush iif d7
check "rule flush iif" "$(nl -j rule show | jq -r 'map(.iif) | join(",")')" d8
nl rule flush

# ---- the systemd unit's commands, as systemd would run them --------------

# unit_cmds KEY...: the unit's Exec lines for KEY (ExecStart, ...), with its
# paths pointed at this tree and a rules.conf under $TMPD/etc. The module
# was loaded from a path modprobe does not know (the DKMS test runs the real
# modprobe), so its step only checks that mcr is loaded.
unit_cmds()
{
	local key

	for key in "$@"; do
		sed -n "s|^$key=||p" "$top/packaging/mcr.service.in"
	done | sed -e "s|@SBINDIR@/mcr-nl|$NL|" -e "s|@SYSCONFDIR@|$TMPD/etc|" \
		-e "s|^/sbin/modprobe mcr\$|grep -q '^mcr ' /proc/modules|"
}

# run_unit KEY...: run those commands in order in the test namespace,
# stopping at the first failure as systemd does; prints their output.
run_unit()
{
	local cmd

	while IFS= read -r cmd; do
		ip netns exec "$NS" sh -c "$cmd" 2>&1 || return 1
	done < <(unit_cmds "$@")
}

mkdir -p "$TMPD/etc/mcr"
printf '%s\n' "# restored at boot" "rule add iif d0 group 239.5.5.5 oif d1" \
	"rule add iif d7 group 239.5.5.6 port 99 oif d1 ttl 4" >"$TMPD/etc/mcr/rules.conf"
nl rule add iif d8 group 239.5.5.7 oif d1
out=$(run_unit ExecStartPre ExecStart)
check "unit start: rules.conf restored, stale rules flushed" "$?:$(nl -j rule show | jq -r 'map(.group) | join(",")')" \
	"0:239.5.5.5,239.5.5.6"
out=$(run_unit ExecStop)
check "unit stop: rules flushed" "$?:$(nl -j rule show | jq length)" "0:0"
printf '%s\n' "rule add iif d0 group 239.5.5.5 oif d1" "rule add iif nosuch group 239.5.5.6 oif d1" \
	>"$TMPD/etc/mcr/rules.conf"
out=$(run_unit ExecStartPre ExecStart)
check "unit start: a bad line fails it, naming the line" "$?:$(grep -c 'batch line 2' <<<"$out")" "1:1"
nl rule flush

# ---- IPv6 ----------------------------------------------------------------

# An IPv6 rule next to an IPv4 one: its addresses shown as given, -4 and
# -6 telling them apart, and rule flush -6 deleting it alone.
id4=$(nl -j rule add iif d0 group 239.10.10.10 oif d1 | jq -r .id)
id6=$(nl -j rule add iif d0 group ff3e::1234 port 5000 source 2001:db8::1 \
	nojoin oif d1 oif d2 group ff3e::5678 port 6000 ttl 16 | jq -r .id)
[[ $id6 =~ ^[0-9]+$ ]] && ok "IPv6: rule add -j prints the id" ||
	not_ok "IPv6: rule add -j prints the id" "got '$id6'"
check "IPv6: rule show -j: the rule as given" \
	"$(nl -j rule show id "$id6" | jq -c '.[0] | del(.stats, .iif_index) |
		.outputs |= map(del(.stats, .oif_index))')" \
	"{\"id\":$id6,\"iif\":\"d0\",\"group\":\"ff3e::1234\",\"port\":5000,\"source\":\"2001:db8::1\",\"flags\":[\"nojoin\"],\"outputs\":[{\"oif\":\"d1\"},{\"oif\":\"d2\",\"group\":\"ff3e::5678\",\"port\":6000,\"ttl\":16}]}"
check "IPv6: rule show" "$(nl rule show id "$id6")" \
	"rule $id6 iif d0 group ff3e::1234 port 5000 source 2001:db8::1 nojoin
    oif d1
    oif d2 group ff3e::5678 port 6000 ttl 16"
check "-6 rule show: the IPv6 rule only" \
	"$(nl -6 -j rule show | jq -c 'map(.id)')" "[$id6]"
check "-4 rule show: not the IPv6 rule" \
	"$(nl -4 -j rule show | jq -c 'map(.id)')" "[$id4]"
check "-6 stats: the IPv6 rule only, and zero_checksum" \
	"$(nl -6 -j stats | jq -c '[.netns.zero_checksum, (.rules | map(.id))]')" \
	"[0,[$id6]]"
check "-6 stats --prometheus: the IPv6 rule's labels" \
	"$(nl -6 stats --prometheus | grep -c "^mcr_rule_packets_total{rule=\"$id6\",name=\"\",iif=\"d0\",group=\"ff3e::1234\",port=\"5000\",source=\"2001:db8::1\"} 0\$")" 1
expect 2 'group "239.1.1.1" of oif #1 is IPv4' \
	"IPv6: a mix of families is refused before sending" \
	rule add iif d0 group ff3e::1 oif d1 group 239.1.1.1
expect 2 '"-6" filters "rule show", "stats" and "rule flush" only' \
	"-6 rule add: a usage error" -6 rule add iif d0 group ff3e::1 oif d1
before=$(table)
nl rule save >"$TMPD/saved6"
nl rule flush
nl -batch "$TMPD/saved6" && check "IPv6: save/load round trip" "$(table)" \
	"$before" || not_ok "IPv6: save/load round trip"
nl -6 rule flush
check "rule flush -6: the IPv4 rule is left" \
	"$(nl -j rule show | jq -r 'map(.group) | join(",")')" 239.10.10.10
nl -j rule add iif d0 group ff3e::1234 oif d1 >/dev/null
nl -4 rule flush
check "rule flush -4: the IPv6 rule is left" \
	"$(nl -j rule show | jq -r 'map(.group) | join(",")')" ff3e::1234
nl rule del iif d0 group ff3e::1234 &&
	check "IPv6: rule del by key" "$(nl -j rule show)" "[]" ||
	not_ok "IPv6: rule del by key"

# ---- Prometheus text format ----------------------------------------------

nl rule add iif d0 group 239.6.6.6 name 'p"q' oif d1 oif d7
prom=$(nl stats --prometheus)
check "prometheus: every sample line is well formed" "$(grep -v '^#' <<<"$prom" |
	grep -cvE '^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? -?[0-9.e+]+$')" 0
# The families named by HELP, by TYPE, and by the samples, each
# compared with the list the man page gives (a rule with outputs is
# there, so every family has samples).
prom_families()	# HELP|TYPE|samples
{
	if [ "$1" = samples ]; then
		grep -v '^#' <<<"$prom" | sed 's/[{ ].*//'
	else
		sed -n "s/^# $1 \([^ ]*\) .*/\1/p" <<<"$prom"
	fi | sort -u | tr '\n' ' '
}
families="mcr_max_outputs_per_rule mcr_max_rules mcr_netns_fragments_total \
mcr_netns_no_match_total mcr_netns_not_routable_total mcr_netns_not_udp_total \
mcr_netns_outputs_removed_total mcr_netns_zero_checksum_total \
mcr_output_bytes_total mcr_output_drops_total \
mcr_output_packets_total mcr_outputs mcr_rule_bytes_total \
mcr_rule_packets_total mcr_rules "
for kind in samples HELP TYPE; do
	check "prometheus: families of the $kind lines" \
		"$(prom_families $kind)" "$families"
done
check "prometheus: a rule's packets, name escaped" \
	"$(grep -c '^mcr_rule_packets_total{.*name="p\\"q".*} 0$' <<<"$prom")" 1
check "prometheus: one output series per output" \
	"$(grep -c '^mcr_output_packets_total{' <<<"$prom")" 2
nl rule flush

echo "1..$num"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the mcr topology selftests, in the style of the kernel's
# tools/testing/selftests/net/lib.sh. Source it from a test script:
#
#   source "$(dirname "$0")/lib.sh"
#
# Conventions: every line a test prints starts with "# " (run.sh indents it
# once more into KTAP diagnostics); a failed check sets RET=1 and the test
# goes on, so one run reports every broken assertion; test_exit ends the test
# with 0 (pass), 1 (fail) or 4 (skip, ksft_skip). Namespaces get a random
# suffix so tests can run next to each other; cleanup (an EXIT trap) kills
# what the test started and deletes its namespaces.
#
# Environment: MCR_NL (default: the repo's tools/mcr-nl/mcr-nl), MCR_UDP
# (default: selftests/mcr-udp, built on demand), MCR_KO (module to insmod if
# mcr is not loaded), VERBOSE=1 (echo every mcr-nl command),
# MCR_SELFTEST_SCALE (see scaled()).

# shellcheck disable=SC2034  # constants and state are used by the tests

set -u

ksft_pass=0
ksft_fail=1
ksft_skip=4

SELFTESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO_DIR=$(dirname "$SELFTESTS_DIR")
: "${MCR_NL:=$REPO_DIR/tools/mcr-nl/mcr-nl}"
: "${MCR_UDP:=$SELFTESTS_DIR/mcr-udp}"
: "${VERBOSE:=0}"

TEST_NAME=$(basename "$0" .sh)
# A sender that moves between CPUs queues its packets to different CPUs'
# veth backlogs, which may then relay them out of order; a NIC keeps a flow
# on one queue. Pin senders so that a flow stays in order, as on the wire.
SENDER_CPU="taskset -c 0"
RET=$ksft_pass		# worst result so far
NS_LIST=()		# namespaces created by setup_ns
BG_PIDS=()		# background processes to kill on exit
declare -A RECV_PID=()	# receiver name -> pid (start_recv/finish_recv)
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/mcr-$TEST_NAME.XXXXXX")

# scaled COUNT: the packet count of a fixed-size stream, divided by
# MCR_SELFTEST_SCALE (default 1) but not below 10 (nor above COUNT).
# make check runs the debug kernel with 10: that kernel is there to catch
# splats, races and leaks on every path, not to count throughput, and
# under KASAN and TCG each packet costs many times what it does elsewhere.
scaled()
{
	local count=$1 n=$(($1 / ${MCR_SELFTEST_SCALE:-1}))

	[ "$n" -ge 10 ] || n=10
	[ "$n" -le "$count" ] || n=$count
	echo "$n"
}

##############################################################################
# Logging and checks

log() { echo "# $*"; }

# A failed assertion: remember it and keep going.
log_fail()
{
	echo "# FAIL: $*"
	RET=$ksft_fail
}

# Fatal: the test cannot go on (setup broke). Exits through cleanup, even
# from inside a command substitution ("id=$(rule_add ...)"): there the
# message goes to stderr (stdout is being captured) and the test's main
# shell is told to exit.
die()
{
	if [ "$BASHPID" != "$$" ]; then
		echo "# FAIL: $*" >&2
		kill -USR1 "$$"
		exit "$ksft_fail"
	fi
	echo "# FAIL: $*"
	exit "$ksft_fail"
}
trap 'exit $ksft_fail' USR1

skip()
{
	echo "# SKIP: $*"
	exit "$ksft_skip"
}

# check_eq NAME GOT WANT
check_eq()
{
	local name=$1 got=$2 want=$3

	if [ "$got" = "$want" ]; then
		log "ok: $name = $got"
		return 0
	fi
	log_fail "$name: got '$got', want '$want'"
	return 1
}

# check_ge NAME GOT MIN (integers)
check_ge()
{
	local name=$1 got=$2 min=$3

	if [[ $got =~ ^[0-9]+$ ]] && [ "$got" -ge "$min" ]; then
		log "ok: $name = $got (>= $min)"
		return 0
	fi
	log_fail "$name: got '$got', want >= $min"
	return 1
}

# check_ok NAME CMD...: CMD must succeed. Its output is shown on failure.
check_ok()
{
	local name=$1 out rc
	shift

	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 0 ]; then
		log "ok: $name"
		return 0
	fi
	log_fail "$name: '$*' exited $rc"
	[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/#   /'
	return 1
}

# check_fail NAME CMD...: CMD must fail.
check_fail()
{
	local name=$1 out
	shift

	if out=$("$@" 2>&1); then
		log_fail "$name: '$*' succeeded, want a failure"
		[ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/#   /'
		return 1
	fi
	log "ok: $name"
	return 0
}

test_exit()
{
	if [ "$RET" -eq "$ksft_pass" ]; then
		log "$TEST_NAME: PASS"
	else
		log "$TEST_NAME: FAIL"
	fi
	exit "$RET"
}

##############################################################################
# Time and polling

# Bash's own clock: no date(1) to start on every poll (process start-up is
# slow under TCG).
now_ms()
{
	local t=${EPOCHREALTIME//[.,]/}

	echo $((t / 1000))
}

# seconds_to_ms S: "2", "0.5" or "1.25" in milliseconds.
seconds_to_ms()
{
	local int=${1%%.*} frac=

	[[ $1 == *.* ]] && frac=${1#*.}
	frac=${frac}000
	echo $((10#${int:-0} * 1000 + 10#${frac:0:3}))
}

# wait_for TIMEOUT_S CMD...: poll CMD every 50 ms until it succeeds; fails
# once the deadline passes. TIMEOUT_S may be fractional ("0.5").
wait_for()
{
	local timeout=$1 deadline
	shift

	deadline=$(($(now_ms) + $(seconds_to_ms "$timeout")))
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$(now_ms)" -lt "$deadline" ] || return 1
		sleep 0.05
	done
}

# wait_for_eq TIMEOUT_S WANT CMD...: poll until CMD prints WANT; prints the
# last value seen (so a failing caller can report it).
wait_for_eq()
{
	local timeout=$1 want=$2 deadline got
	shift 2

	deadline=$(($(now_ms) + $(seconds_to_ms "$timeout")))
	while :; do
		got=$("$@" 2>/dev/null)
		if [ "$got" = "$want" ]; then
			echo "$got"
			return 0
		fi
		if [ "$(now_ms)" -ge "$deadline" ]; then
			echo "$got"
			return 1
		fi
		sleep 0.05
	done
}

# counter_ge MIN CMD...: CMD prints a number >= MIN (for wait_for).
# shellcheck disable=SC2317  # called indirectly, through wait_for
counter_ge()
{
	local min=$1 v
	shift

	v=$("$@" 2>/dev/null)
	[[ $v =~ ^[0-9]+$ ]] && [ "$v" -ge "$min" ]
}

# wait_counter_ge TIMEOUT_S MIN CMD...: poll until CMD prints a number >= MIN.
wait_counter_ge()
{
	local timeout=$1
	shift

	wait_for "$timeout" counter_ge "$@"
}

##############################################################################
# Requirements

# A missing tool is a failure, not a skip: the VM image is supposed to have
# everything these tests need.
require_cmd()
{
	local c

	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || die "required command not found: $c"
	done
}

require_root()
{
	[ "$(id -u)" -eq 0 ] || skip "must run as root"
}

# Builds mcr-udp if it is missing or older than its source.
require_mcr_udp()
{
	if [ ! -x "$MCR_UDP" ] || [ "$SELFTESTS_DIR/mcr_udp.c" -nt "$MCR_UDP" ]; then
		[ "$MCR_UDP" = "$SELFTESTS_DIR/mcr-udp" ] || die "MCR_UDP=$MCR_UDP not executable"
		make -s -C "$SELFTESTS_DIR" mcr-udp >/dev/null || die "cannot build mcr-udp"
	fi
}

# The module must be loaded (run.sh does it); standalone runs may point
# MCR_KO at the .ko.
require_module()
{
	if [ ! -d /sys/module/mcr ]; then
		if [ -n "${MCR_KO:-}" ] && [ -f "$MCR_KO" ]; then
			insmod "$MCR_KO" || die "insmod $MCR_KO failed"
		else
			modprobe mcr 2>/dev/null || die "module mcr not loaded (set MCR_KO=path/to/mcr.ko)"
		fi
	fi
	[ -x "$MCR_NL" ] || die "mcr-nl not found at $MCR_NL"
}

# Everything a topology test needs. veth and dummy may be modules that
# nothing loaded yet (a fresh VM): "ip link add" does not autoload them
# for a netns-only caller reliably, so load them here.
require_all()
{
	require_root
	require_cmd ip jq awk
	modprobe -q veth 2>/dev/null
	modprobe -q dummy 2>/dev/null
	require_mcr_udp
	require_module
}

##############################################################################
# Namespaces and links

# sysctls every test namespace gets: no IPv6 (no MLD/RS/DAD noise on the
# test links; ns_ipv6 turns it on again), no reverse-path filter (relayed packets keep foreign source
# addresses), IGMPv2 reports immediately on join.
ns_sysctls()
{
	local ns=$1

	# shellcheck disable=SC2016  # expanded by the inner shell
	ip netns exec "$ns" sh -c '
		for f in /proc/sys/net/ipv6/conf/all/disable_ipv6 \
			 /proc/sys/net/ipv6/conf/default/disable_ipv6 \
			 /proc/sys/net/ipv6/conf/lo/disable_ipv6; do
			[ -w "$f" ] && echo 1 > "$f"
		done
		for f in /proc/sys/net/ipv4/conf/all/rp_filter \
			 /proc/sys/net/ipv4/conf/default/rp_filter; do
			echo 0 > "$f"
		done
		true'
}

# ns_ipv6 NS...: turns IPv6 back on in namespaces made by setup_ns, for the
# IPv6 tests, as quiet as it goes: no duplicate address detection (an
# address is usable as soon as it is added), no router solicitations, no
# router advertisements accepted. For lo, the devices there already and
# (default) those made later. Still on the links: MLD reports for the
# groups joined, including each address's solicited-node group (none on a
# device without addresses: see addrgenmode none in ip-link(8)). Tests count
# only their own flow (mcr-udp does) and mcr's counters, which count that
# ICMPv6 in not_udp.
ns_ipv6()
{
	local ns

	for ns in "$@"; do
		# shellcheck disable=SC2016  # expanded by the inner shell
		ip netns exec "$ns" sh -c '
			cd /proc/sys/net/ipv6/conf || exit 1
			for d in *; do
				echo 0 > "$d/accept_dad" &&
				echo 0 > "$d/dad_transmits" &&
				echo 0 > "$d/router_solicitations" &&
				echo 0 > "$d/accept_ra" || exit 1
			done
			for d in default all *; do
				echo 0 > "$d/disable_ipv6" || exit 1
			done' || die "cannot turn IPv6 on in $ns"
	done
}

# ipv6_ready NS DEV: waits until IPv6 is up on DEV: the kernel adds its
# multicast route (ff00::/8) once the link is ready, which is up to the
# link watch, after "ip link set up" returns. Before it, a multicast send
# out of DEV finds no route.
ipv6_ready()
{
	local ns=$1 dev=$2

	wait_for 10 ipv6_mroute "$ns" "$dev" || die "IPv6 not ready on $ns/$dev"
}

# shellcheck disable=SC2317  # called indirectly, through wait_for
ipv6_mroute()
{
	ip -n "$1" -6 route show table local dev "$2" | grep -q '^multicast ff00::/8 '
}

# addr_add NS DEV ADDR/LEN: an address on DEV. An IPv6 one (ns_ipv6 first)
# is added nodad, and it is fatal if it cannot be.
addr_add()
{
	local ns=$1 dev=$2 addr=$3

	if [[ $addr == *:* ]]; then
		ip -n "$ns" addr add "$addr" dev "$dev" nodad ||
			die "cannot add $addr to $ns/$dev (IPv6 off? see ns_ipv6)"
	else
		ip -n "$ns" addr add "$addr" dev "$dev"
	fi
}

# setup_ns VAR...: creates a namespace per variable name, named after it
# with a random suffix, and stores the name in the variable.
setup_ns()
{
	local var name

	for var in "$@"; do
		name="${var,,}-$(mktemp -u XXXXXX)"
		ip netns add "$name" || die "cannot create namespace $name"
		NS_LIST+=("$name")
		printf -v "$var" '%s' "$name"
		ip -n "$name" link set lo up
		ns_sysctls "$name"
	done
}

# del_ns NS: deletes a namespace now (a test step, not cleanup).
del_ns()
{
	local ns=$1 n keep=()

	ip netns del "$ns"
	for n in "${NS_LIST[@]}"; do
		[ "$n" = "$ns" ] || keep+=("$n")
	done
	NS_LIST=("${keep[@]}")
}

# veth_pair NS1 DEV1 NS2 DEV2 [ADDR1/LEN [ADDR2/LEN]]: a veth link between
# two namespaces, both ends up, rp_filter off on both ends. The addresses
# may be IPv6 ones (see addr_add; the namespace needs ns_ipv6): then the
# pair returns once IPv6 is ready on that end (ipv6_ready).
veth_pair()
{
	local ns1=$1 dev1=$2 ns2=$3 dev2=$4 a1=${5:-} a2=${6:-}

	ip -n "$ns1" link add "$dev1" type veth peer name "$dev2" netns "$ns2" ||
		die "cannot create veth $ns1/$dev1 <-> $ns2/$dev2"
	[ -z "$a1" ] || addr_add "$ns1" "$dev1" "$a1"
	[ -z "$a2" ] || addr_add "$ns2" "$dev2" "$a2"
	ip -n "$ns1" link set "$dev1" up
	ip -n "$ns2" link set "$dev2" up
	sysctl_dev "$ns1" "$dev1"
	sysctl_dev "$ns2" "$dev2"
	[[ $a1 != *:* ]] || ipv6_ready "$ns1" "$dev1"
	[[ $a2 != *:* ]] || ipv6_ready "$ns2" "$dev2"
}

sysctl_dev()
{
	local ns=$1 dev=$2

	ip netns exec "$ns" sh -c "echo 0 > /proc/sys/net/ipv4/conf/$dev/rp_filter" 2>/dev/null
	true
}

# ifindex NS DEV
ifindex()
{
	ip netns exec "$1" cat "/sys/class/net/$2/ifindex"
}

# dev_stat NS DEV COUNTER: /sys/class/net/DEV/statistics/COUNTER in NS
# (cheaper to poll than mcr-nl + jq).
dev_stat()
{
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3"
}

# dummies NS PREFIX COUNT: COUNT dummy devices PREFIX0..PREFIX<COUNT-1>, up,
# created with one ip -batch (fast even for 1024 of them).
dummies()
{
	local ns=$1 prefix=$2 count=$3 i

	for ((i = 0; i < count; i++)); do
		echo "link add ${prefix}$i type dummy"
		echo "link set ${prefix}$i up"
	done | ip -n "$ns" -batch - || die "cannot create $count dummy devices"
}

# igmp_hex G: group G as /proc/net/igmp prints it, the hex of the
# network-order word read on a little-endian host: 239.6.0.1 -> 010006EF.
igmp_hex()
{
	local a b c d

	IFS=. read -r a b c d <<<"$1"
	printf '%02X%02X%02X%02X\n' "$d" "$c" "$b" "$a"
}

# igmp_users NS DEV G: the Users column of group G under DEV in NS's
# /proc/net/igmp (0: not a member).
igmp_users()
{
	local hex

	hex=$(igmp_hex "$3")
	# shellcheck disable=SC2016  # an awk program
	ip netns exec "$1" awk -v g="$hex" -v mdev="$2" '
		/^[0-9]/ { dev = $2 }
		dev == mdev && $1 == g { users = $2 }
		END { print users + 0 }' /proc/net/igmp
}

##############################################################################
# Packet captures (IGMP and MLD reports on the wire)

# start_capture NS DEV FILTER...: tcpdump -vv of FILTER on NS's DEV, line
# by line into $CAP; returns once tcpdump listens.
start_capture()
{
	local ns=$1 dev=$2

	shift 2
	CAP="$TMPD/capture-$dev.txt"
	ip netns exec "$ns" tcpdump -i "$dev" -n -vv -l "$@" >"$CAP" \
		2>"$TMPD/tcpdump.err" &
	BG_PIDS+=("$!")
	wait_for 10 grep -q "listening on" "$TMPD/tcpdump.err" ||
		die "tcpdump did not start: $(cat "$TMPD/tcpdump.err")"
}

# seen RE: the capture has a line matching RE.
seen() { grep -Eq "$1" "$CAP"; }

# expect_seen WHAT RE: a line matching RE arrives within 10 s; else the
# capture is shown.
expect_seen()
{
	if wait_for 10 seen "$2"; then
		log "ok: $1: $(grep -Eo "$2" "$CAP" | head -n 1)"
	else
		log_fail "$1: no '$2' in the capture"
		sed 's/^/#   /' "$CAP"
	fi
}

# expect_unseen WHAT RE: no line so far matches RE.
expect_unseen()
{
	check_eq "$1" "$(seen "$2" && echo yes || echo no)" no
}

##############################################################################
# mcr-nl

# mcr_nl NS ARGS...: the CLI inside a namespace.
mcr_nl()
{
	local ns=$1
	shift

	[ "$VERBOSE" = 1 ] && echo "# [$ns] mcr-nl $*" >&2
	"$MCR_NL" -n "$ns" "$@"
}

# rule_add NS ARGS...: "mcr-nl -j rule add ARGS"; prints the new id. A
# failure is fatal: the topology cannot be built.
rule_add()
{
	local ns=$1 out id
	shift

	out=$(mcr_nl "$ns" -j rule add "$@" 2>&1) || die "rule add $* failed: $out"
	# {"id":N}: a bash match, not jq (process start-up is slow under TCG).
	[[ $out =~ \"id\":([0-9]+) ]] || die "rule add $*: no id in '$out'"
	id=${BASH_REMATCH[1]}
	echo "$id"
}

# netns_stat NS KEY: a namespace counter from "mcr-nl -j stats"
# (no_match, not_udp, fragments, outputs_removed, rules, outputs, ...).
netns_stat()
{
	mcr_nl "$1" -j stats | jq -r ".netns.$2"
}

# rule_stat NS ID KEY: a rule counter (packets, bytes) from "rule show -j".
rule_stat()
{
	mcr_nl "$1" -j rule show id "$2" |
		jq -r "(if type == \"array\" then .[0] else . end).stats.$3"
}

# output_stat NS ID OIF KEY: the counter KEY of the output on device OIF.
output_stat()
{
	mcr_nl "$1" -j rule show id "$2" |
		jq -r "(if type == \"array\" then .[0] else . end).outputs[] |
		       select(.oif == \"$3\") | .stats.$4"
}

# output_stats_all NS ID KEY: KEY of every output, one per line, in order.
output_stats_all()
{
	mcr_nl "$1" -j rule show id "$2" |
		jq -r "(if type == \"array\" then .[0] else . end).outputs[].stats.$3"
}

# rule_count NS: rules in the namespace, from the rule dump.
rule_count()
{
	mcr_nl "$1" -j rule show | jq -r 'length'
}

# check_output_drops NS ID: every drop counter of every output is 0.
check_output_drops()
{
	local ns=$1 id=$2 bad

	bad=$(mcr_nl "$ns" -j rule show id "$id" |
		jq -r '(if type == "array" then .[0] else . end).outputs[] |
		       select(.stats.drop_xmit + .stats.drop_too_big + .stats.drop_ttl +
			      .stats.drop_nomem != 0) | "\(.oif): \(.stats)"')
	check_eq "rule $id output drops" "${bad:-none}" none
}

##############################################################################
# Traffic

# start_recv NAME NS ARGS...: "mcr-udp recv ARGS" in NS, in the background;
# returns once its socket is bound and joined (ready file), so no packet
# sent afterwards is missed. Output goes to $TMPD/NAME.out.
start_recv()
{
	local name=$1 ns=$2 ready pid
	shift 2

	ready="$TMPD/$name.ready"
	rm -f "$ready"
	# A generous default timeout (the receiver ends as soon as it has its
	# count anyway); a --timeout in ARGS comes later and wins.
	ip netns exec "$ns" "$MCR_UDP" recv --ready-file "$ready" \
		--timeout "${RECV_TIMEOUT:-60}" "$@" \
		>"$TMPD/$name.out" 2>"$TMPD/$name.err" &
	pid=$!
	RECV_PID[$name]=$pid
	BG_PIDS+=("$pid")
	if ! wait_for 10 test -e "$ready"; then
		sed 's/^/#   /' "$TMPD/$name.err"
		die "receiver $name did not get ready"
	fi
}

# stop_recv NAME: asks a receiver to finish now (after its idle time).
stop_recv()
{
	kill -TERM "${RECV_PID[$1]}" 2>/dev/null
	true
}

# finish_recv NAME: waits for a receiver, logs its result line, returns its
# exit status (0: exactly what it expected, clean).
finish_recv()
{
	local name=$1 rc

	wait "${RECV_PID[$name]}"
	rc=$?
	log "recv $name (rc=$rc): $(head -n 1 "$TMPD/$name.out")"
	[ -s "$TMPD/$name.err" ] && sed 's/^/#   /' "$TMPD/$name.err"
	return "$rc"
}

# check_recv NAME: finish_recv and assert a clean, exact result.
check_recv()
{
	local name=$1

	if finish_recv "$name"; then
		log "ok: receiver $name got exactly what it expected"
	else
		log_fail "receiver $name: $(head -n 1 "$TMPD/$name.out")"
	fi
}

# recv_field NAME KEY: a key=value field of a finished receiver's line.
recv_field()
{
	tr ' ' '\n' <"$TMPD/$1.out" | sed -n "s/^$2=//p" | head -n 1
}

# send_udp NS ARGS...: "mcr-udp send ARGS" in NS, in the foreground; prints the
# number of packets sent. Fatal if the sender fails.
send_udp()
{
	local ns=$1 out
	shift

	out=$(ip netns exec "$ns" $SENDER_CPU "$MCR_UDP" send "$@") || die "send $* failed: $out"
	sed -n 's/^sent=//p' <<<"$out"
}

# send_bg NAME NS ARGS...: a sender in the background (output in
# $TMPD/NAME.out); wait for it with send_wait NAME.
declare -A SEND_PID=()
SENT=
send_bg()
{
	local name=$1 ns=$2
	shift 2

	ip netns exec "$ns" $SENDER_CPU "$MCR_UDP" send "$@" >"$TMPD/$name.out" 2>"$TMPD/$name.err" &
	SEND_PID[$name]=$!
	BG_PIDS+=("$!")
}

# send_wait NAME: waits for a background sender; sets SENT to how many it
# sent. Not in a command substitution: only this shell can wait for it.
send_wait()
{
	local name=$1

	wait "${SEND_PID[$name]}" || log_fail "sender $name failed: $(cat "$TMPD/$name.err")"
	SENT=$(sed -n 's/^sent=//p' "$TMPD/$name.out")
}

# send_stop NAME: stops a background sender (SIGTERM) and waits for it.
send_stop()
{
	kill -TERM "${SEND_PID[$1]}" 2>/dev/null
	send_wait "$1"
}

##############################################################################
# Cleanup

cleanup()
{
	local pid ns

	for pid in "${BG_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${BG_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	for ns in "${NS_LIST[@]}"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$TMPD"
}
trap cleanup EXIT

##############################################################################
# Family-aware tests: one script, run over IPv4 or over IPv6
#
# A test written with these helpers runs over IPv6 when MCR_TEST_FAMILY=6
# (its NAME6.sh wrapper sets it), over IPv4 otherwise: the same steps and
# assertions, plus what only one family has (is_ipv6). Addresses follow one
# plan, host H of subnet N being 10.0.N.H/24 or fd00:N::H/64; groups come
# in pairs (pick 239.1.1.1 ff3e::1:1).

FAMILY=${MCR_TEST_FAMILY:-4}
case $FAMILY in
4) ;;
6) [[ $TEST_NAME == *6 ]] || TEST_NAME=${TEST_NAME}6 ;;
*) die "MCR_TEST_FAMILY=$FAMILY: want 4 or 6" ;;
esac

is_ipv6() { [ "$FAMILY" = 6 ]; }

# pick V4 V6: V4 in an IPv4 run, V6 in an IPv6 one.
pick()
{
	if is_ipv6; then
		echo "$2"
	else
		echo "$1"
	fi
}

# The IP header's length: rule and output byte counters count IP lengths
# (header + 8 + payload).
IP_HLEN=$(pick 20 40)

# addr_in N H: host H of subnet N, 10.0.N.H or fd00:N::H (fd00::H for
# subnet 0: as inet_ntop() and so mcr-nl and mcr-udp write it).
addr_in()
{
	if ! is_ipv6; then
		echo "10.0.$1.$2"
	elif [ "$1" = 0 ]; then
		echo "fd00::$2"
	else
		echo "fd00:$1::$2"
	fi
}

# cidr_in N H: the same with its prefix length (veth_pair, addr_add).
cidr_in()
{
	echo "$(addr_in "$1" "$2")/$(pick 24 64)"
}

# family_ns NS...: IPv6 on in namespaces made by setup_ns, in an IPv6 run.
family_ns()
{
	if is_ipv6; then
		ns_ipv6 "$@"
	fi
}

# icmp6_sent NS DEV: the ICMPv6 messages sent through DEV (0 over IPv4).
# Over IPv6 a source sends MLD reports too, for its addresses'
# solicited-node groups, at random times after they are added: a device
# counter less this counts the test's own packets exactly.
icmp6_sent()
{
	local n=0

	if is_ipv6; then
		# shellcheck disable=SC2016  # an awk program
		n=$(ip netns exec "$1" awk '$1 == "Icmp6OutMsgs" { print $2 }' \
			"/proc/net/dev_snmp6/$2")
		[[ $n =~ ^[0-9]+$ ]] || return 1
	fi
	echo "$n"
}

# stream_rx NS DEV PEER_NS PEER_DEV: the packets DEV received from its veth
# peer PEER_DEV but its ICMPv6 ones (icmp6_sent): the stream, for a source
# that sends nothing else. Read in this order, a report sent meanwhile
# makes it one lower, never higher.
stream_rx()
{
	local rx icmp

	rx=$(dev_stat "$1" "$2" rx_packets) || return 1
	icmp=$(icmp6_sent "$3" "$4") || return 1
	echo $((rx - icmp))
}

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark, inside the VM (bench/run.sh boots it). One topology, every
# contender configured on it in turn, the same pktgen traffic for each.
#
# inject (the matrix):
#   pktgen (kpktgend_0, xmit_mode netif_receive)
#     -> in0 (dummy, 10.0.0.1/24, fd00::1/64)  -- relay under test -->
#        d1 .. dN (dummy)
#
# Each point in each address family of --families: IPv4 UDP from
# 10.0.0.2 to 239.1.1.1:5000 (UDP checksum 0, as IPv4 allows), IPv6 UDP
# from fd00::2 to [ff3e::1:1]:5000 (MAC 33:33:00:01:00:01; IPv6 has no
# UDP datagram without a checksum, so pktgen computes it: in0's checksum
# offload is off, and the packet arrives CHECKSUM_NONE, as from a NIC that
# does not check it). Every contender has an IPv6 form: the same rule,
# filter or route with the IPv6 group (kernel multicast routing: ip6mr,
# through smcroute); the two families of a point run back to back.
#
# pktgen builds each packet (a new skb: clone_skb 0) and hands it to
# netif_receive_skb() on in0 from its kernel thread on CPU 0, so everything
# the relay does per packet (ingress hook, copies, the outputs' xmit) runs
# inline in that thread: the rate pktgen achieves is the input rate the
# relay sustains with one vCPU busy. The outputs' tx counters are read
# before and after each measurement to check that N copies really left.
#
# scale: the same, from two pktgen threads (kpktgend_0 and _1, devices
# in0@0 and in0@1), as a NIC spreads traffic over two receive queues on two
# vCPUs; side by side with one thread at the same point.
#
# e2e (end to end over veth):
#   pktgen in netns bsrc (CPU 0, xmit_mode start_xmit, ratep R)
#     -> vsrc ==veth==> in1 (10.0.1.1/24; RPS to CPU 1)  -- relay -->  d1 .. dN
#
# The sender and the relay run on different vCPUs, as a NIC and the CPU
# that serves its queue; what the relay cannot take is dropped at the
# receive backlog (netdev_max_backlog, default 1000). For each contender:
# the highest offered rate (pktgen's achieved rate) at which at most 0.1%
# of the packets failed to reach every output, found by doubling from
# 16k pps (halving when that already loses) and then bisecting.
#
# scale and e2e: IPv4 only.
#
# insns (needs the VM booted with bench/insn-count.so, the QEMU plugin that
# counts guest instructions; bench/run.sh does that in a boot of its own):
# the inject topology, pktgen sending a fixed number of packets, and the
# instructions all vCPUs executed meanwhile, per input packet. Unlike a
# rate under emulation it does not move with the host's load; it counts
# a rep-prefixed string instruction once per iteration.
#
#   bench/guest.sh --ko PATH --csv FILE [--smoke] [--runs N] [--secs S]
#                  [--fanouts "1 4 16 64"] [--sizes "64 1400"]
#                  [--only "contender ..."] [--phases "inject scale e2e"]
#                  [--e2e-fanouts "1 16"] [--e2e-only "contender ..."]
#                  [--insn-file FILE] [--insn-reps N] [--families "4 6"]
#   bench/guest.sh --ko PATH --csv FILE --profile "contender:fanout:payload[:family] ..."
#
# --profile: for each point, a function_graph trace (every call, no depth
# limit) of 20 packets from pktgen_xmit down, into bench/results/profile/;
# bench/graph-summary.py summarises it.
#
# --insn-file: the plugin's out= file (phase insns). --insn-reps: windows
# per point (3; the smoke run 1), the report takes the least.
#
# CSV columns: date,kernel,vcpus,contender,fanout,payload,run,secs,
#              input_pps,relayed_pps,out_per_in,note,mode,insns_per_in,family
# mode: inject, scale-1q / scale-2q (one or two pktgen threads), e2e,
# insns (insns_per_in: guest instructions per input packet; secs and the
# pps columns are empty). family: 4 or 6.
# relayed_pps = (sum of the outputs' tx packets) / fanout / seconds; for a
# relay that forwards every packet it equals input_pps (out_per_in = 1).
# e2e: input_pps is the highest offered rate with <= 0.1% loss, relayed_pps
# what reached every output at that rate.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
ko=
csv=
smoke=0
runs=3
secs=2
fanouts="1 4 16 64"
sizes="64 1400"
only=
profile=
phases="inject scale e2e"
e2e_fanouts="1 16"
e2e_only="bare mcr mcr-consume nft-dup nft-fwd tc-mirred ipmr socat"
insn_file=
insn_reps=3
families="4 6"
while [ $# -gt 0 ]; do
	case $1 in
	--ko) ko=$2; shift 2 ;;
	--csv) csv=$2; shift 2 ;;
	--smoke) smoke=1; shift ;;
	--runs) runs=$2; shift 2 ;;
	--secs) secs=$2; shift 2 ;;
	--fanouts) fanouts=$2; shift 2 ;;
	--sizes) sizes=$2; shift 2 ;;
	--only) only=$2; shift 2 ;;
	--profile) profile=$2; shift 2 ;;
	--phases) phases=$2; shift 2 ;;
	--e2e-fanouts) e2e_fanouts=$2; shift 2 ;;
	--e2e-only) e2e_only=$2; shift 2 ;;
	--insn-file) insn_file=$2; shift 2 ;;
	--families) families=$2; shift 2 ;;
	--insn-reps) insn_reps=$2; shift 2 ;;
	*) echo "guest.sh: unknown argument $1" >&2; exit 2 ;;
	esac
done
[ -n "$ko" ] && [ -n "$csv" ] || { echo "guest.sh: --ko and --csv are required" >&2; exit 2; }
for f in $families; do
	[ "$f" = 4 ] || [ "$f" = 6 ] || { echo "guest.sh: --families: 4 and/or 6, not '$f'" >&2; exit 2; }
done
if [ $smoke -eq 1 ]; then
	runs=1 secs=2 fanouts=4 sizes=64 e2e_fanouts=4 insn_reps=1
fi

MCR_NL=$top/tools/mcr-nl/mcr-nl
YNL_CLI=${MCR_YNL_CLI:-/var/cache/mcr/ynl-6.12/tools/net/ynl/cli.py}
SPEC=$top/Documentation/netlink/specs/mcr.yaml
PG=/proc/net/pktgen
PORT=5000
IN=in0 # the input device
# Per address family (set_family): the traffic's group, its MAC, its
# source and the input's address.
set_family() { # 4|6
	fam=$1
	if [ "$fam" = 6 ]; then
		GROUP=ff3e::1:1 GROUP_MAC=33:33:00:01:00:01 SRC=fd00::2 IN_ADDR=fd00::1
	else
		GROUP=239.1.1.1 GROUP_MAC=01:00:5e:01:01:01 SRC=10.0.0.2 IN_ADDR=10.0.0.1
	fi
}
set_family 4
# The group output i rewrites to (the -rw contenders).
rw_group() { # i
	if [ "$fam" = 6 ]; then echo "ff3e::9:$1"; else echo "239.9.0.$1"; fi
}
E2E_SECS=1        # traffic per e2e trial
E2E_START=16000   # pps, the first e2e trial
E2E_MAX=2048000
E2E_MIN=250
E2E_BISECT=4      # steps after the bracket is found
INSN_MARK=$top/build/bench/insn-mark # makes the plugin write its counts
mode=inject
MAXFO=64
IPMR_MAX=31 # MAXVIFS (32) minus the input
CONTENDERS="bare mcr mcr-consume mcr-rw mcr-consume-rw nft-dup nft-fwd nft-dup-rw tc-mirred tc-mirred-rw ipmr socat"
[ -n "$only" ] && CONTENDERS=$only

kver=$(uname -r)
vcpus=$(nproc)
date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
work=$(mktemp -d)
smc_pid=
socat_pids=()

log() { echo "bench: $*" >&2; }

cleanup() {
	[ -n "$smc_pid" ] && kill "$smc_pid" 2>/dev/null
	for p in "${socat_pids[@]}"; do kill "$p" 2>/dev/null; done
	rm -rf "$work"
}
trap cleanup EXIT

# --- topology ---------------------------------------------------------------
setup_topology() {
	sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
	# IPv6 on the new devices without background traffic on the outputs
	# (their tx counters are the check): no DAD, no router solicitations.
	sysctl -qw net.ipv6.conf.all.router_solicitations=0 \
		net.ipv6.conf.default.router_solicitations=0 \
		net.ipv6.conf.all.dad_transmits=0 net.ipv6.conf.default.dad_transmits=0 \
		net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
	{
		echo "link add in0 address 02:00:00:00:00:01 type dummy"
		echo "link set in0 multicast on up"
		echo "addr add 10.0.0.1/24 dev in0"
		echo "addr add fd00::1/64 dev in0 nodad"
		for i in $(seq $MAXFO); do
			echo "link add d$i type dummy"
			echo "link set d$i multicast on up"
			echo "addr add 10.1.$i.1/24 dev d$i"
			echo "addr add fd01:$i::1/64 dev d$i nodad"
		done
	} >"$work/topo"
	ip -batch "$work/topo" || return 1
	sysctl -qw net.ipv4.conf.in0.rp_filter=0
	# pktgen computes the IPv6 UDP checksum itself (CHECKSUM_NONE) only
	# when in0 does not offer to (no effect on IPv4: its checksum is 0).
	ethtool -K in0 tx off >/dev/null || return 1
	# e2e: the sender in its own namespace, behind a veth pair.
	ip netns add bsrc || return 1
	ip link add vsrc netns bsrc address 02:00:00:00:01:02 type veth \
		peer name in1 address 02:00:00:00:01:01 || return 1
	ip link set in1 multicast on up &&
		ip addr add 10.0.1.1/24 dev in1 &&
		ip -n bsrc link set vsrc up &&
		ip -n bsrc addr add 10.0.1.2/24 dev vsrc || return 1
	sysctl -qw net.ipv4.conf.in1.rp_filter=0
	# The relay on CPU 1, the sender (kpktgend_0) on CPU 0.
	[ "$vcpus" -ge 2 ] && echo 2 >/sys/class/net/in1/queues/rx-0/rps_cpus
	modprobe pktgen || return 1
	insmod "$ko" || return 1
	# The MLD reports of the addresses' groups are over by then.
	sleep 2
}

tx_sum() { # fanout
	local n=$1 s=0 i v
	for ((i = 1; i <= n; i++)); do
		read -r v </sys/class/net/d$i/statistics/tx_packets
		s=$((s + v))
	done
	echo $s
}

pktgen_params() { # payload src (of family $fam)
	local c l3
	if [ "$fam" = 6 ]; then
		l3=("pkt_size $(($1 + 62))" "dst6 $GROUP" "src6 $2" "flag UDPCSUM")
	else
		l3=("pkt_size $(($1 + 42))" "dst $GROUP" "src_min $2" "src_max $2")
	fi
	for c in "clone_skb 0" "burst 1" "delay 0" "${l3[@]}" "dst_mac $GROUP_MAC" \
		"udp_src_min 4000" "udp_src_max 4000" \
		"udp_dst_min $PORT" "udp_dst_max $PORT"; do
		echo "$c"
	done
}

# inject: threads 1 (device in0) or 2 (in0@0 on kpktgend_0, in0@1 on _1).
pktgen_config() { # payload [threads]
	local threads=${2:-1} t dev c
	echo "reset" >$PG/pgctrl
	for ((t = 0; t < threads; t++)); do
		dev=in0
		[ "$threads" -gt 1 ] && dev=in0@$t
		echo "rem_device_all" >$PG/kpktgend_$t
		echo "add_device $dev" >$PG/kpktgend_$t
		while read -r c; do
			echo "$c" >"$PG/$dev" || { log "pktgen: '$c' refused"; return 1; }
		done < <(echo "count 0"; echo "xmit_mode netif_receive"; pktgen_params "$1" $SRC)
	done
}

# Prints "elapsed_us packets" of pktgen device dev's last run.
pktgen_result() { # dev
	sed -n 's/^Result: OK: \([0-9]*\)(.*) usec, \([0-9]*\) (.*/\1 \2/p' "$PG/$1"
}

# Prints "elapsed_us packets" of one timed pktgen run (one thread, in0).
pktgen_run() { # seconds
	echo start >$PG/pgctrl &
	local pid=$!
	sleep "$1"
	echo stop >$PG/pgctrl
	wait $pid
	pktgen_result in0
}

# --- contenders ---------------------------------------------------------------
# Each has setup_X N and teardown_X; setup returns 3 with a reason on stdout
# when the point is not reachable.

setup_bare() { :; }
teardown_bare() { :; }

# The rule as YNL JSON: mcr_ynl_json fanout consume rw.
mcr_ynl_json() {
	local i oifs=()
	for ((i = 1; i <= $1; i++)); do oifs+=("$(cat /sys/class/net/d$i/ifindex)"); done
	python3 - "$(cat /sys/class/net/$IN/ifindex)" "$GROUP" "$PORT" "$2" "$3" "${oifs[@]}" <<'EOF'
import ipaddress, json, sys
iif, group, port, consume, rw = sys.argv[1:6]
def addr(a):  # the attribute and value of a group address
    ip = ipaddress.ip_address(a)
    return ("group-ipv6", ip.packed.hex()) if ip.version == 6 else ("group", int(ip))
key, val = addr(group)
rule = {"family": 10 if key == "group-ipv6" else 2, "iif": int(iif), key: val,
        "port": int(port), "flags": ["consume", "nojoin"] if consume == "1" else ["nojoin"],
        "output": []}
for i, ifx in enumerate(sys.argv[6:], 1):
    o = {"ifindex": int(ifx)}
    if rw == "1":
        k, v = addr(f"ff3e::9:{i}" if key == "group-ipv6" else f"239.9.0.{i}")
        o.update({k: v, "port": 6000 + i})
    rule["output"].append(o)
print(json.dumps(rule))
EOF
}

mcr_add() { # fanout consume rw
	local n=$1 args=(rule add iif $IN group $GROUP port $PORT nojoin) i
	[ "$2" = 1 ] && args+=(consume)
	for ((i = 1; i <= n; i++)); do
		args+=(oif d$i)
		[ "$3" = 1 ] && args+=(group "$(rw_group $i)" port $((6000 + i)))
	done
	"$MCR_NL" "${args[@]}" >/dev/null 2>"$work/mcr-nl.err" && return 0
	# The CLI is still being finished: the kernel's YNL client does the same.
	log "mcr-nl failed ($(head -c 200 "$work/mcr-nl.err")), using ynl cli.py"
	python3 "$YNL_CLI" --spec "$SPEC" --no-schema --do rule-new \
		--json "$(mcr_ynl_json "$n" "$2" "$3")" >/dev/null
}
mcr_flush() { "$MCR_NL" rule flush >/dev/null 2>&1 ||
	python3 "$YNL_CLI" --spec "$SPEC" --no-schema --do rule-flush --json '{}' >/dev/null; }

setup_mcr() { mcr_add "$1" 0 0; }
setup_mcr-consume() { mcr_add "$1" 1 0; }
setup_mcr-rw() { mcr_add "$1" 0 1; }
setup_mcr-consume-rw() { mcr_add "$1" 1 1; }
teardown_mcr() { mcr_flush; }
teardown_mcr-consume() { mcr_flush; }
teardown_mcr-rw() { mcr_flush; }
teardown_mcr-consume-rw() { mcr_flush; }

# nftables netdev ingress: one rule matches and jumps to a chain of
# unconditional rules holding the outputs (a rule holds at most 128
# expressions: 32 dups, or 16 rewrite+dup, per rule; and a rewritten
# packet would no longer match a repeated match). Rewrite: the statements
# run in order on the original, and dup clones it at that point (payload
# set then unshares the original's header before changing it).
nft_rules() { # fanout per_rule stmt_fn
	local n=$1 per=$2 i line=
	for ((i = 1; i <= n; i++)); do
		line+=" $($3 $i)"
		if ((i % per == 0 || i == n)); then
			echo "    ${line# }"
			line=
		fi
	done
}
nft_dup_stmt() { echo "dup to \"d$1\""; }
nft_duprw_stmt() { echo "$(nft_l3) daddr set $(rw_group $1) udp dport set $((6000 + $1)) dup to \"d$1\""; }
nft_l3() { if [ "$fam" = 6 ]; then echo ip6; else echo ip; fi; }
nft_load() { # rules of chain outs on stdin
	{
		echo "table netdev bench {"
		echo "  chain outs {"
		cat
		echo "  }"
		echo "  chain in {"
		echo "    type filter hook ingress device \"$IN\" priority 0; policy accept;"
		echo "    $(nft_l3) daddr $GROUP udp dport $PORT jump outs"
		echo "  }"
		echo "}"
	} >"$work/nft"
	nft -f "$work/nft"
}
setup_nft-dup() { nft_rules "$1" 32 nft_dup_stmt | nft_load; }
setup_nft-dup-rw() { nft_rules "$1" 16 nft_duprw_stmt | nft_load; }
setup_nft-fwd() {
	[ "$1" -eq 1 ] || { echo "n/a: fwd is 1:1"; return 3; }
	echo "    fwd to \"d1\"" | nft_load
}
teardown_nft-dup() { nft delete table netdev bench; }
teardown_nft-dup-rw() { nft delete table netdev bench; }
teardown_nft-fwd() { nft delete table netdev bench; }

# tc clsact ingress: one flower filter matches and goes to chain 1, whose
# matchall filters hold the mirred egress mirror actions, at most 32 actions
# (TCA_ACT_MAX_PRIO) each, each filter ending in "continue" so that the next
# one runs too. Rewrite: pedit + csum before each mirror (3 actions per
# output, 10 outputs per filter); IPv6 has no header checksum (csum udp).
tc_load() { # fanout rw
	local n=$1 rw=$2 per=32 i prio=1 acts= proto=ip l3=ip csum="ip and udp"
	[ "$rw" = 1 ] && per=10
	[ "$fam" = 6 ] && proto=ipv6 l3=ip6 csum=udp
	{
		echo "qdisc add dev $IN clsact"
		echo "filter add dev $IN ingress prio 1 protocol $proto flower skip_hw dst_ip $GROUP ip_proto udp dst_port $PORT action goto chain 1"
		for ((i = 1; i <= n; i++)); do
			local ctl=pipe
			((i % per == 0 || i == n)) && ctl=continue
			[ "$rw" = 1 ] && acts+=" action pedit ex munge $l3 dst set $(rw_group $i) munge udp dport set $((6000 + i)) pipe action csum $csum pipe"
			acts+=" action mirred egress mirror dev d$i $ctl"
			if [ $ctl = continue ]; then
				echo "filter add dev $IN ingress chain 1 prio $prio protocol $proto matchall skip_hw$acts"
				prio=$((prio + 1))
				acts=
			fi
		done
	} >"$work/tc"
	tc -batch "$work/tc"
}
setup_tc-mirred() { tc_load "$1" 0; }
setup_tc-mirred-rw() { tc_load "$1" 1; }
teardown_tc-mirred() { tc qdisc del dev $IN clsact; }
teardown_tc-mirred-rw() { tc qdisc del dev $IN clsact; }

# Kernel multicast routing (ipmr; ip6mr for IPv6), the (S,G) route
# installed by smcroute.
setup_ipmr() {
	local n=$1 i outs=
	[ "$n" -le $IPMR_MAX ] || { echo "n/a: 32 VIFs"; return 3; }
	{
		echo "phyint $IN enable"
		for ((i = 1; i <= n; i++)); do
			echo "phyint d$i enable"
			outs+=" d$i"
		done
		echo "mroute from $IN source $SRC group $GROUP to$outs"
	} >"$work/smcroute.conf"
	smcrouted -n -N -l err -f "$work/smcroute.conf" -P "$work/smcroute.pid" \
		-u "$work/smcroute.sock" >"$work/smcroute.log" 2>&1 &
	smc_pid=$!
	for i in $(seq 100); do
		ip -"$fam" mroute show 2>/dev/null | grep -q "($SRC,$GROUP)" && return 0
		sleep 0.1
	done
	log "smcroute: no route installed: $(cat "$work/smcroute.log")"
	return 1
}
teardown_ipmr() {
	[ -n "$smc_pid" ] && kill "$smc_pid" && wait "$smc_pid" 2>/dev/null
	smc_pid=
	# The VIFs (MIFs) go when the daemon's mroute sockets close.
	for _ in $(seq 50); do
		[ "$(sysctl -n net.ipv4.conf.$IN.mc_forwarding)" = 0 ] &&
			[ "$(sysctl -n net.ipv6.conf.$IN.mc_forwarding)" = 0 ] && break
		sleep 0.1
	done
}

# socat, one process per output: each joins the group on the input and sends what
# it reads to the group on its output (socat has two ends, so one process
# cannot write to N outputs; the kernel delivers a copy to each socket).
# IPv6: socat 1.7 has no ipv6-multicast-if/-loop options; the raw
# setsockopt() is IPV6_MULTICAST_IF (17) and IPV6_MULTICAST_LOOP (19) of
# IPPROTO_IPV6 (41).
setup_socat() {
	local n=$1 i from to udp=/proc/net/udp
	[ "$fam" = 6 ] && udp=/proc/net/udp6
	for ((i = 1; i <= n; i++)); do
		if [ "$fam" = 6 ]; then
			from="UDP6-RECV:$PORT,reuseaddr,ipv6-join-group=[$GROUP]:$IN"
			to="UDP6-SENDTO:[$GROUP]:$PORT,setsockopt-int=41:17:$(cat /sys/class/net/d$i/ifindex),setsockopt-int=41:19:0,so-bindtodevice=d$i"
		else
			from="UDP4-RECV:$PORT,reuseaddr,ip-add-membership=$GROUP:$IN_ADDR"
			to="UDP4-SENDTO:$GROUP:$PORT,ip-multicast-if=10.1.$i.1,ip-multicast-loop=0,so-bindtodevice=d$i"
		fi
		socat -u -b 2048 "$from" "$to" 2>>"$work/socat.log" &
		socat_pids+=($!)
	done
	# Wait until every socket has joined.
	for _ in $(seq 100); do
		[ "$(grep -c '^ *[0-9]*: 0*:1388 ' $udp)" -ge "$n" ] && sleep 0.3 && return 0
		sleep 0.1
	done
	log "socat: sockets not ready: $(cat "$work/socat.log")"
	return 1
}
teardown_socat() {
	local p
	for p in "${socat_pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${socat_pids[@]}"; do wait "$p" 2>/dev/null; done
	socat_pids=()
}

# --- measurement ---------------------------------------------------------------
row() { echo "$date,$kver,$vcpus,$*,$mode,${row_insns:-},$fam" >>"$csv"; }

# Sets contender c up for one point of measure_fn (measure, insn_measure).
# Returns 0 when it is. Otherwise the point's row is written (n/a: exit 3
# from setup_$c; or an error), or the smoke run has measured the contender
# at fan-out 1 instead with measure_fn, and the return is 100 plus the
# status for the caller to return.
setup_point() { # contender fanout payload run secs_column measure_fn
	local c=$1 n=$2 sz=$3 r=$4 s=$5 fn=$6 rc why
	# Not in $(...): setup starts daemons whose pids teardown needs.
	setup_$c "$n" >"$work/why" 2>>"$work/setup.log"
	rc=$?
	why=$(cat "$work/why")
	if [ $rc -eq 3 ]; then
		# The smoke run checks every contender: try it where it can run.
		if [ $smoke -eq 1 ] && [ "$n" -ne 1 ]; then
			"$fn" "$c" 1 "$sz" "$r"
			return $((100 + $?))
		fi
		row "$c,$n,$sz,$r,$s,,,,$why"
		return 100
	elif [ $rc -ne 0 ]; then
		log "$c IPv$fam fanout $n: setup failed: $why"
		row "$c,$n,$sz,$r,$s,,,,error: setup failed"
		teardown_$c >/dev/null 2>&1
		return 101
	fi
}

measure() { # contender fanout payload run
	local c=$1 n=$2 sz=$3 r=$4
	setup_point "$c" "$n" "$sz" "$r" 0 measure || return $(($? - 100))
	local tx0 tx1 res us pkts in_pps out_pps ratio
	tx0=$(tx_sum "$n")
	res=$(pktgen_run "$secs")
	tx1=$(tx_sum "$n")
	teardown_$c >/dev/null 2>&1
	read -r us pkts <<<"$res"
	if [ -z "$us" ] || [ "$us" -eq 0 ]; then
		log "$c IPv$fam fanout $n: pktgen gave no result"
		row "$c,$n,$sz,$r,$secs,,,,error: no pktgen result"
		return 1
	fi
	local out=$((tx1 - tx0))
	in_pps=$((pkts * 1000000 / us))
	if [ "$c" = bare ]; then
		out_pps=$in_pps ratio=
	else
		out_pps=$((out * 1000000 / us / n))
		ratio=$(awk -v o=$out -v n=$n -v p=$pkts 'BEGIN { printf "%.4f", p ? o / n / p : 0 }')
	fi
	row "$c,$n,$sz,$r,$secs,$in_pps,$out_pps,$ratio,"
	printf 'bench: %-15s IPv%s fanout %2d payload %4d run %d: input %7d pps, relayed %7d pps (out/in %s)\n' \
		"$c" "$fam" "$n" "$sz" "$r" "$in_pps" "$out_pps" "${ratio:--}" >&2
}

[ -s "$csv" ] || echo "date,kernel,vcpus,contender,fanout,payload,run,secs,input_pps,relayed_pps,out_per_in,note,mode,insns_per_in,family" >"$csv"

# --- insns: instructions per input packet ------------------------------------
# Writes TEXT to FILE between two markers (bench/insn-mark) and prints the
# guest's instructions, summed over the vCPUs, from one to the other: the
# last two lines the plugin appended, checked to be the markers' own.
insn_window() { # FILE TEXT
	local before
	before=$(wc -l <"$insn_file") || return 1
	"$INSN_MARK" "$1" "$2" || return 1
	tail -n 2 "$insn_file" | awk -v want=$((before + 1)) '
		{ seq[NR] = $1; s[NR] = 0; for (i = 2; i <= NF; i++) s[NR] += $i }
		END {
			if (NR != 2 || seq[1] != want || seq[2] != want + 1) exit 1
			printf "%.0f\n", s[2] - s[1]
		}' || { log "insns: markers $((before + 1))-$((before + 2)) missing from $insn_file (is the plugin loaded?)"; return 1; }
}

# --insn-reps windows at one setup, a row each (run = the window); the
# report takes the least, as what else the guest does only adds.
insn_measure() { # contender fanout payload
	local c=$1 n=$2 sz=$3 rc count insns tx0 tx1 us pkts out ratio w fail=0
	count=$((n >= 16 ? 2000 : 10000))
	[ $smoke -eq 1 ] && count=1000
	setup_point "$c" "$n" "$sz" 1 "" insn_measure || return $(($? - 100))
	for ((w = 1; w <= insn_reps; w++)); do
		echo "count $count" >$PG/in0
		tx0=$(tx_sum "$n")
		insns=$(insn_window $PG/pgctrl start)
		rc=$?
		tx1=$(tx_sum "$n")
		# Before any write to in0, which replaces its result.
		read -r us pkts < <(pktgen_result in0)
		echo "count 0" >$PG/in0
		if [ $rc -ne 0 ] || [ -z "$pkts" ] || [ "$pkts" -eq 0 ]; then
			log "$c IPv$fam fanout $n: no instruction count"
			row "$c,$n,$sz,$w,,,,,error: no instruction count"
			fail=1
			continue
		fi
		out=$((tx1 - tx0))
		ratio=
		[ "$c" != bare ] && ratio=$(awk -v o=$out -v n=$n -v p=$pkts 'BEGIN { printf "%.4f", o / n / p }')
		row_insns=$((insns / pkts))
		row "$c,$n,$sz,$w,,,,$ratio,"
		row_insns=
		printf 'bench: %-15s IPv%s fanout %2d payload %4d: %8d instructions per input packet (%d packets, out/in %s)\n' \
			"$c" "$fam" "$n" "$sz" "$((insns / pkts))" "$pkts" "${ratio:--}" >&2
	done
	teardown_$c >/dev/null 2>&1
	return $fail
}

# --- profile ----------------------------------------------------------------
T=/sys/kernel/tracing

profile_point() { # contender fanout payload family
	local c=$1 n=$2 sz=$3 out=$top/bench/results/profile f name
	set_family "$4"
	name=$c-$n-$sz
	[ "$fam" = 6 ] && name=$c-$n-$sz-ipv6
	mkdir -p "$out"
	pktgen_config "$sz" || return 1
	setup_$c "$n" >"$work/why" || { log "profile $c: setup failed"; return 1; }
	# A call graph of a few packets.
	: >$T/set_ftrace_filter
	echo pktgen_xmit >$T/set_graph_function
	echo 0 >$T/max_graph_depth # unlimited: every call pays the same tracer cost
	echo function_graph >$T/current_tracer
	echo 0 >$T/options/funcgraph-irqs 2>/dev/null
	: >$T/trace
	echo "count 20" >$PG/in0
	echo start >$PG/pgctrl
	echo "count 0" >$PG/in0
	cat $T/trace >"$out/$name.graph"
	echo nop >$T/current_tracer
	: >$T/set_graph_function
	echo 0 >$T/max_graph_depth
	teardown_$c >/dev/null 2>&1
	log "profile $c IPv$fam fanout $n payload $sz -> $out/$name.graph"
}

if [ -n "$profile" ]; then
	setup_topology || exit 1
	for p in $profile; do
		IFS=: read -r c n sz f <<<"$p"
		profile_point "$c" "$n" "$sz" "${f:-4}"
	done
	exit 0
fi

# --- scale: one and two receive queues -------------------------------------
scale_measure() { # contender fanout payload run threads
	local c=$1 n=$2 sz=$3 r=$4 th=$5 t tx0 tx1 us pkts in_pps=0 sent=0 ratio
	setup_$c "$n" >"$work/why" 2>>"$work/setup.log" || {
		log "$c fanout $n: setup failed: $(cat "$work/why")"
		row "$c,$n,$sz,$r,0,,,,error: setup failed"
		teardown_$c >/dev/null 2>&1
		return 1
	}
	pktgen_config "$sz" "$th" || return 1
	tx0=$(tx_sum "$n")
	echo start >$PG/pgctrl &
	sleep "$secs"
	echo stop >$PG/pgctrl
	wait
	tx1=$(tx_sum "$n")
	teardown_$c >/dev/null 2>&1
	for ((t = 0; t < th; t++)); do
		local dev=in0
		[ "$th" -gt 1 ] && dev=in0@$t
		read -r us pkts <<<"$(pktgen_result $dev)"
		[ -n "$us" ] && [ "$us" -gt 0 ] || {
			log "$c scale $th: pktgen gave no result for $dev"
			row "$c,$n,$sz,$r,$secs,,,,error: no pktgen result"
			return 1
		}
		in_pps=$((in_pps + pkts * 1000000 / us))
		sent=$((sent + pkts))
	done
	if [ "$c" = bare ]; then
		ratio=
	else
		ratio=$(awk -v o=$((tx1 - tx0)) -v n="$n" -v p=$sent 'BEGIN { printf "%.4f", p ? o / n / p : 0 }')
	fi
	row "$c,$n,$sz,$r,$secs,$in_pps,$in_pps,$ratio,"
	printf 'bench: %-15s fanout %2d payload %4d run %d, %d queue(s): input %7d pps (out/in %s)\n' \
		"$c" "$n" "$sz" "$r" "$th" "$in_pps" "${ratio:--}" >&2
}

# --- e2e: highest offered rate over veth with at most 0.1% loss --------------
e2e_counter() { # contender fanout: what reached every output (bare: in1)
	if [ "$1" = bare ]; then
		cat /sys/class/net/in1/statistics/rx_packets
	else
		tx_sum "$2"
	fi
}

e2e_config() { # payload
	{
		echo "echo reset >$PG/pgctrl"
		echo "echo rem_device_all >$PG/kpktgend_0"
		echo "echo 'add_device vsrc' >$PG/kpktgend_0"
		pktgen_params "$1" 10.0.1.2 | sed "s|.*|echo '&' >$PG/vsrc|"
	} >"$work/e2e-config"
	ip netns exec bsrc sh -e "$work/e2e-config"
}

# One trial at rate pps; prints "offered_pps delivered sent".
e2e_trial() { # contender fanout rate
	local c=$1 n=$2 rate=$3 count before now last us pkts want got deadline i
	count=$((rate * E2E_SECS))
	before=$(e2e_counter "$c" "$n")
	ip netns exec bsrc sh -c "echo 'count $count' >$PG/vsrc &&
		echo 'ratep $rate' >$PG/vsrc" || return 1
	# A sender that cannot keep the rate is stopped on time all the same.
	ip netns exec bsrc sh -c "echo start >$PG/pgctrl" &
	local pid=$!
	for ((i = 0; i < E2E_SECS * 10 + 5; i++)); do
		kill -0 $pid 2>/dev/null || break
		sleep 0.1
	done
	ip netns exec bsrc sh -c "echo stop >$PG/pgctrl"
	wait $pid
	read -r us pkts <<<"$(ip netns exec bsrc sed -n 's/^Result: OK: \([0-9]*\)(.*) usec, \([0-9]*\) (.*/\1 \2/p' $PG/vsrc)"
	[ -n "$us" ] && [ "$us" -gt 0 ] || return 1
	[ "$c" = bare ] && want=$pkts || want=$((pkts * n))
	# Wait for the backlog to drain: every copy counted, or no progress
	# for 300 ms (the rest was dropped), within 5 s.
	last=-1 deadline=$((SECONDS + 5))
	while :; do
		now=$(($(e2e_counter "$c" "$n") - before))
		[ "$now" -ge "$want" ] && break
		[ "$now" -eq "$last" ] && break
		[ $SECONDS -ge $deadline ] && break
		last=$now
		sleep 0.3
	done
	got=$now
	[ "$c" = bare ] || got=$((now / n))
	[ "$got" -gt "$pkts" ] && got=$pkts # other traffic on an output
	echo "$((pkts * 1000000 / us)) $got $pkts"
}

e2e_ok() { # delivered sent: at most 0.1% lost
	[ $(($2 - $1)) -le $(($2 / 1000)) ]
}

e2e_measure() { # contender fanout payload run
	local c=$1 n=$2 sz=$3 r=$4 rc why rate lo=0 hi=0 best=0 best_got=0 i off got sent
	setup_$c "$n" >"$work/why" 2>>"$work/setup.log"
	rc=$?
	why=$(cat "$work/why")
	if [ $rc -eq 3 ]; then
		[ $smoke -eq 1 ] && [ "$n" -ne 1 ] && { e2e_measure "$c" 1 "$sz" "$r"; return; }
		row "$c,$n,$sz,$r,0,,,,$why"
		return 0
	elif [ $rc -ne 0 ]; then
		log "$c e2e fanout $n: setup failed: $why"
		row "$c,$n,$sz,$r,0,,,,error: setup failed"
		teardown_$c >/dev/null 2>&1
		return 1
	fi
	# trial: sets off got sent, returns whether the rate held.
	trial() {
		read -r off got sent <<<"$(e2e_trial "$c" "$n" "$1")"
		[ -n "$sent" ] || { log "$c e2e: pktgen gave no result"; return 2; }
		if e2e_ok "$got" "$sent"; then
			[ "$off" -gt "$best" ] && best=$off best_got=$got
			return 0
		fi
		return 1
	}
	if [ $smoke -eq 1 ]; then
		# One trial at a low rate: what share of it got through.
		trial 2000; rc=$?
		teardown_$c >/dev/null 2>&1
		[ $rc -eq 2 ] && { row "$c,$n,$sz,$r,$E2E_SECS,,,,error: no pktgen result"; return 1; }
		row "$c,$n,$sz,$r,$E2E_SECS,$off,$((off * got / sent)),$(awk -v g="$got" -v s="$sent" 'BEGIN { printf "%.4f", g / s }'),"
		log "$c e2e smoke fanout $n: $got of $sent delivered at $off pps"
		return 0
	else
		rate=$E2E_START
		trial $rate; rc=$?
		if [ $rc -eq 0 ]; then
			lo=$rate
			while [ $((rate * 2)) -le $E2E_MAX ]; do
				rate=$((rate * 2))
				trial $rate; rc=$?
				[ $rc -eq 0 ] && lo=$rate && continue
				hi=$rate
				break
			done
		elif [ $rc -eq 1 ]; then
			hi=$rate
			while [ $((rate / 2)) -ge $E2E_MIN ]; do
				rate=$((rate / 2))
				trial $rate; rc=$?
				[ $rc -eq 0 ] && lo=$rate && break
				[ $rc -eq 1 ] && hi=$rate
				[ $rc -eq 2 ] && break
			done
		fi
		for ((i = 0; i < E2E_BISECT && lo > 0 && hi > 0 && rc != 2; i++)); do
			rate=$(((lo + hi) / 2))
			trial $rate; rc=$?
			[ $rc -eq 0 ] && lo=$rate
			[ $rc -eq 1 ] && hi=$rate
		done
	fi
	teardown_$c >/dev/null 2>&1
	if [ $rc -eq 2 ]; then
		row "$c,$n,$sz,$r,$E2E_SECS,,,,error: no pktgen result"
		return 1
	fi
	if [ "$best" -eq 0 ]; then
		row "$c,$n,$sz,$r,$E2E_SECS,0,0,,lost > 0.1% at $E2E_MIN pps"
	else
		row "$c,$n,$sz,$r,$E2E_SECS,$best,$best,1,"
	fi
	printf 'bench: %-15s fanout %2d payload %4d run %d, e2e: %7d pps offered with <= 0.1%% loss\n' \
		"$c" "$n" "$sz" "$r" "$best" >&2
}

setup_topology || { log "topology setup failed"; exit 1; }
log "kernel $kver, $vcpus vCPUs, $secs s per measurement, $runs run(s), phases: $phases, families: $families"
fail=0
for phase in $phases; do
	case $phase in
	inject)
		mode=inject
		# This shell (and what it starts) keeps off pktgen's CPU 0.
		[ "$vcpus" -ge 2 ] && taskset -p 2 $$ >/dev/null
		for n in $fanouts; do
			for r in $(seq "$runs"); do
				for sz in $sizes; do
					for f in $families; do
						set_family "$f"
						pktgen_config "$sz" || exit 1
						for c in $CONTENDERS; do
							measure "$c" "$n" "$sz" "$r" || fail=1
						done
					done
				done
			done
			set_family 4
		done
		;;
	scale)
		# mcr against the ceiling and the fastest peer, fan-out 4, 64 B.
		[ "$vcpus" -ge 2 ] || { log "scale: needs 2 vCPUs"; fail=1; continue; }
		set_family 4
		taskset -p 3 $$ >/dev/null
		for r in $(seq "$runs"); do
			for c in bare mcr tc-mirred; do
				[ -n "$only" ] && [[ " $only " != *" $c "* ]] && continue
				for th in 1 2; do
					mode=scale-${th}q
					scale_measure "$c" 4 64 "$r" "$th" || fail=1
				done
			done
		done
		;;
	insns)
		mode=insns
		[ -n "$insn_file" ] && [ -r "$insn_file" ] && [ -x "$INSN_MARK" ] ||
			{ log "insns: needs --insn-file and $INSN_MARK (bench/run.sh)"; fail=1; continue; }
		[ "$vcpus" -ge 2 ] && taskset -p 2 $$ >/dev/null
		for n in $fanouts; do
			for sz in $sizes; do
				for f in $families; do
					set_family "$f"
					pktgen_config "$sz" || exit 1
					for c in $CONTENDERS; do
						insn_measure "$c" "$n" "$sz" || fail=1
					done
				done
			done
		done
		set_family 4
		# For bench/insn-profile.py, when the plugin also profiles; now
		# that the contenders have loaded their modules.
		cat /proc/kallsyms >"$insn_file.kallsyms"
		;;
	e2e)
		set_family 4
		mode=e2e IN=in1 IN_ADDR=10.0.1.1 SRC=10.0.1.2
		# This shell polls counters: keep it off the relay's CPU 1.
		taskset -p 1 $$ >/dev/null
		e2e_config 64 || { log "e2e: pktgen setup in bsrc failed"; exit 1; }
		for n in $e2e_fanouts; do
			for r in $(seq "$runs"); do
				for c in $e2e_only; do
					[ -n "$only" ] && [[ " $only " != *" $c "* ]] && continue
					e2e_measure "$c" "$n" 64 "$r" || fail=1
				done
			done
		done
		mode=inject IN=in0
		set_family 4
		;;
	*) log "unknown phase $phase"; fail=1 ;;
	esac
done
rmmod mcr 2>/dev/null
exit $fail

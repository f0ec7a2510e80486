#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, inside the VM (see demo.sh). Topology (IPv6: 2001:db8:N::x for
# 10.0.N.x):
#
#   ns src            ns relay (mcr)                    ns sink1..3
#   s0 10.0.1.2 ----- r-in 10.0.1.1
#                     r-o1 10.0.11.1 ------------------ k1 10.0.11.2
#                     r-o2 10.0.12.1 ------------------ k2 10.0.12.2
#                     r-o3 10.0.13.1 ------------------ k3 10.0.13.2
#
# Rules: 239.1.1.1:5000 arriving on r-in goes out on r-o1 unchanged (TTL
# decremented), on r-o2 as 239.2.2.2:6000, and on r-o3 with TTL 8 and the
# relay's own source address. Next to it, the IPv6 stream ff3e::1:1:5000
# is relayed the same way (to ff3e::2:2:6000 on r-o2; hop limit 8 and
# source auto on r-o3), both streams at once.
set -eEuo pipefail
# Name the command that ends the script (subshells: their parent does).
# shellcheck disable=SC2154 # s is set in the trap
trap 's=$?; [ "$BASH_SUBSHELL" -gt 0 ] ||
	echo "${0##*/}: line $LINENO: \"$BASH_COMMAND\" failed (status $s)" >&2' ERR

top=$(cd "$(dirname "$0")/.." && pwd)
ko=$1
MCR_NL=$top/tools/mcr-nl/mcr-nl
MCR_UDP=$top/selftests/mcr-udp
COUNT=1000
RATE=2000

cleanup() {
	for ns in src relay sink1 sink2 sink3; do
		ip netns del "$ns" 2>/dev/null || true
	done
}
trap cleanup EXIT

insmod "$top/$ko"
for ns in src relay sink1 sink2 sink3; do
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	# IPv6 addresses usable at once: no duplicate address detection.
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0
done
ip -n src link add s0 type veth peer name r-in netns relay
ip -n src addr add 10.0.1.2/24 dev s0
ip -n src addr add 2001:db8:1::2/64 dev s0 nodad
ip -n src link set s0 up
ip -n src route add 224.0.0.0/4 dev s0
ip -n relay addr add 10.0.1.1/24 dev r-in
ip -n relay addr add 2001:db8:1::1/64 dev r-in nodad
ip -n relay link set r-in up
for i in 1 2 3; do
	ip -n relay link add "r-o$i" type veth peer name "k$i" netns "sink$i"
	ip -n relay addr add "10.0.1$i.1/24" dev "r-o$i"
	ip -n relay addr add "2001:db8:1$i::1/64" dev "r-o$i" nodad
	ip -n relay link set "r-o$i" up
	ip -n "sink$i" addr add "10.0.1$i.2/24" dev "k$i"
	ip -n "sink$i" addr add "2001:db8:1$i::2/64" dev "k$i" nodad
	ip -n "sink$i" link set "k$i" up
done
# IPv6 multicast can leave s0 once the link is up and its ff00::/8 route
# is in place.
for _ in $(seq 100); do
	ip -n src -6 route show table local dev s0 | grep -q '^multicast ff00::/8' && break
	sleep 0.1
done

relay() { ip netns exec relay "$MCR_NL" "$@"; }

echo "== mcr-nl rule add (in namespace relay)"
relay rule add iif r-in group 239.1.1.1 port 5000 name demo \
	oif r-o1 \
	oif r-o2 group 239.2.2.2 port 6000 \
	oif r-o3 ttl 8 source auto
echo "== mcr-nl rule add, IPv6 (in namespace relay)"
relay rule add iif r-in group ff3e::1:1 port 5000 name demo6 \
	oif r-o1 \
	oif r-o2 group ff3e::2:2 port 6000 \
	oif r-o3 ttl 8 source auto
relay rule show
echo "== groups joined on the input device (IGMP and MLD)"
ip -n relay maddr show dev r-in | grep -E '239\.1\.1\.1|ff3e::1:1'

echo "== sending $COUNT IPv4 and $COUNT IPv6 packets at $RATE pps each;" \
	"receivers check every byte"
pids=()
names=()
start_recv() { # ns dev group port
	local name="$1-$3"

	ip netns exec "$1" "$MCR_UDP" recv --iface "$2" --group "$3" --port "$4" \
		--expect "$COUNT" --timeout 30 --ready-file "/tmp/ready-$name" \
		>"/tmp/recv-$name" 2>&1 &
	pids+=($!)
	names+=("$name")
}
start_recv sink1 k1 239.1.1.1 5000
start_recv sink2 k2 239.2.2.2 6000
start_recv sink3 k3 239.1.1.1 5000
start_recv sink1 k1 ff3e::1:1 5000
start_recv sink2 k2 ff3e::2:2 6000
start_recv sink3 k3 ff3e::1:1 5000
for name in "${names[@]}"; do
	for _ in $(seq 100); do [ -e "/tmp/ready-$name" ] && break; sleep 0.1; done
done
ip netns exec src "$MCR_UDP" send --dst 239.1.1.1 --port 5000 --count "$COUNT" \
	--rate "$RATE" --ttl 16 --iface s0 &
send4=$!
ip netns exec src "$MCR_UDP" send --dst ff3e::1:1 --port 5000 --count "$COUNT" \
	--rate "$RATE" --ttl 16 --iface s0
wait "$send4"

rc=0
for i in "${!pids[@]}"; do
	if wait "${pids[$i]}"; then res=ok; else res=FAILED; rc=1; fi
	echo "${names[$i]}: $res: $(cat "/tmp/recv-${names[$i]}")"
done

echo "== mcr-nl stats"
relay stats
echo "== mcr-nl -j stats id 1"
relay -j stats id 1
echo
echo "== mcr-nl -6 -j stats (the IPv6 rule)"
relay -6 -j stats
echo
rmmod mcr
[ $rc -eq 0 ] &&
	echo "demo: $COUNT IPv4 and $COUNT IPv6 packets relayed to 3 receivers each, every one counted"
exit $rc

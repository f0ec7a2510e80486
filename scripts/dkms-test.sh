#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# DKMS end to end, as a user would: `make dkms-install` for both installed
# Debian kernels on the host, the module lands in
# /lib/modules/KVER/updates/dkms/, then a VM boots each kernel, loads the
# DKMS-built module with `modprobe mcr` (the guest sees the host's
# /lib/modules read-only) and relays packets between namespaces with it;
# finally `make dkms-uninstall` leaves the host as it was.
#
#   scripts/dkms-test.sh [KVER...]      (default: 6.12 and 6.1 kernels)
#   scripts/dkms-test.sh --guest        (inside the VM; used by the above)
#
# KTAP lines, then "N passed, N failed"; exits non-zero on a failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
MCR_NL=$top/tools/mcr-nl/mcr-nl
MCR_UDP=$top/selftests/mcr-udp
VERSION=0.1.0

# ---- inside the VM ---------------------------------------------------

guest() {
	set -eE
	# shellcheck disable=SC2154 # s is set in the trap
	trap 's=$?; [ "$BASH_SUBSHELL" -gt 0 ] ||
		echo "${0##*/} --guest: line $LINENO: \"$BASH_COMMAND\" failed (status $s)" >&2' ERR
	local kver ko count=200 rc=0
	kver=$(uname -r)
	cleanup() {
		for ns in src relay sink; do ip netns del "$ns" 2>/dev/null || true; done
		rmmod mcr 2>/dev/null || true
	}
	trap cleanup EXIT

	ko=$(modinfo -n mcr)
	echo "# modinfo -n mcr: $ko"
	case $ko in
	/lib/modules/"$kver"/updates/*) ;;
	*) echo "# mcr resolves to $ko, not the DKMS copy under updates/"; return 1 ;;
	esac
	modprobe mcr
	[ "$(cat /sys/module/mcr/version)" = "$VERSION" ] ||
		{ echo "# /sys/module/mcr/version is not $VERSION"; return 1; }

	for ns in src relay sink; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
	ip -n src link add s0 type veth peer name r-in netns relay
	ip -n relay link add r-out type veth peer name k0 netns sink
	ip -n src addr add 10.0.1.2/24 dev s0
	ip -n relay addr add 10.0.1.1/24 dev r-in
	ip -n relay addr add 10.0.2.1/24 dev r-out
	ip -n sink addr add 10.0.2.2/24 dev k0
	ip -n src link set s0 up
	ip -n relay link set r-in up
	ip -n relay link set r-out up
	ip -n sink link set k0 up
	ip -n src route add 224.0.0.0/4 dev s0

	ip netns exec relay "$MCR_NL" rule add iif r-in group 239.1.1.1 \
		port 5000 name dkms oif r-out group 239.2.2.2 port 6000
	ip netns exec sink "$MCR_UDP" recv --iface k0 --group 239.2.2.2 \
		--port 6000 --expect "$count" --timeout 30 \
		--ready-file /tmp/ready >/tmp/recv 2>&1 &
	local pid=$!
	for _ in $(seq 100); do [ -e /tmp/ready ] && break; sleep 0.1; done
	ip netns exec src "$MCR_UDP" send --dst 239.1.1.1 --port 5000 \
		--count "$count" --rate 2000 --ttl 16 --iface s0
	wait "$pid" || { echo "# receiver: $(cat /tmp/recv)"; rc=1; }

	local stats
	stats=$(ip netns exec relay "$MCR_NL" -j stats)
	echo "# $stats"
	jq -e --argjson n "$count" '.netns.rules == 1 and
		.rules[0].stats.packets == $n and
		.rules[0].outputs[0].stats.packets == $n' <<<"$stats" >/dev/null ||
		{ echo "# counters are not $count packets"; rc=1; }
	ip netns exec relay "$MCR_NL" rule flush
	return $rc
}

if [ "${1:-}" = --guest ]; then
	guest
	exit $?
fi

# ---- on the host -----------------------------------------------------

n=0 passed=0 failed=0
result() { # status name [diagnostic lines on stdin]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok $n $2"
	else
		failed=$((failed + 1))
		echo "not ok $n $2"
	fi
}
indent() { sed 's/^/# /'; }

if [ $# -gt 0 ]; then
	kernels=("$@")
else
	kernels=()
	for series in 6.12 6.1; do
		k=$(cd /lib/modules && ls -d "$series".* 2>/dev/null | sort -V | tail -1)
		[ -n "$k" ] && kernels+=("$k")
	done
fi

echo "KTAP version 1"
echo "1..$((2 + 3 * ${#kernels[@]}))"

if [ "$(id -u)" != 0 ] || ! command -v dkms >/dev/null; then
	echo "# needs root and dkms (scripts/deps.sh installs it)"
	for _ in $(seq $((2 + 3 * ${#kernels[@]}))); do result 1 "prerequisites"; done
	echo "$passed passed, $failed failed"
	exit 1
fi
if [ ${#kernels[@]} -lt 2 ]; then
	echo "# expected the 6.12 and 6.1 kernels, found: ${kernels[*]:-none}"
	failed=$((failed + 1))
fi

make -s -C "$top/tools/mcr-nl" mcr-nl >/dev/null &&
	make -s -C "$top/selftests" mcr-udp >/dev/null ||
	echo "# cannot build mcr-nl or mcr-udp"

# A signing key dkms generates on first use is ours to remove.
had_mok=no
[ -e /var/lib/dkms/mok.key ] && had_mok=yes
had_dkms_mcr=no
[ -e /var/lib/dkms/mcr ] && had_dkms_mcr=yes
if [ $had_dkms_mcr = yes ]; then
	echo "# mcr is already registered with dkms; it is replaced, then removed"
fi

uninstall() {
	make -s -C "$top" -f packaging/install.mk dkms-uninstall >/dev/null 2>&1
	if [ $had_mok = no ]; then
		rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
	fi
}
trap uninstall EXIT

log=$(mktemp)
make -C "$top" -f packaging/install.mk dkms-install \
	DKMS_KERNELS="${kernels[*]}" >"$log" 2>&1
rc=$?
[ $rc -eq 0 ] || tail -30 "$log" | indent
result $rc "dkms add, build and install for ${kernels[*]}"

for k in "${kernels[@]}"; do
	st=$(dkms status mcr/$VERSION -k "$k" 2>/dev/null)
	echo "# dkms status: $st"
	ko=$(ls /lib/modules/"$k"/updates/dkms/mcr.ko* 2>/dev/null | head -1)
	rc=1
	if [[ $st == *installed* ]] && [ -n "$ko" ]; then
		vm=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
		ver=$(modinfo -F version "$ko")
		echo "# $ko: vermagic $vm version $ver"
		[ "$vm" = "$k" ] && [ "$ver" = $VERSION ] && rc=0
	fi
	result $rc "$k: module installed under /lib/modules/$k/updates/dkms"

	rc=1
	if grep -q "^updates/dkms/mcr.ko" /lib/modules/"$k"/modules.dep; then
		rc=0
	else
		echo "# modules.dep of $k does not list updates/dkms/mcr.ko"
	fi
	result $rc "$k: depmod lists it (modprobe finds it)"

	"$top/tools/vm-run" --kernel "$k" -- "$top/scripts/dkms-test.sh" \
		--guest >"$log" 2>&1
	rc=$?
	indent <"$log" | tail -20
	result $rc "$k: VM: modprobe mcr loads the DKMS module and relays"
done

make -s -C "$top" -f packaging/install.mk dkms-uninstall >"$log" 2>&1
rc=$?
left=$( { ls -d /usr/src/mcr-$VERSION /var/lib/dkms/mcr \
	/lib/modules/*/updates/dkms/mcr.ko* 2>/dev/null
	grep -l "^updates/dkms/mcr.ko" /lib/modules/*/modules.dep 2>/dev/null; } )
if [ -n "$left" ]; then
	echo "# left behind:"
	echo "$left" | indent
	rc=1
fi
result $rc "dkms-uninstall leaves no trace"
rm -f "$log"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install with apt everything the build, the tests, the demo and the
# benchmark need. Idempotent, and quick when everything is present.
set -eEuo pipefail
# Name the command that ends the script (subshells: their parent does).
# shellcheck disable=SC2154 # s is set in the trap
trap 's=$?; [ "$BASH_SUBSHELL" -gt 0 ] ||
	echo "${0##*/}: line $LINENO: \"$BASH_COMMAND\" failed (status $s)" >&2' ERR

packages=(
	build-essential pkg-config bc bison flex libelf-dev libssl-dev dwarves
	libnl-3-dev libnl-genl-3-dev
	linux-image-6.12-amd64 linux-headers-6.12-amd64
	linux-image-amd64 linux-headers-amd64
	linux-source-6.12
	qemu-system-x86 busybox-static kmod cpio
	iproute2 ethtool nftables smcroute socat netsniff-ng tshark tcpdump
	wireguard-tools iputils-ping
	dkms python3 python3-yaml python3-jinja2 python3-jsonschema gnuplot-nox jq
	man-db groff-base systemd shellcheck
	xz-utils
)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#packages[@]} packages present"
	exit 0
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer for it.
echo "wireshark-common wireshark-common/install-setuid boolean false" |
	debconf-set-selections
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: build mcr for Debian's 6.12 kernel, boot it in a VM and relay a
# multicast stream from one source to three receivers, rewriting group,
# port, TTL and source on the way; then show the rule and its counters.
set -eEuo pipefail
# Name the command that ends the script (subshells: their parent does).
# shellcheck disable=SC2154 # s is set in the trap
trap 's=$?; [ "$BASH_SUBSHELL" -gt 0 ] ||
	echo "${0##*/}: line $LINENO: \"$BASH_COMMAND\" failed (status $s)" >&2' ERR

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
kver=$(ls -1 /boot/vmlinuz-6.12.*-amd64 | sed 's|/boot/vmlinuz-||' | sort -V | tail -n 1)
ko=$(scripts/build-module.sh "$kver")
make -s -C tools/mcr-nl
make -s -C selftests
exec tools/vm-run --kernel "$kver" -- scripts/demo-guest.sh "${ko#"$top"/}"

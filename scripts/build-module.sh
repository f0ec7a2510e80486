#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build mcr.ko for one installed kernel in build/KVER/, so that modules for
# several kernels can live side by side (out-of-tree builds write their
# objects next to the sources). Prints the module's path.
#
#   scripts/build-module.sh KVER|KDIR
set -eEuo pipefail
# Name the command that ends the script (subshells: their parent does).
# shellcheck disable=SC2154 # s is set in the trap
trap 's=$?; [ "$BASH_SUBSHELL" -gt 0 ] ||
	echo "${0##*/}: line $LINENO: \"$BASH_COMMAND\" failed (status $s)" >&2' ERR

top=$(cd "$(dirname "$0")/.." && pwd)
arg=${1:?usage: build-module.sh KVER|KDIR}
if [ -d "$arg" ]; then
	kdir=$(cd "$arg" && pwd)
	kver=$(make -s -C "$kdir" kernelrelease 2>/dev/null || basename "$kdir")
else
	kver=$arg
	kdir=/lib/modules/$kver/build
fi
[ -d "$kdir" ] || { echo "build-module: no build tree for $kver ($kdir)" >&2; exit 1; }

out=$top/build/$kver
mkdir -p "$out"
# Copy only what changed, so that rebuilds stay incremental.
for d in kmod include; do
	mkdir -p "$out/$d"
	cp -a -u "$top/$d/." "$out/$d/"
done
cp -u "$top/Kbuild" "$out/Kbuild"
make -s -C "$top" check-config KDIR="$kdir" >&2
make -s -C "$kdir" M="$out" W=1 modules >&2
echo "$out/kmod/mcr.ko"

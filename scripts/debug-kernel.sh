#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) the mcr debug kernel: x86_64, Debian's linux-source-6.12,
# `make tinyconfig` + scripts/debug.config (KASAN, lockdep, PROVE_RCU,
# kmemleak, ref trackers, KUnit, and what the VM and the selftests need).
#
#   scripts/debug-kernel.sh [--print-kdir | --print-image | --print-dir] [--force]
#
# Cached outside the repo, keyed by the fragment and the source version:
#   ${MCR_CACHE:-/var/cache/mcr}/debug-kernel/KEY/
#       linux/             the built tree (modules_prepare done): the KDIR
#       bzImage            the kernel
#       lib/modules/KVER/  modules.builtin etc. (vm-run finds it next to bzImage)
#       build.log          the build's output
#       complete           written last; without it the entry is rebuilt
#   ${MCR_CACHE:-/var/cache/mcr}/debug-kernel/bzImage  -> KEY/bzImage
#   ${MCR_CACHE:-/var/cache/mcr}/debug-kernel/modules  -> KEY/lib/modules/KVER
# (tools/vm-run --kernel debug boots .../debug-kernel/bzImage.)
#
# --print-kdir / --print-image / --print-dir print that path on stdout
# (building first if needed); progress goes to stderr. --force rebuilds.
# When a new entry completes, the entries of every other key are removed
# (each holds a built tree of about 2 GB).
# Environment: MCR_CACHE, MCR_LINUX_SOURCE (default
# /usr/src/linux-source-6.12.tar.xz), MCR_JOBS (default nproc),
# MCR_DEBUG_CONFIG (default scripts/debug.config; the cache test uses its
# own).
set -eEuo pipefail
# Name the command that ends the script (subshells: their parent does).
# shellcheck disable=SC2154 # s is set in the trap
trap 's=$?; [ "$BASH_SUBSHELL" -gt 0 ] ||
	echo "${0##*/}: line $LINENO: \"$BASH_COMMAND\" failed (status $s)" >&2' ERR

top=$(cd "$(dirname "$0")/.." && pwd)
fragment=${MCR_DEBUG_CONFIG:-$top/scripts/debug.config}
tarball=${MCR_LINUX_SOURCE:-/usr/src/linux-source-6.12.tar.xz}
cache=${MCR_CACHE:-/var/cache/mcr}/debug-kernel
jobs=${MCR_JOBS:-$(nproc)}
export ARCH=x86_64
# Bump when the recipe below changes in a way that changes the result.
readonly RECIPE=1

msg() { echo "debug-kernel: $*" >&2; }
die() { msg "$*"; exit 1; }

print=
force=0
while [ $# -gt 0 ]; do
	case $1 in
	--print-kdir) print=kdir ;;
	--print-image) print=image ;;
	--print-dir) print=dir ;;
	--force) force=1 ;;
	-h | --help) sed -n '4,/^set -eEuo/{/^set -eEuo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
	*) die "unknown argument '$1'" ;;
	esac
	shift
done

[ -f "$fragment" ] || die "missing $fragment"
[ -r "$tarball" ] || die "missing $tarball (apt-get install linux-source-6.12)"

# Source version: the Debian package's, else the tarball's size and mtime.
src_version() {
	local v
	v=$(dpkg-query -S "$tarball" 2>/dev/null | cut -d: -f1 | head -n 1) || v=
	if [ -n "$v" ]; then
		dpkg-query -W -f='${Package} ${Version}\n' "$v"
	else
		stat -L -c '%n %s %Y' "$tarball"
	fi
}

# Builds with the same source key differ only in their configuration: a
# new fragment starts from a copy of such a tree and rebuilds incrementally.
src_key=$({
	echo "recipe $RECIPE x86_64 $(gcc -dumpfullversion 2>/dev/null || echo unknown-gcc)"
	src_version
} | sha256sum | cut -c 1-16)
key=$({
	echo "$src_key"
	grep -E -e '^CONFIG_' -e '^# CONFIG_[A-Za-z0-9_]+ is not set$' "$fragment"
} | sha256sum | cut -c 1-16)
dir=$cache/$key
tree=$dir/linux

# Every option of the fragment must be in .config exactly as asked.
verify_config() {
	local config=$1 line opt bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			opt=${line%%=*}
			if ! grep -qxF -- "$line" "$config"; then
				msg "option $opt: asked '$line', got '$(grep -E "^(# )?${opt}[= ]" "$config" || echo "$opt absent (unmet dependency?)")'"
				bad=1
			fi
			;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			opt=${opt%% *}
			if grep -qE "^$opt=" "$config"; then
				msg "option $opt: asked 'is not set', got '$(grep -E "^$opt=" "$config")'"
				bad=1
			fi
			;;
		esac
	done <"$fragment"
	return $bad
}

# The newest complete entry built from the same source, if any: a new
# configuration starts from a copy of its tree and rebuilds incrementally.
newest_seed() {
	local f d best='' best_t=0 t
	for f in "$cache"/*/src-key; do
		[ -f "$f" ] || continue # no entry at all: the glob stays unexpanded
		d=${f%/src-key}
		if [ "$d" = "$dir" ] || [ ! -f "$d/complete" ] ||
			[ "$(cat "$f")" != "$src_key" ]; then
			continue
		fi
		t=$(stat -c %Y "$f")
		[ "$t" -lt "$best_t" ] || { best=$d; best_t=$t; }
	done
	echo "$best"
}

# Entries of other keys are stale once this one is complete.
prune_stale() {
	local d
	for d in "$cache"/*/; do
		d=${d%/}
		# The bzImage and modules links are not entries.
		if [ ! -d "$d" ] || [ -L "$d" ] || [ "$d" = "$dir" ]; then
			continue
		fi
		msg "removing the stale entry $d"
		rm -rf "$d"
	done
}

build() {
	local t0 t1 kver seed
	t0=$(date +%s)
	msg "building the debug kernel in $dir (log: $dir/build.log)"
	rm -rf "$dir"
	mkdir -p "$dir"
	: >"$dir/build.log"
	seed=$(newest_seed)
	if [ -n "$seed" ]; then
		msg "starting from a copy of $seed/linux (incremental rebuild)"
		cp -a "$seed/linux" "$tree"
	else
		msg "extracting $tarball"
		mkdir -p "$dir/src.tmp"
		tar -xf "$tarball" -C "$dir/src.tmp"
		mv "$dir/src.tmp"/linux-source-* "$tree"
		rmdir "$dir/src.tmp"
	fi
	echo "$src_key" >"$dir/src-key"
	cp "$fragment" "$dir/debug.config"
	# set -e does not work in a subshell tested by ||: chain the steps.
	(
		cd "$tree" &&
			make tinyconfig &&
			scripts/kconfig/merge_config.sh -m .config "$dir/debug.config" &&
			make olddefconfig
	) >"$dir/build.log" 2>&1 || { tail -n 20 "$dir/build.log" >&2; die "configuration failed"; }
	verify_config "$tree/.config" || die "the configuration does not match scripts/debug.config (see above)"
	msg "configured; compiling with -j$jobs"
	(
		cd "$tree" &&
			make -j"$jobs" bzImage modules &&
			make -j"$jobs" modules_prepare &&
			make INSTALL_MOD_PATH="$dir" modules_install
	) >>"$dir/build.log" 2>&1 || { tail -n 30 "$dir/build.log" >&2; die "build failed (log: $dir/build.log)"; }
	cp "$tree/arch/x86/boot/bzImage" "$dir/bzImage"
	kver=$(make -s -C "$tree" kernelrelease)
	echo "$kver" >"$dir/kernelrelease"
	t1=$(date +%s)
	echo "$((t1 - t0))" >"$dir/build-seconds"
	date -u +%FT%TZ >"$dir/complete"
	msg "built $kver in $((t1 - t0)) s"
	prune_stale
}

mkdir -p "$cache"
# One builder at a time; a second caller waits and then reuses the result.
exec {lock}>"$cache/.lock"
flock "$lock"
if [ "$force" = 1 ] || [ ! -f "$dir/complete" ]; then
	build
else
	msg "cached: $dir ($(cat "$dir/kernelrelease"), built in $(cat "$dir/build-seconds" 2>/dev/null || echo ?) s)"
fi
kver=$(cat "$dir/kernelrelease")
# Point the well-known names at this build (atomically).
ln -sfn "$key/bzImage" "$cache/.bzImage.tmp.$$" && mv -Tf "$cache/.bzImage.tmp.$$" "$cache/bzImage"
ln -sfn "$key/lib/modules/$kver" "$cache/.modules.tmp.$$" && mv -Tf "$cache/.modules.tmp.$$" "$cache/modules"
flock -u "$lock"

case $print in
kdir) echo "$tree" ;;
image) echo "$dir/bzImage" ;;
dir) echo "$dir" ;;
esac

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The caches that the tests keep, tried from empty on every machine: a
# fresh machine has none of them, and a script that only works with a warm
# cache fails CI there. Runs on the host in a few seconds:
#
#  - scripts/debug-kernel.sh, on a stand-in kernel source whose build steps
#    only create the files the real ones would: an empty cache builds an
#    entry with its complete marker and links; a second run reuses it; a
#    new configuration starts from a copy of the old tree and removes the
#    old entry; a failing step names itself;
#  - scripts/ynl-gen.sh: an empty cache is filled from the source tarball
#    (a small one holding only what it extracts), then reused;
#  - tools/vm-run --prepare: an empty cache gets the initramfs and the
#    extracted vmlinux, then reuses them; files no run used for a day go
#    (selftests/vm_run_test.sh boots from an empty cache as well).
#
#   scripts/cache-test.sh [--kernel K]   (K for vm-run; default 6.12)
#
# KTAP lines, then "N passed, N failed"; exits non-zero on a failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
kernel=6.12
case ${1:-} in
--kernel) kernel=${2:?usage: $0 [--kernel K]} ;;
'') ;;
*) echo "usage: $0 [--kernel K]" >&2; exit 2 ;;
esac

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0 passed=0 failed=0

echo "KTAP version 1"
echo "1..13"

# check NAME COMMAND...: one KTAP result; the output of the last step run
# (in $tmp/out) is shown on a failure.
check() {
	local name=$1
	shift
	n=$((n + 1))
	if "$@"; then
		passed=$((passed + 1))
		echo "ok $n $name"
	else
		failed=$((failed + 1))
		echo "not ok $n $name"
		sed 's/^/# /' "$tmp/out"
	fi
}

# run COMMAND...: run it with its output in $tmp/out; its status.
run() { "$@" >"$tmp/out" 2>&1; }

# ---- debug-kernel.sh on a stand-in source ------------------------------

# A kernel tree whose make targets create what debug-kernel.sh copies and
# links; `make bzImage` fails when MCR_STANDIN_FAIL is set.
make_standin_source() {
	local src=$tmp/standin/linux-source-6.12
	mkdir -p "$src/scripts/kconfig"
	cat >"$src/Makefile" <<'EOF'
kver := 6.12.0-standin
tinyconfig:
	echo 'CONFIG_64BIT=y' >.config
olddefconfig:
	sort -u -o .config .config
bzImage:
	test -z "$$MCR_STANDIN_FAIL"
	mkdir -p arch/x86/boot && echo standin >arch/x86/boot/bzImage
modules modules_prepare:
	true
modules_install:
	mkdir -p $(INSTALL_MOD_PATH)/lib/modules/$(kver)
	touch $(INSTALL_MOD_PATH)/lib/modules/$(kver)/modules.dep
kernelrelease:
	@echo $(kver)
.PHONY: tinyconfig olddefconfig bzImage modules modules_prepare modules_install kernelrelease
EOF
	# merge_config.sh -m .config FRAGMENT
	# shellcheck disable=SC2016 # $2, $3: the stand-in script's arguments
	printf '#!/bin/sh\ncat "$3" >>"$2"\n' >"$src/scripts/kconfig/merge_config.sh"
	chmod +x "$src/scripts/kconfig/merge_config.sh"
	tar -C "$tmp/standin" -cJf "$tmp/linux-source.tar.xz" linux-source-6.12
}

debug_kernel() { # [ARG...]
	env MCR_CACHE="$tmp/cache" MCR_LINUX_SOURCE="$tmp/linux-source.tar.xz" \
		MCR_DEBUG_CONFIG="$tmp/debug.config" MCR_JOBS=1 \
		"$top/scripts/debug-kernel.sh" "$@"
}

dk=$tmp/cache/debug-kernel
# Exactly one entry, complete, and the links lead into it.
one_complete_entry() {
	local entries
	entries=$(find "$dk" -mindepth 1 -maxdepth 1 -type d | wc -l)
	[ "$entries" -eq 1 ] && [ -f "$(dirname "$(readlink -f "$dk/bzImage")")/complete" ] &&
		[ "$(cat "$dk/bzImage")" = standin ] && [ -f "$dk/modules/modules.dep" ]
}

make_standin_source
printf 'CONFIG_64BIT=y\nCONFIG_MCR_STANDIN_A=y\n# CONFIG_MCR_STANDIN_B is not set\n' \
	>"$tmp/debug.config"

t_first_build() {
	local kdir
	run debug_kernel --print-kdir || return 1
	kdir=$(tail -n 1 "$tmp/out")
	one_complete_entry && [ "$kdir" = "$(dirname "$(readlink -f "$dk/bzImage")")/linux" ] &&
		grep -q 'extracting' "$tmp/out"
}
check "debug-kernel: an empty cache builds an entry, its complete marker and links" t_first_build

t_reuse() {
	local before
	before=$(stat -c %Y.%y "$dk"/*/complete)
	run debug_kernel && grep -q '^debug-kernel: cached: ' "$tmp/out" &&
		[ "$(stat -c %Y.%y "$dk"/*/complete)" = "$before" ]
}
check "debug-kernel: a second run reuses the entry" t_reuse

t_new_config() {
	local old
	old=$(readlink -f "$dk/bzImage")
	old=${old%/bzImage}
	echo 'CONFIG_MCR_STANDIN_C=y' >>"$tmp/debug.config"
	run debug_kernel && grep -q 'incremental rebuild' "$tmp/out" &&
		grep -q "removing the stale entry $old" "$tmp/out" &&
		[ ! -e "$old" ] && one_complete_entry
}
check "debug-kernel: a new configuration starts from the old tree and removes it" t_new_config

t_build_fails() {
	local rc=0
	echo 'CONFIG_MCR_STANDIN_D=y' >>"$tmp/debug.config"
	export MCR_STANDIN_FAIL=1
	run debug_kernel --print-kdir || rc=$?
	unset MCR_STANDIN_FAIL
	[ "$rc" -ne 0 ] && grep -q 'build failed (log: ' "$tmp/out" &&
		[ "$(find "$dk" -name complete | wc -l)" -eq 1 ]
}
check "debug-kernel: a failing build step says so and leaves the old entry" t_build_fails

t_silent_exit() {
	echo 'CONFIG_MCR_STANDIN_E=y' >>"$tmp/debug.config"
	echo 'not an archive' >"$tmp/broken.tar.xz"
	! run env MCR_CACHE="$tmp/cache2" MCR_LINUX_SOURCE="$tmp/broken.tar.xz" \
		MCR_DEBUG_CONFIG="$tmp/debug.config" "$top/scripts/debug-kernel.sh" &&
		grep -Eq '^debug-kernel.sh: line [0-9]+: "tar .*" failed \(status [0-9]+\)' "$tmp/out"
}
check "debug-kernel: an unexpected failure names the command and its line" t_silent_exit

# ---- ynl-gen.sh ------------------------------------------------------

# The generator and schemas from the real tarball, in a small one.
ynl_tar=$tmp/ynl-source.tar.xz
real_tar=/usr/src/linux-source-6.12.tar.xz
t_ynl_first() {
	tar -xJf "$real_tar" -C "$tmp" linux-source-6.12/tools/net/ynl \
		linux-source-6.12/Documentation/netlink >"$tmp/out" 2>&1 &&
		tar -C "$tmp" -cJf "$ynl_tar" linux-source-6.12 &&
		run env MCR_CACHE="$tmp/ynl-cache" MCR_LINUX_SOURCE="$ynl_tar" \
			"$top/scripts/ynl-gen.sh" --check &&
		[ -f "$tmp/ynl-cache/ynl-6.12/.done" ]
}
check "ynl-gen: an empty cache is filled, and the check passes" t_ynl_first

t_ynl_reuse() {
	local before
	before=$(stat -c %y "$tmp/ynl-cache/ynl-6.12/.done")
	rm -f "$ynl_tar" # a second run must not need the tarball
	run env MCR_CACHE="$tmp/ynl-cache" MCR_LINUX_SOURCE="$ynl_tar" \
		"$top/scripts/ynl-gen.sh" --check &&
		[ "$(stat -c %y "$tmp/ynl-cache/ynl-6.12/.done")" = "$before" ]
}
check "ynl-gen: a second run reuses the cache" t_ynl_reuse

t_ynl_no_source() {
	! run env MCR_CACHE="$tmp/ynl-cache2" MCR_LINUX_SOURCE="$tmp/none.tar.xz" \
		"$top/scripts/ynl-gen.sh" --check && grep -q 'apt-get install linux-source-6.12' "$tmp/out"
}
check "ynl-gen: a missing source tarball is named" t_ynl_no_source

# ---- vm-run's initramfs and vmlinux ----------------------------------

vm_prepare() { MCR_CACHE=$tmp/vm-cache "$top/tools/vm-run" --kernel "$kernel" --prepare; }

vmc=$tmp/vm-cache
mkdir -p "$vmc/initramfs" "$vmc/vmlinux"
touch -d '2 days ago' "$vmc/initramfs/0.0-stale.cpio" "$vmc/vmlinux/0.0-stale.elf"
touch "$vmc/initramfs/0.0-recent.cpio"

t_vm_first() {
	run vm_prepare || return 1
	initramfs=$(sed -n 's/^initramfs //p' "$tmp/out")
	image=$(sed -n 's/^boot image //p' "$tmp/out")
	case $initramfs in "$tmp/vm-cache/initramfs/"*.cpio) ;; *) return 1 ;; esac
	[ -s "$initramfs" ] && cpio -it <"$initramfs" 2>/dev/null | grep -qx init
}
check "vm-run: an empty cache gets the initramfs" t_vm_first

t_vm_vmlinux() {
	# Debian's images are PVH-capable: the cached vmlinux is booted.
	case $image in "$tmp/vm-cache/vmlinux/"*.elf) ;; *) return 1 ;; esac
	readelf -h "$image" >/dev/null 2>&1
}
check "vm-run: an empty cache gets the extracted vmlinux" t_vm_vmlinux

t_vm_prune() {
	[ ! -e "$vmc/initramfs/0.0-stale.cpio" ] && [ ! -e "$vmc/vmlinux/0.0-stale.elf" ] &&
		[ -e "$vmc/initramfs/0.0-recent.cpio" ]
}
check "vm-run: a new file removes those no run used for a day, and only those" t_vm_prune

t_vm_reuse() {
	local before
	# The same files (a rebuild would replace them: new inodes).
	before=$(stat -c %i "$initramfs" "$image")
	run vm_prepare && [ "$(stat -c %i "$initramfs" "$image")" = "$before" ] &&
		grep -qx "initramfs $initramfs" "$tmp/out" && grep -qx "boot image $image" "$tmp/out"
}
check "vm-run: a second run reuses both" t_vm_reuse

t_vm_no_debug() {
	! run env MCR_CACHE="$tmp/vm-cache" "$top/tools/vm-run" --kernel debug --prepare &&
		grep -q "debug kernel not found at $tmp/vm-cache/debug-kernel/bzImage" "$tmp/out"
}
check "vm-run: a missing debug kernel is named, under MCR_CACHE" t_vm_no_debug

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]

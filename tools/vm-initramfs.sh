#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# /init of the tiny initramfs that tools/vm-run boots. This file runs INSIDE
# the guest under busybox sh; vm-run copies it into the initramfs as /init
# (its hash is part of the initramfs cache key, so editing it rebuilds).
#
# What it does:
#   1. insmod the modules listed in /lib/mcr-modules/order (virtio, 9p, ...,
#      whatever the kernel does not have built in; vm-run resolved the list
#      and order from modules.dep),
#   2. mounts three 9p shares made by vm-run:
#        hostroot  the host's / (read-only)       -> /newroot
#        work      the caller's work dir (rw)     -> same path inside
#        mcrctl    a host temp dir (rw): config, run.sh, exit status
#   3. mounts proc/sys/dev/tmpfs/... inside /newroot,
#   4. runs run.sh in /newroot (pivot_root), with stdout/stderr relayed to two
#      virtio-serial ports that vm-run forwards to its own stdout/stderr,
#   5. writes the exit status to the mcrctl share and powers off.
#
# Kernel messages go to ttyS0 (the kernel console, a host file); this
# script's own diagnostics go to /dev/kmsg (or /dev/console), so they end
# up in the guest kernel log that vm-run prints when something goes wrong.

PATH=/bin
export PATH

# Via /dev/kmsg (once devtmpfs is up) so the messages get timestamps in
# the kernel log; the plain console before that.
msg() { echo "vm-init: $*" >/dev/kmsg 2>/dev/null || echo "vm-init: $*"; }

# Never return from init: that panics the kernel. Report and power off.
die() {
	msg "FATAL: $*"
	[ -d /ctl ] && echo "vm-init: $*" >/ctl/init-error 2>/dev/null
	poweroff_now
}

poweroff_now() {
	sync
	# A reset ends QEMU as well as a power-off, since vm-run passes
	# -no-reboot, and it needs no ACPI method.
	reboot -f
	# reboot -f should not return; if it does, try sysrq, then wait for
	# the host's timeout.
	echo b >/proc/sysrq-trigger
	sleep 30
}

# The command must be able to create user namespaces (containers' rights
# are tested that way), which the kernel refuses from a chroot; so it runs
# after pivot_root into the host root instead (step 4). pivot_root cannot
# move the initramfs itself (rootfs), so first move it onto a tmpfs.
if [ ! -e /.on-tmpfs ]; then
	/bin/busybox mkdir -p /tmpfs-root
	/bin/busybox mount -t tmpfs -o mode=755 tmpfs /tmpfs-root
	for f in /bin /lib /init; do
		[ -e "$f" ] && /bin/busybox cp -a "$f" /tmpfs-root/
	done
	/bin/busybox touch /tmpfs-root/.on-tmpfs
	exec /bin/busybox switch_root /tmpfs-root /init
fi

/bin/busybox mkdir -p /bin /proc /sys /dev /ctl /newroot
/bin/busybox --install -s /bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
# The kernel opened /dev/console before devtmpfs existed only if the
# initramfs had the node; make sure we have a console either way.
exec </dev/console >/dev/console 2>&1

# --- 1. modules -----------------------------------------------------------
if [ -f /lib/mcr-modules/order ]; then
	while read -r ko; do
		[ -n "$ko" ] || continue
		insmod "/lib/mcr-modules/$ko" || msg "insmod $ko failed"
	done </lib/mcr-modules/order
fi

# mount_9p TAG DIR OPTIONS: device probing after insmod is normally
# synchronous, but retry briefly in case a virtio device shows up late.
mount_9p() {
	i=0
	while ! mount -t 9p -o "trans=virtio,version=9p2000.L,msize=512000,$3" "$1" "$2" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -lt 50 ] || return 1
		sleep 0.1
	done
}

# --- 2. shares ------------------------------------------------------------
mount_9p mcrctl /ctl cache=none || die "cannot mount the mcrctl 9p share"
[ -f /ctl/config ] || die "no /ctl/config"
# shellcheck source=/dev/null # written by vm-run at run time
# config sets VMRUN_CWD, VMRUN_WORK (may be empty), VMRUN_MODDIR (may be
# empty). Values are single-quoted by vm-run.
. /ctl/config

# Host / read-only. cache=loose is safe because nothing changes it from
# inside and it saves many 9p round trips (slow under TCG).
mount_9p hostroot /newroot ro,cache=loose || die "cannot mount the host root 9p share"

R=/newroot
mount -t proc proc $R/proc
mount -t sysfs sysfs $R/sys
mount -t devtmpfs devtmpfs $R/dev
mkdir -p $R/dev/pts $R/dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts $R/dev/pts
mount -t tmpfs -o mode=1777 tmpfs $R/dev/shm
# bash process substitution and "echo >/dev/stderr" need these links.
ln -sf /proc/self/fd $R/dev/fd
ln -sf /proc/self/fd/0 $R/dev/stdin
ln -sf /proc/self/fd/1 $R/dev/stdout
ln -sf /proc/self/fd/2 $R/dev/stderr

# A kernel whose modules live outside /lib/modules/VER (e.g. a self-built
# bzImage): show them where modprobe looks. Done before the tmpfs mounts
# below, which would hide a module dir under /tmp and the like.
kver=$(uname -r)
if [ -n "$VMRUN_MODDIR" ] && [ "$VMRUN_MODDIR" != "/lib/modules/$kver" ]; then
	mount -t tmpfs -o mode=755 tmpfs $R/lib/modules
	mkdir -p "$R/lib/modules/$kver"
	mount --bind "$R$VMRUN_MODDIR" "$R/lib/modules/$kver" ||
		msg "cannot bind $VMRUN_MODDIR to /lib/modules/$kver"
fi

# Writable scratch areas; the rest of / stays read-only.
mount -t tmpfs -o mode=1777 tmpfs $R/tmp
mount -t tmpfs -o mode=1777 tmpfs $R/var/tmp
mount -t tmpfs -o mode=755 tmpfs $R/run
mount -t tmpfs -o mode=700 tmpfs $R/root

# Optional kernel filesystems; absent ones are simply skipped.
mount -t debugfs debugfs $R/sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs $R/sys/kernel/tracing 2>/dev/null
mount -t bpf bpf $R/sys/fs/bpf 2>/dev/null
mount -t configfs configfs $R/sys/kernel/config 2>/dev/null
mount -t cgroup2 cgroup2 $R/sys/fs/cgroup 2>/dev/null

# The work share goes on top of the tmpfs mounts above, so a work dir under
# /tmp, /var/tmp, /run or /root stays visible and writable. cache=mmap:
# writes reach the host at once, and shared mmap works.
if [ -n "$VMRUN_WORK" ]; then
	mkdir -p "$R$VMRUN_WORK" || die "cannot create mount point $VMRUN_WORK"
	mount_9p work "$R$VMRUN_WORK" cache=mmap || die "cannot mount the work 9p share at $VMRUN_WORK"
fi

mkdir -p $R/run/mcr-vm
mount --bind /ctl $R/run/mcr-vm

# --- 3. system settings the tests expect --------------------------------
# The kernel runs its module loader (request_module: "ip link add type veth",
# genetlink family autoload) in init's root, which is this initramfs, not
# the chroot; hand such requests to the host root's modprobe.
printf '#!/bin/sh\nexec /bin/chroot %s /sbin/modprobe "$@"\n' "$R" >/modprobe-chroot
chmod 755 /modprobe-chroot
echo /modprobe-chroot >/proc/sys/kernel/modprobe
hostname mcr-vm
ip link set lo up
echo 0 >/proc/sys/kernel/panic_on_oops
# shellcheck disable=SC3045 # busybox ash has ulimit -c
ulimit -c 0

# --- 4. run the command ---------------------------------------------------
# The command's stdout/stderr are pipes (like under CI), relayed by cat to
# the virtio-serial ports. Pipes, unlike the ports themselves, can be
# reopened via /dev/stdout, and isatty() is false as on the host.
# The port names arrive from QEMU asynchronously after the driver probes,
# so look for a while (~5 s) before giving up.
port_by_name() {
	n=0
	while [ $n -lt 50 ]; do
		for p in /sys/class/virtio-ports/*; do
			[ "$(cat "$p/name" 2>/dev/null)" = "$1" ] && {
				echo "/dev/${p##*/}"
				return 0
			}
		done
		n=$((n + 1))
		sleep 0.1
	done
	return 1
}
out_port=$(port_by_name mcr.stdout) || die "no virtio port mcr.stdout"
err_port=$(port_by_name mcr.stderr) || die "no virtio port mcr.stderr"
mkfifo /stdout.fifo /stderr.fifo
cat /stdout.fifo >"$out_port" &
out_pid=$!
cat /stderr.fifo >"$err_port" &
err_pid=$!

# Boot-to-command timing for vm-run (MCR_VM_VERBOSE).
cat /proc/uptime >/ctl/started
msg "starting the command"

# In its own mount namespace, so that this script keeps its view.
env -i PATH=/bin /bin/unshare -m /bin/sh -c '
	mount --make-rprivate / &&
	mkdir -p "$1/run/.initramfs" &&
	cd "$1" && pivot_root . run/.initramfs &&
	cd / && exec /bin/sh /run/mcr-vm/run.sh' pivot "$R" \
	</dev/null >/stdout.fifo 2>/stderr.fifo
rc=$?
msg "command exited with status $rc"

# Let the relays drain. A daemon left behind by the command may keep the
# pipes open, so give up on EOF after 2 s (the killer ends the wait).
(sleep 2; kill $out_pid $err_pid 2>/dev/null) &
killer=$!
wait $out_pid $err_pid
kill $killer 2>/dev/null

# --- 5. report and power off ---------------------------------------------
echo "$rc" >/ctl/status
poweroff_now

# SPDX-License-Identifier: GPL-2.0
#
# mcr: in-kernel multicast UDP relay.
#
#   make                 module for KDIR, and the tools
#   make check           every test, in VMs on each installed Debian kernel
#   make demo            a relay in a VM, showing traffic relayed and counted
#   make KDIR=/path      build against another kernel
#   make install         mcr-nl, man page, completion, mcr.service (PREFIX, DESTDIR)
#   make dkms-install    build and install mcr.ko with DKMS; dkms-uninstall removes it

# The running kernel's build tree if it has one, else the newest installed.
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) \
	$(lastword $(sort $(wildcard /lib/modules/*/build))))

# What the module needs from the target kernel's configuration.
REQUIRED_CONFIG := CONFIG_NET CONFIG_INET CONFIG_IP_MULTICAST CONFIG_IPV6 \
	CONFIG_NETFILTER CONFIG_NETFILTER_INGRESS

PWD_ABS := $(abspath .)

.PHONY: all module tools check-config check demo clean ynl-gen ynl-check \
	install uninstall dkms-install dkms-uninstall debug-kernel \
	bench bench-smoke

all: module tools

module: check-config
	$(MAKE) -C $(KDIR) M=$(PWD_ABS) W=1 modules

tools:
	$(MAKE) -C tools/mcr-nl
	$(MAKE) -C selftests

# Fail early, naming the option, when the target kernel lacks one.
check-config:
	@test -n "$(KDIR)" -a -d "$(KDIR)" || \
		{ echo "mcr: no kernel build tree (KDIR='$(KDIR)'):" \
		       "install linux-headers-$$(uname -r)" >&2; exit 1; }
	@conf=$(KDIR)/include/config/auto.conf; \
	test -f $$conf || { echo "mcr: $$conf missing" >&2; exit 1; }; \
	for opt in $(REQUIRED_CONFIG); do \
		grep -q "^$$opt=[ym]" $$conf || \
		{ echo "mcr: the kernel in $(KDIR) lacks $$opt" >&2; exit 1; }; \
	done

check:
	scripts/check.sh

demo: all
	scripts/demo.sh

# mcr against every peer in one VM boot (about 30 min under TCG on 2 CPUs);
# results in bench/results/. BENCH_ARGS="--kernel 6.1", "--runs 5", ...
bench:
	bench/run.sh $(BENCH_ARGS)

# A few seconds per contender (about 2 min with the boot); fails unless
# every contender ran and relayed something.
bench-smoke:
	bench/run.sh --smoke $(BENCH_ARGS)

# The KUnit/KASAN/lockdep/kmemleak kernel, cached in /var/cache/mcr.
debug-kernel:
	scripts/debug-kernel.sh

ynl-gen:
	scripts/ynl-gen.sh

ynl-check:
	scripts/ynl-gen.sh --check

clean:
	$(MAKE) -C $(KDIR) M=$(PWD_ABS) clean
	$(MAKE) -C tools/mcr-nl clean
	$(MAKE) -C selftests clean
	rm -rf build

# Installation and DKMS: install, uninstall, dkms-install, dkms-uninstall
# (PREFIX=/usr/local, DESTDIR, UNITDIR, DKMS_KERNELS; see the file).
include packaging/install.mk

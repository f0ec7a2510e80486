# SPDX-License-Identifier: GPL-2.0
#
# Installation and DKMS targets of mcr, included by the top-level Makefile
# (`include packaging/install.mk`); also usable alone from the top of the
# tree: make -f packaging/install.mk install|dkms-install|dkms-uninstall
#
#   make install [PREFIX=/usr/local] [DESTDIR=]
#       $(PREFIX)/sbin/mcr-nl
#       $(PREFIX)/share/man/man8/mcr-nl.8
#       $(PREFIX)/share/bash-completion/completions/mcr-nl
#       $(PREFIX)/lib/systemd/system/mcr.service  (UNITDIR; systemd searches
#               /usr/local/lib/systemd/system as well as /lib/systemd/system)
#       /etc/mcr/rules.conf                       (an example; never replaces
#               an existing file)
#   make uninstall        removes the above, except an edited rules.conf
#   make dkms-install     sources to /usr/src/mcr-0.1.0, dkms add/build/install
#                         for DKMS_KERNELS (default: the running kernel if its
#                         headers are installed, else every kernel that has them)
#   make dkms-uninstall   dkms remove --all, and the sources

MCR_VERSION := 0.1.0
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc

MCR_TOP := $(patsubst %/,%,$(dir $(abspath $(dir $(lastword $(MAKEFILE_LIST))))))
DKMS_SRC := /usr/src/mcr-$(MCR_VERSION)
DKMS_KERNELS ?= $(or $(if $(wildcard /lib/modules/$(shell uname -r)/build),\
	$(shell uname -r)),$(patsubst /lib/modules/%/build,%,\
	$(wildcard /lib/modules/*/build)))

.PHONY: install uninstall dkms-install dkms-uninstall

install:
	$(MAKE) -C $(MCR_TOP)/tools/mcr-nl mcr-nl
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(SYSCONFDIR)/mcr
	install -m 0755 $(MCR_TOP)/tools/mcr-nl/mcr-nl $(DESTDIR)$(SBINDIR)/mcr-nl
	install -m 0644 $(MCR_TOP)/packaging/mcr-nl.8 $(DESTDIR)$(MANDIR)/man8/mcr-nl.8
	install -m 0644 $(MCR_TOP)/packaging/mcr-nl.bash-completion \
		$(DESTDIR)$(BASHCOMPDIR)/mcr-nl
	sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		$(MCR_TOP)/packaging/mcr.service.in > $(DESTDIR)$(UNITDIR)/mcr.service.tmp
	chmod 0644 $(DESTDIR)$(UNITDIR)/mcr.service.tmp
	mv -f $(DESTDIR)$(UNITDIR)/mcr.service.tmp $(DESTDIR)$(UNITDIR)/mcr.service
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/mcr/rules.conf ]; then \
		echo "install: keeping the existing $(DESTDIR)$(SYSCONFDIR)/mcr/rules.conf"; \
	else \
		install -m 0644 $(MCR_TOP)/packaging/rules.conf \
			$(DESTDIR)$(SYSCONFDIR)/mcr/rules.conf; \
	fi

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/mcr-nl $(DESTDIR)$(MANDIR)/man8/mcr-nl.8 \
		$(DESTDIR)$(BASHCOMPDIR)/mcr-nl $(DESTDIR)$(UNITDIR)/mcr.service
	@if cmp -s $(MCR_TOP)/packaging/rules.conf $(DESTDIR)$(SYSCONFDIR)/mcr/rules.conf; then \
		rm -f $(DESTDIR)$(SYSCONFDIR)/mcr/rules.conf; \
		rmdir $(DESTDIR)$(SYSCONFDIR)/mcr 2>/dev/null || true; \
	fi

# Copies only what the build needs: dkms.conf, Kbuild, the module's sources
# and Kbuild files (kmod/, kmod/tests/) and the UAPI header; no objects.
# A previous registration of this version is removed first.
dkms-install:
	@if dkms status mcr/$(MCR_VERSION) | grep -q .; then \
		echo "dkms remove mcr/$(MCR_VERSION) --all"; \
		dkms remove mcr/$(MCR_VERSION) --all; fi
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)
	install -m 0644 $(MCR_TOP)/dkms.conf $(MCR_TOP)/Kbuild $(DKMS_SRC)/
	cd $(MCR_TOP) && find kmod include -type f \
		\( -name '*.[ch]' -o -name Kbuild \) ! -name '*.mod.c' \
		-exec cp --parents {} $(DKMS_SRC)/ \;
	dkms add mcr/$(MCR_VERSION)
	set -e; for k in $(DKMS_KERNELS); do \
		dkms build mcr/$(MCR_VERSION) -k $$k; \
		dkms install mcr/$(MCR_VERSION) -k $$k; \
	done

dkms-uninstall:
	@if dkms status mcr/$(MCR_VERSION) | grep -q .; then \
		echo "dkms remove mcr/$(MCR_VERSION) --all"; \
		dkms remove mcr/$(MCR_VERSION) --all; fi
	rm -rf $(DKMS_SRC)

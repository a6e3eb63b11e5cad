# SPDX-License-Identifier: GPL-2.0-only
#
# qkdchip top-level Makefile.
#
#   make demo          boot a guest with emulated cards and show them (sets itself up)
#   make check         every test: native, sanitizer, module builds, guest selftests
#   make bench         benchmarks; prints "name: value unit" lines
#
#   make modules       build qkdchip.ko for KVER (default: the running kernel)
#   make tools         build the userspace tools into build/release/
#   make dkms-install  copy the module sources to /usr/src and add them to DKMS
#   make install-udev  install the udev rule (/dev/qkdchipN for group qkd)
#   make clean

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)

TOOLS := tools/qkdemu tools/tfqkd tools/lib tools/qkdctl

all: modules tools

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

modules_clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

tools:
	@set -e; for t in $(TOOLS); do $(MAKE) -C $$t; done

check:
	tools/testbed/check

bench:
	tools/testbed/bench

demo:
	tools/testbed/demo

install-udev:
	install -D -m 644 driver/60-qkdchip.rules $(DESTDIR)/lib/udev/rules.d/60-qkdchip.rules

dkms-install:
	install -d $(DESTDIR)/usr/src/qkdchip-$(VERSION)
	cp -r Kbuild dkms.conf driver uapi $(DESTDIR)/usr/src/qkdchip-$(VERSION)/
	dkms add -m qkdchip -v $(VERSION)

clean:
	rm -rf build
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true

.PHONY: all modules modules_clean tools check bench demo dkms-install install-udev clean

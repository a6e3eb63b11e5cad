# SPDX-License-Identifier: GPL-2.0-only
#
# Common build settings for everything under tools/. A tool's Makefile sets TOP (the
# repository root) and includes this file.
#
#   VARIANT=release  optimised, warnings are warnings (what packagers and users build)
#   VARIANT=check    as release, but warnings are errors (what `make check` builds)
#   VARIANT=asan     AddressSanitizer + UndefinedBehaviorSanitizer, warnings are errors
#
# Objects and programs go to $(TOP)/build/$(VARIANT)/, never into the source tree.

VARIANT ?= release
CC ?= gcc
AR ?= ar

BUILD := $(TOP)/build/$(VARIANT)

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
	-Wno-unused-parameter
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -g -fPIC -I$(TOP)/uapi $(WARN)
BASE_LDFLAGS :=

ifeq ($(VARIANT),release)
BASE_CFLAGS += -O2
else ifeq ($(VARIANT),check)
BASE_CFLAGS += -O2 -Werror
else ifeq ($(VARIANT),asan)
SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
BASE_CFLAGS += -O1 -Werror $(SAN)
BASE_LDFLAGS += $(SAN)
else
$(error VARIANT must be release, check or asan, not '$(VARIANT)')
endif

# kselftest_harness.h (from linux-source) for the native unit tests; tools/testbed/host-deps
# installs and unpacks it. Only evaluated by targets that build tests.
KSFT_DIR ?= $(shell $(TOP)/tools/testbed/host-deps)
# Include path of the native tests: the harness and the shared test helpers (tools/testlib).
TEST_INC = -I$(KSFT_DIR) -I$(TOP)/tools/testlib

# Run a list of test programs, each of which prints KTAP on stdout.
define run_tests
	@rc=0; for t in $(1); do echo "# running $$t"; $$t || rc=1; done; exit $$rc
endef

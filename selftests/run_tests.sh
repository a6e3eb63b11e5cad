#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Run the qkdchip kselftests in a guest booted by tools/testbed/vm-run, from the
# repository root:  tools/testbed/vm-run --cards server,client -- selftests/run_tests.sh [TEST...]
# Loads the module built for the running kernel, runs each test program (KTAP on
# stdout) and exits non-zero if any failed.
set -u
ko=build/kmod/$(uname -r)/driver/qkdchip.ko
tests=${*:-$(make -s -C selftests list)}

echo "# kernel $(uname -r)"
[ -d /sys/kernel/debug/qkdchip ] || mountpoint -q /sys/kernel/debug ||
	mount -t debugfs none /sys/kernel/debug
if [ ! -d /sys/module/qkdchip ]; then
	insmod "$ko" || { echo "not ok 1 load $ko"; exit 1; }
fi
# Wait for udev/devtmpfs to publish the device nodes.
command -v udevadm >/dev/null && udevadm settle --timeout=10 2>/dev/null

rc=0
for t in $tests; do
	echo "# selftest: $t"
	build/selftests/"$t" 2>&1 || rc=1
done
exit $rc

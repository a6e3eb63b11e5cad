# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers of the testbed scripts. Source it; it sets TOP (the repository root).

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TESTBED=$TOP/tools/testbed
# Where the repository appears inside the testbed root and the guest.
GUEST_TOP=/mnt/qkdchip

die() { echo "${0##*/}: error: $*" >&2; exit 1; }

# testbed_root: print the root's path, building it if needed.
testbed_root() {
	"$TESTBED/mkroot" --quiet
}

# hold_root ROOT: keep ROOT from being garbage-collected by a newer mkroot for as
# long as this shell lives (a shared lock on its completion marker).
hold_root() {
	exec {QKDCHIP_ROOT_LOCK}<"$1/.qkdchip-root-complete" && flock -s "$QKDCHIP_ROOT_LOCK"
}

# root_kernels ROOT: the bootable kernels of the root, oldest first.
root_kernels() {
	cat "$1/etc/qkdchip-kernels"
}

# resolve_kernel ROOT NAME: lts | newest | an exact version -> version
resolve_kernel() {
	local root=$1 name=$2
	case $name in
	lts) root_kernels "$root" | head -n 1 ;;
	newest) root_kernels "$root" | tail -n 1 ;;
	*)
		root_kernels "$root" | grep -qxF "$name" ||
			die "no kernel '$name' in the testbed (have: $(root_kernels "$root" | tr '\n' ' '))"
		echo "$name"
		;;
	esac
}

# setup_mounts ROOT: inside a private mount namespace, mount /dev, /proc, /sys, a fresh
# tmpfs on /tmp and /mnt, and the repository at $GUEST_TOP, in ROOT. The mounts vanish
# with the namespace, whatever happens to the commands run there.
setup_mounts() {
	local root=$1
	mount --rbind /dev "$root/dev"
	mount -t proc proc "$root/proc"
	mount -t sysfs sysfs "$root/sys"
	mount -t tmpfs -o mode=1777 tmpfs "$root/tmp"
	mount -t tmpfs tmpfs "$root/mnt"
	mkdir -p "$root$GUEST_TOP"
	mount --bind "$TOP" "$root$GUEST_TOP"
}

# in_root ROOT CMD...: run CMD inside the root (chroot), in a private mount namespace
# (see setup_mounts), with cwd $GUEST_TOP.
in_root() {
	local root=$1
	shift
	unshare -m --propagation private -- bash -c \
		'source "$0"; hold_root "$1"; setup_mounts "$1"; r=$1; shift; chroot "$r" /usr/bin/env -C "$GUEST_TOP" "$@"' \
		"$TESTBED/lib.sh" "$root" "$@"
}

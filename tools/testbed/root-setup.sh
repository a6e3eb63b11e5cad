#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Runs inside the new testbed root (chroot) as mmdebstrap's customize hook.
# $1 is the package list file (copied into the root). Installs the packages, the two
# bootable kernels with headers, and unpacks the kselftest harness and YNL from
# linux-source. Any failure aborts the whole build (the root is then discarded).
set -eu
# RECIPE 1

pkglist=$1
export DEBIAN_FRONTEND=noninteractive
APT="apt-get -y -q -o Dpkg::Use-Pty=0 --no-install-recommends"

main_pkgs=$(sed -e 's/#.*//' "$pkglist" | awk 'NF && $2 != "@backports" { print $1 }')
bpo_pkgs=$(sed -e 's/#.*//' "$pkglist" | awk 'NF && $2 == "@backports" { print $1 }')

$APT update
# shellcheck disable=SC2086
$APT install $main_pkgs
# shellcheck disable=SC2086
$APT install -t trixie-backports $bpo_pkgs

# Kernels: resolve the versioned image names behind the two metapackages.
kpkg() { # suite -> versioned image package name
	apt-cache show "linux-image-amd64/$1" |
		sed -n 's/^Depends: .*\(linux-image-[0-9][^ ,]*-amd64\).*/\1/p' | head -n 1
}
lts=$(kpkg trixie)
bpo=$(kpkg trixie-backports)
[ -n "$lts" ] || { echo "root-setup: cannot resolve trixie's kernel" >&2; exit 1; }
[ -n "$bpo" ] || { echo "root-setup: cannot resolve trixie-backports' kernel" >&2; exit 1; }
lts_h=$(echo "$lts" | sed 's/linux-image-/linux-headers-/')
bpo_h=$(echo "$bpo" | sed 's/linux-image-/linux-headers-/')
$APT install "$lts" "$lts_h"
$APT install -t trixie-backports "$bpo" "$bpo_h"

# kselftest harness and the kernel's YNL tooling, from linux-source.
src=$(ls /usr/src/linux-source-*.tar.xz | head -n 1)
mkdir -p /opt/linux-tools
tar -C /opt/linux-tools --strip-components=1 -xJf "$src" \
	--wildcards '*/tools/testing/selftests/kselftest_harness.h' \
	'*/tools/testing/selftests/kselftest.h' \
	'*/tools/net/ynl' '*/Documentation/netlink' '*/tools/include'
rm -f "$src"
test -f /opt/linux-tools/tools/testing/selftests/kselftest_harness.h
test -d /opt/linux-tools/tools/net/ynl

# Record what we got, for vm-run and the logs.
ls /boot/vmlinuz-* | sed 's|/boot/vmlinuz-||' | sort -V >/etc/qkdchip-kernels
test "$(wc -l </etc/qkdchip-kernels)" -ge 2
$APT clean
rm -rf /var/lib/apt/lists/*

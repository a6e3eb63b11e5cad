#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The shared library's ABI and packaging, in KTAP: its SONAME, that it exports exactly
# the functions of the public header (each with a kernel-doc comment), and that a
# program finds it through the installed pkg-config file, builds, links and runs.
#
# usage: test_abi.sh OUT   (OUT: the build directory with libqkdchip.so.0 and qkdchip.pc)
# Environment: VARIANT, CC, SANFLAGS (the variant's sanitizer flags, for linking).
set -u
out=$1
here=$(cd "$(dirname "$0")/.." && pwd)
header=$here/include/qkdchip/qkdchip.h
cc=${CC:-gcc}
n=0 rc=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { n=$((n + 1)); echo "ok $n $1"; }
fail() { n=$((n + 1)); echo "not ok $n $1"; rc=1; }

echo "TAP version 13"
echo "1..4"

soname=$(readelf -d "$out/libqkdchip.so.0" 2>/dev/null | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')
if [ "$soname" = libqkdchip.so.0 ]; then ok soname; else echo "# SONAME '$soname'"; fail soname; fi

nm -D --defined-only "$out/libqkdchip.so.0" | awk '$2 == "T" {print $3}' | sed 's/@.*//' |
	sort >"$tmp/exported"
grep -oE '\bqkd_[a-z0-9_]+\(' "$header" | tr -d '(' | sort -u >"$tmp/declared"
if diff -u "$tmp/declared" "$tmp/exported" >"$tmp/diff"; then
	ok exports_match_header
else
	sed 's/^/# /' "$tmp/diff"
	fail exports_match_header
fi

missing=0
while read -r f; do
	if ! grep -qE "^ \* $f\(\) - " "$header"; then
		echo "# no kernel-doc comment for $f()"
		missing=1
	fi
done <"$tmp/declared"
if [ $missing = 0 ] && [ -s "$tmp/declared" ]; then ok kernel_doc; else fail kernel_doc; fi

# install into a staging root, then build a program the way a user would
if make -s -C "$here" install DESTDIR="$tmp/root" PREFIX=/usr LIBDIR=/usr/lib \
	VARIANT="${VARIANT:-release}" >"$tmp/install.log" 2>&1; then
	cat >"$tmp/prog.c" <<'PROG'
#include <stdio.h>
#include <string.h>
#include <qkdchip/qkdchip.h>
int main(void)
{
	struct qkd_record r;

	if (qkd_record_decode(0x1385a5123456789aULL, &r) || r.tag.fine_ps != 1445)
		return 1;
	puts(qkd_role_name(QKDCHIP_ROLE_SERVER));
	return 0;
}
PROG
	pcdir=$tmp/root/usr/lib/pkgconfig
	sed -i "s|^prefix=.*|prefix=$tmp/root/usr|; s|^libdir=.*|libdir=$tmp/root/usr/lib|; s|^includedir=.*|includedir=$tmp/root/usr/include|" \
		"$pcdir/qkdchip.pc"
	flags=$(PKG_CONFIG_PATH=$pcdir pkg-config --cflags --libs qkdchip)
	# shellcheck disable=SC2086
	if $cc -std=c11 ${SANFLAGS:-} -o "$tmp/prog" "$tmp/prog.c" $flags 2>"$tmp/cc.log" &&
		[ "$(LD_LIBRARY_PATH=$tmp/root/usr/lib "$tmp/prog")" = server ] &&
		LD_LIBRARY_PATH=$tmp/root/usr/lib ldd "$tmp/prog" | grep -q 'libqkdchip.so.0 =>'; then
		ok pkg_config_build
	else
		sed 's/^/# /' "$tmp/cc.log"
		fail pkg_config_build
	fi
else
	sed 's/^/# /' "$tmp/install.log"
	fail pkg_config_build
fi
exit $rc

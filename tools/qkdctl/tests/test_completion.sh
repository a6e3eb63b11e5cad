#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The bash completion of qkdctl, in KTAP: what it offers after a given command line
# (no card needed: device names come from /dev, which the checks avoid).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=/dev/null
source "$here/qkdctl.bash-completion"
_qkdctl_devs() { echo "qkdchip0 qkdchip1"; }	# fixed cards for the test

n=0 rc=0
# check "WANT" WORD...: complete the last WORD of "qkdctl WORD..."
check() {
	local want=$1 got
	shift
	COMP_WORDS=(qkdctl "$@")
	COMP_CWORD=$(($# ))
	COMPREPLY=()
	_qkdctl
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//')
	want=$(printf '%s\n' $want | sort | tr '\n' ' ' | sed 's/ $//')
	n=$((n + 1))
	if [ "$got" = "$want" ]; then
		echo "ok $n qkdctl $*"
	else
		echo "# want: '$want'"
		echo "# got:  '$got'"
		echo "not ok $n qkdctl $*"
		rc=1
	fi
}

echo "TAP version 13"
echo "1..15"
check "dev decode detector" "de"
check "laser" "la"
check "--json --pretty --verbose --version --help" "--"
check "table tagger tags" "-j" "ta"
check "list show set help" "dev" ""
check "qkdchip0 qkdchip1" "laser" "set" ""
check "current on off lock-loop" "laser" "set" "qkdchip0" ""
check "on off" "laser" "set" "qkdchip0" "lock-loop" ""
check "im1 im2 im3 pm1 pmref 0 1 2 3 4 5 6 7" "modulator" "set" "qkdchip1" "channel" ""
check "internal ext-10m-pps" "clock" "set" "qkdchip0" "source" ""
check "c2h pat" "stream" "stop" "qkdchip0" ""
check "switch" "table" "load" "qkdchip1" "x.table" ""
check "csv binary" "tags" "qkdchip0" "--format" ""
check "--test-pattern" "tags" "qkdchip0" "--t"
check "" "laser" "set" "qkdchip0" "current" ""
exit $rc

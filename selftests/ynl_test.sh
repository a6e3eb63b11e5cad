#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# The kernel's own YNL tooling (tools/net/ynl from linux-source, in the testbed root at
# /opt/linux-tools) drives the qkdchip family with our YAML spec, and lm-sensors finds
# the cards' temperatures through hwmon. KTAP on stdout. Run from the repository root
# in the guest (selftests/run_tests.sh does).
YNL="python3 /opt/linux-tools/tools/net/ynl/cli.py"
SPEC=Documentation/netlink/specs/qkdchip.yaml
SCHEMA=/opt/linux-tools/Documentation/netlink/genetlink-c.yaml
TMP=$(mktemp -d)
n=0 failed=0

result() { # NAME STATUS
	n=$((n + 1))
	if [ "$2" = 0 ]; then
		echo "ok $n $1"
	else
		echo "not ok $n $1"
		failed=1
	fi
}

ctl() { # a command to the emulator's control channel (no reply needed)
	printf '#ynl %s\n' "$*" >/dev/virtio-ports/qkdemu.control
}

echo "TAP version 13"
echo "1..5"

# 1. dump every card; the result is JSON with each card's name and role
$YNL --spec $SPEC --schema $SCHEMA --dump dev-get --output-json >"$TMP/dump.json" 2>"$TMP/err"
st=$?
[ $st = 0 ] && python3 - "$TMP/dump.json" <<'EOF'
import json, os, sys
devs = json.load(open(sys.argv[1]))
names = sorted(d["name"] for d in devs)
want = sorted(os.listdir("/sys/class/qkdchip"))
assert names == want, (names, want)
for d in devs:
    assert d["role"] in ("client", "server"), d["role"]
    assert "status" in d and "stats" in d and "temp" in d
    if d["role"] == "client":
        assert len(d["modulator"]) == 5 and "laser" in d
    else:
        assert len(d["detector"]) == 4 and "comb" in d
print("# ynl dump: " + ", ".join("%s %s serial %#x" % (d["name"], d["role"], d["serial"]) for d in devs))
EOF
st=$?
[ $st = 0 ] || cat "$TMP/err" | sed 's/^/# /'
result ynl_dump_dev_get $st

# 2. get one card by index
idx=$(ls /sys/class/qkdchip | head -n 1 | sed 's/qkdchip//')
$YNL --spec $SPEC --schema $SCHEMA --do dev-get --json "{\"index\": $idx}" --output-json \
	>"$TMP/get.json" 2>"$TMP/err" &&
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['index']==$idx" "$TMP/get.json"
st=$?
[ $st = 0 ] || cat "$TMP/err" | sed 's/^/# /'
result ynl_do_dev_get $st

# 3. a bad request: the kernel's extended ACK reaches YNL
$YNL --spec $SPEC --schema $SCHEMA --do dev-get --json '{"index": 63}' >"$TMP/out" 2>&1
grep -q "no such card" "$TMP/out"
st=$?
[ $st = 0 ] || sed 's/^/# /' "$TMP/out"
result ynl_extack_message $st

# 4. an event: subscribe, inject an over-temperature on card 0, see it arrive
# (YNL joins the group once it has loaded the spec, which takes a while under TCG: wait
# until a generic netlink socket has group 15 or any group bit set, then inject.)
before=$(awk '$2 == 16 && $4 != "00000000"' /proc/net/netlink | wc -l)
$YNL --spec $SPEC --schema $SCHEMA --subscribe events --sleep 10 --output-json \
	>"$TMP/events" 2>&1 &
pid=$!
i=0
while [ $i -lt 300 ] &&
	[ "$(awk '$2 == 16 && $4 != "00000000"' /proc/net/netlink | wc -l)" -le "$before" ]; do
	sleep 0.1
	i=$((i + 1))
done
ctl "fault 0 over-temp fpga"
wait $pid
ctl "temp 0 fpga auto"
grep -q '"over-temp"' "$TMP/events"
st=$?
sed -n '1,4s/^/# ynl event: /p' "$TMP/events"
result ynl_subscribe_event $st

# 5. lm-sensors lists the cards' temperatures (hwmon)
sensors >"$TMP/sensors" 2>&1
grep -q '^qkdchip-' "$TMP/sensors" && grep -q '^chip:' "$TMP/sensors" &&
	grep -q '^board:' "$TMP/sensors" && grep -q '^fpga:' "$TMP/sensors"
st=$?
sed -n '1,6s/^/# sensors: /p' "$TMP/sensors"
result sensors_shows_temperatures $st

rm -rf "$TMP"
exit $failed

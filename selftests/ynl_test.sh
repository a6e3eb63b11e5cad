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
QKDCTL=build/selftests/userspace/qkdctl/qkdctl
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
echo "1..6"

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

# 4. events: a lost comb lock (injected) reaches the YNL subscriber. The fault waits for
# the comb to lock, so the events are lock-acquired then lock-lost.
srv=$(grep -l '^server$' /sys/class/qkdchip/qkdchip*/role | head -n 1 |
	sed 's|.*/qkdchip\([0-9]*\)/role|\1|')
emu_srv=0	# the standard network's card 0 is the server
# (YNL joins the group once it has loaded the spec, which takes a while under TCG: wait
# until one more generic netlink socket has joined a group, then act.)
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
ctl "fault $emu_srv lock-lost"
# switched on with qkdctl, which starts in milliseconds (a second YNL process would
# spend most of the subscriber's window loading the spec under TCG)
$QKDCTL comb set $srv pump 355mA on lock-loop on >"$TMP/set" 2>&1
st=$?
wait $pid
$QKDCTL comb set $srv off lock-loop off >/dev/null 2>&1
[ $st = 0 ] && python3 - "$TMP/events" "$srv" <<'EOF'
import json, sys
events = [e["msg"] for e in json.load(open(sys.argv[1])) if e["name"] == "event"]
srv = int(sys.argv[2])
codes = [e["code"] for e in events if e["dev-index"] == srv and e["code"].startswith("lock-")]
assert codes[:2] == ["lock-acquired", "lock-lost"], events
print("# ynl events: " + json.dumps([e for e in events if e["dev-index"] == srv][:3]))
EOF
st=$?
[ $st = 0 ] || sed 's/^/# /' "$TMP/set" "$TMP/events"
result ynl_subscribe_lock_lost $st

# 5. dev-set through YNL writes the register (read back through the emulator)
$YNL --spec $SPEC --schema $SCHEMA --do dev-set \
	--json "{\"index\": $srv, \"tagger\": {\"deadtime-ns\": 77}}" >"$TMP/set" 2>&1 &&
	$YNL --spec $SPEC --schema $SCHEMA --do dev-get --json "{\"index\": $srv}" \
		--output-json >"$TMP/get.json" 2>&1 &&
	python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['tagger']['deadtime-ns']==77, d['tagger']" "$TMP/get.json"
st=$?
[ $st = 0 ] || sed 's/^/# /' "$TMP/set" "$TMP/get.json"
result ynl_do_dev_set $st

# 6. lm-sensors lists the cards' temperatures (hwmon)
sensors >"$TMP/sensors" 2>&1
grep -q '^qkdchip-' "$TMP/sensors" && grep -q '^chip:' "$TMP/sensors" &&
	grep -q '^board:' "$TMP/sensors" && grep -q '^fpga:' "$TMP/sensors"
st=$?
sed -n '1,6s/^/# sensors: /p' "$TMP/sensors"
result sensors_shows_temperatures $st

rm -rf "$TMP"
exit $failed

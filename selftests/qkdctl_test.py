#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
#
# qkdctl against the emulated cards, in the guest (KTAP on stdout). It checks what
# qkdctl shows and sets against the emulator's registers, read through its control
# channel (the virtio port "qkdemu.control", as qk_ctl() in qkdchip_util.c does):
#
#  - dev list / dev show: identity, PCI link and every setting, as JSON;
#  - every set command: valid values reach the registers; out-of-range, missing and
#    unknown arguments are refused (exit 2) and change nothing; the other role's
#    settings and missing channels are refused by the kernel (exit 1, its message);
#  - without CAP_NET_ADMIN: set refused (exit 4), show works;
#  - table load: a good table becomes active (CRC and size in the registers); malformed
#    ones are refused with line and column and leave the active table as it was;
#  - monitor: the comb's lock events, caused through the control channel;
#  - tags: the test pattern, record by record against the documented formula, through
#    the mapped ring and through read(), as CSV, binary + decode and JSON; stream stop;
#  - stats: ioctl and netlink, as JSON.
#
# Run by selftests/run_tests.sh from the repository root; qkdctl is the one the
# selftests Makefile built in the testbed root (build/selftests/userspace/qkdctl/qkdctl),
# or $QKDCTL.
import glob
import json
import os
import select
import signal
import struct
import subprocess
import sys
import tempfile
import time
import traceback
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
QKDCTL = os.environ.get("QKDCTL", os.path.join(HERE, "userspace", "qkdctl", "qkdctl"))
PORT = "qkdemu.control"

# Registers (Documentation/hw/registers.rst)
REG = {
    "VERSION": 0x0004, "ROLE": 0x0008, "FEATURES": 0x000c, "SERIAL_LO": 0x0010,
    "SERIAL_HI": 0x0014, "FW_BUILD": 0x0018, "FW_DATE": 0x001c, "CAP_SLOT_RATE": 0x0024,
    "STATUS": 0x0084, "FRAME_LOG2": 0x0090, "HEARTBEAT_US": 0x009c, "CLOCK_CTRL": 0x00a0,
    "TABLE_STATUS": 0x2010, "TABLE_ACTIVE_CRC": 0x2014, "TABLE_ACTIVE_SYMS": 0x2018,
    "LASER_CURRENT_UA": 0x3000, "LASER_CTRL": 0x3004, "VOA_MDB": 0x3040,
    "TEC_SETPOINT_MC": 0x3044, "TEC_CTRL": 0x3048, "TEMP_CRIT_MC": 0x308c,
    "COMB_PUMP_UA": 0x3100, "COMB_CTRL": 0x3104, "TAG_DEADTIME_NS": 0x3280,
    "REF_WINDOW_LOG2": 0x3284,
}


def MOD_BIAS(ch): return 0x3020 + 4 * ch
def DET_BIAS(ch): return 0x3200 + 4 * ch
def TAG_DELAY(ch): return 0x3260 + 4 * ch


def s32(v):
    return v - (1 << 32) if v & 0x80000000 else v


class Control:
    """The emulator's control channel: one tagged request, one reply."""

    def __init__(self):
        path = "/dev/virtio-ports/" + PORT
        if not os.path.exists(path):
            path = None
            for d in glob.glob("/sys/class/virtio-ports/*"):
                try:
                    if open(d + "/name").read().strip() == PORT:
                        path = "/dev/" + os.path.basename(d)
                except OSError:
                    pass
        if not path:
            raise RuntimeError("no control port " + PORT)
        self.fd = os.open(path, os.O_RDWR)
        self.seq = 0
        self.buf = b""

    def cmd(self, line):
        self.seq += 1
        tag = "#py%d-%d" % (os.getpid(), self.seq)
        os.write(self.fd, ("%s %s\n" % (tag, line)).encode())
        end = time.monotonic() + 10
        while True:
            while b"\n" in self.buf:
                ln, self.buf = self.buf.split(b"\n", 1)
                ln = ln.decode(errors="replace")
                if ln.startswith(tag + " "):
                    reply = ln[len(tag) + 1:]
                    if not reply.startswith("ok"):
                        raise RuntimeError("control: %s -> %s" % (line, reply))
                    return reply[2:].strip()
            left = end - time.monotonic()
            if left <= 0:
                raise RuntimeError("control: no reply to " + line)
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                self.buf += os.read(self.fd, 4096)

    def reg(self, card, off, value=None):
        if value is not None:
            self.cmd("reg %d 0x%x %d" % (card, off, value & 0xffffffff))
            return None
        return int(self.cmd("reg %d 0x%x" % (card, off)), 16)


def qkdctl(*args, unprivileged=False, stdin=None, timeout=60):
    cmd = [QKDCTL] + [str(a) for a in args]
    if unprivileged:
        cmd = ["setpriv", "--inh-caps=-all", "--bounding-set=-net_admin", "--"] + cmd
    p = subprocess.run(cmd, stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def one_error_line(err):
    assert err.count("\n") == 1 and err.startswith("qkdctl: "), "stderr: %r" % err


# ---- the cards ---------------------------------------------------------------------------

ctl = Control()
CARDS = {}      # role -> {"emu": emulator card, "index": N, "name": "qkdchipN"}


def find_cards():
    n = int(ctl.cmd("cards"))
    for emu in range(n):
        info = dict(kv.split("=") for kv in ctl.cmd("info %d" % emu).split()[1:])
        serial = int(info["serial"], 16)
        for d in glob.glob("/sys/class/qkdchip/qkdchip*"):
            if int(open(d + "/serial").read().strip(), 16) == serial:
                idx = int(os.path.basename(d)[7:])
                CARDS.setdefault(info["role"], {"emu": emu, "index": idx,
                                                "name": "qkdchip%d" % idx, "serial": serial})


def card(role):
    if role not in CARDS:
        raise AssertionError("no %s card (cards: %s)" % (role, CARDS))
    return CARDS[role]


def reg(role, name_or_off, value=None):
    off = REG[name_or_off] if isinstance(name_or_off, str) else name_or_off
    return ctl.reg(card(role)["emu"], off, value)


def show(role):
    rc, out, err = qkdctl("-j", "dev", "show", card(role)["name"])
    assert rc == 0, err
    d = json.loads(out)
    assert isinstance(d, list) and len(d) == 1, out
    return d[0]


# ---- tests -----------------------------------------------------------------------------

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


@test
def qkdctl_built():
    rc, out, err = qkdctl("--version")
    assert rc == 0 and out.startswith("qkdctl "), (rc, out, err)
    find_cards()
    card("client")
    card("server")


@test
def dev_list():
    rc, out, err = qkdctl("-j", "dev", "list")
    assert rc == 0, err
    cards = {c["name"]: c for c in json.loads(out)}
    for role in ("client", "server"):
        c = cards[card(role)["name"]]
        assert c["role"] == role, c
        assert int(c["serial"], 16) == card(role)["serial"], c
        assert c["devnode"] == "/dev/" + card(role)["name"], c
        pci = c["pci"]
        assert (pci["vendor"], pci["device"]) == ("0x1fc5", "0x0001"), pci
        sysdev = "/sys/class/qkdchip/%s/device" % card(role)["name"]
        assert os.path.basename(os.readlink(sysdev)) == c["bus-name"], c
        # the link as the kernel sees it (none for a root complex integrated endpoint,
        # which is what QEMU's q35 makes of a card on its root bus)
        speed = open(sysdev + "/current_link_speed").read().split()[0]
        width = int(open(sysdev + "/current_link_width").read())
        if speed == "Unknown":
            assert "link-speed" not in pci and width == 0, (pci, speed, width)
        else:
            assert pci["link-speed"] == speed + " GT/s" and pci["link-width"] == width, pci
    rc, out, err = qkdctl("dev", "list")
    assert rc == 0 and card("client")["name"] in out, (out, err)


@test
def dev_show_matches_registers():
    for role in ("client", "server"):
        d = show(role)
        ver = reg(role, "VERSION")
        assert d["hw-version"] == "%d.%d.%d" % (ver >> 24, (ver >> 16) & 0xff, ver & 0xffff), d
        serial = reg(role, "SERIAL_HI") << 32 | reg(role, "SERIAL_LO")
        assert int(d["serial"], 16) == serial, d
        assert d["role"] == {1: "client", 2: "server"}[reg(role, "ROLE")]
        feats = reg(role, "FEATURES")
        names = ["c2h", "h2c-table", "h2c-pattern", "card-seeded", "tagger", "comb", "laser",
                 "ext-clock"]
        assert d["features"] == [names[i] for i in range(8) if feats >> i & 1], d
        assert d["fw-build"] == reg(role, "FW_BUILD")
        assert d["fw-date"] == "%04x-%02x-%02x" % (reg(role, "FW_DATE") >> 16,
                                                   reg(role, "FW_DATE") >> 8 & 0xff,
                                                   reg(role, "FW_DATE") & 0xff)
        assert d["slot-rate-khz"] == reg(role, "CAP_SLOT_RATE")
        assert d["frame-log2"] == reg(role, "FRAME_LOG2")
        assert d["heartbeat-us"] == reg(role, "HEARTBEAT_US")
        assert d["temp-crit-mc"] == s32(reg(role, "TEMP_CRIT_MC"))
        assert d["clock"]["source"] == ["internal", "ext-10m-pps"][reg(role, "CLOCK_CTRL") & 1]
        assert d["status"]["ready"] == bool(reg(role, "STATUS") & 1)
        assert {t["sensor"] for t in d["temp"]} == {"chip", "board", "fpga"}, d["temp"]
        assert len(d["stats"]) == 22, d["stats"]
    c = show("client")
    assert c["laser"]["current-ua"] == reg("client", "LASER_CURRENT_UA")
    assert c["laser"]["on"] == bool(reg("client", "LASER_CTRL") & 1)
    assert c["laser"]["lock-loop"] == bool(reg("client", "LASER_CTRL") & 2)
    assert [m["bias-mv"] for m in c["modulator"]] == \
        [s32(reg("client", MOD_BIAS(m["channel"]))) for m in c["modulator"]]
    assert len(c["modulator"]) == 5, c["modulator"]
    assert c["voa-mdb"] == reg("client", "VOA_MDB")
    assert c["tec"]["setpoint-mc"] == s32(reg("client", "TEC_SETPOINT_MC"))
    assert "comb" not in c and "detector" not in c and "tagger" not in c, c
    s = show("server")
    assert s["comb"]["pump-ua"] == reg("server", "COMB_PUMP_UA")
    assert len(s["detector"]) == 4, s["detector"]
    for det in s["detector"]:
        assert det["bias-ua"] == reg("server", DET_BIAS(det["channel"]))
        assert det["delay-ps"] == s32(reg("server", TAG_DELAY(det["channel"])))
    assert s["tagger"] == {"deadtime-ns": reg("server", "TAG_DEADTIME_NS"),
                           "ref-window-log2": reg("server", "REF_WINDOW_LOG2")}, s
    assert "laser" not in s and "modulator" not in s, s
    for role in ("client", "server"):
        rc, out, err = qkdctl("dev", "show", card(role)["name"])
        assert rc == 0 and out.startswith(card(role)["name"] + ": " + role), (out, err)


# (role, command words after DEV, {register: expected value})
VALID_SETS = [
    ("client", ["laser", "set", None, "current", "75.5mA", "on", "lock-loop", "off"],
     {"LASER_CURRENT_UA": 75500, "LASER_CTRL": 1}),
    ("client", ["laser", "set", None, "lock-loop", "on", "off"], {"LASER_CTRL": 2}),
    ("client", ["laser", "set", None, "current", "0", "lock-loop", "off"],
     {"LASER_CURRENT_UA": 0, "LASER_CTRL": 0}),
    ("client", ["modulator", "set", None, "channel", "pm1", "bias", "-2.5V", "channel", "pmref",
                "bias", "1200"], {MOD_BIAS(3): -2500, MOD_BIAS(4): 1200}),
    ("client", ["modulator", "set", None, "channel", "0", "bias", "10V"], {MOD_BIAS(0): 10000}),
    ("client", ["voa", "set", None, "atten", "12.5dB"], {"VOA_MDB": 12500}),
    ("client", ["tec", "set", None, "setpoint", "25.5C", "on"],
     {"TEC_SETPOINT_MC": 25500, "TEC_CTRL": 1}),
    ("client", ["tec", "set", None, "off"], {"TEC_CTRL": 0}),
    ("client", ["dev", "set", None, "temp-crit", "65C", "frame-log2", "18", "heartbeat", "2ms"],
     {"TEMP_CRIT_MC": 65000, "FRAME_LOG2": 18, "HEARTBEAT_US": 2000}),
    ("client", ["dev", "set", None, "frame-log2", "20", "heartbeat", "1000"],
     {"FRAME_LOG2": 20, "HEARTBEAT_US": 1000}),
    ("client", ["clock", "set", None, "source", "ext-10m-pps"], {"CLOCK_CTRL": 1}),
    ("client", ["clock", "set", None, "source", "internal"], {"CLOCK_CTRL": 0}),
    ("server", ["comb", "set", None, "pump", "300mA", "off", "lock-loop", "off"],
     {"COMB_PUMP_UA": 300000, "COMB_CTRL": 0}),
    ("server", ["detector", "set", None, "channel", "1", "bias", "20", "delay", "-1.5ns",
                "channel", "2", "delay", "2us"],
     {DET_BIAS(1): 20, TAG_DELAY(1): -1500, TAG_DELAY(2): 2000000}),
    ("server", ["tagger", "set", None, "deadtime", "1.5us", "ref-window", "20"],
     {"TAG_DEADTIME_NS": 1500, "REF_WINDOW_LOG2": 20}),
    ("server", ["tagger", "set", None, "deadtime", "50", "ref-window", "17"],
     {"TAG_DEADTIME_NS": 50, "REF_WINDOW_LOG2": 17}),
    ("server", ["dev", "set", None, "temp-crit", "70000"], {"TEMP_CRIT_MC": 70000}),
    # back to the reset values, for the tests that follow
    ("client", ["dev", "set", None, "temp-crit", "70C"], {"TEMP_CRIT_MC": 70000}),
    ("client", ["modulator", "set", None, "channel", "im1", "bias", "0", "channel", "pm1",
                "bias", "0", "channel", "pmref", "bias", "0"],
     {MOD_BIAS(0): 0, MOD_BIAS(3): 0, MOD_BIAS(4): 0}),
    ("client", ["voa", "set", None, "atten", "0dB"], {"VOA_MDB": 0}),
    ("client", ["tec", "set", None, "setpoint", "25C", "off"],
     {"TEC_SETPOINT_MC": 25000, "TEC_CTRL": 0}),
    ("server", ["detector", "set", None, "channel", "1", "bias", "0", "delay", "0", "channel",
                "2", "delay", "0"], {DET_BIAS(1): 0, TAG_DELAY(1): 0, TAG_DELAY(2): 0}),
]


def words(role, cmd):
    return [card(role)["name"] if w is None else w for w in cmd]


def snapshot(role, regs):
    return {r: reg(role, r) for r in regs}


@test
def set_valid():
    for role, cmd, want in VALID_SETS:
        rc, out, err = qkdctl(*words(role, cmd))
        assert rc == 0 and not out and not err, (cmd, rc, out, err)
        for r, v in want.items():
            got = reg(role, r)
            if r in ("LASER_CTRL", "TEC_CTRL", "COMB_CTRL", "CLOCK_CTRL"):
                got &= 3 if r != "TEC_CTRL" else 1
            assert s32(got) == v if v < 0 else got == v, (cmd, r, got, v)
    # and dev show reports what was set
    s = show("server")
    assert s["tagger"] == {"deadtime-ns": 50, "ref-window-log2": 17}, s["tagger"]
    assert [d["delay-ps"] for d in s["detector"] if d["channel"] == 2] == [0]
    c = show("client")
    assert c["voa-mdb"] == 0 and c["tec"] == {"setpoint-mc": 25000, "on": False}, c


# (role, command, expected exit status, a piece of the message)
BAD_SETS = [
    ("client", ["laser", "set", None, "current", "200.001mA"], 2, "out of range (0..200000 uA)"),
    ("client", ["laser", "set", None, "current"], 2, "'current' needs a value"),
    ("client", ["laser", "set", None, "brightness", "3"], 2, "unknown argument 'brightness'"),
    ("client", ["laser", "set", None], 2, "nothing to set"),
    ("client", ["modulator", "set", None, "channel", "pm1", "bias", "-10001"], 2,
     "out of range (-10000..10000 mV)"),
    ("client", ["modulator", "set", None, "channel", "pm9", "bias", "1"], 2,
     "unknown modulator channel 'pm9'"),
    ("client", ["voa", "set", None, "atten", "61dB"], 2, "out of range (0..60000 mdB)"),
    ("client", ["tec", "set", None, "setpoint", "50C"], 2, "out of range (15000..45000 mC)"),
    ("client", ["dev", "set", None, "frame-log2", "31"], 2, "out of range (10..30)"),
    ("client", ["dev", "set", None, "heartbeat", "2s"], 2, "out of range (0..1000000 us)"),
    ("client", ["dev", "set", None, "temp-crit", "101C"], 2, "out of range (30000..100000 mC)"),
    ("client", ["clock", "set", None, "source", "gps"], 2, "unknown clock source 'gps'"),
    ("server", ["comb", "set", None, "pump", "0.6A"], 2, "out of range (0..500000 uA)"),
    ("server", ["detector", "set", None, "channel", "0", "bias", "31"], 2,
     "out of range (0..30 uA)"),
    ("server", ["detector", "set", None, "channel", "0", "delay", "2.5us"], 2,
     "out of range (-2000000..2000000 ps)"),
    ("server", ["detector", "set", None, "channel", "0"], 2, "nothing to set"),
    ("server", ["tagger", "set", None, "deadtime", "5"], 2, "out of range (10..100000 ns)"),
    ("server", ["tagger", "set", None, "ref-window", "9"], 2, "out of range (10..24)"),
    # what the card does not have: the kernel says no
    ("server", ["laser", "set", None, "on"], 1, ""),
    ("server", ["modulator", "set", None, "channel", "0", "bias", "1"], 1, ""),
    ("server", ["voa", "set", None, "atten", "1"], 1, ""),
    ("server", ["tec", "set", None, "on"], 1, ""),
    ("client", ["comb", "set", None, "on"], 1, ""),
    ("client", ["detector", "set", None, "channel", "0", "bias", "1"], 1, ""),
    ("client", ["tagger", "set", None, "deadtime", "100"], 1, ""),
    ("server", ["detector", "set", None, "channel", "5", "bias", "1"], 1, ""),
    ("client", ["modulator", "set", None, "channel", "6", "bias", "1"], 1, ""),
]

WATCH = {
    "client": ["LASER_CURRENT_UA", "LASER_CTRL", MOD_BIAS(0), MOD_BIAS(3), MOD_BIAS(6),
               "VOA_MDB", "TEC_SETPOINT_MC", "TEC_CTRL", "FRAME_LOG2", "HEARTBEAT_US",
               "TEMP_CRIT_MC", "CLOCK_CTRL"],
    "server": ["COMB_PUMP_UA", "COMB_CTRL", DET_BIAS(0), DET_BIAS(5), TAG_DELAY(0),
               "TAG_DEADTIME_NS", "REF_WINDOW_LOG2", "TEMP_CRIT_MC"],
}


@test
def set_refused_changes_nothing():
    before = {role: snapshot(role, WATCH[role]) for role in WATCH}
    for role, cmd, status, piece in BAD_SETS:
        rc, out, err = qkdctl(*words(role, cmd))
        assert rc == status, (cmd, rc, err)
        assert not out, (cmd, out)
        one_error_line(err)
        assert piece in err, (cmd, err)
        if status == 1:     # the kernel's extended ACK names the problem
            assert card(role)["name"] + ": " in err, (cmd, err)
    for role in WATCH:
        assert snapshot(role, WATCH[role]) == before[role], role
    # the kernel's extended ACK reaches the user, naming the attribute it points at
    rc, out, err = qkdctl("laser", "set", card("server")["name"], "on")
    assert err.startswith("qkdctl: %s: laser: " % card("server")["name"]), err
    rc, out, err = qkdctl("detector", "set", card("server")["name"], "channel", "5", "bias", "1")
    assert err.startswith("qkdctl: %s: detector.channel: " % card("server")["name"]), err


@test
def unprivileged():
    before = snapshot("client", ["LASER_CURRENT_UA", "VOA_MDB"])
    rc, out, err = qkdctl("laser", "set", card("client")["name"], "current", "10mA",
                          unprivileged=True)
    assert rc == 4, (rc, err)
    one_error_line(err)
    assert "CAP_NET_ADMIN" in err or "not permitted" in err, err
    rc, out, err = qkdctl("voa", "set", card("client")["name"], "atten", "1dB", unprivileged=True)
    assert rc == 4, (rc, err)
    rc, out, err = qkdctl("stream", "stop", card("server")["name"], "c2h", unprivileged=True)
    assert rc == 4, (rc, err)
    assert snapshot("client", ["LASER_CURRENT_UA", "VOA_MDB"]) == before
    # reading works without the capability
    rc, out, err = qkdctl("-j", "dev", "show", unprivileged=True)
    assert rc == 0, err
    assert len(json.loads(out)) >= 2
    rc, out, err = qkdctl("-j", "stats", card("server")["name"], "--netlink",
                          unprivileged=True)
    assert rc == 0 and "c2h-records" in json.loads(out)["stats"], err


def table_text(symbols, hot=None, channels=5, samples=8):
    """A table for the emulated client; hot = (symbol, channel name, value) for sample 2."""
    names = ["im1", "im2", "im3", "pm1", "pmref"]
    lines = ["# qkdctl_test", "qkdchip-table 1", "symbols %d" % symbols,
             "channels %d" % channels, "samples %d" % samples]
    vals = {}
    for s in range(symbols):
        lines.append("symbol %d" % s)
        for c in range(channels):
            row = [(s * 131 + c * 17 + i * 7) % 4001 - 2000 for i in range(samples)]
            if hot and hot[0] == s and hot[1] == names[c]:
                row[2] = hot[2]
            vals[(s, c)] = row
            lines.append("  %s %s" % (names[c] if c < 5 else c, " ".join(map(str, row))))
    return "\n".join(lines) + "\n", vals


def write_tmp(text):
    f = tempfile.NamedTemporaryFile("w", suffix=".table", delete=False, dir="/tmp")
    f.write(text)
    f.close()
    return f.name


@test
def table_load():
    dev = card("client")["name"]
    text, vals = table_text(4)
    good = write_tmp(text)
    rc, out, err = qkdctl("-j", "table", "load", dev, good, "switch")
    assert rc == 0, err
    res = json.loads(out)
    data = b"".join(struct.pack("<8h", *vals[(s, c)]) for s in range(4) for c in range(5))
    crc = zlib.crc32(data)
    assert res["crc32"] == crc and res["switched"] is True, (res, crc)
    assert reg("client", "TABLE_ACTIVE_CRC") == crc
    assert reg("client", "TABLE_ACTIVE_SYMS") == 4
    active = snapshot("client", ["TABLE_ACTIVE_CRC", "TABLE_ACTIVE_SYMS"])
    switches = reg("client", "TABLE_STATUS") >> 16

    bad = [
        (table_text(4)[0].replace("symbol 2\n  im1", "symbol 2\n  im9"),
         "line 19, column 3: unknown channel 'im9'"),
        (table_text(3, channels=4)[0], "line 4, column 10: 4 channels, but the card has 5 DAC channels"),
        (table_text(3, samples=4)[0], "line 5, column 9: 4 samples per slot, but the card plays 8"),
        (table_text(4, hot=(1, "pm1", 9000))[0],
         "line 16, column 19: sample 9000 is outside the card's 14-bit DAC range -8192..8191"),
        (table_text(4)[0].replace("symbol 3\n", "symbol 2\n"),
         "line 24, column 1: symbol 2 appears twice (first on line 18)"),
        ("qkdchip-table 1\nsymbols 1\n", "line 3, column 1: end of text: 'channels' is missing"),
    ]
    for text, msg in bad:
        path = write_tmp(text)
        for extra in ([], ["switch"]):
            rc, out, err = qkdctl("table", "load", dev, path, *extra)
            assert rc == 2, (msg, rc, err)
            one_error_line(err)
            assert "%s: %s" % (path, msg) in err, (msg, err)
        os.unlink(path)
    # the server card has no table engine; and a load needs CAP_NET_ADMIN
    rc, out, err = qkdctl("table", "load", card("server")["name"], good)
    assert rc == 1 and "no waveform table engine" in err, (rc, err)
    rc, out, err = qkdctl("table", "load", dev, good, "switch", unprivileged=True)
    assert rc == 4, (rc, err)
    assert snapshot("client", ["TABLE_ACTIVE_CRC", "TABLE_ACTIVE_SYMS"]) == active
    assert reg("client", "TABLE_STATUS") >> 16 == switches
    # check against the card, offline and online
    rc, out, err = qkdctl("table", "check", good, dev)
    assert rc == 0 and "fits" in out, err
    os.unlink(good)


@test
def monitor_lock_events():
    """The comb's lock events, caused through the control channel, reach 'monitor'."""
    dev = card("server")["name"]
    rc, _, err = qkdctl("comb", "set", dev, "pump", "355mA", "off", "lock-loop", "off")
    assert rc == 0, err
    p = subprocess.Popen([QKDCTL, "-v", "-j", "monitor", dev, "--timeout", "60"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    events = []
    try:
        # wait until it listens (it says so with -v)
        line = b""
        end = time.monotonic() + 10
        while b"listening" not in line:
            r, _, _ = select.select([p.stderr], [], [], max(0, end - time.monotonic()))
            assert r, "monitor did not start listening: %r" % line
            chunk = os.read(p.stderr.fileno(), 256)
            assert chunk, "monitor exited: %r" % line
            line += chunk
        # a lost lock, pending until the comb locks; then lock the comb
        ctl.cmd("fault %d lock-lost" % card("server")["emu"])
        rc, _, err = qkdctl("comb", "set", dev, "on", "lock-loop", "on")
        assert rc == 0, err
        # read events until the comb has locked and lost its lock (other events of the
        # card may come as well)
        buf = b""
        end = time.monotonic() + 30
        names = []
        while "lock-lost" not in names:
            r, _, _ = select.select([p.stdout], [], [], max(0, end - time.monotonic()))
            assert r, "no lock-lost event: %r" % events
            chunk = os.read(p.stdout.fileno(), 4096)
            assert chunk, "monitor exited: %r" % events
            buf += chunk
            while b"\n" in buf:
                ln, buf = buf.split(b"\n", 1)
                events.append(json.loads(ln))
                names = [e["event"] for e in events]
        p.send_signal(signal.SIGINT)        # Ctrl-C ends it cleanly
        _, err = p.communicate(timeout=20)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 0, (p.returncode, err)
    locks = [(e["event"], e["arg"], e["name"], e["dev-index"]) for e in events
             if e["event"].startswith("lock-")]
    assert locks[:2] == [("lock-acquired", 1, dev, card("server")["index"]),
                         ("lock-lost", 1, dev, card("server")["index"])], events
    acq = [e for e in events if e["event"] == "lock-acquired"][0]
    lost = [e for e in events if e["event"] == "lock-lost"][0]
    assert acq["slot"] <= lost["slot"], events
    assert all(e["name"] == dev for e in events), events
    rc, _, err = qkdctl("comb", "set", dev, "off", "lock-loop", "off")
    assert rc == 0, err


def mix64(z):
    m = (1 << 64) - 1
    z ^= z >> 30
    z = (z * 0xbf58476d1ce4e5b9) & m
    z ^= z >> 27
    z = (z * 0x94d049bb133111eb) & m
    return z ^ (z >> 31)


def test_record(seed, n):
    """Documentation/hw/streams.rst, the test pattern."""
    h = mix64((seed + (n + 1) * 0x9e3779b97f4a7c15) & ((1 << 64) - 1))
    return 1 << 60 | (h >> 62) << 56 | ((h >> 61) & 1) << 55 | (h & 0xfff) << 40 | \
        (n % (1 << 40))


def check_csv(out, seed, count):
    lines = out.splitlines()
    assert lines[0].startswith("type,slot,channel,ref,fine_ps,"), lines[0]
    cols = lines[0].split(",")
    assert len(lines) == count + 1, len(lines)
    for n, ln in enumerate(lines[1:]):
        f = dict(zip(cols, ln.split(",")))
        raw = test_record(seed, n)
        assert int(f["raw"], 16) == raw, (n, ln, hex(raw))
        assert f["type"] == "tag" and int(f["slot"]) == n, (n, ln)
        assert int(f["channel"]) == raw >> 56 & 0xf and int(f["ref"]) == raw >> 55 & 1, ln
        assert int(f["fine_ps"]) == raw >> 40 & 0xfff, ln


@test
def tags_test_pattern():
    dev = card("server")["name"]
    rc, out, err = qkdctl("tags", dev, "--test-pattern", "200000", "--seed", "7", "--count",
                          "3000")
    assert rc == 0, err
    check_csv(out, 7, 3000)
    # the read() path, checked by qkdctl itself as well
    rc, out, err = qkdctl("tags", dev, "--test-pattern", "500000", "--seed", "99", "--count",
                          "5000", "--read", "--verify")
    assert rc == 0, err
    assert "verified 5000 test records: 0 lost, 0 wrong" in err, err
    check_csv(out, 99, 5000)
    # binary, then decode
    with tempfile.NamedTemporaryFile(dir="/tmp") as f:
        rc = subprocess.run([QKDCTL, "tags", dev, "--test-pattern", "500000", "--seed", "5",
                             "--count", "2000", "--format", "binary"], stdout=f,
                            stderr=subprocess.PIPE, timeout=60)
        assert rc.returncode == 0, rc.stderr
        f.flush()
        raw = open(f.name, "rb").read()
        assert len(raw) == 2000 * 8
        assert list(struct.unpack("<2000Q", raw)) == [test_record(5, n) for n in range(2000)]
        rc, out, err = qkdctl("decode", f.name)
        assert rc == 0, err
        check_csv(out, 5, 2000)
    # JSON lines
    rc, out, err = qkdctl("-j", "tags", dev, "--test-pattern", "100000", "--count", "100")
    assert rc == 0, err
    recs = [json.loads(ln) for ln in out.splitlines()]
    assert [int(r["raw"], 16) for r in recs] == [test_record(0, n) for n in range(100)]
    # a client card has a c2h stream as well
    rc, out, err = qkdctl("tags", card("client")["name"], "--test-pattern", "100000",
                          "--count", "10", "--verify")
    assert rc == 0, err


@test
def stream_stop_ends_tags():
    dev = card("server")["name"]
    p = subprocess.Popen([QKDCTL, "tags", dev, "--test-pattern", "1000", "--verify"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        got = b""
        end = time.monotonic() + 20
        while got.count(b"\n") < 3:        # the header and two records
            r, _, _ = select.select([p.stdout], [], [], max(0, end - time.monotonic()))
            assert r, "no records: %r" % got
            chunk = os.read(p.stdout.fileno(), 4096)
            assert chunk, "tags exited: %r" % got
            got += chunk
        rc, out, err = qkdctl("stream", "stop", dev, "c2h")
        assert rc == 0, err
        out, err = p.communicate(timeout=20)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    assert p.returncode == 0, err
    assert b"0 lost, 0 wrong" in err, err


@test
def stats_json():
    dev = card("server")["name"]
    rc, out, err = qkdctl("-j", "stats", dev)
    assert rc == 0, err
    a = json.loads(out)
    assert a["name"] == dev and a["stats"]["c2h-records"] >= 3000 + 5000 + 2000 + 100, a
    assert a["stats"]["c2h-read"] >= 5000, a        # the read() path counts
    rc, out, err = qkdctl("-j", "stats", dev, "--netlink")
    assert rc == 0, err
    b = json.loads(out)
    assert list(b["stats"]) == list(a["stats"]), (a, b)
    assert b["stats"]["c2h-records"] >= a["stats"]["c2h-records"], (a, b)
    rc, out, err = qkdctl("stats", dev)
    assert rc == 0 and out.startswith(dev + ":\n") and "c2h-records" in out, err


def main():
    print("TAP version 13")
    print("1..%d" % len(TESTS))
    failed = 0
    for i, fn in enumerate(TESTS, 1):
        try:
            fn()
            print("ok %d qkdctl.%s" % (i, fn.__name__))
        except Exception:
            failed += 1
            for ln in traceback.format_exc().splitlines():
                print("# " + ln)
            print("not ok %d qkdctl.%s" % (i, fn.__name__))
        sys.stdout.flush()
    print("# Totals: pass:%d fail:%d" % (len(TESTS) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

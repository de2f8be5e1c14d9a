#!/usr/bin/python3
"""Boot test of the appliance image under QEMU (TCG): the kiosk comes up on its own, survives
every escape chord, and comes back after being killed.

    tests/image/boot_test.py IMAGE_DIR LONTAR_BINARY [--keep DIR]

IMAGE_DIR is image/build's output (lontar.img, vmlinuz, initrd.img, cmdline). The test boots a
copy of lontar.img with the kernel and initrd given directly to QEMU (-vga none -device
virtio-vga, -display none). Into the copy's root filesystem (debugfs, no mount) it writes only
test scaffolding under names of its own:
  - lontar-test-init.service: at boot, before the kiosk, initialises the terminal through
    lontar-admin (as a technician would) with an authority key made here, so that the kiosk
    shows its health screen rather than the "not a terminal" error;
  - lontar-test-agent.service: a root shell loop on the second serial port, through which the
    test asks the guest what runs (systemctl, pidof) and kills the kiosk.
The shipped image has neither. Screens are read through QMP screendump; keys go in through QMP
send-key, exactly as a keyboard would send them. Waits are bounded by generous deadlines (a
slow machine makes the test slower, not failed); the figures (boot to kiosk, restart time) are
printed, not asserted.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

BACKGROUND = (246, 243, 236)  # app/theme.cpp: WindowBg
OK_GREEN = (20, 110, 50)  # app/theme.cpp: OkColour ("Terminal siap")
BUTTON = (226, 220, 206)  # app/theme.cpp: Button (the health screen's row of buttons)
# The guest's CPU under TCG (LONTAR_QEMU_CPU to change it). When the kiosk drew through OpenGL
# (Mesa's llvmpipe) instead of SDL's software renderer, QEMU 7.2's TCG with AVX2 made its screen
# come out wrong (buttons a solid green without labels, green panel corners); with "max" the
# test sees that, and check_rendering() below fails on it.
QEMU_CPU = os.environ.get("LONTAR_QEMU_CPU", "max")
# no_timer_check: under TCG on a loaded host the kernel's IO-APIC timer test can miss its
# ticks and panic ("IO-APIC + timer doesn't work"); the test's kernel command line skips it.
TEST_CMDLINE = " console=ttyS0 no_timer_check"
BOOT_DEADLINE = int(os.environ.get("LONTAR_BOOT_DEADLINE", "900"))  # s: TCG, loaded 2 cores
# LONTAR_BOOT_DEBUG=1: the kernel's and systemd's messages on the first serial port (console.log).
DEBUG_CMDLINE = (" loglevel=6 systemd.show_status=true systemd.log_target=console"
                 if os.environ.get("LONTAR_BOOT_DEBUG") == "1" else "")
SETTLE = 2  # seconds after a chord before the screen is read again


def log(msg):
    print(f"boot_test: {msg}", flush=True)


def fail(msg):
    print(f"boot_test: FAIL: {msg}", flush=True)
    sys.exit(1)


class Qmp:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        self.buf = b""
        self._read()  # greeting
        self.cmd("qmp_capabilities")

    def _read(self):
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                fail("QMP connection closed (QEMU exited?)")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, **args):
        self.sock.sendall(json.dumps({"execute": name, "arguments": args}).encode() + b"\n")
        while True:
            msg = self._read()
            if "return" in msg:
                return msg["return"]
            if "error" in msg:
                fail(f"QMP {name}: {msg['error']}")


class Agent:
    """The guest's test shell on ttyS1: one command per line, answered by its output and a
    line "@@END <n> <status>"."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        self.sock.settimeout(1)
        self.n = 0
        self.buf = b""

    def run(self, command, timeout=120):
        self.n += 1
        marker = f"@@END {self.n} ".encode()
        self.sock.sendall(f"{self.n} {command}\n".encode())
        deadline = time.monotonic() + timeout
        while marker not in self.buf or b"\n" not in self.buf.split(marker, 1)[1]:
            if time.monotonic() > deadline:
                return None
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            self.buf += chunk
        head, rest = self.buf.split(marker, 1)
        status, self.buf = rest.split(b"\n", 1)
        out = head.decode(errors="replace").replace("\r", "")
        # Output of earlier, abandoned commands is dropped.
        start = out.rfind(f"@@BEGIN {self.n}\n")
        if start >= 0:
            out = out[start + len(f"@@BEGIN {self.n}\n"):]
        return int(status), out.strip()


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    parts = data.split(maxsplit=4)
    if parts[0] != b"P6":
        fail(f"{path}: not a binary PPM")
    width, height = int(parts[1]), int(parts[2])
    pixels = parts[4]
    return width, height, pixels


def near(px, colour, tolerance):
    return all(abs(a - b) <= tolerance for a, b in zip(px, colour))


def analyse(path):
    width, height, pixels = read_ppm(path)
    total = width * height
    # Every 3rd pixel of every 3rd row is plenty and keeps this fast in Python.
    bg = green = sampled = 0
    for y in range(0, height, 3):
        row = y * width * 3
        for x in range(0, width, 3):
            i = row + x * 3
            px = (pixels[i], pixels[i + 1], pixels[i + 2])
            sampled += 1
            if near(px, BACKGROUND, 3):
                bg += 1
            elif near(px, OK_GREEN, 12):
                green += 1
    return {"size": (width, height), "background": bg / sampled, "green": green, "total": total}


def same_screen(a_path, b_path):
    """Fraction of pixels equal in the two screendumps (the clock and little else changes)."""
    wa, ha, pa = read_ppm(a_path)
    wb, hb, pb = read_ppm(b_path)
    if (wa, ha) != (wb, hb):
        return 0.0
    equal = sum(1 for i in range(0, len(pa), 3 * 7) if pa[i:i + 3] == pb[i:i + 3])
    return equal / len(range(0, len(pa), 3 * 7))


def check_rendering(path):
    """The health screen's row of buttons, drawn as the kiosk draws it: button-coloured pixels
    in the bottom fifth of the screen, and dark label pixels inside them. A renderer fault
    that paints the buttons in another colour or drops their labels fails here. Returns a
    message, or None when the buttons look right."""
    width, height, pixels = read_ppm(path)
    top = height * 4 // 5
    xs, ys = [], []
    for y in range(top, height):
        row = y * width * 3
        for x in range(0, width, 2):
            i = row + x * 3
            if near((pixels[i], pixels[i + 1], pixels[i + 2]), BUTTON, 3):
                xs.append(x)
                ys.append(y)
    if len(xs) < 500:
        return (f"the health screen's buttons are not on screen in their colour {BUTTON} "
                f"({len(xs)} pixels of it in the bottom fifth)")
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    label = 0
    for y in range(y0, y1 + 1):
        row = y * width * 3
        for x in range(x0, x1 + 1):
            i = row + x * 3
            if max(pixels[i], pixels[i + 1], pixels[i + 2]) < 110:
                label += 1
    if label < 200:
        return (f"the health screen's buttons have no labels ({label} dark pixels inside the "
                f"buttons at x {x0}..{x1}, y {y0}..{y1})")
    return None


def is_kiosk(info):
    # The window background shows around the panels; the status line "Terminal siap" is green.
    return info["background"] > 0.10 and info["green"] > 20


def debugfs(image, offset, commands):
    script = "\n".join(commands) + "\n"
    r = subprocess.run(["debugfs", "-w", f"{image}?offset={offset}", "-f", "-"], input=script,
                       text=True, capture_output=True)
    if r.returncode != 0 or "rror" in r.stderr:
        fail(f"debugfs: {r.stderr}")


AGENT_SH = r"""#!/bin/sh
# Test scaffolding only (tests/image/boot_test.py): a command loop on ttyS1.
stty -F /dev/ttyS1 raw -echo 115200
while IFS= read -r line; do
  n=${line%% *}
  cmd=${line#* }
  printf '@@BEGIN %s\n' "$n"
  sh -c "$cmd" 2>&1
  printf '@@END %s %s\n' "$n" "$?"
done
"""

AGENT_UNIT = """[Unit]
Description=Lontar boot test agent (test scaffolding, not in the image)
DefaultDependencies=no
After=local-fs.target

[Service]
ExecStart=/bin/sh /etc/lontar-test/agent.sh
StandardInput=tty
StandardOutput=tty
TTYPath=/dev/ttyS1
Restart=always

[Install]
WantedBy=multi-user.target
"""

INIT_UNIT = """[Unit]
Description=Lontar boot test: initialise the terminal (test scaffolding, not in the image)
After=lontar-vault-key.service
Before=lontar-kiosk.service
ConditionPathExists=!/var/lib/lontar/vault.db

[Service]
Type=oneshot
ExecStart=/usr/sbin/lontar-admin terminal init --home /var/lib/lontar --site BOOT-TEST --trust /etc/lontar-test/authority.pub --name qemu

[Install]
WantedBy=multi-user.target
"""

# Every chord tried, as QMP qcodes. SysRq is the "sysrq" qcode (Alt+PrintScreen on a keyboard).
# Every chord tried, as QMP qcodes; a chord given with a count is sent that many times in a row
# before the screen is checked (systemd reboots on seven Ctrl+Alt+Del within 2 s unless told not
# to). SysRq is the "sysrq" qcode (Alt+PrintScreen on a keyboard): with kernel.sysrq=1, Alt+SysRq+B
# would reboot (QEMU runs with -no-reboot, so it would exit) and +O power off.
CHORDS = [
    (["ctrl", "alt", "f1"], 1), (["ctrl", "alt", "f2"], 1), (["ctrl", "alt", "f3"], 1),
    (["ctrl", "alt", "f4"], 1), (["ctrl", "alt", "f5"], 1), (["ctrl", "alt", "f6"], 1),
    (["ctrl", "alt", "f7"], 1), (["ctrl", "alt", "f12"], 1), (["alt", "f2"], 1),
    (["ctrl", "alt", "delete"], 1), (["ctrl", "alt", "delete"], 8), (["ctrl", "alt", "backspace"], 1),
    (["alt", "esc"], 1), (["alt", "f4"], 1), (["alt", "tab"], 1), (["meta_l"], 1),
    (["meta_l", "l"], 1), (["ctrl", "esc"], 1), (["ctrl", "q"], 1), (["ctrl", "w"], 1),
    (["ctrl", "c"], 1), (["esc"], 1),
    (["alt", "sysrq", "r"], 1), (["alt", "sysrq", "k"], 1), (["alt", "sysrq", "e"], 1),
    (["alt", "sysrq", "i"], 1), (["alt", "sysrq", "s"], 1), (["alt", "sysrq", "u"], 1),
    (["alt", "sysrq", "b"], 1), (["alt", "sysrq", "o"], 1), (["alt", "sysrq", "c"], 1),
    (["power"], 1), (["sleep"], 1), (["wake"], 1),
]


def main():
    args = sys.argv[1:]
    keep = None
    if "--keep" in args:
        i = args.index("--keep")
        keep = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        fail("usage: boot_test.py IMAGE_DIR LONTAR_BINARY [--keep DIR]")
    image_dir, lontar = (os.path.abspath(a) for a in args)
    work = keep or tempfile.mkdtemp()
    os.makedirs(work, exist_ok=True)
    qemu = None
    try:
        # The authority key the test terminal trusts.
        keys = os.path.join(work, "keys")
        shutil.rmtree(keys, ignore_errors=True)
        subprocess.run([lontar, "keys", "new", "authority", "--out", keys], check=True,
                       capture_output=True)

        disk = os.path.join(work, "test.img")
        subprocess.run(["cp", "--sparse=always", os.path.join(image_dir, "lontar.img"), disk],
                       check=True)
        table = json.loads(subprocess.run(["sfdisk", "-J", disk], check=True,
                                          capture_output=True, text=True).stdout)
        root = [p for p in table["partitiontable"]["partitions"]
                if p.get("name") == "lontar-root"]
        if not root:
            fail("lontar.img has no partition named lontar-root")
        offset = root[0]["start"] * 512
        files = {"agent.sh": AGENT_SH, "agent.service": AGENT_UNIT, "init.service": INIT_UNIT}
        for name, text in files.items():
            with open(os.path.join(work, name), "w") as f:
                f.write(text)
        wants = "/etc/systemd/system/multi-user.target.wants"
        debugfs(disk, offset, [
            "mkdir /etc/lontar-test",
            f"write {work}/agent.sh /etc/lontar-test/agent.sh",
            f"write {keys}/authority.pub /etc/lontar-test/authority.pub",
            f"write {work}/agent.service /etc/systemd/system/lontar-test-agent.service",
            f"write {work}/init.service /etc/systemd/system/lontar-test-init.service",
            f"symlink {wants}/lontar-test-agent.service /etc/systemd/system/lontar-test-agent.service",
            f"symlink {wants}/lontar-test-init.service /etc/systemd/system/lontar-test-init.service",
        ])

        with open(os.path.join(image_dir, "cmdline")) as f:
            cmdline = f.read().strip()
        qmp_path = os.path.join(work, "qmp.sock")
        agent_path = os.path.join(work, "agent.sock")
        for p in (qmp_path, agent_path):
            if os.path.exists(p):
                os.unlink(p)
        serial_log = os.path.join(work, "console.log")
        command = [
            "qemu-system-x86_64", "-machine", "q35,accel=tcg", "-cpu", QEMU_CPU, "-smp", "2",
            "-m", "2048", "-vga", "none", "-device", "virtio-vga", "-display", "none",
            "-kernel", os.path.join(image_dir, "vmlinuz"),
            "-initrd", os.path.join(image_dir, "initrd.img"),
            "-append", cmdline + TEST_CMDLINE + DEBUG_CMDLINE,
            "-drive", f"file={disk},format=raw,if=virtio",
            "-nic", "none", "-no-reboot",
            "-qmp", f"unix:{qmp_path},server=on,wait=off",
            "-serial", f"file:{serial_log}",
            "-serial", f"unix:{agent_path},server=on,wait=off",
        ]
        log(" ".join(command))
        started = time.monotonic()
        qemu = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        while not os.path.exists(qmp_path) or not os.path.exists(agent_path):
            if qemu.poll() is not None:
                fail(f"QEMU exited: {qemu.stderr.read().decode()}")
            time.sleep(0.2)
        qmp = Qmp(qmp_path)
        agent = Agent(agent_path)

        def shot(name):
            path = os.path.join(work, name + ".ppm")
            qmp.cmd("screendump", filename=path)
            return path

        def guest(command, timeout=120):
            r = agent.run(command, timeout)
            if r is None:
                fail(f"the guest agent did not answer: {command}")
            return r

        def kiosk_state():
            _, out = guest("systemctl show lontar-kiosk.service -p ActiveState -p MainPID "
                           "-p NRestarts; echo Kiosk=$(pidof lontar-kiosk); "
                           "echo VT=$(cat /sys/class/tty/tty0/active)")
            return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)

        # 1. Boot until the kiosk's health screen is on the display.
        kiosk_seen = None
        last = None
        while time.monotonic() - started < BOOT_DEADLINE:
            if qemu.poll() is not None:
                fail("QEMU exited during boot; see " + serial_log)
            last = shot("boot")
            if is_kiosk(analyse(last)):
                kiosk_seen = time.monotonic() - started
                break
            time.sleep(2)
        if kiosk_seen is None:
            info = analyse(last) if last else {}
            r = agent.run("systemctl status --no-pager lontar-kiosk.service; journalctl -b "
                          "--no-pager -n 60 _SYSTEMD_UNIT=lontar-kiosk.service", 60)
            log(f"the guest's kiosk journal:\n{r[1] if r else 'agent did not answer'}")
            fail(f"no kiosk health screen within {BOOT_DEADLINE} s (last screen: {info}); "
                 f"console log: {serial_log}")
        log(f"kiosk health screen on the display {kiosk_seen:.0f} s after QEMU started (TCG)")
        # The screen settles (fonts built, health read) before it becomes the reference.
        time.sleep(SETTLE)
        reference = shot("reference")
        shutil.copy(reference, os.path.join(work, "kiosk.ppm"))
        wrong = check_rendering(reference)
        if wrong:
            r = agent.run("journalctl -b --no-pager -o cat | grep 'lontar-kiosk: display'", 60)
            log(f"the kiosk's display: {r[1] if r else 'agent did not answer'}")
            fail(f"the kiosk's screen is drawn wrongly: {wrong}; the screendump is "
                 f"{os.path.join(work, 'kiosk.ppm')} (run with --keep DIR to keep it)")
        log("health screen drawn right: buttons in their colour, with labels")
        base = kiosk_state()
        log(f"kiosk: {base}")
        if base.get("ActiveState") != "active" or not base.get("Kiosk"):
            fail(f"lontar-kiosk.service is not running the kiosk: {base}")
        status, out = guest("systemctl is-active lontar-vault-key.service lontar-test-init.service; "
                            "ls /etc/credstore.encrypted; systemctl list-units --no-legend 'getty@*' "
                            "'autovt@*' 'serial-getty@*'")
        log(f"guest: {out!r}")

        # 2. Escape chords: the kiosk stays on screen, in the same process, on tty1.
        results = []
        for chord, count in CHORDS:
            for _ in range(count):
                qmp.cmd("send-key", keys=[{"type": "qcode", "data": k} for k in chord],
                        **{"hold-time": 100})
                time.sleep(0.15)
            time.sleep(SETTLE)
            if qemu.poll() is not None:
                fail(f"QEMU exited after {'+'.join(chord)} (the guest rebooted or powered off)")
            after = shot("after")
            similarity = same_screen(reference, after)
            state = kiosk_state()
            unchanged = (state.get("MainPID") == base.get("MainPID")
                         and state.get("NRestarts") == base.get("NRestarts")
                         and state.get("Kiosk") == base.get("Kiosk")
                         and state.get("ActiveState") == "active" and state.get("VT") == "tty1")
            ok = unchanged and similarity > 0.9 and is_kiosk(analyse(after))
            name = "+".join(chord) + (f" x{count}" if count > 1 else "")
            results.append((name, ok, similarity, state))
            log(f"chord {name}: {'kiosk unchanged' if ok else 'CHANGED'} "
                f"(same pixels {similarity:.3f}, pid {state.get('Kiosk')}, "
                f"restarts {state.get('NRestarts')}, {state.get('VT')})")
            if not ok:
                shutil.copy(after, os.path.join(work, f"chord-{name}.ppm"))
        bad = [r for r in results if not r[1]]
        if bad:
            fail("chords that changed the screen or the kiosk: " + ", ".join(r[0] for r in bad))

        # 3. Kill the kiosk: systemd brings it back, on the same screen.
        killed_at = time.monotonic()
        guest("kill -9 $(pidof lontar-kiosk)")
        back = None
        while time.monotonic() - killed_at < 300:
            state = kiosk_state()
            if (state.get("Kiosk") and state.get("Kiosk") != base.get("Kiosk")
                    and state.get("ActiveState") == "active"):
                after = shot("restarted")
                if is_kiosk(analyse(after)) and same_screen(reference, after) > 0.9:
                    back = time.monotonic() - killed_at
                    break
            time.sleep(1)
        if back is None:
            fail(f"the kiosk did not come back on the same screen after kill -9: {kiosk_state()}")
        state = kiosk_state()
        log(f"kiosk back {back:.0f} s after kill -9: {state}")
        if int(state.get("NRestarts", "0")) <= int(base.get("NRestarts", "0")):
            fail("the kiosk came back without a restart of its unit")
        log(f"ok: boot to kiosk {kiosk_seen:.0f} s, {len(results)} chords without effect, "
            f"kiosk back {back:.0f} s after kill -9")
    finally:
        if qemu and qemu.poll() is None:
            qemu.kill()
            qemu.wait()
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

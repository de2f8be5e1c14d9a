#!/usr/bin/python3
"""Boot test of the appliance image under QEMU (TCG): the kiosk comes up on its own, survives
every escape chord, and comes back after being killed; a USB stick is storage only through the
technician mode's USB gate; the sync service follows the settings the kiosk writes.

    tests/image/boot_test.py IMAGE_DIR LONTAR_BINARY [--technician-code-file F] [--keep DIR]

--technician-code-file: the code the image was built with (image/build --technician-code-file);
without it the USB gate part is skipped. LONTAR_BOOT_SKIP_CHORDS=1 skips the escape chords and the
kill (for working on the later parts only; the test says so).

IMAGE_DIR is image/build's output (lontar.img, vmlinuz, initrd.img, cmdline). The test boots a
copy of lontar.img with the kernel and initrd given directly to QEMU (-vga none -device
virtio-vga, -display none). Into the copy's root filesystem (debugfs, no mount) it writes only
test scaffolding under names of its own:
  - lontar-test-init.service: at boot, before the kiosk, initialises the terminal through
    lontar-admin (as a technician would) with an authority key made here, so that the kiosk
    shows its health screen rather than the "not a terminal" error;
  - lontar-test-agent.service: a root shell loop (commands in on the second serial port, answers
    out on the third), through which the test asks the guest what runs (systemctl, pidof), kills
    the kiosk, and writes the kiosk's files as the user lontar (runuser), as the kiosk would.
  - a drop-in for lontar-kiosk.service that changes only its ExecStart, and only by running
    /etc/lontar-test/kiosk-probe in place of kiosk-session (the probe ends by exec'ing
    kiosk-session). The probe is a process of the kiosk's own unit: its user, PAM session,
    namespaces, system call filters, device policy and kiosk-seccomp (the shipped ExecStart line,
    read from the image, with only the session's path changed). It tries what an attacker in
    the kiosk would (a user service manager, a user namespace, a netlink route socket, an IP
    socket, powering off through logind) and writes each answer to the journal.
A USB stick (a small vfat image made here, with a known file) is plugged into QEMU's xHCI
controller through QMP device_add once the chords are done; the USB gate is driven first through
its files (as the kiosk's user), then from the kiosk itself: Ctrl+Alt+T and the code typed.
With LONTAR_BOOT_DEAD_CLOCK=1 the guest's hardware clock starts at 2000-01-01 (QEMU's
-rtc base=2000-01-01: a PC whose CMOS battery died), so its packs are refused; an item pack built here for the guest's enrollment is
put on the stick before it is plugged in, and in technician mode the clock is set right by keys
alone (F2, the date, Tab, the time, Tab, the zone, Enter), after which the pack loads.
The shipped image has neither. Screens are read through QMP screendump; keys go in through QMP
send-key, exactly as a keyboard would send them. Waits are bounded by generous deadlines (a
slow machine makes the test slower, not failed); the figures (boot to kiosk, restart time) are
printed, not asserted.
"""
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

BACKGROUND = (246, 243, 236)  # app/theme.cpp: WindowBg
OK_GREEN = (20, 110, 50)  # app/theme.cpp: kPalmLeaf.ok ("Terminal siap")
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
SETTLE = 2  # seconds for the kiosk to draw what a key changed before the screen is read
CHORD_SETTLE = 1  # seconds after an escape chord before its check starts (see the chords' loop)
STICK_FILE = "hello.txt"
STICK_TEXT = "Lontar USB gate test stick\n"
STICK_LABEL = "LONTARUJI"
# A PC whose CMOS battery died: its hardware clock starts here (systemd then moves the system
# clock up to its own build date at boot, still years behind).
DEAD_RTC = "2000-01-01"
# LONTAR_BOOT_DEAD_CLOCK=1: the guest's clock starts at DEAD_RTC and the clock page is driven
# by keys to set it (set_clock). Off by default until a whole run of it has passed: its first
# runs stopped in typing (see set_clock); since keys wait for cage (keys_read) the clock is set by
# keys. The kiosk's record of the change was then lost (its commits went to a WAL another
# process had deleted: fixed in core/vault, image/README.md), and CI must not depend on a part
# that has not passed whole.
DEAD_CLOCK = os.environ.get("LONTAR_BOOT_DEAD_CLOCK", "0") == "1"
STICK_PACK = "boot.lpk"
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")


def log(msg):
    print(f"boot_test: {msg}", flush=True)


def fail(msg):
    print(f"boot_test: FAIL: {msg}", flush=True)
    sys.exit(1)


class Phases:
    """Each part's wall seconds and the QEMU process's CPU seconds (user + system, from
    /proc/PID/stat), printed at the end: under TCG the guest's CPU is what competes with CI's
    compilers."""

    def __init__(self, pid):
        self.pid, self.rows = pid, []
        self.wall, self.cpu = time.monotonic(), self._cpu()

    def _cpu(self):
        try:
            with open(f"/proc/{self.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return self.cpu

    def mark(self, name):
        wall, cpu = time.monotonic(), self._cpu()
        self.rows.append(f"{name} {wall - self.wall:.0f} s (QEMU CPU {cpu - self.cpu:.0f} s)")
        log(f"part done: {self.rows[-1]}")
        self.wall, self.cpu = wall, cpu

    def summary(self):
        return "; ".join(self.rows)


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
    """The guest's test shell: one command per line in on ttyS1 (a unix socket), answered on
    ttyS2 (a file QEMU writes) by its output and a line "@@END <n> <status>".

    The answers go to a file because QEMU's 16550 sends a byte at a time: a socket the host read
    late is full after a few hundred bytes, and then QEMU drops bytes. A file never pushes back."""

    def __init__(self, path, out_path, qemu):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        self.out = open(out_path, "rb")
        self.qemu = qemu
        self.n = 0
        self.buf = b""

    def run(self, command, timeout=120):
        """(status, output), or None when no answer came within TIMEOUT or the guest went away
        (QEMU exited: the caller sees that from QEMU's process)."""
        self.n += 1
        marker = f"@@END {self.n} ".encode()
        try:
            self.sock.sendall(f"{self.n} {command}\n".encode())
        except OSError:
            return None
        deadline = time.monotonic() + timeout
        while marker not in self.buf or b"\n" not in self.buf.split(marker, 1)[1]:
            gone = self.qemu.poll() is not None  # read once more after it, then give up
            chunk = self.out.read()
            self.buf += chunk
            if marker in self.buf and b"\n" in self.buf.split(marker, 1)[1]:
                break
            if gone or time.monotonic() > deadline:
                return None
            if not chunk:
                time.sleep(0.05)
        head, rest = self.buf.split(marker, 1)
        status, self.buf = rest.split(b"\n", 1)
        out = head.decode(errors="replace").replace("\r", "")
        # Output of earlier, abandoned commands is dropped.
        start = out.rfind(f"@@BEGIN {self.n}\n")
        if start >= 0:
            out = out[start + len(f"@@BEGIN {self.n}\n"):]
        return int(status), out.strip()


def start_guest(command, work, prefix=""):
    """Starts QEMU with COMMAND (whose first -serial is the console) and the test's channels: QMP
    and the agent's two serial ports (work/PREFIXqmp.sock, PREFIXagent.sock, PREFIXagent.log).
    Returns (qemu, qmp, agent, the monotonic time it started) once QEMU has made them."""
    qmp_path, agent_path, agent_out = (os.path.join(work, prefix + name)
                                       for name in ("qmp.sock", "agent.sock", "agent.log"))
    for p in (qmp_path, agent_path, agent_out):
        if os.path.exists(p):
            os.unlink(p)
    command = command + ["-qmp", f"unix:{qmp_path},server=on,wait=off",
                         "-serial", f"unix:{agent_path},server=on,wait=off",
                         "-serial", f"file:{agent_out}"]
    log(" ".join(command))
    started = time.monotonic()
    qemu = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while not all(os.path.exists(p) for p in (qmp_path, agent_path, agent_out)):
        if qemu.poll() is not None:
            fail(f"QEMU exited: {qemu.stderr.read().decode()}")
        time.sleep(0.2)
    return qemu, Qmp(qmp_path), Agent(agent_path, agent_out, qemu), started


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


def kiosk_on_screen(path):
    """is_kiosk(analyse(PATH)), after a quick look that turns away a screen without the kiosk's
    background (the console, a black screen: most of what a boot shows) at a 256th of the cost:
    analyse() takes 0.14 s of CPU a screendump in Python, and a boot is watched every 2 s."""
    width, height, pixels = read_ppm(path)
    bg = sampled = 0
    for y in range(0, height, 16):
        row = y * width * 3
        for x in range(0, width, 16):
            i = row + x * 3
            sampled += 1
            bg += near((pixels[i], pixels[i + 1], pixels[i + 2]), BACKGROUND, 3)
    if bg < sampled * 0.05:
        return False
    return is_kiosk(analyse(path))


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
# Test scaffolding only (tests/image/boot_test.py): commands in on ttyS1, answers out on ttyS2.
stty -F /dev/ttyS1 raw -echo 115200
stty -F /dev/ttyS2 raw -echo 115200
exec >/dev/ttyS2 2>&1
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

# Runs inside lontar-kiosk.service (see the docstring). Each line "lontar-test-probe: KEY=VALUE";
# VALUE starts with "ok" or "refused" (power-off: refused only when logind says "no"; "yes" or
# "challenge", or no answer at all, counts as not refused). perl (perl-base is Essential in Debian) opens sockets with
# the family, type and protocol given as numbers: AF_NETLINK 16, SOCK_RAW 3, NETLINK_ROUTE 0,
# NETLINK_NETFILTER 12, NETLINK_KOBJECT_UEVENT 15; AF_INET 2, SOCK_STREAM 1.
PROBE_SH = r"""#!/bin/sh
# Test scaffolding only (tests/image/boot_test.py): what the kiosk's sandbox allows.
p() { echo "lontar-test-probe: $*"; }
try() { # KEY COMMAND...
  key=$1; shift
  if out=$("$@" 2>&1); then p "$key=ok ($out)"; else p "$key=refused ($out)"; fi
}
uid=$(id -u)
try user-manager env XDG_RUNTIME_DIR=/run/user/$uid systemd-run --user --quiet /bin/true
try user-manager-socket test -e /run/user/$uid/systemd/private
try user-namespace unshare -U true
sock() { perl -e 'socket(my $s, $ARGV[0], $ARGV[1], $ARGV[2]) or do { print "$!"; exit 1 }' "$@"; }
try netlink-route sock 16 3 0
try netlink-netfilter sock 16 3 12
try netlink-uevent sock 16 3 15
try inet sock 2 1 0
answer=$(busctl call org.freedesktop.login1 /org/freedesktop/login1 \
  org.freedesktop.login1.Manager CanPowerOff 2>&1)
case $answer in *'"no"'*) p "power-off=refused ($answer)" ;; *) p "power-off=ok ($answer)" ;; esac
# Read-aloud's way to the sound card: open its control and playback devices as the kiosk does
# (read-write) and ask each who it is (SNDRV_CTL_IOCTL_CARD_INFO, SNDRV_PCM_IOCTL_INFO), through
# the unit's device policy, groups and system call filter. udev loads the card's driver while the
# unit starts, so the probe waits for the playback device first (up to a minute).
waited=0
while [ ! -e /dev/snd/pcmC0D0p ] && [ "$waited" -lt 60 ]; do sleep 1; waited=$((waited + 1)); done
snd() { # DEVICE IOCTL STRUCT-SIZE NAME-OFFSET NAME-LENGTH: prints the name the driver gives
  perl -MFcntl -e 'my ($path, $req, $size, $off, $len) = @ARGV;
    sysopen(my $f, $path, O_RDWR | O_NONBLOCK) or do { print "open: $!"; exit 1 };
    my $buf = "\0" x $size;
    ioctl($f, hex($req), $buf) or do { print "ioctl: $!"; exit 1 };
    my $name = substr($buf, $off, $len); $name =~ s/\0.*//s; print $name' "$@"
}
# struct snd_ctl_card_info (376 bytes): the driver's name at 24; struct snd_pcm_info (288 bytes):
# the device's name at 80.
try sound-control snd /dev/snd/controlC0 0x81785501 376 24 16
try sound-playback snd /dev/snd/pcmC0D0p 0x81204101 288 80 80
exec /usr/lib/lontar/kiosk-session
"""

# What the probe must find: everything refused but the netlink socket udev's events need.
PROBE_WANT = {"user-manager": "refused", "user-manager-socket": "refused",
              "user-namespace": "refused", "netlink-route": "refused",
              "netlink-netfilter": "refused", "netlink-uevent": "ok", "inet": "refused",
              "power-off": "refused", "sound-control": "ok", "sound-playback": "ok"}


def probe_dropin(unit_text):
    """The drop-in that runs the probe in the kiosk unit: the image's own ExecStart line with
    kiosk-session's path replaced by the probe's."""
    lines = [l for l in unit_text.splitlines() if l.startswith("ExecStart=")]
    session = "/usr/lib/lontar/kiosk-session"
    if len(lines) != 1 or not lines[0].endswith(" " + session):
        fail(f"lontar-kiosk.service's ExecStart is not '... {session}': {lines}")
    start = lines[0][:-len(session)] + "/etc/lontar-test/kiosk-probe"
    return f"[Service]\nExecStart=\n{start}\n"


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
    code_file = None
    if "--keep" in args:
        i = args.index("--keep")
        keep = args[i + 1]
        del args[i:i + 2]
    if "--technician-code-file" in args:
        i = args.index("--technician-code-file")
        code_file = os.path.abspath(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        fail("usage: boot_test.py IMAGE_DIR LONTAR_BINARY [--technician-code-file F] [--keep DIR]")
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
        unit = subprocess.run(["debugfs", "-R", "cat /usr/lib/systemd/system/lontar-kiosk.service",
                               f"{disk}?offset={offset}"], check=True, capture_output=True,
                              text=True).stdout
        files = {"agent.sh": AGENT_SH, "agent.service": AGENT_UNIT, "init.service": INIT_UNIT,
                 "kiosk-probe": PROBE_SH, "probe.conf": probe_dropin(unit)}
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
            f"write {work}/kiosk-probe /etc/lontar-test/kiosk-probe",
            "sif /etc/lontar-test/kiosk-probe mode 0100755",
            "mkdir /etc/systemd/system/lontar-kiosk.service.d",
            f"write {work}/probe.conf /etc/systemd/system/lontar-kiosk.service.d/50-lontar-test-probe.conf",
        ])

        stick = os.path.join(work, "stick.img")
        make_stick(stick)

        with open(os.path.join(image_dir, "cmdline")) as f:
            cmdline = f.read().strip()
        serial_log = os.path.join(work, "console.log")
        command = [
            "qemu-system-x86_64", "-machine", "q35,accel=tcg", "-cpu", QEMU_CPU, "-smp", "2",
            "-m", "2048", "-vga", "none", "-device", "virtio-vga,id=vga0", "-display", "none",
            "-kernel", os.path.join(image_dir, "vmlinuz"),
            "-initrd", os.path.join(image_dir, "initrd.img"),
            "-append", cmdline + TEST_CMDLINE + DEBUG_CMDLINE,
            "-drive", f"file={disk},format=raw,if=virtio",
            "-device", "qemu-xhci,id=xhci",
            # A sound card for read-aloud (HD Audio, as on most PCs); its output goes nowhere.
            "-audiodev", "none,id=snd0", "-device", "intel-hda", "-device", "hda-duplex,audiodev=snd0",
            "-drive", f"file={stick},format=raw,if=none,id=stick",
            "-nic", "none", "-no-reboot",
            *(["-rtc", f"base={DEAD_RTC}"] if DEAD_CLOCK else []),
            "-serial", f"file:{serial_log}",
        ]
        qemu, qmp, agent, started = start_guest(command, work)
        phases = Phases(qemu.pid)

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
                           "echo Cage=$(pidof cage); echo VT=$(cat /sys/class/tty/tty0/active)")
            return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)

        def kiosk_processes():
            """kiosk_state() without systemctl, whose start and D-Bus call cost the guest about a
            second of emulated CPU: the kiosk's and cage's process ids (a restart of the unit
            changes both) and the VT. After a chord; the unit's own state is read once they
            have all been sent."""
            _, out = guest("echo Kiosk=$(pidof lontar-kiosk); echo Cage=$(pidof cage); "
                           "echo VT=$(cat /sys/class/tty/tty0/active)")
            return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)

        # 1. Boot until the kiosk's health screen is on the display.
        kiosk_seen = None
        last = None
        while time.monotonic() - started < BOOT_DEADLINE:
            if qemu.poll() is not None:
                fail("QEMU exited during boot; see " + serial_log)
            last = shot("boot")
            if kiosk_on_screen(last):
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
        phases.mark("boot to the kiosk, drawn right")
        sandbox(guest)
        status, out = guest("systemctl is-active lontar-vault-key.service lontar-test-init.service; "
                            "ls /etc/credstore.encrypted; systemctl list-units --no-legend 'getty@*' "
                            "'autovt@*' 'serial-getty@*'")
        log(f"guest: {out!r}")

        # The item pack for this terminal, on the stick before it is plugged in (QEMU has not let
        # the guest see the drive yet, so the host may write the file).
        if code_file:
            pack_on_stick(guest, lontar, work, keys, stick)
        phases.mark("sandbox (and pack on the stick)")

        # 2. Escape chords: the kiosk stays on screen, in the same process, on tty1.
        results = []
        skip_chords = os.environ.get("LONTAR_BOOT_SKIP_CHORDS") == "1"
        if skip_chords:
            log("LONTAR_BOOT_SKIP_CHORDS=1: escape chords and kill -9 NOT tested")
        for chord, count in ([] if skip_chords else CHORDS):
            for _ in range(count):
                qmp.cmd("send-key", keys=[{"type": "qcode", "data": k} for k in chord],
                        **{"hold-time": 100})
                time.sleep(0.15)
            # The kiosk's state is read first: the agent's round trip is time for the chord to act
            # before the screen is read (a second and that: the test's longest part was two
            # seconds' wait after each of 41 chords, the kiosk redrawing its clock meanwhile).
            time.sleep(CHORD_SETTLE)
            if qemu.poll() is not None:
                fail(f"QEMU exited after {'+'.join(chord)} (the guest rebooted or powered off)")
            state = kiosk_processes()
            after = shot("after")
            similarity = same_screen(reference, after)
            unchanged = (state.get("Kiosk") == base.get("Kiosk")
                         and state.get("Cage") == base.get("Cage") and state.get("VT") == "tty1")
            ok = unchanged and similarity > 0.9 and is_kiosk(analyse(after))
            name = "+".join(chord) + (f" x{count}" if count > 1 else "")
            results.append((name, ok, similarity, state))
            log(f"chord {name}: {'kiosk unchanged' if ok else 'CHANGED'} "
                f"(same pixels {similarity:.3f}, pid {state.get('Kiosk')}, "
                f"cage {state.get('Cage')}, {state.get('VT')})")
            if not ok:
                shutil.copy(after, os.path.join(work, f"chord-{name}.ppm"))
        if results:
            # A chord's late effect (a reboot, a VT switch still under way) is caught here if the
            # next chord's check missed it, and the unit's state (main process, restarts) is
            # compared.
            time.sleep(SETTLE)
            state, after = kiosk_state(), shot("after-chords")
            log(f"after every chord: {state}")
            if not (state.get("MainPID") == base.get("MainPID") and state.get("Kiosk") ==
                    base.get("Kiosk") and state.get("Cage") == base.get("Cage") and
                    state.get("NRestarts") == base.get("NRestarts") and
                    state.get("ActiveState") == "active" and state.get("VT") == "tty1" and
                    same_screen(reference, after) > 0.9 and is_kiosk(analyse(after))):
                results.append(("all chords, settled", False, same_screen(reference, after), state))
        bad = [r for r in results if not r[1]]
        if bad:
            fail("chords that changed the screen or the kiosk: " + ", ".join(r[0] for r in bad))

        # 3. Kill the kiosk: systemd brings it back, on the same screen.
        if not skip_chords:
            phases.mark("chords")
            back = kill_kiosk(guest, kiosk_state, shot, base, reference)
            phases.mark("kill -9")
        else:
            back = float("nan")
        extra_started = time.monotonic()
        # 4. The USB gate, then the sync settings.
        if code_file:
            usb_gate(qmp, guest, stick, code_file)
            phases.mark("USB gate")
            technician_mode(qmp, guest, shot, code_file, dead_clock=DEAD_CLOCK)
            phases.mark("technician mode" + (" and the clock" if DEAD_CLOCK else ""))
        else:
            log("no --technician-code-file: the USB gate is NOT tested")
        sync_settings(guest, lontar, work)
        phases.mark("sync settings")
        log(f"USB gate and sync settings: {time.monotonic() - extra_started:.0f} s")
        # 5. Last, as it takes the screen away: a PC whose graphics no driver can drive.
        no_display(guest)
        phases.mark("no display")
        log(f"parts: {phases.summary()}")
        log(f"ok: boot to kiosk {kiosk_seen:.0f} s, {len(results)} chords without effect, "
            f"kiosk back {back:.0f} s after kill -9")
    finally:
        if qemu and qemu.poll() is None:
            qemu.kill()
            qemu.wait()
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def no_display(guest):
    """The GPU's driver taken away (virtio_gpu unbound: no DRM device, and this boot has no
    firmware framebuffer): the kiosk's session says on the console and in the journal what is
    missing, naming the graphics; the vault's journal still verifies and the sync service (set
    up by sync_settings) still runs."""
    started = time.monotonic()
    guest("for d in /sys/bus/virtio/drivers/virtio_gpu/virtio*; do "
          "echo ${d##*/} >/sys/bus/virtio/drivers/virtio_gpu/unbind; done; "
          "systemctl restart lontar-kiosk.service")
    out = wait_for(guest, "the kiosk's session saying there is no screen driver",
                   "ls -d /sys/class/drm/card[0-9] /dev/fb0 2>/dev/null; journalctl -b -o cat "
                   "| grep 'Lontar: no screen driver' | tail -n 1",
                   lambda out: "no screen driver" in out, timeout=300)
    if "/sys/class/drm/card" in out or "/dev/fb0" in out:
        fail(f"a DRM device or framebuffer is left after unbinding virtio_gpu: {out}")
    if "1af4:1050" not in out:
        fail(f"the no-screen message does not name the graphics (virtio-vga is 1af4:1050): {out}")
    status, verify = guest("lontar-admin journal verify --home /var/lib/lontar")
    _, sync = guest("systemctl is-active lontar-sync.service")
    if status != 0 or sync.strip() != "active":
        fail(f"without a screen: journal verify ({status}) {verify!r}, lontar-sync.service {sync!r}")
    log(f"ok: no screen driver said on the console and in the journal "
        f"({out.strip().splitlines()[-1][:160]}...), the journal verifies, sync runs, in "
        f"{time.monotonic() - started:.0f} s")


def sandbox(guest):
    """The kiosk's sandbox seen from inside its unit (the probe's answers in the journal), the
    image's side of it seen from outside (no user manager, no user namespaces even outside the
    unit), and systemd's own exposure score for the unit. The kiosk is on screen by now, so the
    same sandbox runs cage and the kiosk."""
    _, out = guest("journalctl -b -o cat _UID=$(id -u lontar) | grep '^lontar-test-probe: '")
    found = {}
    for line in out.splitlines():
        key, _, value = line[len("lontar-test-probe: "):].partition("=")
        found[key] = value  # a restarted kiosk probes again; the last answer counts
    log("inside lontar-kiosk.service:\n  " + "\n  ".join(f"{k}={v}" for k, v in found.items()))
    wrong = [f"{k}: want {want}, got {found.get(k, 'no answer')}" for k, want in PROBE_WANT.items()
             if not found.get(k, "").startswith(want)]
    if wrong:
        fail("the kiosk's sandbox: " + "; ".join(wrong))
    # The card the kiosk opened is QEMU's HD Audio one, driven by the image's snd-hda-intel.
    _, cards = guest("cat /proc/asound/cards")
    log(f"sound cards: {cards.strip()!r}")
    if "HDA-Intel" not in cards or "HDA-Intel" not in found.get("sound-control", ""):
        fail(f"no HD Audio sound card in the guest, or not the one the kiosk opened: {cards!r}, "
             f"sound-control={found.get('sound-control')}")
    status, out = guest("cat /proc/sys/user/max_user_namespaces; runuser -u lontar -- unshare -U "
                        "true; systemctl is-enabled user@.service; "
                        "systemctl list-units --no-legend --plain 'user@*' | wc -l")
    lines = out.splitlines()
    log(f"outside the unit: max_user_namespaces, unshare -U as lontar, user@.service: {lines}")
    if (lines[:1] != ["0"] or "unshare failed" not in out or lines[-2:] != ["masked", "0"]):
        fail(f"user namespaces or a user service manager are available: {out}")
    _, out = guest("systemd-analyze security --no-pager lontar-kiosk.service | tail -n 1")
    log(f"systemd-analyze security lontar-kiosk.service: {out.strip()}")
    try:
        score = float(out.split("service:")[1].split()[0])
    except (IndexError, ValueError):
        fail(f"no exposure level in systemd-analyze's answer: {out}")
    # 7.7 before the sandbox of issue 24, 1.5 with it; losing a setting shows here.
    if score > 2.0:
        fail(f"lontar-kiosk.service's exposure level is {score}, more than 2.0: a sandbox setting "
             f"was lost")
    log("ok: the kiosk's sandbox holds (no user manager, no user namespace, netlink only for "
        "udev's events, no IP socket, no power-off)")


def kill_kiosk(guest, kiosk_state, shot, base, reference):
    """kill -9 of the kiosk: systemd brings it back on the same screen; seconds it took."""
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
    return back


def make_stick(path):
    """A 64 MiB USB stick image: an MBR with one FAT32 partition at 1 MiB holding STICK_FILE."""
    with open(path, "wb") as f:
        f.truncate(64 << 20)
    subprocess.run(["sfdisk", "-q", path], input="label: dos\nstart=2048, type=c\n", text=True,
                   check=True)
    subprocess.run(["mkfs.vfat", "-F", "32", "--offset=2048", "-n", STICK_LABEL, path,
                    str((64 << 10) - 1024)], check=True, capture_output=True)
    src = path + ".hello"
    with open(src, "w") as f:
        f.write(STICK_TEXT)
    subprocess.run(["mcopy", "-i", f"{path}@@1M", src, f"::{STICK_FILE}"], check=True)
    os.unlink(src)


def as_lontar_write(guest, path, text):
    """Writes PATH as the user lontar the way the kiosk does: a temporary file, then rename."""
    b64 = base64.b64encode(text.encode()).decode()
    tmp = os.path.join(os.path.dirname(path), ".boot-test.tmp")
    status, out = guest(f"runuser -u lontar -- sh -c 'umask 077; echo {b64} | base64 -d >{tmp} "
                        f"&& mv -f {tmp} {path}'")
    if status != 0:
        fail(f"writing {path} as lontar failed: {out}")


def wait_for(guest, what, command, done, timeout=600):
    """Runs COMMAND in the guest until DONE(output) holds; returns the output."""
    started = time.monotonic()
    out = ""
    while time.monotonic() - started < timeout:
        _, out = guest(command)
        if done(out):
            return out
        time.sleep(1)
    fail(f"{what}: not within {timeout} s; last: {out}")


def gate_state(out):
    try:
        return json.loads(out)
    except ValueError:
        return {}


def usb_gate(qmp, guest, stick, code_file):
    """The technician mode's USB gate, from the kiosk's side: a stick is not storage until the
    right code opens the gate, then mounted for lontar nosuid,nodev,noexec, then gone again."""
    with open(code_file) as f:
        code = f.readline().strip()
    stick_dir = "/run/lontar/stick"
    request = "/run/lontar/usb/request"
    read_state = "cat /run/lontar/usb/state; echo"
    started = time.monotonic()
    initial = gate_state(guest(read_state)[1])
    if initial.get("state") != "closed":
        fail(f"the USB gate's state at boot is {initial}, want closed")
    qmp.cmd("device_add", driver="usb-storage", bus="xhci.0", drive="stick", id="stickdev",
            removable=True)
    # USBGuard sees the stick and blocks it; no storage driver, nothing mounted.
    wait_for(guest, "USBGuard blocking the stick", "usbguard list-devices -b",
             lambda out: "08:06:50" in out)
    status, out = guest("grep -c usb_storage /proc/modules; ls /sys/block; findmnt -n "
                        f"{stick_dir}; cat /sys/bus/usb/devices/*/authorized | tr -d '\\n'")
    log(f"stick plugged in, gate closed: {out!r}")
    if "sd" in out or stick_dir in out or not out.startswith("0"):
        fail(f"the stick is storage without technician mode: {out}")
    # A wrong code: an error, nothing opened, the code not in the journal.
    as_lontar_write(guest, request, json.dumps({"action": "open", "code": "salah-0000"}))
    st = gate_state(wait_for(guest, "the gate answering a wrong code", read_state,
                             lambda out: gate_state(out).get("state") == "error"))
    if st.get("message") != "wrong technician code":
        fail(f"wrong code: state {st}")
    status, out = guest(f"grep -c usb_storage /proc/modules; findmnt -n {stick_dir}; "
                        "ls /sys/block; test -e /run/lontar/usb/request && echo request-left; "
                        "journalctl -b -u lontar-usb.service --no-pager | grep -c salah-0000")
    log(f"after a wrong code: {st}; {out!r}")
    if not out.startswith("0") or stick_dir in out or "sd" in out or "request-left" in out:
        fail(f"a wrong code opened something: {out}")
    if not out.endswith("0"):
        fail("the wrong code is in the journal")
    # The right code: mounted for lontar.
    as_lontar_write(guest, request, json.dumps({"action": "open", "code": code}))
    # The state is still the last error until the gate answers: done when mounted, or when the
    # request was taken and the gate's service ended (it refused).
    answer = (f"{read_state}; test -e {request} && echo @pending; "
              "systemctl is-active lontar-usb.service")
    st = gate_state(wait_for(guest, "the stick mounted after the right code", answer,
                             lambda out: gate_state(out.splitlines()[0]).get("state") == "mounted"
                             or ("@pending" not in out and out.endswith("inactive")))
                    .splitlines()[0])
    if st.get("state") != "mounted" or st.get("mount") != stick_dir or st.get("label") != STICK_LABEL:
        fail(f"right code: state {st}")
    _, opts = guest(f"findmnt -n -o FSTYPE,OPTIONS {stick_dir}")
    log(f"mounted: {st}; {opts}")
    for o in ("nosuid", "nodev", "noexec"):
        if o not in opts.split()[-1].split(","):
            fail(f"the stick is mounted without {o}: {opts}")
    status, out = guest(f"runuser -u lontar -- cat {stick_dir}/{STICK_FILE}")
    if status != 0 or out != STICK_TEXT.strip():
        fail(f"lontar cannot read the stick: {status} {out}")
    written = f"written by lontar in the guest at {time.time():.0f}"
    status, out = guest(f"runuser -u lontar -- sh -c 'echo \"{written}\" >{stick_dir}/from-guest.txt'")
    if status != 0:
        fail(f"lontar cannot write to the stick: {out}")
    # Close: unmounted, driver gone, USBGuard back to its one rule.
    as_lontar_write(guest, request, json.dumps({"action": "close"}))
    st = gate_state(wait_for(guest, "the gate closing", read_state,
                             lambda out: gate_state(out).get("state") == "closed"))
    status, out = guest(f"findmnt -n {stick_dir}; grep -c -E '^(usb_storage|uas) ' /proc/modules; "
                        "usbguard list-rules | wc -l; usbguard list-devices -b | grep -c 08:06:50")
    log(f"closed: {st}; {out!r}")
    lines = out.splitlines()
    if stick_dir in out or lines[:3] != ["0", "1", "1"]:
        fail(f"after close (want: not mounted, 0 storage modules, 1 USBGuard rule, the stick "
             f"blocked): {out}")
    r = subprocess.run(["mtype", "-i", f"{stick}@@1M", "::from-guest.txt"], capture_output=True,
                       text=True)
    if r.returncode != 0 or r.stdout.strip() != written:
        fail(f"the file lontar wrote is not on the stick image: {r.returncode} {r.stdout!r} {r.stderr!r}")
    log(f"ok: USB gate (wrong code refused, mounted nosuid,nodev,noexec, read and written by "
        f"lontar, closed and driver unloaded) in {time.monotonic() - started:.0f} s")


def keys_read(guest, timeout=300):
    """Returns once every key sent so far has been read by cage: cage asleep (state S in
    /proc/PID/stat) twice 0.2 s apart, i.e. waiting in epoll with nothing left to read, its input
    devices included (the kiosk, which redraws four times a second in technician mode, gets the
    keys from cage through its Wayland socket, whose buffer holds far more than a line of typing).
    The kernel keeps only 64 events (about ten keystrokes of a
    USB keyboard: a scan code, the key and a report each way) per reader of an input device;
    under TCG, with the kiosk unit's system call filters run for every call (28 filter programs,
    emulated), cage can go many seconds without reading on a loaded machine, and a key sent
    meanwhile beyond those ten was lost (5 Dec 2026: 1, 2 and 10 of 16 characters of a code typed
    at 5 keys a second arrived; a key a second later lost keys too, with the host at load 25).
    So the next key waits for this rather than for a fixed pause. The agent's own round trip
    first lets the guest's USB keyboard driver hand on the key."""
    wait_for(guest, "cage reading the keys sent",
             "p=$(pidof cage); a=$(cut -d' ' -f3 /proc/$p/stat); sleep 0.2; "
             "echo $a$(cut -d' ' -f3 /proc/$p/stat)", lambda out: out.strip() == "SS",
             timeout=timeout)


def type_keys(qmp, text, display=None, guest=None):
    """Types TEXT (letters, digits, '-') key by key, as a keyboard would: through QMP send-key
    (the PS/2 keyboard), or with DISPLAY through input-send-event to the keyboard bound to that
    display device (the hot-plugged USB keyboard), each key once the last was read (keys_read,
    with GUEST)."""
    names = {"-": "minus", "\n": "ret"}
    for ch in text:
        key = {"type": "qcode", "data": names.get(ch, ch.lower())}
        if display is None:
            qmp.cmd("send-key", keys=[key], **{"hold-time": 50})
        else:
            for down in (True, False):
                qmp.cmd("input-send-event", device=display,
                        events=[{"type": "key", "data": {"down": down, "key": key}}])
                time.sleep(0.05)
            keys_read(guest)
        time.sleep(0.1)


def technician_mode(qmp, guest, shot, code_file, dead_clock=False):
    """Technician mode the way a technician opens it: Ctrl+Alt+T on the kiosk's screen (the PS/2
    keyboard the guest booted with, through cage), then the code typed on a USB keyboard plugged
    in while the kiosk runs (USBGuard lets keyboards through; cage must hear of it from udev); the
    kiosk checks the code and asks the USB gate to open, the gate checks it again and mounts the
    stick that is still plugged in, and the kiosk's journal says the technician came in."""
    with open(code_file) as f:
        code = f.readline().strip()
    if any(not (c.isalnum() or c == "-") for c in code):
        fail("the test's technician code must be letters, digits and '-' (typed with send-key)")
    started = time.monotonic()
    before = shot("technician-before")
    qmp.cmd("send-key", keys=[{"type": "qcode", "data": k} for k in ("ctrl", "alt", "t")],
            **{"hold-time": 100})
    # The kiosk draws the prompt at its next frame; on a loaded machine under TCG that can take a
    # while, so the screen is read until it changes.
    deadline = time.monotonic() + 120
    while True:
        time.sleep(SETTLE)
        prompt = shot("technician-prompt")
        if same_screen(before, prompt) <= 0.97 or time.monotonic() > deadline:
            break
    if same_screen(before, prompt) > 0.97:
        _, out = guest("journalctl -b --no-pager -o cat _UID=$(id -u lontar) | grep -v cursor | "
                       "tail -n 30")
        fail(f"Ctrl+Alt+T from the PS/2 keyboard did not change the kiosk's screen ({prompt}); "
             f"the kiosk session's log:\n{out}")
    log("Ctrl+Alt+T: the kiosk's screen changed (the code prompt)")
    # A USB keyboard plugged in now, bound to the display so that input-send-event reaches it
    # rather than the PS/2 keyboard.
    qmp.cmd("device_add", driver="usb-kbd", bus="xhci.0", id="usbkbd", display="vga0")
    # Typed only once cage holds the keyboard's event device open (udev's event reached it and
    # logind handed it the device): keys pressed before that are lost, and on a loaded machine
    # that took longer than any fixed pause (one character of the code arrived, 5 Dec 2026).
    event = "$(grep -A5 'QEMU USB Keyboard' /proc/bus/input/devices | grep -o 'event[0-9]*')"
    wait_for(guest, "cage opening the USB keyboard",
             f"e={event}; test -n \"$e\" && ls -l /proc/$(pidof cage)/fd | grep -c \"/dev/input/$e$\"",
             lambda out: out.strip() not in ("", "0"))
    time.sleep(SETTLE)
    type_keys(qmp, code + "\n", display="vga0", guest=guest)
    time.sleep(SETTLE)
    log(f"technician code typed; the screens before and after: {prompt}, {shot('technician-typed')}")
    read_state = "cat /run/lontar/usb/state; echo"
    deadline = time.monotonic() + 600
    st = {}
    while time.monotonic() < deadline and st.get("state") != "mounted":
        time.sleep(1)
        st = gate_state(guest(read_state)[1])
    if st.get("state") != "mounted":
        _, out = guest("cat /proc/bus/input/devices | grep -E '^(N|H):'; "
                       "usbguard list-devices | grep -i keyboard; "
                       "journalctl -b --no-pager -o cat _UID=$(id -u lontar) | grep -v cursor | "
                       "tail -n 60")
        log(f"the guest's input devices and kiosk journal:\n{out}")
        fail(f"no stick mounted within 600 s of the code typed on the USB keyboard (gate state "
             f"{st}); the screens: {prompt} (after Ctrl+Alt+T), after typing: technician-typed.ppm")
    if st.get("label") != STICK_LABEL:
        fail(f"technician mode from the kiosk: state {st}")
    # The kiosk runs in a mount namespace of its own (PrivateTmp, ProtectSystem): the gate's
    # mount must reach it there.
    _, out = guest(f"nsenter -t $(pidof lontar-kiosk) -m cat /run/lontar/stick/{STICK_FILE}")
    if out.strip() != STICK_TEXT.strip():
        fail(f"the kiosk does not see the stick's files in its mount namespace: {out!r}")
    # ... and may write there: the unit's file system is read-only (ProtectSystem=strict) but for
    # /var/lib/lontar, /run/lontar and /run/user, and the stick is mounted after the kiosk started.
    status, out = guest("nsenter -t $(pidof lontar-kiosk) -m runuser -u lontar -- sh -c 'echo x "
                        ">/run/lontar/stick/from-kiosk.txt' && echo written")
    if out.strip() != "written":
        fail(f"the stick is not writable in the kiosk's mount namespace: {out!r}")
    time.sleep(SETTLE)
    menu = shot("technician-menu")
    journal = "lontar-admin journal show --home /var/lib/lontar --limit 100000"
    _, out = guest(f"{journal} | grep -c technician.entered")
    if out.strip() != "1":
        fail(f"the kiosk's journal has {out!r} technician.entered records, want 1")
    _, out = guest(f"{journal} | grep -c -- {code}")
    if out.strip() != "0":
        fail("the technician code is in the kiosk's journal")
    log(f"ok: technician mode from the kiosk (Ctrl+Alt+T, code typed, stick mounted, journaled) "
        f"in {time.monotonic() - started:.0f} s; its menu: {menu}")
    if dead_clock:
        set_clock(qmp, guest, shot)
    # The gate is closed again for the sync settings part (the kiosk's Return button is the UI
    # tests' part: tests/ui).
    as_lontar_write(guest, "/run/lontar/usb/request", json.dumps({"action": "close"}))
    wait_for(guest, "the gate closing", read_state,
             lambda out: gate_state(out).get("state") == "closed")


def pack_on_stick(guest, lontar, work, keys, stick):
    """An item pack of the mini exam built here for the guest terminal's enrollment (read from
    the guest), valid from a day ago for a month by this machine's clock, copied to the stick."""
    started = time.monotonic()
    enroll = "/var/lib/lontar/boot-test.enroll"
    status, out = guest(f"lontar-admin terminal enrollment --home /var/lib/lontar --out {enroll} "
                        f">/dev/null 2>&1 && echo B64:$(base64 -w0 {enroll})")
    b64 = [line[4:] for line in out.splitlines() if line.startswith("B64:")]
    if status != 0 or not b64:
        fail(f"the guest's enrollment record: {out}")
    path = os.path.join(work, "guest.enroll")
    with open(path, "wb") as f:
        f.write(base64.b64decode(b64[0], validate=True))
    def run(*args):
        r = subprocess.run([lontar, *args], capture_output=True, text=True)
        if r.returncode != 0:
            fail(f"lontar {' '.join(args)}: {r.stderr}")
    run("keys", "new", "results", "--out", keys)
    now = time.time()
    stamp = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))  # noqa: E731
    pack = os.path.join(work, STICK_PACK)
    run("pack", "build", os.path.join(FIXTURES, "mini-exam"), "--key",
        os.path.join(keys, "authority.key"), "--version", "1",
        "--valid-from", stamp(now - 86400), "--valid-until", stamp(now + 30 * 86400),
        "--release-code-file", os.path.join(FIXTURES, "mini-release-code.txt"),
        "--proctor-code-file", os.path.join(FIXTURES, "mini-proctor-code.txt"),
        "--results-pub", os.path.join(keys, "results.pub"), "--out", pack, "--for", path)
    subprocess.run(["mcopy", "-i", f"{stick}@@1M", pack, f"::{STICK_PACK}"], check=True)
    log(f"pack for the guest terminal on the stick ({os.path.getsize(pack)} bytes) in "
        f"{time.monotonic() - started:.0f} s")


def press(qmp, keys, display, guest):
    """One chord (qcodes held together, released in reverse) on the keyboard bound to DISPLAY,
    then a wait until cage has read it (keys_read): the clock page's keys go to a
    kiosk that the code's check and the stick left lagging (5 Dec 2026: with a fixed pause the
    first run's date stopped after 8 characters on the screen and no request came)."""
    for down, order in ((True, keys), (False, list(reversed(keys)))):
        for k in order:
            qmp.cmd("input-send-event", device=display,
                    events=[{"type": "key", "data": {"down": down,
                                                     "key": {"type": "qcode", "data": k}}}])
            time.sleep(0.05)
    keys_read(guest)


def type_line(qmp, text, display, guest):
    """TEXT typed key by key: letters, digits, '-', '.', '\t' (Tab), '\n' (Enter)."""
    names = {"-": ["minus"], ".": ["dot"], "\t": ["tab"], "\n": ["ret"]}
    for ch in text:
        press(qmp, names.get(ch, [ch.lower()]), display, guest)


def set_clock(qmp, guest, shot):
    """The dead CMOS battery's case end to end, in technician mode (the USB gate open, the
    stick with the pack mounted): the pack is refused as not yet valid; the clock page is opened
    with F2 and the date, time and zone (WIT, the image's own being WIB) typed on the USB
    keyboard; the root service sets the system and hardware clocks and the zone, the kiosk
    journals the change with the old and new values, and the pack then loads."""
    started = time.monotonic()
    load = f"lontar-admin terminal load --home /var/lib/lontar /run/lontar/stick/{STICK_PACK}"
    _, out = guest("date -u +%s; readlink /etc/localtime")
    guest_now, zone = out.splitlines()[:2]
    lag = time.time() - int(guest_now)
    log(f"the guest's clock: {time.strftime('%Y-%m-%d %H:%M', time.gmtime(int(guest_now)))} UTC "
        f"({lag / 86400 / 365.25:.1f} years behind), zone {zone}")
    if lag < 86400 * 30:
        fail(f"the guest's clock is not off (-rtc base={DEAD_RTC}): {out}")
    status, out = guest(load)
    if status == 0 or "not valid yet" not in out:
        fail(f"the pack loaded, or was refused for another reason, with the clock off: {out}")
    log(f"with the clock off the pack is refused: {out.splitlines()[-1]}")
    # The clock page by keys: F2 on the menu; the date field has the keyboard, its text selected.
    press(qmp, ["f2"], "vga0", guest)
    time.sleep(SETTLE)
    page = shot("clock-page")
    # WIT is UTC+9. The date (of the time set, a few minutes on at most), then the time ahead by
    # what the ten keys left will take at the pace the date's eleven took (each key waits until
    # the kiosk has read the last: keys_read), so that Enter comes about when the clock typed is
    # reached, however loaded the machine.
    typing = time.monotonic()
    day = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 9 * 3600 + 120))
    type_line(qmp, day + "\t", "vga0", guest)
    per_key = (time.monotonic() - typing) / 11
    target = time.time() + per_key * 10 + 30
    local = time.gmtime(target + 9 * 3600)
    # The time as Indonesian writes it, 14.05: no Shift. With "14:05" (Shift+;) the Shift's
    # release reached the lagging kiosk after the Tab that followed, which went back to the date
    # field as Shift+Tab (5 Dec 2026: the zone typed into the date field).
    type_line(qmp, time.strftime("%H.%M\t", local) + "WIT", "vga0", guest)
    time.sleep(SETTLE)  # the kiosk draws what cage handed it (keys_read) before Enter
    typed = shot("clock-typed")
    log(f"clock page typed at {per_key:.1f} s a key; screens {page}, {typed}")
    press(qmp, ["ret"], "vga0", guest)
    # The request goes to lontar-clock.service, which answers in its state file.
    def answered(out):
        if gate_state(out).get("state") in ("done", "error"):
            return True
        shot("clock-waiting")  # kept (--keep) for a failure: what the kiosk shows meanwhile
        return False
    st = gate_state(wait_for(guest, "the clock service answering",
                             "cat /run/lontar/clock/state 2>/dev/null; echo",
                             answered, timeout=300))
    if st.get("state") != "done":
        typed += ", after: " + shot("clock-answer")
        _, out = guest("journalctl -b --no-pager -o cat -u lontar-clock.service | tail -n 20")
        fail(f"the clock was not set: {st}; the service's journal:\n{out}; screens {page}, "
             f"{typed}")
    _, out = guest("date -u +%s; readlink /etc/localtime; cat /etc/timezone; "
                   "hwclock --show --utc 2>&1 | head -n 1")
    lines = out.splitlines()
    off = abs(int(lines[0]) - time.time())
    log(f"clock set: {st.get('message')}; the guest now: {lines}")
    if off > 300 or lines[1] != "/usr/share/zoneinfo/Asia/Jayapura" or lines[2] != "Asia/Jayapura":
        fail(f"after setting the clock (want within 300 s of this machine's, zone Asia/Jayapura): "
             f"{lines}")
    # hwclock shows the hardware clock in local time: this machine's year (UTC or WIT's).
    years = {time.strftime("%Y", time.gmtime(time.time() + h * 3600)) for h in (0, 9)}
    if lines[3][:4] not in years:
        fail(f"the hardware clock was not written: {lines[3]}")
    # The kiosk journals the change once it has read the service's answer, at a frame of its own
    # after the state file changed (6 Dec 2026: read at once, the journal had no record yet).
    show = "lontar-admin journal show --home /var/lib/lontar --limit 100000"
    journaled = f"{show} | grep -c terminal.clock_set"
    deadline = time.monotonic() + 300
    while True:
        _, out = guest(journaled)
        if out.strip() not in ("", "0"):
            break
        if time.monotonic() > deadline:
            clock_diagnosis(guest, shot)
            fail(f"the kiosk journaling the clock's change: not within 300 s; last: {out}")
        time.sleep(1)
    _, out = guest(f"{show} --json")
    try:
        changes = [r["payload"] for r in json.loads(out) if r.get("type") == "terminal.clock_set"]
    except (ValueError, TypeError, AttributeError):
        fail(f"the guest's journal as JSON: {out[:500]}")
    changes = [json.loads(c) if isinstance(c, str) else c for c in changes]
    log(f"journaled: {changes}; the clock page now: {shot('clock-set')}")
    if len(changes) != 1:
        fail(f"want one terminal.clock_set record: {changes}")
    c = changes[0]
    if (not c.get("applied") or c.get("by") != "technician" or c.get("new_zone") != "Asia/Jayapura"
            or c.get("old_zone") != "Asia/Jakarta" or abs(c["new_utc_ms"] / 1000 - target) > 120
            or c["old_utc_ms"] / 1000 > time.time() - 86400 * 30):
        fail(f"the journaled change (want applied, by technician, Asia/Jakarta to Asia/Jayapura, "
             f"old years off, new within 2 minutes of {target:.0f}): {c}")
    status, out = guest(load)
    if status != 0:
        fail(f"the pack is still refused after the clock was set: {out}")
    log(f"ok: the clock set from technician mode by keys, journaled, and the pack loaded "
        f"({out.splitlines()[-1] if out else ''}) in {time.monotonic() - started:.0f} s")


def clock_diagnosis(guest, shot):
    """What the kiosk does when it has not journaled a clock change: its screen, whether it is
    the process that sent the request (restarts), its threads' states and kernel waits, the
    vault files it holds open (a WAL shown "(deleted)" is the fault found on 6 Dec 2026: its
    commits went to a WAL another process had deleted, image/README.md), the service's answer
    as the kiosk's own mount namespace shows it, segfaults, and the kiosk's log."""
    log(f"the kiosk's screen now: {shot('clock-stuck')}")
    _, out = guest(
        "p=$(pidof lontar-kiosk); echo kiosk=$p cage=$(pidof cage); "
        "systemctl show lontar-kiosk.service -p NRestarts -p MainPID; ls -ln /var/lib/lontar; "
        "ls -ln /run/lontar/clock; cat /run/lontar/clock/state; "
        "if [ -n \"$p\" ]; then "
        "for t in /proc/$p/task/*; do echo \"$(cut -d' ' -f1-3 $t/stat) $(cat $t/wchan)\"; done; "
        "ls -l /proc/$p/fd | grep vault; nsenter -t $p -m cat /run/lontar/clock/state; fi; "
        "journalctl -b --no-pager -o short-monotonic -k | grep -i segfault | tail -n 5; "
        "journalctl -b --no-pager -o short-monotonic _UID=$(id -u lontar) | grep -v cursor | "
        "tail -n 20")
    log(f"the kiosk after setting the clock:\n{out}")


def sync_settings(guest, lontar, work):
    """The kiosk's sync settings (/var/lib/lontar/sync.conf as lontar) start lontar-sync.service
    with that server; a changed server restarts it, and a site relay's key (LONTAR_RELAY_KEY)
    becomes `--relay-key PATH` on its command line, which has no such option without one; a file
    with anything else changes nothing."""
    started = time.monotonic()
    for kind in ("server", "relay"):
        keys = os.path.join(work, f"{kind}-keys")
        shutil.rmtree(keys, ignore_errors=True)
        subprocess.run([lontar, "keys", "new", kind, "--out", keys], check=True,
                       capture_output=True)
        with open(os.path.join(keys, f"{kind}.pub")) as f:
            as_lontar_write(guest, f"/var/lib/lontar/{kind}.pub", f.read())
    commands = {}
    show = "systemctl show lontar-sync.service -p ActiveState -p MainPID; echo"

    def sync_running(server):
        def done(out):
            props = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
            pid = props.get("MainPID", "0")
            if props.get("ActiveState") != "active" or pid == "0":
                return False
            _, cmd = guest(f"tr '\\0' ' ' </proc/{pid}/cmdline")
            commands[server] = cmd
            return f"--server {server} " in cmd
        out = wait_for(guest, f"lontar-sync.service running with --server {server}", show, done)
        return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)["MainPID"]

    _, before = guest("systemctl is-active lontar-sync.service")
    if before == "active":
        fail("lontar-sync.service runs before any server is set")
    settings = "LONTAR_SERVER={}\nLONTAR_SERVER_KEY=/var/lib/lontar/server.pub\n"
    as_lontar_write(guest, "/var/lib/lontar/sync.conf", settings.format("http://10.0.2.2:8443"))
    first = sync_running("http://10.0.2.2:8443")
    want = "--server-key /var/lib/lontar/server.pub --watch"
    if want not in commands["http://10.0.2.2:8443"]:
        fail(f"lontar sync without a relay key is not '... {want}': "
             f"{commands['http://10.0.2.2:8443']}")
    as_lontar_write(guest, "/var/lib/lontar/sync.conf", settings.format("http://10.0.2.3:8443")
                    + "LONTAR_RELAY_KEY=/var/lib/lontar/relay.pub\n")
    second = sync_running("http://10.0.2.3:8443")
    if first == second:
        fail("lontar-sync.service was not restarted for the new server")
    want = "--server-key /var/lib/lontar/server.pub --relay-key /var/lib/lontar/relay.pub --watch"
    if want not in commands["http://10.0.2.3:8443"]:
        fail(f"lontar sync with a relay key is not '... {want}': "
             f"{commands['http://10.0.2.3:8443']}")
    # Anything but the two settings is refused as a whole; the service keeps its server.
    as_lontar_write(guest, "/var/lib/lontar/sync.conf",
                    settings.format("http://10.0.2.4:8443") + "LD_PRELOAD=/var/lib/lontar/x.so\n")
    wait_for(guest, "lontar-sync-settings refusing LD_PRELOAD",
             "systemctl show lontar-sync-settings.service -p Result; echo",
             lambda out: "Result=exit-code" in out)
    if sync_running("http://10.0.2.3:8443") != second:
        fail("a refused sync.conf restarted lontar-sync.service")
    _, env = guest("cat /run/lontar/sync.env")
    if "LD_PRELOAD" in env or "10.0.2.4" in env:
        fail(f"a refused sync.conf reached the sync service: {env}")
    log(f"ok: sync settings (started by the kiosk's file, restarted on a change, the relay key "
        f"given as --relay-key only when set, a file setting LD_PRELOAD refused) in "
        f"{time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()

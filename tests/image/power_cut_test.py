#!/usr/bin/python3
"""Power-cut test of the appliance image under QEMU (TCG): a terminal's power is cut while a
candidate answers, again and again, and every answer it acknowledged is there after each boot.

    tests/image/power_cut_test.py IMAGE_DIR LONTAR_BINARY [--keep DIR]

LONTAR_POWER_CUTS: how many cuts (5 in CI; 200 by hand). LONTAR_POWER_CUT_SEED: the random
schedule (default fixed, so a failure replays).

The guest is a copy of lontar.img booted directly (-kernel, the image's own kernel) with a
minimal initramfs (mini_initramfs.py: busybox, the image's own virtio and ext4 modules; the
image's 24 MB one with udev cost most of each boot under TCG; LONTAR_POWER_CUT_INITRD=image boots
with it instead) to a minimal target: /etc/lontar-test/cut-init, a shell script as PID 1 on the
image's own root ext4 (mounted as the image's initramfs mounts it: read-only, the journal
replayed), running the image's own /usr/bin/lontar, instead of systemd and the kiosk (a boot to
the kiosk costs a minute under TCG; this one seconds). The disk is
tests/image/volatile_disk.py: an NBD server that holds every write the guest has not flushed and
loses a random part of them at the cut, as a disk's volatile write cache does (why not a QEMU
cache mode: see there). The terminal's home, made here with LONTAR_BINARY as a technician would
(terminal init, pack load, release, session open), is written into the copy first
(/var/lib/lontar-cut; its vault key is a file there: no systemd, so no credential).

Each boot, cut-init:
  1. `lontar exam show` (the vault opens, the sitting is rebuilt from the journal) and
     `lontar journal verify`, each answer framed on the second serial port;
  2. `lontar exam run --progress --from-line K` (K: the first script line not acknowledged
     before the last cut, given on the kernel command line), its "done N" lines, printed only
     once line N is durable in the journal, on the same port;
the host SIGKILLs QEMU at a random moment of step 2 (0 to 6 s after it began: in its login or
among the answers), then the volatile disk's cut, and boots again. The last boot only checks.
Every boot must find: the vault opening, the journal verifying, the sitting in progress, and its
answers those of script lines 1..M for some M at least the last line acknowledged (lost = 0).
The script answers 40 items added to the mini exam, A to D in turn (each line changes an
answer), so a lost line shows as a wrong answer.
"""
import base64
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boot_test  # noqa: E402  (debugfs, fail, log conventions)
import mini_initramfs  # noqa: E402
from volatile_disk import VolatileDisk  # noqa: E402

CUTS = int(os.environ.get("LONTAR_POWER_CUTS", "5"))
SEED = int(os.environ.get("LONTAR_POWER_CUT_SEED", "20261205"))
BOOT_DEADLINE = int(os.environ.get("LONTAR_BOOT_DEADLINE", "900"))
# When the power goes: one cut in five while `exam run` starts and logs in (0 to 8 s after it
# began: Argon2id of the PIN under TCG takes seconds), the rest while it answers (0 to 4 s after
# its first acknowledged line).
LOGIN_WINDOW, ANSWER_WINDOW = 8.0, 4.0
# More than 200 cuts get through (a line takes about 10 ms in the guest under TCG: each is a
# journal transaction with its flushes); exam run reads at most 16 MiB of script.
SCRIPT_LINES = 200000
HOME = "/var/lib/lontar-cut"
PARTICIPANT = "TEST-0001"
PIN = "111111"  # tests/fixtures/mini-exam/roster.csv's TEST-0001


def log(msg):
    print(f"power_cut_test: {msg}", flush=True)


def fail(msg):
    print(f"power_cut_test: FAIL: {msg}", flush=True)
    sys.exit(1)


def console_tail(work, lines=40):
    """The end of the last boot's console (kernel and init messages), for a failure's message:
    CI keeps no work directory, so what the guest said must be in the log itself."""
    try:
        with open(os.path.join(work, "console.log"), errors="replace") as f:
            tail = f.read().splitlines()[-lines:]
    except OSError as e:
        return f"(no console log: {e})"
    return "the guest's console ended:\n" + "\n".join("  | " + line for line in tail)


ITEMS = 40  # items of the test's exam, cut-01..cut-40, single choice A-D
SLACK = ITEMS  # lines durable in the guest but not yet reported when the power went, at most


def script():
    """Line i (from 0) answers item cut-(i mod 40) with option A, B, C, D in turn, one round of
    the items per option: every line changes the sitting, and the answers after line m are
    those of no other m within 160 lines, so a lost line shows as a wrong answer."""
    return [{"cmd": "answer", "item": f"cut-{i % ITEMS + 1:02d}", "option": "ABCD"[i // ITEMS % 4]}
            for i in range(SCRIPT_LINES)]


def states_from(lines, n):
    """(m, answers) after lines 1..m, for m = n, n + 1, ..., n + SLACK."""
    answers = {}
    for line in lines[:n]:
        answers[line["item"]] = [line["option"]]
    yield n, dict(answers)
    for m in range(n, min(n + SLACK, len(lines))):
        answers[lines[m]["item"]] = [lines[m]["option"]]
        yield m + 1, dict(answers)


# The start and end of a power-cut guest's PID 1 (test scaffolding only): file systems, the
# framed lines' port as fd 3, the cut's resume point as $from, and "@@boot"; at the end "@@end",
# the port drained and the power off. GUEST_INIT_START's first line names the script.
GUEST_INIT_START = r"""#!/bin/sh
# Test scaffolding only (tests/image/NAME): PID 1 of a power-cut guest.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
# The initramfs hands over /proc, /sys and /dev already mounted.
mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sys /sys
mountpoint -q /dev || mount -t devtmpfs dev /dev
mount -o remount,rw /
mount -t tmpfs tmp /tmp
stty -F /dev/ttyS1 raw -echo 115200
exec 3>/dev/ttyS1
from=$(sed -n 's/.*lontar_cut_from=\([0-9]*\).*/\1/p' /proc/cmdline)
echo "@@boot" >&3
"""
GUEST_INIT_END = r"""echo "@@end" >&3
# Closing the port's last descriptor waits until the UART has sent all it holds (closing_wait):
# powering off with lines still in the guest's buffer would cut them off when the host reads late.
exec 3>&-
echo o >/proc/sysrq-trigger
sleep 60
"""


def guest_init(script, body):
    """PID 1 of a power-cut guest: GUEST_INIT_START, BODY, GUEST_INIT_END."""
    return GUEST_INIT_START.replace("NAME", script) + body + GUEST_INIT_END


CUT_INIT = guest_init("power_cut_test.py", r"""h=HOME_DIR
lontar exam show --home $h --participant PARTICIPANT --json >/tmp/show 2>&1
echo "@@show $? $(base64 -w0 /tmp/show)" >&3
lontar journal verify --home $h >/tmp/verify 2>&1
echo "@@verify $? $(base64 -w0 /tmp/verify)" >&3
if [ -n "$from" ]; then
  echo "@@run" >&3
  lontar exam run --home $h --participant PARTICIPANT --pin-file $h/../lontar-cut.pin \
    --token "$(cat $h/../lontar-cut.token)" --script $h/../lontar-cut.jsonl --progress \
    --from-line "$from" >&3 2>/tmp/run
  echo "@@ran $? $(base64 -w0 /tmp/run)" >&3
fi
""")


def make_home(lontar, work, lines):
    """A terminal with the mini exam loaded, released and its session open (as a technician and
    proctor would do), its sitting long enough for every cut; returns the session token."""
    fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
    source = os.path.join(work, "exam-src")
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(os.path.join(fixtures, "mini-exam"), source)
    # The mini exam with the items the script answers added to its first section, and time for
    # 200 cuts (time runs while the guest answers, not while it is off).
    names = [f"cut-{k + 1:02d}" for k in range(ITEMS)]
    for name in names:
        with open(os.path.join(source, "items", name + ".yaml"), "w") as f:
            f.write(f"id: {name}\ntype: single\nstem:\n  id: \"Soal {name}\"\n"
                    f"  en: \"Item {name}\"\noptions:\n" +
                    "".join(f"  - {{key: {k}, text: {{id: \"{k}\", en: \"{k}\"}}"
                            f"{', correct: true' if k == 'A' else ''}}}\n" for k in "ABCD") +
                    "points: {correct: 5, wrong: 0}\n")
    exam_yaml = os.path.join(source, "exam.yaml")
    with open(exam_yaml) as f:
        text = f.read()
    for old, new in (("duration_minutes: 10", "duration_minutes: 600"),
                     ("    minutes: 5\n", "    minutes: 590\n"),
                     ("items: [tiu-01, tiu-02]", f"items: [tiu-01, tiu-02, {', '.join(names)}]")):
        if old not in text:
            fail(f"tests/fixtures/mini-exam/exam.yaml has no '{old.strip()}' (the test edits it)")
        text = text.replace(old, new, 1)
    with open(exam_yaml, "w") as f:
        f.write(text)
    p = lambda name: os.path.join(work, name)  # noqa: E731

    def run(*args):
        r = subprocess.run([lontar, *args], capture_output=True, text=True)
        if r.returncode != 0:
            fail(f"lontar {' '.join(args)}: {r.stderr}")
        return r.stdout

    for d in ("keys", "home"):
        shutil.rmtree(p(d), ignore_errors=True)
    run("keys", "new", "authority", "--out", p("keys"))
    run("keys", "new", "results", "--out", p("keys"))
    run("terminal", "init", "--home", p("home"), "--site", "CUT-01", "--trust",
        p("keys/authority.pub"))
    run("terminal", "enrollment", "--home", p("home"), "--out", p("home.enroll"))
    run("pack", "build", source, "--key", p("keys/authority.key"), "--version", "1",
        "--valid-from", "2020-01-01T00:00:00Z", "--valid-until", "2099-01-01T00:00:00Z",
        "--release-code-file", os.path.join(fixtures, "mini-release-code.txt"),
        "--proctor-code-file", os.path.join(fixtures, "mini-proctor-code.txt"),
        "--results-pub", p("keys/results.pub"), "--out", p("exam.lpk"), "--for", p("home.enroll"))
    run("terminal", "load", "--home", p("home"), p("exam.lpk"))
    run("session", "release", "--home", p("home"), "--code-file",
        os.path.join(fixtures, "mini-release-code.txt"))
    token = run("session", "open", "--home", p("home"), "--proctor-code-file",
                os.path.join(fixtures, "mini-proctor-code.txt")).splitlines()[0]
    with open(p("lontar-cut.jsonl"), "w") as f:
        f.writelines(json.dumps(line) + "\n" for line in lines)
    with open(p("lontar-cut.pin"), "w") as f:
        f.write(PIN + "\n")
    with open(p("lontar-cut.token"), "w") as f:
        f.write(token + "\n")
    return token


def write_into_image(disk, work, offset):
    """The home, the script and cut-init into the copy's root filesystem (debugfs, no mount)."""
    with open(os.path.join(work, "cut-init"), "w") as f:
        f.write(CUT_INIT.replace("HOME_DIR", HOME).replace("PARTICIPANT", PARTICIPANT))
    commands = ["mkdir /etc/lontar-test", f"write {work}/cut-init /etc/lontar-test/cut-init",
                "sif /etc/lontar-test/cut-init mode 0100755", f"mkdir {HOME}"]
    for name in ("lontar-cut.jsonl", "lontar-cut.pin", "lontar-cut.token"):
        commands.append(f"write {work}/{name} /var/lib/{name}")
    home = os.path.join(work, "home")
    for root, dirs, files in os.walk(home):
        rel = os.path.relpath(root, home)
        target = HOME if rel == "." else f"{HOME}/{rel}"
        for d in sorted(dirs):
            commands.append(f"mkdir {target}/{d}")
        for name in sorted(files):
            commands.append(f"write {root}/{name} {target}/{name}")
    boot_test.debugfs(disk, offset, commands)


class Serial:
    """The guest's second serial port: lines, read as they come from the file QEMU writes them to.

    A file, not a socket: QEMU's 16550 sends a byte at a time, so a unix socket's buffer is full
    after a few hundred bytes the host has not read yet, and then QEMU drops bytes after a few
    tries (seen in CI, where a loaded host read late and a framed line lost its middle). A file
    never pushes back."""

    def __init__(self, path):
        self.file = open(path, "rb")
        self.buf = b""

    def _split(self):
        *done, self.buf = self.buf.split(b"\n")
        return [line.decode(errors="replace").strip() for line in done]

    def lines(self):
        chunk = self.file.read()
        if chunk:
            self.buf += chunk
        else:
            time.sleep(0.05)
        return self._split()

    def rest(self):
        """Every line still in the file once QEMU is gone."""
        self.buf += self.file.read()
        return self._split()


def qemu_cpu(pid, last):
    """QEMU's CPU seconds so far (user + system, /proc/PID/stat), or LAST once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return last


def boot_files(image_dir, work, root_partition, init="/etc/lontar-test/cut-init"):
    """The initrd and kernel command line of a power-cut boot: the minimal initramfs
    (mini_initramfs.py), or with LONTAR_POWER_CUT_INITRD=image the image's own initramfs and
    command line (its udev, its root= by UUID; minutes more per boot under TCG)."""
    if os.environ.get("LONTAR_POWER_CUT_INITRD") == "image":
        with open(os.path.join(image_dir, "cmdline")) as f:
            cmdline = f.read().strip()
        return (os.path.join(image_dir, "initrd.img"),
                cmdline + f" console=ttyS0 no_timer_check init={init}")
    initrd = mini_initramfs.build(image_dir, os.path.join(work, "mini-initrd.cpio"))
    return initrd, (f"quiet loglevel=3 console=ttyS0 no_timer_check panic=10 "
                    f"lontar_root=/dev/vda{root_partition} lontar_init={init}")


def boot(image_dir, work, disk, from_line, cut, files):
    """One boot. FROM_LINE: where exam run resumes (None: only check). CUT: ("login", s) or
    ("answers", s): the power goes s seconds after exam run began or after its first
    acknowledged line (None: let the guest power off). FILES: boot_files(). Returns the framed
    answers, the last line acknowledged, and the boot's figures."""
    initrd, cmdline = files
    if from_line is not None:
        cmdline += f" lontar_cut_from={from_line}"
    nbd, serial_path = os.path.join(work, "nbd.sock"), os.path.join(work, "serial.log")
    if os.path.exists(serial_path):
        os.unlink(serial_path)
    volatile = VolatileDisk(disk, nbd)
    command = ["qemu-system-x86_64", "-machine", "q35,accel=tcg", "-cpu", boot_test.QEMU_CPU,
               "-smp", "1", "-m", "1024", "-vga", "none", "-display", "none",
               "-kernel", os.path.join(image_dir, "vmlinuz"),
               "-initrd", initrd, "-append", cmdline,
               "-drive", f"file=nbd+unix:///?socket={nbd},format=raw,if=virtio,cache=writeback",
               "-nic", "none", "-no-reboot",
               "-serial", f"file:{os.path.join(work, 'console.log')}",
               "-serial", f"file:{serial_path}"]
    started = time.monotonic()
    qemu = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while not os.path.exists(serial_path):
        if qemu.poll() is not None:
            fail(f"QEMU exited: {qemu.stderr.read().decode()}")
        time.sleep(0.05)
    serial = Serial(serial_path)
    framed, run_started, first_done, up = {}, None, None, None
    cut_done, cpu, acked = False, 0.0, [0]

    def take(line):
        if line.startswith("done "):
            acked[0] = int(line.split()[1])
        elif line.startswith("@@") and line not in ("@@boot", "@@run"):
            key, _, rest = line[2:].partition(" ")
            framed[key] = rest

    while True:
        now = time.monotonic()
        cpu = qemu_cpu(qemu.pid, cpu)
        if now - started > BOOT_DEADLINE:
            qemu.kill()
            fail(f"no end of the guest's run within {BOOT_DEADLINE} s; framed so far {framed}; "
                 + console_tail(work))
        for line in serial.lines():
            if line == "@@boot":
                up = now - started
            elif line == "@@run":
                run_started = now
            elif line.startswith("done "):
                first_done = first_done or now
            take(line)
        since = run_started if cut and cut[0] == "login" else first_done
        if cut and since is not None and now - since >= cut[1]:
            qemu.send_signal(signal.SIGKILL)  # the power cut
            qemu.wait()
            cut_done = True
            break
        if "end" in framed or qemu.poll() is not None:
            break
    # The file may hold lines written after the last read, before the cut or the power-off: a
    # "done" line counts (the guest had its receipt), and so does a framed result.
    for line in serial.rest():
        take(line)
    if cut_done:
        kept, lost = volatile.cut(random.Random(f"{SEED}-{from_line}"))
    else:
        qemu.wait(timeout=60)
        kept = lost = 0
        volatile.close()
    return {"framed": framed, "acked": acked[0], "up": up, "cut": cut_done, "cpu": cpu,
            "held_kept": kept,
            "held_lost": lost, "flushes": volatile.flushes, "fua": volatile.fua_writes}


def decode(framed, key):
    status, _, b64 = framed.get(key, "").partition(" ")
    return status, base64.b64decode(b64).decode(errors="replace") if b64 else ""


def check(framed, lines, acked, boot_no):
    """The vault opened, the journal verifies, the sitting is in progress with the answers of
    lines 1..M for an M >= ACKED. Returns M."""
    status, out = decode(framed, "show")
    if status != "0":
        fail(f"boot {boot_no}: lontar exam show failed (the vault did not open?): {out}")
    status, verify = decode(framed, "verify")
    if status != "0":
        fail(f"boot {boot_no}: lontar journal verify failed: {verify}")
    sitting = json.loads(out)
    if acked == 0 and sitting.get("phase") == "not-started":
        return 0
    if sitting.get("phase") != "in-progress":
        fail(f"boot {boot_no}: the sitting is {sitting.get('phase')}, want in-progress: {out}")
    answers = sitting.get("answers", {})
    for m, want in states_from(lines, acked):
        if answers == want:
            return m
    fail(f"boot {boot_no}: lost an acknowledged answer: line {acked} was acknowledged, but the "
         f"sitting holds {answers}, which no line from {acked} to {acked + SLACK} gives")


def parse_args(name):
    """IMAGE_DIR LONTAR_BINARY [--keep DIR] from the command line: (image_dir, lontar, keep)."""
    args = sys.argv[1:]
    keep = None
    if "--keep" in args:
        i = args.index("--keep")
        keep = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        fail(f"usage: {name} IMAGE_DIR LONTAR_BINARY [--keep DIR]")
    image_dir, lontar = (os.path.abspath(a) for a in args)
    return image_dir, lontar, keep


def copy_image(image_dir, disk):
    """A sparse copy of the image's lontar.img at `disk`; returns its root partition (sfdisk's
    entry: start in sectors, node)."""
    subprocess.run(["cp", "--sparse=always", os.path.join(image_dir, "lontar.img"), disk],
                   check=True)
    table = json.loads(subprocess.run(["sfdisk", "-J", disk], check=True,
                                      capture_output=True, text=True).stdout)
    root = [p for p in table["partitiontable"]["partitions"] if p.get("name") == "lontar-root"]
    if not root:
        fail("lontar.img has no partition named lontar-root")
    return root[0]


def main():
    image_dir, lontar, keep = parse_args("power_cut_test.py")
    work = keep or tempfile.mkdtemp()
    os.makedirs(work, exist_ok=True)
    started = time.monotonic()
    try:
        lines = script()
        make_home(lontar, work, lines)
        disk = os.path.join(work, "cut.img")
        root = copy_image(image_dir, disk)
        write_into_image(disk, work, root["start"] * 512)
        files = boot_files(image_dir, work, root["node"][len(disk):])
        rng = random.Random(SEED)
        acked, beyond, ups, total_acked, lost_pieces, cpus = 0, 0, [], 0, 0, []
        for n in range(CUTS + 1):
            last = n == CUTS
            if last:
                cut = None
            elif rng.random() < 0.2:
                cut = ("login", rng.uniform(0, LOGIN_WINDOW))
            else:
                cut = ("answers", rng.uniform(0, ANSWER_WINDOW))
            result = boot(image_dir, work, disk, None if last else acked + 1, cut, files)
            framed = result["framed"]
            if "show" not in framed:
                fail(f"boot {n}: the guest did not get to `exam show` (framed {framed}, "
                     f"{'init started' if result['up'] else 'init never started'}); "
                     + console_tail(work))
            # Checked against what was acknowledged before this boot (the previous cut).
            m = check(framed, lines, acked, n)
            beyond += m - acked
            if result["up"] is not None:
                ups.append(result["up"])
            new_acked = result["acked"]
            if not last and not result["cut"]:
                status, err = decode(framed, "ran")
                fail(f"boot {n}: exam run ended before the cut ({status}): {err}")
            if new_acked:
                total_acked += max(0, new_acked - acked)
                acked = max(acked, new_acked)
            lost_pieces += result["held_lost"]
            cpus.append(result["cpu"])
            log(f"boot {n}: up {result['up'] or 0:.1f} s, QEMU CPU {result['cpu']:.1f} s; "
                f"sitting holds lines 1..{m}; "
                + ("checked only" if last else
                   f"cut {cut[1]:.1f} s into {'the login' if cut[0] == 'login' else 'the answers'}"
                   f" with line {acked} acknowledged; {result['flushes']} flushes, "
                   f"{result['fua']} FUA writes; at the cut {result['held_kept']} held 4 KiB "
                   f"pieces written back, {result['held_lost']} lost"))
        log(f"ok: {CUTS} power cuts, {total_acked} answers acknowledged, lost 0 "
            f"({beyond} lines durable beyond the last acknowledged one, journal verified and "
            f"vault opened after every cut); unflushed 4 KiB pieces lost at the cuts: "
            f"{lost_pieces}; boot to cut-init {min(ups):.0f}-{max(ups):.0f} s; QEMU CPU "
            f"{sum(cpus):.0f} s ({sum(cpus) / len(cpus):.1f} s a boot); whole test "
            f"{time.monotonic() - started:.0f} s")
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

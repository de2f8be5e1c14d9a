#!/usr/bin/python3
"""Power-cut test of a site relay under QEMU (TCG): the power of a PC running `lontar serve` as a
site relay is cut while terminals upload their result bundles to it, again and again, and every
bundle the relay acknowledged (signed for) is in its store after each boot.

    tests/image/relay_power_cut_test.py IMAGE_DIR LONTAR_BINARY [--keep DIR]

LONTAR_RELAY_POWER_CUTS: how many cuts (2 in CI); LONTAR_RELAY_TERMINALS: how many terminals
upload (default 2 a cut and 2, 3 bundles each); LONTAR_POWER_CUT_SEED: the random schedule.

The guest is power_cut_test.py's (a copy of lontar.img booted directly with the minimal
initramfs, the disk the volatile NBD disk that loses what was not flushed), with
init=/etc/lontar-test/relay-init in place of cut-init. Made here with LONTAR_BINARY and written
into the copy (/var/lib/lontar-relay): the keys (authority, results, the collection server's,
the relay's), T terminals, each with the mini exam's three candidates' sittings submitted (three
bundles in its outbox), their enrollment records, and the exam's pack.

Each boot, relay-init:
  1. `lontar serve` as a site relay on 127.0.0.1 (its upstream unreachable, so it stores each
     bundle and signs for it as held); its open re-indexes what the store's segments hold and its
     index lost (core/server/sqlite_backend.cpp: the segments are the durable record, fdatasync'd
     before a receipt goes out; the SQLite index is committed without an fsync);
  2. `lontar results open` of the relay's store (every bundle in it decrypted, its signature and
     scores checked), its JSON framed on the second serial port;
  3. terminals K, K + 1, ... each `lontar sync
     --relay-key` to it (K: the first terminal not acknowledged before the last cut, on the
     kernel command line); "done N" on the serial port once terminal N's sync has the relay's
     signed receipt for each of its bundles;
the host cuts the power at a random moment of step 3 (every fifth cut 0-6 s after the uploads
began, the others 0-4 s after the first acknowledged terminal) and boots again; the last boot
only checks. Every boot must find the store opening and holding the three bundles of each terminal
acknowledged before it, each decrypted and its score checked (lost = 0).
"""
import base64
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import boot_test  # noqa: E402  (debugfs)
import power_cut_test  # noqa: E402  (the guest's boot, the cut and the volatile disk)

CUTS = int(os.environ.get("LONTAR_RELAY_POWER_CUTS", "2"))
TERMINALS = int(os.environ.get("LONTAR_RELAY_TERMINALS", str(2 * CUTS + 2)))
SEED = int(os.environ.get("LONTAR_POWER_CUT_SEED", "20261205"))
START_WINDOW, UPLOAD_WINDOW = 6.0, 4.0
HOME = "/var/lib/lontar-relay"
PARTICIPANTS = {"TEST-0001": "111111", "TEST-0002": "222222", "TEST-0003": "333333"}
INIT = "/etc/lontar-test/relay-init"


def log(msg):
    print(f"relay_power_cut_test: {msg}", flush=True)


def fail(msg):
    print(f"relay_power_cut_test: FAIL: {msg}", flush=True)
    sys.exit(1)


RELAY_INIT = power_cut_test.guest_init("relay_power_cut_test.py", r"""r=HOME_DIR
had_store=$(test -e $r/store && echo yes)
# The relay starts as after any power cut: its read-write open re-indexes what the segments hold
# and the index lost (the index is committed without an fsync; the segments are the record).
lontar serve --listen 127.0.0.1:8470 --store $r/store --enrolled $r/enrolled --key $r/relay.key \
  --relay-to http://127.0.0.1:1 --relay-key $r/server.pub --relay-wait 0 >/tmp/serve 2>&1 &
n=0
until grep -q 'listening on' /tmp/serve || [ $n -ge 3000 ]; do sleep 0.2; n=$((n + 1)); done
if [ -z "$had_store" ]; then
  echo "@@open none" >&3
else
  lontar results open --store $r/store --key $r/results.key --pack $r/exam.lpk --out /tmp/open.csv \
    --json >/tmp/open 2>&1
  echo "@@open $? $(base64 -w0 /tmp/open) $(base64 -w0 /tmp/serve)" >&3
fi
if [ -n "$from" ]; then
  echo "@@run" >&3
  i=$from tries=0
  while [ -d $r/t$i ] && [ $tries -lt 200 ]; do
    if lontar sync --home $r/t$i --server http://127.0.0.1:8470 --server-key $r/server.pub \
      --relay-key $r/relay.pub --attempts 1 --json >/tmp/sync 2>&1 &&
      grep -q '"may_switch_off": true' /tmp/sync; then
      echo "done $i" >&3
      i=$((i + 1))
    else
      tries=$((tries + 1))  # the relay not listening yet
      sleep 0.2
    fi
  done
  echo "@@ran $tries $(base64 -w0 /tmp/sync)" >&3
fi
""")


def make_site(lontar, work):
    """Keys, TERMINALS terminals each with three submitted sittings, their enrollment records
    and the pack. Returns each terminal's id, in order (terminal n is t<n>)."""
    fixtures = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
    site = os.path.join(work, "site")
    shutil.rmtree(site, ignore_errors=True)
    os.makedirs(os.path.join(site, "enrolled"))
    p = lambda *names: os.path.join(site, *names)  # noqa: E731

    def run(*args):
        r = subprocess.run([lontar, *args], capture_output=True, text=True)
        if r.returncode != 0:
            fail(f"lontar {' '.join(args)}: {r.stderr}")
        return r.stdout

    for kind in ("authority", "results", "server", "relay"):
        run("keys", "new", kind, "--out", p("keys"))
    ids, fors = [], []
    for n in range(1, TERMINALS + 1):
        out = json.loads(run("terminal", "init", "--home", p(f"t{n}"), "--site", "RELAY-01",
                             "--trust", p("keys", "authority.pub"), "--json"))
        ids.append(out["terminal_id"])
        run("terminal", "enrollment", "--home", p(f"t{n}"), "--out", p("enrolled", f"t{n}.enroll"))
        fors += ["--for", p("enrolled", f"t{n}.enroll")]
    run("pack", "build", os.path.join(fixtures, "mini-exam"), "--key", p("keys", "authority.key"),
        "--version", "1", "--valid-from", "2020-01-01T00:00:00Z", "--valid-until",
        "2099-01-01T00:00:00Z", "--release-code-file",
        os.path.join(fixtures, "mini-release-code.txt"), "--proctor-code-file",
        os.path.join(fixtures, "mini-proctor-code.txt"), "--results-pub",
        p("keys", "results.pub"), "--out", p("exam.lpk"), *fors)
    with open(os.path.join(work, "submit.jsonl"), "w") as f:
        f.write('{"cmd":"submit"}\n')
    for n in range(1, TERMINALS + 1):
        home = p(f"t{n}")
        run("terminal", "load", "--home", home, p("exam.lpk"))
        run("session", "release", "--home", home, "--code-file",
            os.path.join(fixtures, "mini-release-code.txt"))
        token = run("session", "open", "--home", home, "--proctor-code-file",
                    os.path.join(fixtures, "mini-proctor-code.txt")).splitlines()[0]
        for participant, pin in PARTICIPANTS.items():
            with open(os.path.join(work, "pin"), "w") as f:
                f.write(pin + "\n")
            run("exam", "run", "--home", home, "--participant", participant, "--pin-file",
                os.path.join(work, "pin"), "--token", token, "--script",
                os.path.join(work, "submit.jsonl"))
    return ids


def write_into_image(disk, work, offset):
    """relay-init, the keys the relay and the check need, the pack, the enrollment records and
    the terminals into the copy's root filesystem (debugfs, no mount)."""
    with open(os.path.join(work, "relay-init"), "w") as f:
        f.write(RELAY_INIT.replace("HOME_DIR", HOME))
    site = os.path.join(work, "site")
    commands = ["mkdir /etc/lontar-test", f"write {work}/relay-init {INIT}",
                f"sif {INIT} mode 0100755", f"mkdir {HOME}"]
    for name in ("relay.key", "relay.pub", "server.pub", "results.key", "authority.pub"):
        commands.append(f"write {site}/keys/{name} {HOME}/{name}")
    commands.append(f"write {site}/exam.lpk {HOME}/exam.lpk")
    for root, dirs, files in os.walk(site):
        rel = os.path.relpath(root, site)
        if rel == "keys" or rel.startswith("keys/"):
            continue
        target = HOME if rel == "." else f"{HOME}/{rel}"
        for d in sorted(dirs):
            if not (rel == "." and d == "keys"):
                commands.append(f"mkdir {target}/{d}")
        for name in sorted(files):
            if rel != ".":
                commands.append(f"write {root}/{name} {target}/{name}")
    boot_test.debugfs(disk, offset, commands)


def check(framed, ids, acked, boot_no):
    """The store opens and holds, decrypted and scored, the three bundles of terminals 1..ACKED.
    Returns how many bundles it holds."""
    status, _, rest = framed.get("open", "").partition(" ")
    if status == "none" or (status != "0" and acked == 0):
        return 0  # nothing acknowledged yet: the store may not be there, or half made
    b64, _, serve = rest.partition(" ")
    out = base64.b64decode(b64).decode(errors="replace") if b64 else ""
    if status != "0":
        fail(f"boot {boot_no}: the relay's store does not open ({status}) with terminals "
             f"1..{acked} acknowledged: {out}; lontar serve said: "
             f"{base64.b64decode(serve).decode(errors='replace') if serve else ''}")
    summary = json.loads(out)
    held = {(r["terminal_id"], r["participant"]) for r in summary.get("results", [])}
    if summary.get("unopenable") or summary.get("score_mismatches"):
        fail(f"boot {boot_no}: bundles in the store that do not open or score: {out}")
    missing = [(ids[n], p) for n in range(acked) for p in PARTICIPANTS if (ids[n], p) not in held]
    if missing:
        fail(f"boot {boot_no}: acknowledged bundles missing from the relay's store: {missing} "
             f"(terminals 1..{acked} acknowledged; the store holds {sorted(held)})")
    return len(held)


def main():
    image_dir, lontar, keep = power_cut_test.parse_args("relay_power_cut_test.py")
    work = keep or tempfile.mkdtemp()
    os.makedirs(work, exist_ok=True)
    started = time.monotonic()
    try:
        ids = make_site(lontar, work)
        log(f"{TERMINALS} terminals with 3 bundles each made in {time.monotonic() - started:.0f} s")
        disk = os.path.join(work, "relay.img")
        root = power_cut_test.copy_image(image_dir, disk)
        write_into_image(disk, work, root["start"] * 512)
        files = power_cut_test.boot_files(image_dir, work, root["node"][len(disk):], INIT)
        rng = random.Random(SEED)
        acked, ups, lost_pieces, cpus = 0, [], 0, []
        for n in range(CUTS + 1):
            last = n == CUTS
            if last:
                cut = None
            elif n % 5 == 4:
                cut = ("login", rng.uniform(0, START_WINDOW))
            else:
                cut = ("answers", rng.uniform(0, UPLOAD_WINDOW))
            result = power_cut_test.boot(image_dir, work, disk, None if last else acked + 1, cut,
                                         files)
            framed = result["framed"]
            if "open" not in framed:
                fail(f"boot {n}: the guest did not get to `results open` (framed {framed}, "
                     f"{'relay-init started' if result['up'] else 'relay-init never started'}); "
                     + power_cut_test.console_tail(work))
            held = check(framed, ids, acked, n)
            if result["up"] is not None:
                ups.append(result["up"])
            if not last and not result["cut"]:
                if acked + 1 <= TERMINALS and result["acked"] < TERMINALS:
                    status, _, b64 = framed.get("ran", "").partition(" ")
                    fail(f"boot {n}: the uploads ended before the cut (tries {status}): "
                         f"{base64.b64decode(b64).decode(errors='replace') if b64 else ''}")
            acked = max(acked, result["acked"])
            lost_pieces += result["held_lost"]
            cpus.append(result["cpu"])
            log(f"boot {n}: up {result['up'] or 0:.1f} s, QEMU CPU {result['cpu']:.1f} s; the "
                f"store holds {held} bundles; "
                + ("checked only" if last else
                   f"cut {cut[1]:.1f} s into {'the start' if cut[0] == 'login' else 'the uploads'}"
                   f" with terminals 1..{acked} acknowledged; {result['flushes']} flushes, "
                   f"{result['fua']} FUA writes; at the cut {result['held_kept']} held 4 KiB "
                   f"pieces written back, {result['held_lost']} lost"))
        log(f"ok: {CUTS} power cuts of the relay, {3 * acked} bundles acknowledged, lost 0 (the "
            f"store opened and every bundle decrypted and scored after every cut); unflushed "
            f"4 KiB pieces lost at the cuts: {lost_pieces}; boot to relay-init "
            f"{min(ups):.0f}-{max(ups):.0f} s; QEMU CPU {sum(cpus):.0f} s; whole test "
            f"{time.monotonic() - started:.0f} s")
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

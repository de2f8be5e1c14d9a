"""The kiosk's screen in a QEMU guest against the same screen rendered on the build machine: the
kiosk (the build's lontar-kiosk) draws its health screen for a terminal initialised the same way
under Xvfb at the guest's resolution and writes it to a PNG (--screenshot); the guest's
screendump must be drawn in the same colours. The two are not compared pixel by pixel (the
terminal id, the clock and the free space differ), but colour by colour: every colour that
covers a visible part of the reference (background, panels, buttons, the green status line)
must cover a like part of the screendump, and nothing large in the screendump may be in a colour
the reference does not have (the fault this catches: a renderer that painted the health screen's
buttons a solid green, under virtio-gpu with OpenGL). Pure Python (no PIL on the test machines).
"""
import os
import shutil
import struct
import subprocess
import zlib

TOLERANCE = 8  # per channel: the same colour after a 16/24/32-bit framebuffer's rounding
MAJOR = 0.001  # a reference colour covering at least this share of the screen must be there
FOREIGN = 0.02  # a screendump colour covering this share must be one of the reference's


def read_png(path):
    """(width, height, RGB bytes) of an 8-bit RGB or RGBA PNG without interlacing (what the
    kiosk's --screenshot writes)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG")
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace:
                raise ValueError(f"{path}: PNG kind not handled (depth {depth}, colour {colour})")
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    out = bytearray(width * height * 3)
    prev = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if kind == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif kind == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif kind == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b, c = prev[i], prev[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        prev = line
        if channels == 3:
            out[y * width * 3:(y + 1) * width * 3] = line
        else:
            row = out[y * width * 3:(y + 1) * width * 3]
            row[0::3], row[1::3], row[2::3] = line[0::4], line[1::4], line[2::4]
            out[y * width * 3:(y + 1) * width * 3] = row
    return width, height, bytes(out)


def read_ppm(path):
    with open(path, "rb") as f:
        data = f.read()
    parts = data.split(maxsplit=4)
    if parts[0] != b"P6":
        raise ValueError(f"{path}: not a binary PPM")
    return int(parts[1]), int(parts[2]), parts[4]


def histogram(pixels, step=5):
    """Share of the screen each colour covers, from every STEP-th pixel."""
    counts, n = {}, 0
    for i in range(0, len(pixels) - 2, 3 * step):
        c = (pixels[i], pixels[i + 1], pixels[i + 2])
        counts[c] = counts.get(c, 0) + 1
        n += 1
    return {c: k / n for c, k in counts.items()}


def near(a, b):
    return all(abs(x - y) <= TOLERANCE for x, y in zip(a, b))


def share_near(hist, colour):
    return sum(s for c, s in hist.items() if near(c, colour))


def compare(dump_ppm, reference_png):
    """None when the screendump is drawn in the reference's colours, or what is wrong."""
    _, _, dump = read_ppm(dump_ppm)
    _, _, ref = read_png(reference_png)
    hd, hr = histogram(dump), histogram(ref)
    wrong = []
    for colour, share in sorted(hr.items(), key=lambda kv: -kv[1]):
        if share < MAJOR:
            break
        got = share_near(hd, colour)
        if got < share / 3:
            wrong.append(f"colour {colour} covers {share:.1%} of the reference, {got:.1%} of "
                         f"the screen")
    for colour, share in sorted(hd.items(), key=lambda kv: -kv[1]):
        if share < FOREIGN:
            break
        if share_near(hr, colour) < MAJOR / 5:
            wrong.append(f"colour {colour} covers {share:.1%} of the screen and is not in the "
                         f"reference")
    return "; ".join(wrong) or None


def render_reference(lontar_bin_dir, work, width, height, name):
    """The health screen of a terminal initialised as the boot test's guest is (site BOOT-TEST,
    name qemu), drawn by the build's lontar-kiosk under Xvfb at WIDTHxHEIGHT; returns the PNG's
    path."""
    lontar = os.path.join(lontar_bin_dir, "lontar")
    kiosk = os.path.join(lontar_bin_dir, "lontar-kiosk")
    home = os.path.join(work, f"reference-home-{name}")
    keys = os.path.join(work, f"reference-keys-{name}")
    for d in (home, keys):
        shutil.rmtree(d, ignore_errors=True)
    subprocess.run([lontar, "keys", "new", "authority", "--out", keys], check=True,
                   capture_output=True)
    subprocess.run([lontar, "terminal", "init", "--home", home, "--site", "BOOT-TEST", "--trust",
                    os.path.join(keys, "authority.pub"), "--name", "qemu"], check=True,
                   capture_output=True)
    png = os.path.join(work, f"reference-{name}.png")
    r = subprocess.run(["xvfb-run", "-a", "-s", f"-screen 0 {width}x{height}x24", kiosk,
                        "--home", home, "--windowed", f"{width}x{height}", "--screenshot", png],
                       capture_output=True, text=True, timeout=300)
    if r.returncode != 0 or not os.path.exists(png):
        raise RuntimeError(f"the reference render failed: {r.stderr[-2000:]}")
    return png

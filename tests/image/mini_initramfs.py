"""A minimal initramfs for the power-cut guest (tests/image/power_cut_test.py): Debian's static
busybox (busybox-static, from image/install-deps), the image's own kernel modules for a virtio
disk and ext4, and an /init that loads them, mounts the image's root read-only (ext4 replays its
journal there, as at any boot after a power cut) and switches to it with the init the kernel
command line names. Test scaffolding only: the image ships its own initramfs (mkinitramfs).

Why: the image's initramfs is 24 MB of gzip (79 MB unpacked), with udev and every storage and
graphics driver; under TCG unpacking it and letting udev load modules costs most of a power-cut
boot. This one is about 5 MB, uncompressed (nothing to inflate), and loads 11 modules by path.

The archive is the kernel's "newc" cpio format (Documentation/driver-api/early-userspace/
buffer-format.rst): per entry a 110-byte ASCII header ("070701", then 13 fields of 8 hex digits:
inode, mode, uid, gid, nlink, mtime, file size, dev major/minor, rdev major/minor, name size
with its NUL, check 0), the name and its NUL padded to 4 bytes, the data padded to 4 bytes; the
last entry is named "TRAILER!!!".

    build(image_dir, out) -> path of the archive
"""
import itertools
import os

BUSYBOX = "/bin/busybox"
# Loaded in this order (each after what it needs: modules.dep of the image's kernel).
MODULES = ["virtio", "virtio_ring", "virtio_pci_legacy_dev", "virtio_pci_modern_dev",
           "virtio_pci", "virtio_blk", "crc16", "mbcache", "jbd2", "crc32c_generic", "ext4"]

INIT = r"""#!/bin/busybox sh
# The power-cut guest's initramfs (tests/image/mini_initramfs.py): the modules, the root, init.
b=/bin/busybox
$b mount -t devtmpfs dev /dev
$b mount -t proc proc /proc
$b mount -t sysfs sys /sys
for m in MODULES; do $b insmod /modules/$m.ko || echo "mini-initramfs: insmod $m failed"; done
root=$($b sed -n 's/.*lontar_root=\([^ ]*\).*/\1/p' /proc/cmdline)
init=$($b sed -n 's/.*lontar_init=\([^ ]*\).*/\1/p' /proc/cmdline)
n=0
while [ ! -b "$root" ] && [ $n -lt 300 ]; do $b usleep 100000; n=$((n + 1)); done
$b mount -t ext4 -o ro "$root" /root || { echo "mini-initramfs: cannot mount $root"; $b sh; }
for d in dev proc sys; do $b mount --move /$d /root/$d; done
# Loopback up (the image has no ip(8); systemd does this on a normal boot): the relay's power-cut
# guest serves and uploads over 127.0.0.1.
$b ip link set lo up
exec $b switch_root /root "$init"
"""


_inodes = itertools.count(1)


def _entry(name, mode, data=b"", rdev=(0, 0)):
    name_bytes = name.encode() + b"\0"
    fields = [next(_inodes), mode, 0, 0, 1, 0, len(data), 0, 0, *rdev, len(name_bytes), 0]
    head = b"070701" + b"".join(b"%08X" % f for f in fields) + name_bytes
    head += b"\0" * (-len(head) % 4)
    return head + data + b"\0" * (-len(data) % 4)


def build(image_dir, out):
    """Writes the archive to OUT from IMAGE_DIR/rootfs's modules. The kernel command line names
    the root device (lontar_root=/dev/vdaN) and the init to run on it (lontar_init=PATH). Fails
    (OSError) when busybox or a module is missing."""
    modules_root = os.path.join(image_dir, "rootfs", "lib", "modules")
    versions = os.listdir(modules_root)
    if len(versions) != 1:
        raise OSError(f"{modules_root}: want one kernel's modules, found {versions}")
    base = os.path.join(modules_root, versions[0])
    paths = {}
    with open(os.path.join(base, "modules.dep")) as f:
        for line in f:
            rel = line.split(":", 1)[0]
            paths[os.path.basename(rel)[:-3].replace("-", "_")] = os.path.join(base, rel)
    parts = [_entry(d, 0o40755) for d in ("bin", "dev", "proc", "sys", "root", "modules")]
    parts.append(_entry("dev/console", 0o20600, rdev=(5, 1)))  # init's stdin, stdout, stderr
    with open(BUSYBOX, "rb") as f:
        parts.append(_entry("bin/busybox", 0o100755, f.read()))
    for name in MODULES:
        if name not in paths:
            raise OSError(f"{base}/modules.dep has no module {name}")
        with open(paths[name], "rb") as f:
            parts.append(_entry(f"modules/{name}.ko", 0o100644, f.read()))
    parts.append(_entry("init", 0o100755, INIT.replace("MODULES", " ".join(MODULES)).encode()))
    parts.append(_entry("TRAILER!!!", 0))
    with open(out, "wb") as f:
        f.write(b"".join(parts))
    return out

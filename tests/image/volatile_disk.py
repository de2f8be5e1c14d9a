"""A disk with a volatile write cache, for the power-cut test (tests/image/power_cut_test.py):
an NBD server over a raw image file that QEMU's NBD client uses as the guest's disk.

Why not a QEMU cache mode: a SIGKILL of QEMU loses the guest's own page cache, but every write
QEMU had already passed to the host survives it, whatever the cache mode: cache=writeback leaves
it in the host's page cache (which the host keeps), cache=none and directsync have written it
past that. None of them loses a write the guest issued but never flushed, which is exactly what
a PC's disk with a volatile write cache may do when the power goes. So the guest's disk is this
server instead: QEMU (cache=writeback, so the guest is told the disk has a write cache and sends
flushes) turns every guest flush into NBD_CMD_FLUSH and every FUA write into a write with
NBD_CMD_FLAG_FUA. Here a write is only held in memory until then: a flush writes every held
write to the file in the order the guest issued them, a FUA write is written at once. The guest
reads its own held writes back, as from a disk's cache. At a cut (`cut`), QEMU is gone and a
random subset of the held writes, in 4 KiB pieces, reaches the file (a disk writes some of its
cache back before it loses power, in an order of its own), the rest is lost.

The protocol (the NBD project's proto.md, "fixed newstyle" negotiation) as far as QEMU 7.2 uses
it: NBD_OPT_GO (export info, then ACK), every other option answered NBD_REP_ERR_UNSUP (so QEMU
uses simple replies); commands READ, WRITE (with or without FUA), FLUSH and DISC. The export
advertises SEND_FLUSH and SEND_FUA only (no TRIM, no WRITE_ZEROES: QEMU writes zeroes instead).
"""
import os
import socket
import struct
import threading

NBDMAGIC = 0x4E42444D41474943
IHAVEOPT = 0x49484156454F5054
REPLY_MAGIC = 0x3E889045565A9
FLAG_FIXED_NEWSTYLE, FLAG_NO_ZEROES = 1, 2
OPT_EXPORT_NAME, OPT_ABORT, OPT_GO = 1, 2, 7
REP_ACK, REP_INFO, REP_ERR_UNSUP = 1, 3, (1 << 31) + 1
INFO_EXPORT = 0
TFLAG_HAS_FLAGS, TFLAG_SEND_FLUSH, TFLAG_SEND_FUA = 1, 4, 8
REQUEST_MAGIC, SIMPLE_REPLY_MAGIC = 0x25609513, 0x67446698
CMD_READ, CMD_WRITE, CMD_DISC, CMD_FLUSH = 0, 1, 2, 3
CMD_FLAG_FUA = 1
EINVAL = 22
SECTOR = 512
PIECE = 4096  # the unit a disk's cache is written back in at a cut


class VolatileDisk:
    """Serves PATH on the Unix socket SOCKET_PATH to one client at a time (the test's QEMU).
    Counters: flushes, fua_writes, held (writes held now); `cut(rng)` ends the power."""

    def __init__(self, path, socket_path):
        self.path = path
        self.size = os.path.getsize(path)
        self.file = open(path, "r+b")
        self.lock = threading.Lock()
        self.held = []  # (offset, bytes) in the order the guest wrote them, not yet on file
        self.cache = {}  # sector -> 512 bytes: what the guest reads back before a flush
        self.flushes = self.fua_writes = 0
        self.listener = socket.socket(socket.AF_UNIX)
        if os.path.exists(socket_path):
            os.unlink(socket_path)
        self.listener.bind(socket_path)
        self.listener.listen(1)
        self.conn = None
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    # ---- the cache ---------------------------------------------------------------------------
    def _write_file(self, offset, data):
        self.file.seek(offset)
        self.file.write(data)

    def _flush(self):
        for offset, data in self.held:
            self._write_file(offset, data)
        self.file.flush()
        self.held.clear()
        self.cache.clear()
        self.flushes += 1

    def _write(self, offset, data, fua):
        if fua:
            # Durable now; a held older write of the same sectors must not land on top of it
            # later, so everything held goes first (a disk may always write back early).
            self._flush()
            self._write_file(offset, data)
            self.file.flush()
            self.fua_writes += 1
            return
        self.held.append((offset, data))
        for i in range(0, len(data), SECTOR):
            self.cache[(offset + i) // SECTOR] = data[i:i + SECTOR]

    def _read(self, offset, length):
        self.file.seek(offset)
        data = bytearray(self.file.read(length))
        if self.cache:
            first, last = offset // SECTOR, (offset + length - 1) // SECTOR
            for sector in range(first, last + 1):
                cached = self.cache.get(sector)
                if cached is not None:
                    start = sector * SECTOR - offset
                    data[start:start + SECTOR] = cached
        return bytes(data)

    def cut(self, rng):
        """The power goes (call after QEMU is killed): each 4 KiB piece of each held write
        reaches the file with probability 1/2, in the order written; the rest is lost. Returns
        (pieces kept, pieces lost)."""
        with self.lock:
            kept = lost = 0
            for offset, data in self.held:
                for i in range(0, len(data), PIECE):
                    if rng.random() < 0.5:
                        self._write_file(offset + i, data[i:i + PIECE])
                        kept += 1
                    else:
                        lost += 1
            self.held.clear()
            self.cache.clear()
            self.file.flush()
            self.close()
            return kept, lost

    def close(self):
        for s in (self.conn, self.listener):
            if s is not None:
                try:
                    s.close()
                except OSError:
                    pass
        if not self.file.closed:
            self.file.close()

    # ---- the protocol ------------------------------------------------------------------------
    def _recv(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.conn.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("the client went away")
            buf += chunk
        return buf

    def _option_reply(self, option, reply, data=b""):
        self.conn.sendall(struct.pack(">QIII", REPLY_MAGIC, option, reply, len(data)) + data)

    def _negotiate(self):
        self.conn.sendall(struct.pack(">QQH", NBDMAGIC, IHAVEOPT,
                                      FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES))
        (client_flags,) = struct.unpack(">I", self._recv(4))
        tflags = TFLAG_HAS_FLAGS | TFLAG_SEND_FLUSH | TFLAG_SEND_FUA
        while True:
            magic, option, length = struct.unpack(">QII", self._recv(16))
            if magic != IHAVEOPT:
                raise ConnectionError("bad option magic")
            self._recv(length)
            if option == OPT_GO:
                self._option_reply(option, REP_INFO, struct.pack(">HQH", INFO_EXPORT, self.size,
                                                                 tflags))
                self._option_reply(option, REP_ACK)
                return
            if option == OPT_EXPORT_NAME:
                zeroes = b"" if client_flags & FLAG_NO_ZEROES else bytes(124)
                self.conn.sendall(struct.pack(">QH", self.size, tflags) + zeroes)
                return
            if option == OPT_ABORT:
                self._option_reply(option, REP_ACK)
                raise ConnectionError("the client aborted")
            self._option_reply(option, REP_ERR_UNSUP)

    def _serve(self):
        try:
            self.conn, _ = self.listener.accept()
            self._negotiate()
            while True:
                magic, flags, kind, cookie, offset, length = struct.unpack(
                    ">IHHQQI", self._recv(28))
                if magic != REQUEST_MAGIC:
                    raise ConnectionError("bad request magic")
                data = self._recv(length) if kind == CMD_WRITE else b""
                if kind == CMD_DISC:
                    return
                error, payload = 0, b""
                with self.lock:
                    if offset + (length if kind in (CMD_READ, CMD_WRITE) else 0) > self.size:
                        error = EINVAL
                    elif kind == CMD_READ:
                        payload = self._read(offset, length)
                    elif kind == CMD_WRITE:
                        self._write(offset, data, bool(flags & CMD_FLAG_FUA))
                    elif kind == CMD_FLUSH:
                        self._flush()
                    else:
                        error = EINVAL
                self.conn.sendall(struct.pack(">IIQ", SIMPLE_REPLY_MAGIC, error, cookie) +
                                  (payload if error == 0 else b""))
        except (ConnectionError, OSError, struct.error):
            return  # QEMU killed (the cut) or gone: the test decides what that means

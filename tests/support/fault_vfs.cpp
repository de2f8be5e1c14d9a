#include "tests/support/fault_vfs.hpp"

#include <sqlite3.h>

#include <cstring>

namespace lontar::testing {
namespace {

struct Plan {
  bool armed = false;
  FaultOp op = FaultOp::kWrite;
  int nth = 0;
  FaultErrno err = FaultErrno::kIo;
  int writes = 0;
  int syncs = 0;
  bool fired = false;
};
Plan plan;

struct ShimFile {
  sqlite3_file base;  // must be first: SQLite sees this
  sqlite3_file* real;
};

sqlite3_vfs* real_vfs = nullptr;
sqlite3_vfs shim_vfs;
sqlite3_io_methods shim_methods;

sqlite3_file* Real(sqlite3_file* f) { return reinterpret_cast<ShimFile*>(f)->real; }

bool ShouldFail(FaultOp op) {
  int count = op == FaultOp::kWrite ? ++plan.writes : ++plan.syncs;
  if (plan.armed && !plan.fired && plan.op == op && plan.nth == count) {
    plan.fired = true;
    return true;
  }
  return false;
}

int Close(sqlite3_file* f) {
  int rc = Real(f)->pMethods ? Real(f)->pMethods->xClose(Real(f)) : SQLITE_OK;
  return rc;
}
int Read(sqlite3_file* f, void* buf, int n, sqlite3_int64 off) {
  return Real(f)->pMethods->xRead(Real(f), buf, n, off);
}
int Write(sqlite3_file* f, const void* buf, int n, sqlite3_int64 off) {
  if (ShouldFail(FaultOp::kWrite)) {
    return plan.err == FaultErrno::kNoSpace ? SQLITE_FULL : SQLITE_IOERR_WRITE;
  }
  return Real(f)->pMethods->xWrite(Real(f), buf, n, off);
}
int Truncate(sqlite3_file* f, sqlite3_int64 size) {
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int Sync(sqlite3_file* f, int flags) {
  if (ShouldFail(FaultOp::kSync)) {
    return plan.err == FaultErrno::kNoSpace ? SQLITE_FULL : SQLITE_IOERR_FSYNC;
  }
  return Real(f)->pMethods->xSync(Real(f), flags);
}
int FileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int Lock(sqlite3_file* f, int level) { return Real(f)->pMethods->xLock(Real(f), level); }
int Unlock(sqlite3_file* f, int level) { return Real(f)->pMethods->xUnlock(Real(f), level); }
int CheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int FileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int SectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int DeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShmMap(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), page, size, extend, out);
}
int ShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShmUnmap(sqlite3_file* f, int del) { return Real(f)->pMethods->xShmUnmap(Real(f), del); }
int Fetch(sqlite3_file* f, sqlite3_int64 off, int n, void** out) {
  return Real(f)->pMethods->xFetch(Real(f), off, n, out);
}
int Unfetch(sqlite3_file* f, sqlite3_int64 off, void* p) {
  return Real(f)->pMethods->xUnfetch(Real(f), off, p);
}

int Open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  auto* shim = reinterpret_cast<ShimFile*>(file);
  shim->real = reinterpret_cast<sqlite3_file*>(shim + 1);
  int rc = real_vfs->xOpen(real_vfs, name, shim->real, flags, out_flags);
  // SQLite calls xClose only when pMethods is set, so leave it null if the real open failed.
  shim->base.pMethods = (rc == SQLITE_OK && shim->real->pMethods) ? &shim_methods : nullptr;
  return rc;
}

}  // namespace

void RegisterFaultVfs() {
  if (real_vfs != nullptr) return;
  real_vfs = sqlite3_vfs_find(nullptr);
  shim_vfs = *real_vfs;
  shim_vfs.zName = kFaultVfsName;
  shim_vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + real_vfs->szOsFile;
  shim_vfs.xOpen = Open;
  shim_vfs.pNext = nullptr;
  std::memset(&shim_methods, 0, sizeof shim_methods);
  shim_methods.iVersion = 3;
  shim_methods.xClose = Close;
  shim_methods.xRead = Read;
  shim_methods.xWrite = Write;
  shim_methods.xTruncate = Truncate;
  shim_methods.xSync = Sync;
  shim_methods.xFileSize = FileSize;
  shim_methods.xLock = Lock;
  shim_methods.xUnlock = Unlock;
  shim_methods.xCheckReservedLock = CheckReservedLock;
  shim_methods.xFileControl = FileControl;
  shim_methods.xSectorSize = SectorSize;
  shim_methods.xDeviceCharacteristics = DeviceCharacteristics;
  shim_methods.xShmMap = ShmMap;
  shim_methods.xShmLock = ShmLock;
  shim_methods.xShmBarrier = ShmBarrier;
  shim_methods.xShmUnmap = ShmUnmap;
  shim_methods.xFetch = Fetch;
  shim_methods.xUnfetch = Unfetch;
  sqlite3_vfs_register(&shim_vfs, /*makeDflt=*/0);
}

void ArmFault(FaultOp op, int nth, FaultErrno err) { plan = Plan{true, op, nth, err, 0, 0, false}; }
void DisarmFault() { plan = Plan{}; }
int WritesSeen() { return plan.writes; }
int SyncsSeen() { return plan.syncs; }
bool FaultFired() { return plan.fired; }

}  // namespace lontar::testing

// A SQLite VFS shim that forwards to the default VFS and can fail the Nth write or sync with a
// chosen error: the file-system seam of the fault-injection tests (as in SQLite's own I/O-error
// tests). Open a vault with VaultOptions{.vfs = kFaultVfsName} to route its I/O through it.
#pragma once

namespace lontar::testing {

inline constexpr char kFaultVfsName[] = "lontar-fault";

enum class FaultOp { kWrite, kSync };
enum class FaultErrno { kNoSpace, kIo };  // ENOSPC -> SQLITE_FULL, EIO -> SQLITE_IOERR_*

// Registers the shim (idempotent). Not thread-safe with concurrent I/O; tests are single-threaded.
void RegisterFaultVfs();

// Counts calls from now on; fails the `nth` (1-based) call of `op` with `err`, and only that one.
void ArmFault(FaultOp op, int nth, FaultErrno err);
// Counts calls, fails nothing.
void DisarmFault();
int WritesSeen();
int SyncsSeen();
bool FaultFired();

}  // namespace lontar::testing

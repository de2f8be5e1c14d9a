// What a read-write open of the SQLite store does before it serves: the schema created or
// upgraded in place, its version checked, the store locked, the records the index lacks
// re-indexed (and what the scan did told to the operator).
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/server/sqlite_detail.hpp"

namespace lontar::server {
namespace sqlite_detail {
namespace {

constexpr char kSqliteSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS bundles (
  bundle_id    TEXT PRIMARY KEY,
  receipt_code TEXT NOT NULL,
  terminal_id  TEXT NOT NULL,
  site         TEXT NOT NULL,
  exam_id      TEXT NOT NULL,
  participant  TEXT NOT NULL,
  seq          INTEGER NOT NULL,
  journal_seq  INTEGER NOT NULL,
  kind         TEXT NOT NULL,
  created_ms   INTEGER NOT NULL,
  stored_ms    INTEGER NOT NULL,
  bytes        INTEGER NOT NULL,
  receipt      TEXT NOT NULL,
  pack_id      TEXT NOT NULL DEFAULT '',
  segment      INTEGER,
  segment_offset INTEGER,
  digest       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS bundles_code ON bundles (receipt_code);
CREATE INDEX IF NOT EXISTS bundles_terminal ON bundles (terminal_id, seq);
CREATE INDEX IF NOT EXISTS bundles_journal ON bundles (terminal_id, journal_seq);
CREATE TABLE IF NOT EXISTS flags (
  terminal_id TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  bundle_id   TEXT NOT NULL,
  kind        TEXT NOT NULL,
  detail      TEXT NOT NULL,
  at_ms       INTEGER NOT NULL
);
)sql";

Result<bool> HasColumn(const Database& db, const std::string& column) {
  LONTAR_ASSIGN_OR_RETURN(Statement s, db.Prepare("PRAGMA table_info(bundles)"));
  for (;;) {
    LONTAR_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return false;
    if (s.ColumnText(1) == column) return true;
  }
}

}  // namespace

Result<std::int64_t> UserVersion(const Database& db) {
  LONTAR_ASSIGN_OR_RETURN(Statement s, db.Prepare("PRAGMA user_version"));
  LONTAR_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.ColumnInt(0) : 0;
}

Result<Database> OpenReader(const std::filesystem::path& index) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(index.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  Database db(raw);
  if (rc != SQLITE_OK) return std::unexpected(SqliteError(raw, rc, index.string()));
  // WAL readers rarely wait (only while the writer recovers or restarts the log): a short wait
  // then, rather than a failed lookup.
  sqlite3_busy_timeout(raw, 5000);
  return db;
}

Result<std::int64_t> CheckSchemaVersion(const Database& db, const std::filesystem::path& index,
                                        StoreAccess access) {
  LONTAR_ASSIGN_OR_RETURN(std::int64_t version, UserVersion(db));
  if (access == StoreAccess::kReadOnly && version > 0 && version < 2) {
    return std::unexpected(Error::TooNew(
        index.string() + " has store schema version " + std::to_string(version) +
        ", older than this lontar's " + std::to_string(kSqliteSchemaVersion) +
        ": start `lontar serve` on it once (it upgrades the store in place, keeping every "
        "bundle), or open a copy of it that way"));
  }
  if (version > kSqliteSchemaVersion) {
    return std::unexpected(
        Error::TooNew(index.string() + " has store schema version " + std::to_string(version) +
                      "; this lontar knows version " + std::to_string(kSqliteSchemaVersion) +
                      " and leaves it untouched: use the lontar that wrote it, or a newer one"));
  }
  return version;
}

// Brings the tables to kSqliteSchemaVersion in one transaction (a crash leaves the old version):
// 2 added bundles.pack_id; 3 added bundles.segment and segment_offset (NULL for the bundles
// stored before, which stay files under STORE/bundles); 4 changed no table: records carry their
// rows (LSG2) and the index is committed without an fsync, which a Lontar of version 3 must not
// open (it would cut re-indexable records), hence the bump; 5 changed no table either (the
// digest column and its index are added whatever the version): records are LSG3, which a
// Lontar of version 4 would cut as damage.
Status UpgradeSchema(Database& db) {
  LONTAR_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
  LONTAR_TRY(db.Exec(kSqliteSchema));
  for (const char* column : {"pack_id", "segment", "segment_offset", "digest"}) {
    LONTAR_ASSIGN_OR_RETURN(bool has, HasColumn(db, column));
    if (has) continue;
    const std::string name = column;
    const std::string type = name == "pack_id"  ? "TEXT NOT NULL DEFAULT ''"
                             : name == "digest" ? "TEXT NOT NULL DEFAULT ''"
                                                : "INTEGER";
    LONTAR_TRY(db.Exec("ALTER TABLE bundles ADD COLUMN " + std::string(column) + " " + type));
  }
  // A re-sent upload is looked up by its digest before it is verified (Store::Accept); rows
  // without one are never looked up that way.
  LONTAR_TRY(
      db.Exec("CREATE INDEX IF NOT EXISTS bundles_digest ON bundles (digest) WHERE digest != ''"));
  LONTAR_TRY(db.Exec("PRAGMA user_version = " + std::to_string(kSqliteSchemaVersion)));
  return tx.Commit();
}

// Every record the index names, for ScanSegments.
Result<std::vector<SegmentLocation>> IndexedRecords(const Database& db) {
  LONTAR_ASSIGN_OR_RETURN(
      Statement s,
      db.Prepare("SELECT segment, segment_offset FROM bundles WHERE segment IS NOT NULL"));
  std::vector<SegmentLocation> out;
  for (;;) {
    LONTAR_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    out.push_back({s.ColumnInt(0), static_cast<std::uint64_t>(s.ColumnInt(1))});
  }
  return out;
}

// Adds the rows and flags of the records no row named, in log order, in one transaction. A
// record whose bundle id has a row already is the leftover of an upload whose index commit failed
// and that was then stored again: the row that stands is the one whose receipt was sent.
Status Reindex(Database& db, const std::vector<UnindexedRecord>& records) {
  if (records.empty()) return Ok();
  StatementCache statements(db);
  LONTAR_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db));
  for (const UnindexedRecord& rec : records) {
    LONTAR_ASSIGN_OR_RETURN(std::optional<StoredBundle> existing,
                            SelectOne(statements, "WHERE bundle_id = ?", rec.row.bundle_id));
    if (existing) continue;
    LONTAR_TRY(InsertRows(statements, rec.row, rec.flags, rec.at));
  }
  return tx.Commit();
}

// What a read-write open's scan did, for the operator.
std::vector<std::string> ScanNotes(const std::filesystem::path& segments, const SegmentScan& scan) {
  std::vector<std::string> out;
  for (const auto& s : scan.skipped) {
    out.push_back(SegmentPath(segments, s.at.segment).string() + " at offset " +
                  std::to_string(s.at.offset) + ": " + std::to_string(s.bytes) +
                  " bytes that are not a whole record were skipped; the records after them were "
                  "kept. A power cut during an upload leaves this (that upload was never "
                  "acknowledged: its terminal sends it again); a disk fault too, so check the "
                  "status page for missing bundle numbers, and export those terminals' outboxes "
                  "again and import them");
  }
  for (const auto& [segment, keep] : scan.cuts) {
    out.push_back(SegmentPath(segments, segment).string() + ": cut after offset " +
                  std::to_string(keep) +
                  ", the end of the last whole record (the rest was a batch cut short by a crash, "
                  "never acknowledged)");
  }
  if (!scan.reindex.empty()) {
    out.push_back(std::to_string(scan.reindex.size()) +
                  " stored bundles that the index did not list were indexed again");
  }
  return out;
}

Result<int> LockStore(const std::filesystem::path& dir) {
  const std::filesystem::path segments = dir / kSegmentsDir;
  const int fd = ::open(segments.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(Error::FromErrno("open " + segments.string(), errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return std::unexpected(
          Error::Conflict("store " + dir.string() +
                          " is in use by another `lontar serve` (one server per store "
                          "directory): stop that server, or give this one another --store"));
    }
    return std::unexpected(Error::FromErrno("lock " + segments.string(), err));
  }
  return fd;
}

}  // namespace sqlite_detail
}  // namespace lontar::server

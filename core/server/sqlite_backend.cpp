// The default collection store backend: segment files holding every bundle with its index row,
// plus an SQLite index of them, in a directory. No set-up needed; one server process per
// directory (a read-write open takes an exclusive lock on STORE/segments and refuses a second
// server).
//
// On disk, under STORE:
//   STORE/segments/NNNNNNNN.seg        the durable record: each bundle exactly as received, with
//                                      its row, its flags and a checksum, appended one group
//                                      commit at a time (record layout in segment_log.hpp)
//   STORE/index.db                     SQLite (SQLCipher's library used without a key: plain
//                                      SQLite 3.15.2), WAL, synchronous=NORMAL; each row says
//                                      where its record is (segment, segment_offset). Derived
//                                      from the segments (rebuilt if deleted). PRAGMA
//                                      user_version is the schema version (0: a store made
//                                      before versioning, the same tables as version 1)
//   STORE/bundles/<bundle id hex>.lrb  one file per bundle: stores written before schema
//                                      version 3 (their rows have a NULL segment); read, never
//                                      written
//
// A group commit, in order: append every new bundle of the batch, with its row and flags, to the
// current segment; ONE fdatasync of it (and of STORE/segments when the segment file is new); then
// one SQLite transaction for all the batch's rows, committed without an fsync (WAL with
// synchronous=NORMAL is atomic and consistent, but a power cut may lose the last commits); the
// receipts go out after both. So a receipt always names a durable record, and a batch costs one
// sync whatever its size. The index may lag the segments (a crash or power cut after the sync, a
// failed index commit, an index.db restored from an older backup or deleted): every read-write
// open re-indexes the complete records that no row names and cuts a torn tail (ScanSegments),
// before anything is appended.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>

#include "core/bundle/bundle_format.hpp"
#include "core/server/segment_log.hpp"
#include "core/server/store.hpp"
#include "core/server/store_backend.hpp"
#include "core/util/fs.hpp"
#include "core/vault/sqlite.hpp"
#include "core/vault/statement_cache.hpp"

namespace lontar::server {
namespace {

using vault::Database;
using vault::SqliteError;
using vault::Statement;
using vault::StatementCache;
using vault::Transaction;

constexpr char kBundlesDir[] = "bundles";  // schema versions 1 and 2: a file per bundle
constexpr char kSegmentsDir[] = "segments";

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

constexpr char kSelectColumns[] =
    "SELECT bundle_id, receipt_code, terminal_id, site, exam_id, participant, kind, seq, "
    "journal_seq, created_ms, stored_ms, bytes, receipt, pack_id FROM bundles ";

// Three disjoint parts, each a short range of an index in the normal case (bundles numbered in
// order with advancing journals): the same number; later numbers (none unless bundles arrive out
// of order); journal heads at or past this one (none unless rolled back). One OR over the
// (terminal_id, seq) index scanned every earlier bundle of the terminal for each insert, inside
// the group commit: 18,000 bundles from 4 terminals spent most of the committer's time there.
constexpr char kDisagreeing[] =
    "SELECT bundle_id, seq, journal_seq FROM bundles WHERE terminal_id = ?1 AND seq = ?2 "
    "UNION ALL SELECT bundle_id, seq, journal_seq FROM bundles INDEXED BY bundles_terminal "
    "WHERE terminal_id = ?1 AND seq > ?2 AND journal_seq <= ?3 "
    "UNION ALL SELECT bundle_id, seq, journal_seq FROM bundles INDEXED BY bundles_journal "
    "WHERE terminal_id = ?1 AND journal_seq >= ?3 AND seq < ?2";

// FindById's: the row and its digest (StoredBundle::digest), which a read-write open adds to
// the table when missing; read-only opens never ask for it.
constexpr char kSelectWithDigest[] =
    "SELECT bundle_id, receipt_code, terminal_id, site, exam_id, participant, kind, seq, "
    "journal_seq, created_ms, stored_ms, bytes, receipt, pack_id, digest FROM bundles ";

StoredBundle RowToBundle(const Statement& s) {
  StoredBundle b;
  b.bundle_id = s.ColumnText(0);
  b.receipt_code = s.ColumnText(1);
  b.terminal_id = s.ColumnText(2);
  b.site = s.ColumnText(3);
  b.exam_id = s.ColumnText(4);
  b.participant = s.ColumnText(5);
  b.kind = s.ColumnText(6);
  b.seq = static_cast<std::uint64_t>(s.ColumnInt(7));
  b.journal_seq = static_cast<std::uint64_t>(s.ColumnInt(8));
  b.created_ms = s.ColumnInt(9);
  b.stored_ms = s.ColumnInt(10);
  b.bytes = static_cast<std::uint64_t>(s.ColumnInt(11));
  b.receipt_text = s.ColumnText(12);
  b.pack_id = s.ColumnText(13);
  return b;
}

Result<std::optional<StoredBundle>> SelectOne(StatementCache& statements, const std::string& where,
                                              const std::string& value) {
  LONTAR_ASSIGN_OR_RETURN(StatementCache::Lease s,
                          statements.Get(std::string(kSelectColumns) + where));
  s->Bind(1, value);
  LONTAR_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return std::optional<StoredBundle>();
  return std::optional<StoredBundle>(RowToBundle(*s));
}

// A statement stepped one row per Next (StoreBackend::ScanBundles): the reader connection may
// run other statements (ReadBundle) between steps.
class StatementScan final : public BundleScan {
 public:
  explicit StatementScan(Statement s) : s_(std::move(s)) {}
  Result<std::optional<StoredBundle>> Next() override {
    if (done_) return std::optional<StoredBundle>();
    LONTAR_ASSIGN_OR_RETURN(bool row, s_.Step());
    if (!row) {
      done_ = true;
      return std::optional<StoredBundle>();
    }
    return std::optional<StoredBundle>(RowToBundle(s_));
  }

 private:
  Statement s_;
  bool done_ = false;
};

Result<std::optional<StoredBundle>> SelectById(StatementCache& statements,
                                               const std::string& id_hex) {
  LONTAR_ASSIGN_OR_RETURN(StatementCache::Lease s,
                          statements.Get(std::string(kSelectWithDigest) + "WHERE bundle_id = ?"));
  s->Bind(1, id_hex);
  LONTAR_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return std::optional<StoredBundle>();
  StoredBundle b = RowToBundle(*s);
  b.digest = s->ColumnText(14);
  return std::optional<StoredBundle>(std::move(b));
}

Result<std::int64_t> UserVersion(const Database& db) {
  LONTAR_ASSIGN_OR_RETURN(Statement s, db.Prepare("PRAGMA user_version"));
  LONTAR_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? s.ColumnInt(0) : 0;
}

// One flag row (inside the caller's transaction, if any).
Status InsertFlag(StatementCache& statements, const StoredFlag& f) {
  LONTAR_ASSIGN_OR_RETURN(StatementCache::Lease fl,
                          statements.Get("INSERT INTO flags (terminal_id, seq, bundle_id, kind, "
                                         "detail, at_ms) VALUES (?, ?, ?, ?, ?, ?)"));
  fl->Bind(1, f.terminal_id)
      .Bind(2, static_cast<std::int64_t>(f.seq))
      .Bind(3, f.bundle_id)
      .Bind(4, f.kind)
      .Bind(5, f.detail)
      .Bind(6, f.at_ms);
  return fl->Run();
}

// The row and flags of one record, into the index (inside the caller's transaction).
Status InsertRows(StatementCache& statements, const StoredBundle& r,
                  const std::vector<StoredFlag>& flags, const SegmentLocation& at) {
  LONTAR_ASSIGN_OR_RETURN(
      StatementCache::Lease ins,
      statements.Get(
          "INSERT INTO bundles (bundle_id, receipt_code, terminal_id, site, exam_id, "
          "participant, seq, journal_seq, kind, created_ms, stored_ms, bytes, receipt, "
          "pack_id, segment, segment_offset, digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
          "?, ?, ?, ?, ?, ?)"));
  ins->Bind(1, r.bundle_id)
      .Bind(2, r.receipt_code)
      .Bind(3, r.terminal_id)
      .Bind(4, r.site)
      .Bind(5, r.exam_id)
      .Bind(6, r.participant)
      .Bind(7, static_cast<std::int64_t>(r.seq))
      .Bind(8, static_cast<std::int64_t>(r.journal_seq))
      .Bind(9, r.kind)
      .Bind(10, r.created_ms)
      .Bind(11, r.stored_ms)
      .Bind(12, static_cast<std::int64_t>(r.bytes))
      .Bind(13, r.receipt_text)
      .Bind(14, r.pack_id)
      .Bind(15, at.segment)
      .Bind(16, static_cast<std::int64_t>(at.offset))
      .Bind(17, r.digest);
  LONTAR_TRY(ins->Run());
  for (const auto& f : flags) LONTAR_TRY(InsertFlag(statements, f));
  return Ok();
}

// The segment record of a row and its bundle, encoded (and its bundle hashed) ahead of the batch.
class PreparedRecord final : public PreparedInsert {
 public:
  explicit PreparedRecord(SegmentRecordHead head) : head(std::move(head)) {}
  SegmentRecordHead head;
};

class SqliteBatch final : public StoreBatch {
 public:
  SqliteBatch(StatementCache& statements, Transaction tx, SegmentWriter& segments)
      : statements_(statements), tx_(std::move(tx)), segments_(segments) {}
  // Not committed: the SQLite transaction rolls back (tx_'s destructor, after this) and the
  // batch's bytes are cut from the segment unless Sync made them durable (see Commit).
  ~SqliteBatch() override {
    if (!committed_) segments_.Rollback();
  }

  Result<std::optional<StoredBundle>> FindById(const std::string& id_hex) override {
    return SelectById(statements_, id_hex);
  }

  Result<std::vector<StoredBundle>> Disagreeing(const std::string& terminal_id, std::uint64_t seq,
                                                std::uint64_t journal_seq) override {
    LONTAR_ASSIGN_OR_RETURN(StatementCache::Lease s, statements_.Get(kDisagreeing));
    s->Bind(1, terminal_id)
        .Bind(2, static_cast<std::int64_t>(seq))
        .Bind(3, static_cast<std::int64_t>(journal_seq));
    std::vector<StoredBundle> out;
    for (;;) {
      LONTAR_ASSIGN_OR_RETURN(bool more, s->Step());
      if (!more) break;
      StoredBundle b;
      b.bundle_id = s->ColumnText(0);
      b.seq = static_cast<std::uint64_t>(s->ColumnInt(1));
      b.journal_seq = static_cast<std::uint64_t>(s->ColumnInt(2));
      out.push_back(std::move(b));
    }
    return out;
  }

  // The record (row, flags, bundle) to the segment, then the row and flags to the index.
  Status Insert(const StoredBundle& r, ByteView bundle, const std::vector<StoredFlag>& flags,
                const PreparedInsert* prepared) override {
    const auto* ready = dynamic_cast<const PreparedRecord*>(prepared);
    SegmentLocation at;
    if (ready != nullptr && flags.empty() && ready->head.bundle_id == r.bundle_id) {
      LONTAR_ASSIGN_OR_RETURN(at, segments_.Append(ready->head, bundle));
    } else {
      LONTAR_ASSIGN_OR_RETURN(at, segments_.Append(r, flags, bundle));
    }
    return InsertRows(statements_, r, flags, at);
  }

  Status AddFlag(const StoredFlag& f) override { return InsertFlag(statements_, f); }

  // The record first, then the rows: a committed row always names a durable record. If the
  // SQLite commit fails after the sync, the records stay (Sync made them the store's) and no
  // receipt goes out; the next open re-indexes them, and a retried upload then gets the receipt
  // its record holds.
  Status Commit() override {
    LONTAR_TRY(segments_.Sync());
    LONTAR_TRY(tx_.Commit());
    committed_ = true;
    return Ok();
  }

 private:
  StatementCache& statements_;  // the writer connection's
  Transaction tx_;
  SegmentWriter& segments_;
  bool committed_ = false;
};

class SqliteBackend final : public StoreBackend {
 public:
  // `db` and `segments` are the writer (none when read-only), `reader` the connection for
  // reads; `version` is the store's schema version (below 3: no segments yet, every bundle a
  // file).
  SqliteBackend(std::filesystem::path dir, Database db, std::optional<SegmentWriter> segments,
                int lock_fd, Database reader, std::int64_t version)
      : dir_(std::move(dir)),
        db_(std::move(db)),
        segments_(std::move(segments)),
        lock_fd_(lock_fd),
        reader_(std::move(reader)),
        version_(version) {}
  ~SqliteBackend() override {
    if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the store's lock
  }

  std::string Describe() const override { return "store " + dir_.string(); }

  std::vector<std::string> OpenNotes() const override { return notes_; }
  void set_notes(std::vector<std::string> notes) { notes_ = std::move(notes); }

  Result<std::unique_ptr<StoreBatch>> Begin() override {
    if (db_.get() == nullptr || !segments_) {
      return std::unexpected(Error::InvalidArgument(Describe() + " was opened read-only"));
    }
    LONTAR_TRY(segments_->BeginBatch());
    LONTAR_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db_));
    return std::unique_ptr<StoreBatch>(new SqliteBatch(writes_, std::move(tx), *segments_));
  }

  Result<std::unique_ptr<PreparedInsert>> PrepareInsert(const StoredBundle& row,
                                                        ByteView bundle) override {
    if (!segments_) return std::unique_ptr<PreparedInsert>();
    LONTAR_ASSIGN_OR_RETURN(SegmentRecordHead head, EncodeSegmentRecord(row, {}, bundle));
    return std::unique_ptr<PreparedInsert>(new PreparedRecord(std::move(head)));
  }

  Result<std::optional<StoredBundle>> FindById(const std::string& id_hex) override {
    return SelectById(reads_, id_hex);
  }

  Result<std::optional<StoredBundle>> FindByCode(const std::string& code) override {
    return SelectOne(reads_, "WHERE receipt_code = ?", code);
  }

  Result<std::uint64_t> CountBundles() override {
    LONTAR_ASSIGN_OR_RETURN(Statement s, reader_.Prepare("SELECT count(*) FROM bundles"));
    LONTAR_ASSIGN_OR_RETURN(bool row, s.Step());
    return row ? static_cast<std::uint64_t>(s.ColumnInt(0)) : 0;
  }

  Result<std::vector<StoredBundle>> ListBundles() override {
    LONTAR_ASSIGN_OR_RETURN(Statement s, reader_.Prepare(std::string(kSelectColumns) +
                                                         "ORDER BY site, terminal_id, seq, "
                                                         "bundle_id"));
    std::vector<StoredBundle> out;
    for (;;) {
      LONTAR_ASSIGN_OR_RETURN(bool more, s.Step());
      if (!more) break;
      out.push_back(RowToBundle(s));
    }
    return out;
  }

  Result<std::unique_ptr<BundleScan>> ScanBundles() override {
    // The receipt column left out: sorting the rows without it is what keeps the scan cheap.
    LONTAR_ASSIGN_OR_RETURN(
        Statement s,
        reader_.Prepare("SELECT bundle_id, receipt_code, terminal_id, site, exam_id, participant, "
                        "kind, seq, journal_seq, created_ms, stored_ms, bytes, '', pack_id FROM "
                        "bundles ORDER BY site, terminal_id, seq, bundle_id"));
    return std::unique_ptr<BundleScan>(new StatementScan(std::move(s)));
  }

  Result<std::vector<std::string>> TerminalsWithSeqGaps() override {
    return Strings(
        "SELECT terminal_id FROM bundles GROUP BY terminal_id "
        "HAVING max(seq) != count(DISTINCT seq) ORDER BY terminal_id",
        {});
  }

  Result<std::vector<std::string>> ParticipantsWithSeveralBundles(
      const std::string& exam_id) override {
    return Strings(
        "SELECT participant FROM bundles WHERE exam_id = ? GROUP BY participant "
        "HAVING count(*) > 1 ORDER BY participant",
        exam_id);
  }

  Result<std::vector<StoredFlag>> ListFlags() override {
    LONTAR_ASSIGN_OR_RETURN(
        Statement s, reader_.Prepare("SELECT terminal_id, seq, bundle_id, kind, detail, at_ms "
                                     "FROM flags ORDER BY rowid"));
    std::vector<StoredFlag> out;
    for (;;) {
      LONTAR_ASSIGN_OR_RETURN(bool more, s.Step());
      if (!more) break;
      out.push_back({s.ColumnText(0), static_cast<std::uint64_t>(s.ColumnInt(1)), s.ColumnText(2),
                     s.ColumnText(3), s.ColumnText(4), s.ColumnInt(5)});
    }
    return out;
  }

  Result<Bytes> ReadBundle(const std::string& id_hex) override {
    if (version_ < 3) return ReadFile(File(id_hex), bundle::kMaxBundleBytes);
    LONTAR_ASSIGN_OR_RETURN(
        Statement s,
        reader_.Prepare("SELECT segment, segment_offset, bytes FROM bundles WHERE bundle_id = ?"));
    s.Bind(1, id_hex);
    LONTAR_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return std::unexpected(Error::NotFound(BundleName(id_hex) + " not found"));
    if (s.ColumnIsNull(0)) return ReadFile(File(id_hex), bundle::kMaxBundleBytes);
    LONTAR_ASSIGN_OR_RETURN(Bytes id, HexDecode(id_hex));
    return ReadSegmentRecord(
        dir_ / kSegmentsDir,
        {s.ColumnInt(0), static_cast<std::uint64_t>(std::max<std::int64_t>(0, s.ColumnInt(1)))}, id,
        static_cast<std::uint64_t>(std::max<std::int64_t>(0, s.ColumnInt(2))));
  }

  std::string BundleName(const std::string& id_hex) const override {
    return "bundle " + id_hex + " in " + Describe();
  }

 private:
  // Rows of one text column; `bound`, if given, bound to the statement's one parameter.
  Result<std::vector<std::string>> Strings(const std::string& sql,
                                           std::optional<std::string> bound) {
    LONTAR_ASSIGN_OR_RETURN(Statement s, reader_.Prepare(sql));
    if (bound) s.Bind(1, *bound);
    std::vector<std::string> out;
    for (;;) {
      LONTAR_ASSIGN_OR_RETURN(bool more, s.Step());
      if (!more) break;
      out.push_back(s.ColumnText(0));
    }
    return out;
  }

  std::filesystem::path File(const std::string& id_hex) const {
    return dir_ / kBundlesDir / (id_hex + ".lrb");
  }

  std::filesystem::path dir_;
  Database db_;
  StatementCache writes_{db_};  // used by one batch at a time (the store's contract)
  std::optional<SegmentWriter> segments_;
  int lock_fd_ = -1;
  Database reader_;
  StatementCache reads_{reader_};  // used by one read at a time (ConcurrentReads() is false)
  std::vector<std::string> notes_;
  std::int64_t version_ = kSqliteSchemaVersion;
};

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

// The store's schema version, checked: a newer one is refused (kTooNew); a read-only open needs
// at least version 2 (bundles.pack_id), which it reads as it is.
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

Result<bool> HasColumn(const Database& db, const std::string& column) {
  LONTAR_ASSIGN_OR_RETURN(Statement s, db.Prepare("PRAGMA table_info(bundles)"));
  for (;;) {
    LONTAR_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) return false;
    if (s.ColumnText(1) == column) return true;
  }
}

// Brings the tables to kSqliteSchemaVersion in one transaction (a crash leaves the old version):
// 2 added bundles.pack_id; 3 added bundles.segment and segment_offset (NULL for the bundles
// stored before, which stay files under STORE/bundles); 4 changed no table: records carry their
// rows (LSG2) and the index is committed without an fsync, which a Lontar of version 3 must not
// open (it would cut re-indexable records), hence the bump.
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

// One server per store: an exclusive lock on STORE/segments, held while the backend is open.
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

}  // namespace

Result<std::unique_ptr<StoreBackend>> OpenSqliteBackend(const std::filesystem::path& dir,
                                                        StoreAccess access) {
  const std::filesystem::path index = dir / "index.db";
  sqlite3* raw = nullptr;
  if (access == StoreAccess::kReadOnly) {
    if (!std::filesystem::exists(index)) {
      if (std::filesystem::exists(dir / kSegmentsDir)) {
        return std::unexpected(Error::NotFound(
            index.string() + " not found, but " + (dir / kSegmentsDir).string() +
            " is there: start `lontar serve` on the store once, which rebuilds the index from "
            "the segments"));
      }
      return std::unexpected(Error::NotFound(index.string() + " not found: is " + dir.string() +
                                             " a collection store?"));
    }
    LONTAR_ASSIGN_OR_RETURN(Database reader, OpenReader(index));
    LONTAR_ASSIGN_OR_RETURN(std::int64_t version, CheckSchemaVersion(reader, index, access));
    return std::unique_ptr<StoreBackend>(
        new SqliteBackend(dir, Database(), std::nullopt, -1, std::move(reader), version));
  }

  const bool fresh = !std::filesystem::exists(dir / kSegmentsDir);
  LONTAR_TRY(EnsureDir(dir / kSegmentsDir, 0750));
  if (fresh) LONTAR_TRY(FsyncDir(dir));
  LONTAR_ASSIGN_OR_RETURN(int lock_fd, LockStore(dir));
  struct Unlock {
    int& fd;
    ~Unlock() {
      if (fd >= 0) ::close(fd);
    }
  } unlock{lock_fd};
  // A server of schema version 2 or before killed while writing left ".<id>.lrb.tmp-<random>"
  // files (TempFile): never named by a row, never acknowledged; remove them. Any other file
  // there is a bundle only index.db names.
  bool bundle_files = false;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir / kBundlesDir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with(".") && name.find(".lrb.tmp-") != std::string::npos) {
      std::filesystem::remove(e.path(), ec);
    } else if (name.ends_with(".lrb")) {
      bundle_files = true;
    }
  }
  // index.db missing: rebuilt from the segments, if they can rebuild it (ScanSegments refuses
  // records of the older layout, and files under STORE/bundles have no record at all). Checked
  // before index.db is created, so that a refusal leaves the store as it was.
  const bool index_is_new = !std::filesystem::exists(index);
  std::optional<SegmentScan> scan;
  if (index_is_new) {
    if (bundle_files) {
      return std::unexpected(Error::NotFound(
          index.string() + " is missing, and the bundles under " + (dir / kBundlesDir).string() +
          " (written before schema version 3) are known only to it. Nothing was changed; "
          "restore index.db from a backup of the store"));
    }
    LONTAR_ASSIGN_OR_RETURN(scan, ScanSegments(dir / kSegmentsDir, {}, {.index_is_new = true}));
    // A WAL left without its database would be replayed into the new one: it belongs to the
    // index that is gone.
    for (const char* suffix : {"-wal", "-shm", "-journal"}) {
      std::filesystem::remove(index.string() + suffix, ec);
    }
  }
  const int rc =
      sqlite3_open_v2(index.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  Database db(raw);
  if (rc != SQLITE_OK) return std::unexpected(SqliteError(raw, rc, "open " + index.string()));
  LONTAR_TRY(CheckSchemaVersion(db, index, access));
  LONTAR_TRY(db.Exec("PRAGMA journal_mode = WAL"));
  // The segments are the durable record (one fdatasync per batch, before the commit); the index
  // needs to be atomic, not durable: what a power cut takes from it, the next open re-indexes.
  LONTAR_TRY(db.Exec("PRAGMA synchronous = NORMAL"));
  LONTAR_TRY(UpgradeSchema(db));
  if (!scan) {
    LONTAR_ASSIGN_OR_RETURN(std::vector<SegmentLocation> indexed, IndexedRecords(db));
    // Unindexed records of the older layout (LSG1) can only be cut: at most one batch of a
    // schema 3 server killed mid-batch (Store's caps; a batch's first bundle is taken whatever
    // its size).
    constexpr std::uint64_t kMaxV1Cut =
        kMaxBatchBytes + bundle::kMaxBundleBytes + kMaxBatchRows * kSegmentRecordHeaderBytesV1;
    LONTAR_ASSIGN_OR_RETURN(
        scan, ScanSegments(dir / kSegmentsDir, std::move(indexed), {.max_v1_cut = kMaxV1Cut}));
  }
  LONTAR_TRY(Reindex(db, scan->reindex));
  LONTAR_ASSIGN_OR_RETURN(SegmentWriter segments, SegmentWriter::Open(dir / kSegmentsDir, *scan));
  LONTAR_ASSIGN_OR_RETURN(Database reader, OpenReader(index));
  const int fd = std::exchange(lock_fd, -1);
  auto backend = std::make_unique<SqliteBackend>(dir, std::move(db), std::move(segments), fd,
                                                 std::move(reader), kSqliteSchemaVersion);
  backend->set_notes(ScanNotes(dir / kSegmentsDir, *scan));
  return std::unique_ptr<StoreBackend>(std::move(backend));
}

Status CheckSqliteIndexIsCurrent(const std::filesystem::path& dir) {
  const std::filesystem::path index = dir / "index.db";
  if (!std::filesystem::exists(index)) return Ok();  // the read-only open says what to do
  LONTAR_ASSIGN_OR_RETURN(Database reader, OpenReader(index));
  LONTAR_ASSIGN_OR_RETURN(std::int64_t version, UserVersion(reader));
  if (version < 4) return Ok();  // no rows in the segments to compare with
  const std::filesystem::path segments = dir / kSegmentsDir;
  const int fd = ::open(segments.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Ok();  // no segments: nothing the index could lack
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::flock(fd, LOCK_SH | LOCK_NB) != 0) return Ok();  // a server has it
  LONTAR_ASSIGN_OR_RETURN(std::vector<SegmentLocation> indexed, IndexedRecords(reader));
  auto scan = ScanSegments(segments, std::move(indexed),
                           {.max_v1_cut = std::numeric_limits<std::uint64_t>::max()});
  if (scan && !scan->reindex.empty()) {
    return std::unexpected(Error::Conflict(
        "store " + dir.string() + ": " + std::to_string(scan->reindex.size()) +
        " stored bundles are not in its index yet (the server stopped before its index caught "
        "up, e.g. a power cut). Start `lontar serve` on the store once (it indexes them when it "
        "starts), stop it, then open the results again"));
  }
  return Ok();
}

}  // namespace lontar::server

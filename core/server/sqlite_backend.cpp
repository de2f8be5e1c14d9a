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
// before anything is appended. Pipelined (store.hpp (6)): while one batch's fdatasync and index
// transaction run on the writer connection, the next batch looks up on a reader connection of
// its own and appends its records after the first batch's; batches commit in order.
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
#include "core/server/sqlite_detail.hpp"
#include "core/server/store.hpp"
#include "core/server/store_backend.hpp"
#include "core/server/store_status.hpp"
#include "core/util/fs.hpp"

namespace lontar::server {
namespace sqlite_detail {

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

namespace {

// The row `where` (one parameter, `value`) selects; with its digest when `digest`.
Result<std::optional<StoredBundle>> SelectRow(StatementCache& statements, bool digest,
                                              const std::string& where, const std::string& value) {
  LONTAR_ASSIGN_OR_RETURN(
      StatementCache::Lease s,
      statements.Get(std::string(digest ? kSelectWithDigest : kSelectColumns) + where));
  s->Bind(1, value);
  LONTAR_ASSIGN_OR_RETURN(bool row, s->Step());
  if (!row) return std::optional<StoredBundle>();
  StoredBundle b = RowToBundle(*s);
  if (digest) b.digest = s->ColumnText(14);
  return std::optional<StoredBundle>(std::move(b));
}

}  // namespace

Result<std::optional<StoredBundle>> SelectOne(StatementCache& statements, const std::string& where,
                                              const std::string& value) {
  return SelectRow(statements, false, where, value);
}

Result<std::optional<StoredBundle>> SelectWithDigest(StatementCache& statements, const char* where,
                                                     const std::string& value) {
  return SelectRow(statements, true, where, value);
}

namespace {

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

class SqliteBackend final : public StoreBackend {
 public:
  // `db` and `segments` are the writer (none when read-only), `reader` the connection for
  // reads; `version` is the store's schema version (below 3: no segments yet, every bundle a
  // file).
  SqliteBackend(std::filesystem::path dir, Database db, std::optional<SegmentWriter> segments,
                int lock_fd, Database reader, std::int64_t version, Database batch_reader = {})
      : dir_(std::move(dir)),
        db_(std::move(db)),
        segments_(std::move(segments)),
        lock_fd_(lock_fd),
        reader_(std::move(reader)),
        batch_reader_(std::move(batch_reader)),
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
    return NewSqliteBatch(batch_reads_, db_, writes_, *segments_);
  }

  bool PipelinesBatches() const override { return segments_.has_value(); }

  Result<std::unique_ptr<PreparedInsert>> PrepareInsert(const StoredBundle& row,
                                                        ByteView bundle) override {
    if (!segments_) return std::unique_ptr<PreparedInsert>();
    return PrepareRecord(row, bundle);
  }

  Result<std::optional<StoredBundle>> FindById(const std::string& id_hex) override {
    return SelectWithDigest(reads_, "WHERE bundle_id = ?", id_hex);
  }

  Result<std::optional<StoredBundle>> FindByDigest(const std::string& digest) override {
    // "digest != ''" lets SQLite use the partial index bundles_digest.
    return SelectWithDigest(reads_, "WHERE digest = ?1 AND digest != ''", digest);
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

  Result<StatusCounts> CountStatus() override {
    // One read transaction: the five queries see the same rows.
    LONTAR_TRY(reader_.Exec("BEGIN"));
    Result<StatusCounts> counts =
        CountStatusWith([this](const char* sql, const std::function<void(const CountRow&)>& each) {
          return EachCountRow(sql, each);
        });
    const Status ended = reader_.Exec(counts ? "COMMIT" : "ROLLBACK");
    if (counts && !ended) return std::unexpected(ended.error());
    return counts;
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

  Status EachCountRow(const char* sql, const std::function<void(const CountRow&)>& each) {
    struct Row final : CountRow {
      const Statement* s = nullptr;
      std::string Text(int column) const override { return s->ColumnText(column); }
      std::int64_t Int(int column) const override { return s->ColumnInt(column); }
    };
    LONTAR_ASSIGN_OR_RETURN(Statement s, reader_.Prepare(sql));
    Row row;
    row.s = &s;
    for (;;) {
      LONTAR_ASSIGN_OR_RETURN(bool more, s.Step());
      if (!more) return Ok();
      each(row);
    }
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
  // The lookups of the batch being filled, while the previous batch commits on db_.
  Database batch_reader_;
  StatementCache batch_reads_{batch_reader_};
  std::vector<std::string> notes_;
  std::int64_t version_ = kSqliteSchemaVersion;
};

}  // namespace
}  // namespace sqlite_detail

Result<std::unique_ptr<StoreBackend>> OpenSqliteBackend(const std::filesystem::path& dir,
                                                        StoreAccess access) {
  using namespace sqlite_detail;
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
    // An index.db with no schema: a power cut after the file was made and before its first
    // commit reached the disk (the index is committed without an fsync; the segments hold every
    // acknowledged bundle). A read-write open rebuilds it, as when it is missing.
    if (version == 0 && std::filesystem::exists(dir / kSegmentsDir)) {
      return std::unexpected(Error::NotFound(
          index.string() + " holds no index yet (a power cut before its first write reached the " +
          "disk?), but " + (dir / kSegmentsDir).string() +
          " is there: start `lontar serve` on the store once, which rebuilds the index from the "
          "segments"));
    }
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
  LONTAR_ASSIGN_OR_RETURN(Database batch_reader, OpenReader(index));
  const int fd = std::exchange(lock_fd, -1);
  auto backend = std::make_unique<SqliteBackend>(dir, std::move(db), std::move(segments), fd,
                                                 std::move(reader), kSqliteSchemaVersion,
                                                 std::move(batch_reader));
  backend->set_notes(ScanNotes(dir / kSegmentsDir, *scan));
  return std::unique_ptr<StoreBackend>(std::move(backend));
}

Status CheckSqliteIndexIsCurrent(const std::filesystem::path& dir) {
  using namespace sqlite_detail;
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

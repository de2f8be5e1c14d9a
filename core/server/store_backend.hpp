// Where a collection store keeps its rows and bundle bytes: the seam between Store (which
// verifies, signs receipts, handles duplicates, flags gaps and rollbacks, and batches commits;
// store.hpp) and the database behind it. Two backends, one file each:
//
//   sqlite_backend.cpp    segment files under STORE/segments/ (segment_log.hpp) holding each
//                         bundle with its row and flags, the durable record (one fdatasync per
//                         group commit, before the batch's rows are committed), plus STORE/index.db
//                         (SQLite, WAL, synchronous=NORMAL), derived from them: a read-write open
//                         re-indexes records the index lacks. No set-up; one server per directory.
//   postgres_backend.cpp  a PostgreSQL database (libpqxx); the bundle bytes are a bytea column
//                         of the row, written in the same transaction, so a central server
//                         needs no shared file system and `results open --db` reads
//                         everything from the database. Durable at COMMIT
//                         (synchronous_commit=on is set on the session).
//
// Both keep the same two tables:
//   bundles(bundle_id hex PRIMARY KEY, receipt_code, terminal_id, site, exam_id, participant,
//           seq, journal_seq, kind, created_ms, stored_ms, bytes, receipt, pack_id
//           [SQLite: , segment, segment_offset] [PostgreSQL: , bundle bytea])
//   flags(terminal_id, seq, bundle_id, kind, detail, at_ms), read back in insertion order
// and record their schema version (SQLite: PRAGMA user_version; PostgreSQL: table
// lontar_schema). A store written by a newer Lontar (a higher version) is refused with kTooNew,
// never altered.
//
// Contract: batches are filled (Begin ... Write) one at a time and committed (Commit) one at a
// time in the order they were begun; a backend whose PipelinesBatches() is true lets the next
// batch be begun, filled and written while the previous one's Commit runs on another thread
// (the group commit's pipeline, store.hpp (5)), else each batch is committed or dropped before
// the next Begin. Reads (FindById ... ReadBundle) run one at a time unless ConcurrentReads(),
// but a read may run while a batch is open: each has its own connection, and reads see what is
// committed. Every method reports failures as Error
// (never throws), and never puts a database password into an error message.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::server {

// Schema versions, one per backend. 2: bundles.pack_id (which pack, i.e. which session, a bundle
// belongs to); a read-write open of a version 1 store adds the column in place (rows stored
// before keep an empty pack id). 3 (SQLite only): bundle bytes in segment files, the row says
// where (bundles.segment, segment_offset); rows stored before have a NULL segment and their
// bundle stays a file under STORE/bundles/, read as before. 4 (SQLite only): segment records
// carry their rows and a checksum ("LSG2"; "LSG1" records of version 3 are still read) and the
// index is committed without an fsync, rebuilt from the segments where it lags; no table
// changed. 5 (SQLite only): records are "LSG3" (their checksum covers the bundle's digest, not
// its bytes again; LSG2 and LSG1 still read), bundles.digest has an index; a Lontar of version 4
// would take LSG3 records for damage and cut them, hence the bump. PostgreSQL's tables did not
// change (bundles.digest and its index are added in place, without a version).
inline constexpr int kSqliteSchemaVersion = 5;
inline constexpr int kPostgresSchemaVersion = 2;

// One bundle's row: what a receipt code names, and what Status and `results open` read.
struct StoredBundle {
  std::string bundle_id;  // hex
  std::string receipt_code;
  std::string terminal_id, site, exam_id, participant, kind;
  std::string pack_id;  // "" for bundles stored before schema version 2
  std::uint64_t seq = 0;
  std::uint64_t journal_seq = 0;
  std::int64_t created_ms = 0, stored_ms = 0;
  std::uint64_t bytes = 0;
  std::string receipt_text;
  // What a re-sent bundle is compared with instead of reading the stored copy back, hex: the
  // file digest of the stored bytes (bundle::HashedBundle::file_digest; rows stored since
  // 6 Dec 2026, and rows re-indexed from an LSG3 segment record), by which an upload is looked up
  // before it is verified (FindByDigest); BundleBytesDigest (store.hpp) for rows stored on
  // 5 Dec 2026; "" for rows stored before the column existed and rows re-indexed from an LSG2
  // record (the caller then reads the bytes back). Read by FindById and FindByDigest only. A
  // column added in place (bundles.digest, with an index), no schema version: a Lontar without
  // it never reads it, and its rows are read back as before.
  std::string digest;
};

// A flag raised against a terminal: a rollback (store.hpp invariant 4: kinds "seq-reused",
// "journal-rollback"), or kIdConflictFlag (invariant 3), whose terminal is the stored bundle's.
inline constexpr char kIdConflictFlag[] = "id-conflict";
struct StoredFlag {
  std::string terminal_id;
  std::uint64_t seq = 0;
  std::string bundle_id, kind, detail;
  std::int64_t at_ms = 0;
};

// What the status page needs of the rows (Store::Status), counted by the database so that the
// page costs memory by terminal and by group, not by row (StoreBackend::CountStatus).
struct TerminalCount {  // one terminal's rows
  std::string terminal_id;
  std::string site;  // the least of its rows' sites
  std::uint64_t bundles = 0, lowest_seq = 0, highest_seq = 0;
  std::int64_t last_stored_ms = 0;
};
struct GroupCount {  // the rows of one (site, exam, pack, terminal)
  std::string site, exam_id, pack_id, terminal_id;
  std::uint64_t bundles = 0, highest_seq = 0;
};
struct ParticipantCount {  // distinct participants of one (site, exam) or (site, pack)
  std::string site, key;
  std::uint64_t participants = 0;
};
struct SeqHole {  // a terminal's missing numbers first..last, with a stored number after last
  std::string terminal_id;
  std::uint64_t first = 0, last = 0;
};
struct StatusCounts {
  std::vector<TerminalCount> terminals;
  std::vector<GroupCount> groups;
  std::vector<ParticipantCount> exam_participants, pack_participants;
  // Holes between two stored numbers (not those below a terminal's lowest: see lowest_seq).
  std::vector<SeqHole> holes;
};

// What one bundle of a batch will be asked about: FindById(bundle_id), then
// Disagreeing(terminal_id, seq, journal_seq).
struct BatchKey {
  std::string bundle_id;  // hex
  std::string terminal_id;
  std::uint64_t seq = 0;
  std::uint64_t journal_seq = 0;
};

// The part of an Insert that depends on nothing but the row and the bundle (SQLite: the segment
// record and its checksum over the row's fields), done by StoreBackend::PrepareInsert on the
// uploading thread before it joins a batch: group commits, which every upload waits for, then
// only write. Backend-specific; opaque to the store.
class PreparedInsert {
 public:
  virtual ~PreparedInsert() = default;
};

// The rows of one group commit: one database transaction. Destroying it without Commit rolls
// back (nothing of the batch is stored).
class StoreBatch {
 public:
  virtual ~StoreBatch() = default;
  // Optional, once, before anything else: every bundle of the batch, in order. A backend whose
  // queries each cost a round trip (PostgreSQL) reads the committed rows all of them need with
  // one query per kind, and then answers FindById and Disagreeing for these keys from memory
  // (adding the rows inserted in this batch since); other calls still query. SQLite ignores it.
  [[nodiscard]] virtual Status Prefetch(const std::vector<BatchKey>& keys) {
    (void)keys;
    return Ok();
  }
  // The row for `id_hex`, including rows inserted earlier in this batch.
  [[nodiscard]] virtual Result<std::optional<StoredBundle>> FindById(const std::string& id_hex) = 0;
  // The bundles of one terminal (id, seq, journal_seq are filled; this batch's included) that a
  // new bundle numbered `seq` with journal head `journal_seq` disagrees with: the same number, or
  // numbers on the other side of it with journal heads not on the other side (store.hpp
  // invariant 4). Filtered in the database: a terminal sends thousands of bundles, and reading
  // them all back for every insert made group commits quadratic.
  [[nodiscard]] virtual Result<std::vector<StoredBundle>> Disagreeing(
      const std::string& terminal_id, std::uint64_t seq, std::uint64_t journal_seq) = 0;
  // Adds the row, its flags and the bundle bytes (SQLite: appended to the current segment, not
  // yet durable; PostgreSQL: kept in memory, with a copy of the bytes, and written at Commit).
  // `prepared`, if not null, is this backend's PrepareInsert of the same row and bundle; used
  // when there are no flags (a flag changes the record), else the work is done here.
  [[nodiscard]] virtual Status Insert(const StoredBundle& row, ByteView bundle,
                                      const std::vector<StoredFlag>& flags,
                                      const PreparedInsert* prepared) = 0;
  [[nodiscard]] Status Insert(const StoredBundle& row, ByteView bundle,
                              const std::vector<StoredFlag>& flags) {
    return Insert(row, bundle, flags, nullptr);
  }
  // Adds a flag about a bundle already stored, with no new row (an upload that was refused,
  // store.hpp invariant 3). SQLite keeps it in the index only, not in a segment record: an index
  // rebuilt from the segments (index.db deleted) no longer has it. PostgreSQL: written at Commit.
  [[nodiscard]] virtual Status AddFlag(const StoredFlag& flag) = 0;
  // Optional, once, after the last Insert or AddFlag: everything of the batch that need not wait
  // for the previous batch's Commit (SQLite: ends the batch's segment appends, which Insert
  // wrote; PostgreSQL: takes the batch lock and sends the rows, one multi-row INSERT per 1,000
  // bundles), so that with PipelinesBatches() it overlaps the previous batch's sync. Nothing is
  // durable or visible to other batches yet. Commit calls it if it was not called. A failure
  // leaves the batch to be dropped (nothing of it is stored).
  [[nodiscard]] virtual Status Write() { return Ok(); }
  // Durable when it returns Ok, bytes and rows: SQLite fdatasyncs the segment (whose records
  // hold the rows too), then commits the index rows without an fsync; PostgreSQL commits
  // (synchronous_commit=on). One sync for the whole batch either way. A row the database
  // refuses (e.g. another writer's row with the same id) fails the Commit, and nothing of the
  // batch is acknowledged (SQLite: its synced records stay, and the next open indexes them).
  // A failed Commit fails only this batch: one begun after it and already written commits on
  // its own.
  [[nodiscard]] virtual Status Commit() = 0;
};

// A walk over the bundles' rows (StoreBackend::ScanBundles).
class BundleScan {
 public:
  virtual ~BundleScan() = default;
  // The next row, nullopt after the last.
  [[nodiscard]] virtual Result<std::optional<StoredBundle>> Next() = 0;
};

class StoreBackend {
 public:
  virtual ~StoreBackend() = default;

  // For people and logs: "store /srv/lontar" or "database postgresql://lontar@db/lontar" (never
  // the password).
  virtual std::string Describe() const = 0;

  // What opening the store found and did that an operator should hear of (SQLite: a torn tail
  // cut, damaged bytes skipped); `lontar serve` prints them when it starts.
  virtual std::vector<std::string> OpenNotes() const { return {}; }

  // Whether the reads below may run from several threads at once. False (SQLite, one reader
  // connection): the caller runs them one at a time. PostgreSQL: a pool of reader connections,
  // so that the duplicate checks of uploads arriving together overlap their round trips.
  virtual bool ConcurrentReads() const { return false; }

  // Whether the next batch may be begun, filled and written while the previous one commits on
  // another thread (see the contract above). A batch's lookups then do not see the rows of the
  // batch still committing: the caller answers for those (store.hpp (5)). SQLite: yes (the next
  // batch appends to the segment and looks up on its own connection while the previous one's
  // fdatasync and index commit run); PostgreSQL: yes (two writer connections, used in turn; the
  // batch lock makes the next batch's lookups wait for the previous COMMIT).
  virtual bool PipelinesBatches() const { return false; }

  // What StoreBatch::Insert of (row, bundle) with no flags can do ahead, on any thread, outside
  // any batch; null if nothing (the default). Thread-safe.
  [[nodiscard]] virtual Result<std::unique_ptr<PreparedInsert>> PrepareInsert(
      const StoredBundle& row, ByteView bundle) {
    (void)row;
    (void)bundle;
    return std::unique_ptr<PreparedInsert>();
  }

  // Opens a transaction for one group commit (kReadOnly backends: kInvalidArgument).
  [[nodiscard]] virtual Result<std::unique_ptr<StoreBatch>> Begin() = 0;

  // Reads outside a batch: what is committed.
  [[nodiscard]] virtual Result<std::optional<StoredBundle>> FindById(const std::string& id_hex) = 0;
  // The row whose digest (StoredBundle::digest) is `digest`, with its digest; never a row with
  // an empty one. An indexed lookup.
  [[nodiscard]] virtual Result<std::optional<StoredBundle>> FindByDigest(
      const std::string& digest) = 0;
  [[nodiscard]] virtual Result<std::optional<StoredBundle>> FindByCode(
      const std::string& canonical_code) = 0;
  [[nodiscard]] virtual Result<std::uint64_t> CountBundles() = 0;
  // Every row, by site, terminal id, seq (then bundle id).
  [[nodiscard]] virtual Result<std::vector<StoredBundle>> ListBundles() = 0;
  // Every flag, in the order they were raised.
  [[nodiscard]] virtual Result<std::vector<StoredFlag>> ListFlags() = 0;

  // The rows of ListBundles, in its order, one at a time, without receipt_text (what `results
  // open` walks: a store of any size in memory for one row). ReadBundle may be called between
  // two Next calls. The scan sees what was committed when it started. The default copies
  // ListBundles (bounded by the store's size); SQLite and PostgreSQL stream.
  [[nodiscard]] virtual Result<std::unique_ptr<BundleScan>> ScanBundles();
  // Terminals whose stored bundle numbers are not exactly 1..n (results.hpp's "seq-gap"), and
  // participants with more than one bundle of `exam_id` ("several-bundles"): what a results
  // pass must know of every row before it reports the first, asked of the database instead of
  // read from a copy of the index. Sorted. The defaults read ListBundles.
  [[nodiscard]] virtual Result<std::vector<std::string>> TerminalsWithSeqGaps();
  [[nodiscard]] virtual Result<std::vector<std::string>> ParticipantsWithSeveralBundles(
      const std::string& exam_id);
  // The status page's counts (StatusCounts), in any order, aggregated by the database: what is
  // committed, whoever wrote it (two servers on one PostgreSQL see the same). The default reads
  // ListBundles (bounded by the store's size); SQLite and PostgreSQL run the queries of
  // store_status.hpp.
  [[nodiscard]] virtual Result<StatusCounts> CountStatus();
  // The stored bytes of one bundle (kNotFound if absent), and a name for it in messages.
  [[nodiscard]] virtual Result<Bytes> ReadBundle(const std::string& id_hex) = 0;
  virtual std::string BundleName(const std::string& id_hex) const = 0;
};

enum class StoreAccess { kReadWrite, kReadOnly };

// The SQLite + segment files backend at `dir`. kReadWrite creates the directory, index and
// schema if missing (rebuilding the index from the segments when index.db is missing), upgrades
// an older schema in place, re-indexes the segment records no row names, cuts a torn tail a
// killed server left and skips damaged bytes a whole record follows (segment_log.hpp; OpenNotes
// says what it did), and locks the store (kConflict while another server has it
// open); kReadOnly opens an existing store (kNotFound if `dir` holds none) and writes nothing.
// kTooNew for a store of a newer schema. Touches disk.
[[nodiscard]] Result<std::unique_ptr<StoreBackend>> OpenSqliteBackend(
    const std::filesystem::path& dir, StoreAccess access = StoreAccess::kReadWrite);

// For `results open` on a --store: whether its index lists every record of its segments. After a
// crash or a power cut the index may lack the last batches, which the next `lontar serve`
// re-indexes; results opened before that would silently lack those candidates: kConflict, saying
// how many and what to do. While a server holds the store its index is current (it re-indexed
// at its start): Ok without looking. Damage the scan finds is the server's to report (it refuses
// to start): Ok here. Reads every record header. Does not change the store.
[[nodiscard]] Status CheckSqliteIndexIsCurrent(const std::filesystem::path& dir);

// The PostgreSQL backend at `url` (postgresql://[user[:password]@][host][:port]/dbname[?...],
// libpq's URI syntax; a password may also come from ~/.pgpass or PGPASSWORD). kReadWrite
// creates the schema on first use; kReadOnly requires it (kNotFound otherwise). A connection
// failure is kIo with libpq's reason and what to check. kTooNew for a newer schema.
[[nodiscard]] Result<std::unique_ptr<StoreBackend>> OpenPostgresBackend(
    const std::string& url, StoreAccess access = StoreAccess::kReadWrite);

// Where a store is: exactly one of a directory (SQLite + files) or a PostgreSQL URL.
struct StoreLocation {
  std::filesystem::path dir;
  std::string database_url;
};

// Opens the backend `where` names; kInvalidArgument (saying what to give) when it names both
// or neither. Touches disk or the network.
[[nodiscard]] Result<std::unique_ptr<StoreBackend>> OpenStoreBackend(const StoreLocation& where,
                                                                     StoreAccess access);

// `url` with its password (user:PASSWORD@ and any password=... parameter) replaced by "***":
// the only form of a database URL that may appear in a message or log. Pure.
std::string RedactDatabaseUrl(const std::string& url);

}  // namespace lontar::server

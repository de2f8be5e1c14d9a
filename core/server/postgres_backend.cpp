// The collection store in PostgreSQL (libpqxx 6), for a central server that many sites upload
// to: rows and bundle bytes in one database, so the server needs no shared file system and
// `lontar results open --db URL` reads everything from it.
//
// Schema (version 2; created on the first read-write open, under an advisory lock so that two
// servers starting at once do not race):
//   lontar_schema(version integer)       one row: the schema version
//   bundles(bundle_id text PRIMARY KEY, receipt_code, terminal_id, site, exam_id, participant,
//           seq bigint, journal_seq bigint, kind, created_ms bigint, stored_ms bigint,
//           bytes bigint, receipt text, bundle bytea, pack_id text)
//       the bytea column is STORAGE EXTERNAL: bundles are sealed (incompressible), so TOAST
//       does not try to compress them
//   flags(id bigserial, terminal_id, seq, bundle_id, kind, detail, at_ms)   in order of id
//
// Durability: the session runs with synchronous_commit = on (whatever the database's default),
// so COMMIT returns only once the WAL record is flushed; the bundle bytes are in the same
// transaction as their row, so there is no window where one exists without the other.
// Each group commit first takes pg_advisory_xact_lock(kBatchLock): several `lontar serve`
// processes on one database then commit one batch at a time, and the duplicate check and the
// rollback flags (store.hpp invariants 3 and 4) see every earlier batch.
//
// Round trips, not the database's work, were what a batch cost (each query's result waits for
// the database process to be scheduled, about a millisecond on a busy 2-core machine): so a
// batch asks a fixed number of queries whatever its size (PostgresBatch), and reads have a pool
// of connections (ReaderPool).
//
// Errors: libpqxx throws; every call here catches and returns an Error. Messages never carry the
// password: the URL appears only through RedactDatabaseUrl, and libpq's own text is scrubbed of
// it too.
#include <pqxx/pqxx>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>

#include "core/bundle/bundle_format.hpp"
#include "core/server/postgres_detail.hpp"
#include "core/server/store_backend.hpp"
#include "core/server/store_status.hpp"

namespace lontar::server {
namespace postgres_detail {
namespace {

// Reader connections of a read-write backend (ReaderPool): enough for the duplicate checks of
// the uploads that arrive together to overlap, few enough to leave the database's connection
// limit (100 by default) to other servers.
constexpr int kReaders = 4;

// Connections for reads, lent one per read: uploads arriving together check for duplicates at
// the same time, each a round trip, and one shared connection made them queue behind each other.
class ReaderPool {
 public:
  explicit ReaderPool(std::vector<std::unique_ptr<pqxx::connection>> connections)
      : all_(std::move(connections)) {
    for (auto& c : all_) free_.push_back(c.get());
  }

  // A connection for one read, back in the pool when the lease goes.
  class Lease {
   public:
    Lease(ReaderPool& pool, pqxx::connection* c) : pool_(pool), c_(c) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      {
        std::lock_guard lock(pool_.mu_);
        pool_.free_.push_back(c_);
      }
      pool_.cv_.notify_one();
    }
    pqxx::connection& operator*() const { return *c_; }

   private:
    ReaderPool& pool_;
    pqxx::connection* c_;
  };

  Lease Borrow() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !free_.empty(); });
    pqxx::connection* c = free_.back();
    free_.pop_back();
    return Lease(*this, c);
  }

 private:
  std::vector<std::unique_ptr<pqxx::connection>> all_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<pqxx::connection*> free_;  // guarded by mu_
};

void PrepareStatements(pqxx::connection& c);

Result<std::unique_ptr<pqxx::connection>> Connect(const std::string& url, const Scrubber& scrub) {
  try {
    return std::make_unique<pqxx::connection>(url);
  } catch (const std::exception& e) {
    return std::unexpected(Error::Io(
        "cannot connect to database " + scrub.url() + ": " + scrub(e.what()) +
        "\ncheck that the PostgreSQL server is up and reachable at that host and port, that the "
        "URL is right, that the user's password is right (in the URL, PGPASSWORD or ~/.pgpass), "
        "and that the database exists (createdb DATABASE)"));
  }
}

// A connection with the statements prepared and one session setting: the writer's
// synchronous_commit=on (a receipt names a durable row), a reader's
// default_transaction_read_only=on.
Result<std::unique_ptr<pqxx::connection>> OpenSession(const std::string& url, const Scrubber& scrub,
                                                      const std::string& setting) {
  LONTAR_ASSIGN_OR_RETURN(std::unique_ptr<pqxx::connection> c, Connect(url, scrub));
  auto ready = Guard(scrub, "open the store", [&]() -> Status {
    c->set_variable(setting, "on");
    PrepareStatements(*c);
    return Ok();
  });
  if (!ready) return std::unexpected(ready.error());
  return c;
}

constexpr char kWriterSetting[] = "synchronous_commit";
constexpr char kReaderSetting[] = "default_transaction_read_only";

class PostgresBackend final : public StoreBackend {
 public:
  // `c` is the writer (none when read-only), `readers` the connections for reads, `url` the
  // database's, to connect the writer again.
  PostgresBackend(std::unique_ptr<pqxx::connection> c,
                  std::vector<std::unique_ptr<pqxx::connection>> readers, Scrubber scrub,
                  std::string url)
      : c_(std::move(c)),
        readers_(std::move(readers)),
        scrub_(std::move(scrub)),
        url_(std::move(url)) {}

  bool ConcurrentReads() const override { return true; }

  std::string Describe() const override { return "database " + scrub_.url(); }

  // A batch takes the first writer connection unless a batch still holds it (a pipelined group
  // commit: one batch fills while the previous one's COMMIT runs, PipelinesBatches), then the
  // second, connected on first use: a server that commits one batch at a time never opens it.
  Result<std::unique_ptr<StoreBatch>> Begin() override {
    if (!c_) return std::unexpected(Error::InvalidArgument(Describe() + " was opened read-only"));
    const int i = busy_[0] ? 1 : 0;
    std::unique_ptr<pqxx::connection>& c = i == 0 ? c_ : second_writer_;
    // The database restarted, or the link to it dropped, since the last batch: libpqxx 6 does not
    // bring this connection back by itself (its reads do come back), so every batch would fail
    // until `lontar serve` restarted. A batch that found it dead failed (its uploads got a 5xx
    // and are sent again); the next one connects anew.
    if (!c || !c->is_open()) {
      LONTAR_ASSIGN_OR_RETURN(c, OpenSession(url_, scrub_, kWriterSetting));
    }
    return Guard(scrub_, "begin", [&]() -> Result<std::unique_ptr<StoreBatch>> {
      return NewPostgresBatch(*c, scrub_, busy_[i]);
    });
  }

  bool PipelinesBatches() const override { return c_ != nullptr; }

  // One statement each, so no transaction around it: a read_transaction costs BEGIN and COMMIT,
  // two more round trips for every upload's lookup by digest (and each duplicate's answer).
  // The readers' sessions are read-only (default_transaction_read_only).
  Result<std::optional<StoredBundle>> FindById(const std::string& id_hex) override {
    return Guard(scrub_, "find bundle", [&]() -> Result<std::optional<StoredBundle>> {
      const ReaderPool::Lease reader = readers_.Borrow();
      pqxx::nontransaction tx(*reader);
      return FirstBundle(tx.exec_prepared("find_id", id_hex));
    });
  }

  Result<std::optional<StoredBundle>> FindByDigest(const std::string& digest) override {
    return Guard(scrub_, "find bundle by digest", [&]() -> Result<std::optional<StoredBundle>> {
      const ReaderPool::Lease reader = readers_.Borrow();
      pqxx::nontransaction tx(*reader);
      return FirstBundle(tx.exec_prepared("find_digest", digest));
    });
  }

  Result<std::optional<StoredBundle>> FindByCode(const std::string& code) override {
    return Guard(scrub_, "find receipt code", [&]() -> Result<std::optional<StoredBundle>> {
      const ReaderPool::Lease reader = readers_.Borrow();
      pqxx::nontransaction tx(*reader);
      return FirstBundle(tx.exec_prepared("find_code", code));
    });
  }

  Result<std::uint64_t> CountBundles() override {
    return Guard(scrub_, "count bundles", [&]() -> Result<std::uint64_t> {
      const ReaderPool::Lease reader = readers_.Borrow();
      pqxx::nontransaction tx(*reader);
      return static_cast<std::uint64_t>(
          tx.exec("SELECT count(*) FROM bundles")[0][0].as<long long>());
    });
  }

  Result<std::vector<StoredBundle>> ListBundles() override {
    return Guard(scrub_, "list bundles", [&]() -> Result<std::vector<StoredBundle>> {
      const ReaderPool::Lease reader = readers_.Borrow();
      pqxx::read_transaction tx(*reader);
      std::vector<StoredBundle> out;
      for (const auto& r :
           tx.exec(std::string(kSelectColumns) + "ORDER BY site, terminal_id, seq, bundle_id")) {
        out.push_back(RowToBundle(r));
      }
      return out;
    });
  }

  Result<std::unique_ptr<BundleScan>> ScanBundles() override;

  Result<StatusCounts> CountStatus() override {
    return Guard(scrub_, "count the status", [&]() -> Result<StatusCounts> {
      const ReaderPool::Lease reader = readers_.Borrow();
      // One snapshot for the five queries (READ COMMITTED would take one per query).
      pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> tx(*reader);
      struct Row final : CountRow {
        const pqxx::row* r = nullptr;
        std::string Text(int column) const override { return (*r)[column].as<std::string>(); }
        std::int64_t Int(int column) const override { return (*r)[column].as<long long>(); }
      };
      return CountStatusWith(
          [&](const char* sql, const std::function<void(const CountRow&)>& each) -> Status {
            Row row;
            for (const auto& r : tx.exec(sql)) {
              row.r = &r;
              each(row);
            }
            return Ok();
          });
    });
  }

  Result<std::vector<std::string>> TerminalsWithSeqGaps() override {
    return Strings("list terminals with gaps",
                   "SELECT terminal_id FROM bundles GROUP BY terminal_id "
                   "HAVING max(seq) != count(DISTINCT seq) ORDER BY terminal_id",
                   std::nullopt);
  }

  Result<std::vector<std::string>> ParticipantsWithSeveralBundles(
      const std::string& exam_id) override {
    return Strings("list participants with several bundles",
                   "SELECT participant FROM bundles WHERE exam_id = $1 GROUP BY participant "
                   "HAVING count(*) > 1 ORDER BY participant",
                   exam_id);
  }

  // Up to `limit` rows (receipt_text empty) after `after` in ListBundles' order.
  Result<std::vector<StoredBundle>> PageAfter(const std::optional<StoredBundle>& after,
                                              std::size_t limit) {
    return Guard(scrub_, "list bundles", [&]() -> Result<std::vector<StoredBundle>> {
      const ReaderPool::Lease reader = readers_.Borrow();
      pqxx::read_transaction tx(*reader);
      const std::string select =
          "SELECT bundle_id, receipt_code, terminal_id, site, exam_id, participant, kind, seq, "
          "journal_seq, created_ms, stored_ms, bytes, '', pack_id FROM bundles ";
      const std::string order =
          " ORDER BY site, terminal_id, seq, bundle_id LIMIT " + std::to_string(limit);
      const pqxx::result r =
          after ? tx.exec_params(select +
                                     "WHERE (site, terminal_id, seq, bundle_id) > "
                                     "($1, $2, $3::bigint, $4)" +
                                     order,
                                 after->site, after->terminal_id,
                                 static_cast<long long>(after->seq), after->bundle_id)
                : tx.exec(select + order);
      std::vector<StoredBundle> out;
      for (const auto& row : r) out.push_back(RowToBundle(row));
      return out;
    });
  }

  Result<std::vector<StoredFlag>> ListFlags() override {
    return Guard(scrub_, "list flags", [&]() -> Result<std::vector<StoredFlag>> {
      const ReaderPool::Lease reader = readers_.Borrow();
      pqxx::read_transaction tx(*reader);
      std::vector<StoredFlag> out;
      for (const auto& r : tx.exec("SELECT terminal_id, seq, bundle_id, kind, detail, at_ms "
                                   "FROM flags ORDER BY id")) {
        out.push_back({r[0].as<std::string>(), static_cast<std::uint64_t>(r[1].as<long long>()),
                       r[2].as<std::string>(), r[3].as<std::string>(), r[4].as<std::string>(),
                       r[5].as<long long>()});
      }
      return out;
    });
  }

  Result<Bytes> ReadBundle(const std::string& id_hex) override {
    return Guard(scrub_, "read bundle " + id_hex, [&]() -> Result<Bytes> {
      const ReaderPool::Lease reader = readers_.Borrow();
      pqxx::read_transaction tx(*reader);
      const pqxx::result r = tx.exec_prepared("read_bundle", id_hex);
      if (r.empty()) return std::unexpected(Error::NotFound(BundleName(id_hex) + " not found"));
      const pqxx::binarystring b(r[0][0]);
      if (b.size() > bundle::kMaxBundleBytes) {
        return std::unexpected(Error::Malformed(BundleName(id_hex) + " is over the size cap"));
      }
      return Bytes(b.data(), b.data() + b.size());
    });
  }

  std::string BundleName(const std::string& id_hex) const override {
    return "bundle " + id_hex + " in " + Describe();
  }

 private:
  Result<std::vector<std::string>> Strings(const std::string& what, const std::string& sql,
                                           std::optional<std::string> bound) {
    return Guard(scrub_, what, [&]() -> Result<std::vector<std::string>> {
      const ReaderPool::Lease reader = readers_.Borrow();
      pqxx::read_transaction tx(*reader);
      const pqxx::result r = bound ? tx.exec_params(sql, *bound) : tx.exec(sql);
      std::vector<std::string> out;
      for (const auto& row : r) out.push_back(row[0].as<std::string>());
      return out;
    });
  }

  std::unique_ptr<pqxx::connection> c_;              // the first writer
  std::unique_ptr<pqxx::connection> second_writer_;  // the other one (Begin)
  std::atomic<bool> busy_[2] = {false, false};       // a batch holds writer 0 / 1
  ReaderPool readers_;
  Scrubber scrub_;
  std::string url_;  // with its password, if it has one: never in a message (scrub_ for those)
};

// ScanBundles: pages of kScanPage rows, each read after the last row of the one before, so that
// no connection stays borrowed between calls (ReadBundle borrows one too).
constexpr std::size_t kScanPage = 1000;

class PostgresScan final : public BundleScan {
 public:
  explicit PostgresScan(PostgresBackend& backend) : backend_(backend) {}
  Result<std::optional<StoredBundle>> Next() override {
    if (next_ == page_.size()) {
      if (done_) return std::optional<StoredBundle>();
      LONTAR_ASSIGN_OR_RETURN(page_, backend_.PageAfter(last_, kScanPage));
      next_ = 0;
      done_ = page_.size() < kScanPage;
      if (page_.empty()) return std::optional<StoredBundle>();
      last_ = page_.back();
    }
    return std::optional<StoredBundle>(std::move(page_[next_++]));
  }

 private:
  PostgresBackend& backend_;
  std::vector<StoredBundle> page_;
  std::size_t next_ = 0;
  std::optional<StoredBundle> last_;
  bool done_ = false;
};

Result<std::unique_ptr<BundleScan>> PostgresBackend::ScanBundles() {
  return std::unique_ptr<BundleScan>(new PostgresScan(*this));
}

void PrepareStatements(pqxx::connection& c) {
  c.prepare("find_id", std::string(kSelectWithDigest) + "WHERE bundle_id = $1");
  c.prepare("find_digest", std::string(kSelectWithDigest) + "WHERE digest = $1 AND digest <> ''");
  c.prepare("find_code", std::string(kSelectColumns) + "WHERE receipt_code = $1");
  c.prepare("batch_disagreeing", DisagreeingQuery("$1::text[]", "$2::bigint[]", "$3::bigint[]"));
  c.prepare("insert_flag",
            "INSERT INTO flags (terminal_id, seq, bundle_id, kind, detail, at_ms) "
            "VALUES ($1, $2, $3, $4, $5, $6)");
  c.prepare("read_bundle", "SELECT bundle FROM bundles WHERE bundle_id = $1");
}

}  // namespace
}  // namespace postgres_detail

Result<std::unique_ptr<StoreBackend>> OpenPostgresBackend(const std::string& url,
                                                          StoreAccess access) {
  using namespace postgres_detail;
  if (!url.starts_with("postgresql://") && !url.starts_with("postgres://")) {
    return std::unexpected(
        Error::InvalidArgument("database URL " + RedactDatabaseUrl(url) +
                               ": expected postgresql://[USER[:PASSWORD]@]HOST[:PORT]/DATABASE"));
  }
  Scrubber scrub(url);
  // libpqxx 6 prepares a statement when it is first used: after the schema exists.
  LONTAR_ASSIGN_OR_RETURN(
      std::unique_ptr<pqxx::connection> c,
      OpenSession(url, scrub, access == StoreAccess::kReadOnly ? kReaderSetting : kWriterSetting));
  auto opened =
      Guard(scrub, "open the store", [&]() -> Status { return OpenSchema(*c, scrub, access); });
  if (!opened) return std::unexpected(opened.error());
  std::vector<std::unique_ptr<pqxx::connection>> readers;
  if (access == StoreAccess::kReadOnly) {
    readers.push_back(std::move(c));
    return std::unique_ptr<StoreBackend>(
        new PostgresBackend(nullptr, std::move(readers), std::move(scrub), url));
  }
  // Lookups get their own connections, so that they do not wait for a group commit under way,
  // nor for each other.
  for (int i = 0; i < kReaders; ++i) {
    LONTAR_ASSIGN_OR_RETURN(std::unique_ptr<pqxx::connection> reader,
                            OpenSession(url, scrub, kReaderSetting));
    readers.push_back(std::move(reader));
  }
  return std::unique_ptr<StoreBackend>(
      new PostgresBackend(std::move(c), std::move(readers), std::move(scrub), url));
}

}  // namespace lontar::server

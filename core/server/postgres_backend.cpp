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
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

#include "core/bundle/bundle_format.hpp"
#include "core/server/store_backend.hpp"

namespace lontar::server {
namespace {

// Reader connections of a read-write backend (ReaderPool): enough for the duplicate checks of
// the uploads that arrive together to overlap, few enough to leave the database's connection
// limit (100 by default) to other servers.
constexpr int kReaders = 4;

// An arbitrary 64-bit key for pg_advisory_xact_lock: "lontar" in ASCII.
constexpr long long kBatchLock = 0x6c6f6e746172;

constexpr char kPostgresSchema[] = R"sql(
CREATE TABLE bundles (
  bundle_id    text PRIMARY KEY,
  receipt_code text NOT NULL,
  terminal_id  text NOT NULL,
  site         text NOT NULL,
  exam_id      text NOT NULL,
  participant  text NOT NULL,
  seq          bigint NOT NULL,
  journal_seq  bigint NOT NULL,
  kind         text NOT NULL,
  created_ms   bigint NOT NULL,
  stored_ms    bigint NOT NULL,
  bytes        bigint NOT NULL,
  receipt      text NOT NULL,
  bundle       bytea NOT NULL,
  pack_id      text NOT NULL DEFAULT '',
  digest       text NOT NULL DEFAULT ''
);
ALTER TABLE bundles ALTER COLUMN bundle SET STORAGE EXTERNAL;
CREATE INDEX bundles_code ON bundles (receipt_code);
CREATE INDEX bundles_terminal ON bundles (terminal_id, seq);
CREATE INDEX bundles_journal ON bundles (terminal_id, journal_seq);
CREATE TABLE flags (
  id          bigserial PRIMARY KEY,
  terminal_id text NOT NULL,
  seq         bigint NOT NULL,
  bundle_id   text NOT NULL,
  kind        text NOT NULL,
  detail      text NOT NULL,
  at_ms       bigint NOT NULL
);
)sql";

constexpr char kSelectColumns[] =
    "SELECT bundle_id, receipt_code, terminal_id, site, exam_id, participant, kind, seq, "
    "journal_seq, created_ms, stored_ms, bytes, receipt, pack_id FROM bundles ";

// The lookups by id (StoredBundle::digest): prepared on first use (libpqxx 6), which only a
// read-write store makes, after OpenSchema added the column to a database that lacked it.
constexpr char kSelectWithDigest[] =
    "SELECT bundle_id, receipt_code, terminal_id, site, exam_id, participant, kind, seq, "
    "journal_seq, created_ms, stored_ms, bytes, receipt, pack_id, digest FROM bundles ";

StoredBundle RowToBundle(const pqxx::row& r) {
  StoredBundle b;
  b.bundle_id = r[0].as<std::string>();
  b.receipt_code = r[1].as<std::string>();
  b.terminal_id = r[2].as<std::string>();
  b.site = r[3].as<std::string>();
  b.exam_id = r[4].as<std::string>();
  b.participant = r[5].as<std::string>();
  b.kind = r[6].as<std::string>();
  b.seq = static_cast<std::uint64_t>(r[7].as<long long>());
  b.journal_seq = static_cast<std::uint64_t>(r[8].as<long long>());
  b.created_ms = r[9].as<long long>();
  b.stored_ms = r[10].as<long long>();
  b.bytes = static_cast<std::uint64_t>(r[11].as<long long>());
  b.receipt_text = r[12].as<std::string>();
  b.pack_id = r[13].as<std::string>();
  if (r.size() > 14) b.digest = r[14].as<std::string>();  // kSelectWithDigest's
  return b;
}

std::optional<StoredBundle> FirstBundle(const pqxx::result& r) {
  if (r.empty()) return std::nullopt;
  return RowToBundle(r[0]);
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const std::string hex(s.substr(i + 1, 2));
      char* end = nullptr;
      const long v = std::strtol(hex.c_str(), &end, 16);
      if (end == hex.c_str() + 2) {
        out += static_cast<char>(v);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// The passwords a URL carries (as written and percent-decoded), to scrub from libpq's messages.
std::vector<std::string> PasswordsIn(const std::string& url) {
  std::vector<std::string> out;
  auto add = [&](std::string_view p) {
    if (p.empty()) return;
    out.emplace_back(p);
    if (std::string d = PercentDecode(p); d != p) out.push_back(std::move(d));
  };
  const auto scheme = url.find("://");
  const std::size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  const std::size_t end = std::min(url.find_first_of("/?#", start), url.size());
  const std::string_view authority = std::string_view(url).substr(start, end - start);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    if (const auto colon = userinfo.find(':'); colon != std::string_view::npos) {
      add(userinfo.substr(colon + 1));
    }
  }
  if (const auto q = url.find('?'); q != std::string::npos) {
    std::string_view query = std::string_view(url).substr(q + 1);
    while (!query.empty()) {
      const auto amp = query.find('&');
      const std::string_view param = query.substr(0, amp);
      if (param.starts_with("password=")) add(param.substr(9));
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
  }
  return out;
}

class Scrubber {
 public:
  explicit Scrubber(const std::string& url)
      : redacted_(RedactDatabaseUrl(url)), passwords_(PasswordsIn(url)) {}
  const std::string& url() const { return redacted_; }
  std::string operator()(std::string text) const {
    for (const auto& p : passwords_) {
      for (auto at = text.find(p); at != std::string::npos; at = text.find(p, at + 3)) {
        text.replace(at, p.size(), "***");
      }
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
  }

 private:
  std::string redacted_;
  std::vector<std::string> passwords_;
};

// Runs `f`, turning libpqxx's exceptions into Errors about `what` on the database.
template <typename F>
auto Guard(const Scrubber& scrub, const std::string& what, F&& f) -> decltype(f()) {
  const std::string context = what + " (database " + scrub.url() + "): ";
  try {
    return f();
  } catch (const pqxx::broken_connection& e) {
    return std::unexpected(
        Error::Io(context + "the connection to the database was lost: " + scrub(e.what())));
  } catch (const pqxx::in_doubt_error& e) {
    return std::unexpected(Error::Io(context +
                                     "the commit's outcome is unknown (nothing was "
                                     "acknowledged; a retry is answered correctly): " +
                                     scrub(e.what())));
  } catch (const pqxx::sql_error& e) {
    // Class 53: insufficient resources (53100 disk full).
    if (e.sqlstate() == "53100") return std::unexpected(Error::DiskFull(context + scrub(e.what())));
    return std::unexpected(Error::Internal(context + scrub(e.what())));
  } catch (const std::exception& e) {
    return std::unexpected(Error::Internal(context + scrub(e.what())));
  }
}

// Every parameter of the batch's INSERT goes in binary form: the bundle bytes as they are (no
// hex escaping, which doubles them and costs CPU on both sides), text as its bytes, bigint as 8
// bytes in network order. The statement casts each parameter, which fixes its type.
pqxx::binarystring BinaryText(const std::string& s) { return pqxx::binarystring(s); }

pqxx::binarystring BinaryInt8(std::int64_t v) {
  std::uint8_t b[8];
  for (int i = 7; i >= 0; --i, v = static_cast<std::int64_t>(static_cast<std::uint64_t>(v) >> 8)) {
    b[i] = static_cast<std::uint8_t>(v & 0xff);
  }
  return pqxx::binarystring(b, sizeof b);
}

// At most this many rows per INSERT: 15 parameters each, under the protocol's 65,535.
constexpr std::size_t kRowsPerInsert = 1000;

// A PostgreSQL array literal of `items` ('{"a","b"}'), each element quoted and escaped, for an
// array parameter in text form.
std::string ArrayLiteral(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (const char ch : items[i]) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '"';
  }
  return out + "}";
}

std::string LockQuery() {
  return "SELECT pg_advisory_xact_lock(" + std::to_string(kBatchLock) + ")";
}

// The rows among `ids` (an SQL expression of type text[]).
std::string FindIdsQuery(const std::string& ids) {
  return std::string(kSelectWithDigest) + "WHERE bundle_id = ANY(" + ids + ")";
}

// The rollback check (StoreBatch::Disagreeing) for every bundle of a batch at once, given three
// SQL arrays of the same length (text[], bigint[], bigint[]): per key (terminal, seq, journal
// head; k.i numbers them from 1), three disjoint parts, each tagged so that the answer comes in a
// fixed order (same seq, later seqs, earlier seqs). Each part must be a short index range: the
// "+ 0" keeps the planner off the other index, which for a terminal's newest bundle would select
// every earlier bundle of the terminal and filter them all (seen: 8 ms instead of 0.3 ms for 8
// keys over 18,000 rows, growing with the store).
std::string DisagreeingQuery(const std::string& terminals, const std::string& seqs,
                             const std::string& journal_seqs) {
  return "SELECT k.i, d.part, d.bundle_id, d.seq, d.journal_seq FROM unnest(" + terminals + ", " +
         seqs + ", " + journal_seqs +
         ") WITH ORDINALITY AS k(terminal_id, seq, journal_seq, i) CROSS JOIN LATERAL ("
         "SELECT 0 AS part, b.bundle_id, b.seq, b.journal_seq FROM bundles b "
         "WHERE b.terminal_id = k.terminal_id AND b.seq = k.seq "
         "UNION ALL SELECT 1, b.bundle_id, b.seq, b.journal_seq FROM bundles b "
         "WHERE b.terminal_id = k.terminal_id AND b.seq > k.seq "
         "AND b.journal_seq + 0 <= k.journal_seq "
         "UNION ALL SELECT 2, b.bundle_id, b.seq, b.journal_seq FROM bundles b "
         "WHERE b.terminal_id = k.terminal_id AND b.journal_seq >= k.journal_seq "
         "AND b.seq + 0 < k.seq) AS d ORDER BY k.i, d.part, d.seq, d.bundle_id";
}

// Which of the three parts of the rollback check `other` falls in for a bundle (seq, journal
// head), or -1 for none.
int DisagreeingPart(const StoredBundle& other, std::uint64_t seq, std::uint64_t journal_seq) {
  if (other.seq == seq) return 0;
  if (other.seq > seq && other.journal_seq <= journal_seq) return 1;
  if (other.journal_seq >= journal_seq && other.seq < seq) return 2;
  return -1;
}

// One group commit. Round trips: BEGIN; Prefetch's one (the advisory lock, then the duplicate
// and rollback checks of the whole batch, pipelined); one INSERT per 1,000 rows at Commit (plus
// one per flag, rare); COMMIT: four, whatever the batch's size (it was 3 per bundle + 3). Rows
// inserted are kept here until Commit, and FindById and Disagreeing answer from them too, so the
// batch sees its own rows as the transaction would.
class PostgresBatch final : public StoreBatch {
 public:
  PostgresBatch(pqxx::connection& c, const Scrubber& scrub) : scrub_(scrub), tx_(c) {}

  // The lock and both lookups go as one pipelined message: one round trip. The lookups are
  // statements after the lock's, so their snapshots are taken once it is held and see every
  // batch committed before.
  Status Prefetch(const std::vector<BatchKey>& keys) override {
    if (keys.empty()) return Ok();
    return Guard(scrub_, "look up the batch's bundles", [&]() -> Status {
      std::vector<std::string> ids, terminals, seqs, journal_seqs;
      for (const BatchKey& k : keys) {
        if (prefetched_ids_.insert(k.bundle_id).second) ids.push_back(k.bundle_id);
        terminals.push_back(k.terminal_id);
        seqs.push_back(std::to_string(static_cast<long long>(k.seq)));
        journal_seqs.push_back(std::to_string(static_cast<long long>(k.journal_seq)));
      }
      auto literal = [&](const std::vector<std::string>& items, const char* type) {
        return tx_.quote(ArrayLiteral(items)) + "::" + type;
      };
      pqxx::pipeline pipe(tx_);
      pipe.retain(3);
      std::optional<pqxx::pipeline::query_id> lock;
      if (!locked_) lock = pipe.insert(LockQuery());
      const auto found_ids = pipe.insert(FindIdsQuery(literal(ids, "text[]")));
      const auto found_disagreeing =
          pipe.insert(DisagreeingQuery(literal(terminals, "text[]"), literal(seqs, "bigint[]"),
                                       literal(journal_seqs, "bigint[]")));
      pipe.resume();
      if (lock) pipe.retrieve(*lock);
      locked_ = true;
      for (const auto& r : pipe.retrieve(found_ids)) {
        StoredBundle b = RowToBundle(r);
        committed_.emplace(b.bundle_id, std::move(b));
      }
      std::vector<Disagreement> found =
          ReadDisagreeing(pipe.retrieve(found_disagreeing), keys.size());
      pipe.complete();
      for (std::size_t i = 0; i < keys.size(); ++i) {
        disagreeing_.emplace(std::tuple(keys[i].terminal_id, keys[i].seq, keys[i].journal_seq),
                             std::move(found[i]));
      }
      return Ok();
    });
  }

  Result<std::optional<StoredBundle>> FindById(const std::string& id_hex) override {
    if (const auto it = pending_index_.find(id_hex); it != pending_index_.end()) {
      return pending_[it->second].row;
    }
    if (prefetched_ids_.contains(id_hex)) {
      const auto it = committed_.find(id_hex);
      if (it == committed_.end()) return std::nullopt;
      return it->second;
    }
    return Guard(scrub_, "find bundle", [&]() -> Result<std::optional<StoredBundle>> {
      Lock();
      return FirstBundle(tx_.exec_prepared("find_id", id_hex));
    });
  }

  Result<std::vector<StoredBundle>> Disagreeing(const std::string& terminal_id, std::uint64_t seq,
                                                std::uint64_t journal_seq) override {
    Disagreement all;
    if (const auto it = disagreeing_.find(std::tuple(terminal_id, seq, journal_seq));
        it != disagreeing_.end()) {
      all = it->second;
    } else {
      auto queried = Guard(scrub_, "read terminal bundles", [&]() -> Result<Disagreement> {
        Lock();
        return std::move(ReadDisagreeing(
            tx_.exec_prepared("batch_disagreeing", ArrayLiteral({terminal_id}),
                              ArrayLiteral({std::to_string(static_cast<long long>(seq))}),
                              ArrayLiteral({std::to_string(static_cast<long long>(journal_seq))})),
            1)[0]);
      });
      if (!queried) return std::unexpected(queried.error());
      all = std::move(*queried);
    }
    // This batch's own rows, which the database has not seen yet.
    for (const Pending& p : pending_) {
      if (p.row.terminal_id != terminal_id) continue;
      if (const int part = DisagreeingPart(p.row, seq, journal_seq); part >= 0) {
        all.emplace_back(part, p.row);
      }
    }
    std::stable_sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
      return std::tie(a.first, a.second.seq) < std::tie(b.first, b.second.seq);
    });
    std::vector<StoredBundle> out;
    for (auto& [part, b] : all) out.push_back(std::move(b));
    return out;
  }

  Status Insert(const StoredBundle& r, ByteView bundle, const std::vector<StoredFlag>& flags,
                const PreparedInsert*) override {
    pending_index_.emplace(r.bundle_id, pending_.size());
    pending_.push_back({r, pqxx::binarystring(bundle.data(), bundle.size()), flags});
    return Ok();
  }

  Status AddFlag(const StoredFlag& flag) override {
    lone_flags_.push_back(flag);
    return Ok();
  }

  Status Commit() override {
    return Guard(scrub_, "store a batch of " + std::to_string(pending_.size()) + " bundles",
                 [&]() -> Status {
                   Lock();
                   for (std::size_t at = 0; at < pending_.size(); at += kRowsPerInsert) {
                     InsertRows(at, std::min(pending_.size(), at + kRowsPerInsert));
                   }
                   auto insert_flag = [&](const StoredFlag& f) {
                     tx_.exec_prepared("insert_flag", f.terminal_id, static_cast<long long>(f.seq),
                                       f.bundle_id, f.kind, f.detail,
                                       static_cast<long long>(f.at_ms));
                   };
                   for (const Pending& p : pending_) {
                     for (const StoredFlag& f : p.flags) insert_flag(f);
                   }
                   for (const StoredFlag& f : lone_flags_) insert_flag(f);
                   tx_.commit();
                   return Ok();
                 });
  }

 private:
  // Rows one bundle disagrees with, each with the part of the check it matched (0, 1, 2).
  using Disagreement = std::vector<std::pair<int, StoredBundle>>;

  std::vector<StoredFlag> lone_flags_;  // AddFlag's, written at Commit after the rows'
  struct Pending {
    StoredBundle row;
    pqxx::binarystring bytes;  // a copy: the caller's bytes need not outlive Insert
    std::vector<StoredFlag> flags;
  };

  // Takes the batch lock unless held. Throws (Guard).
  void Lock() {
    if (locked_) return;
    tx_.exec(LockQuery());
    locked_ = true;
  }

  // The result of DisagreeingQuery for `keys` keys: the committed rows each key disagrees with,
  // one list per key, in order.
  static std::vector<Disagreement> ReadDisagreeing(const pqxx::result& rows, std::size_t keys) {
    std::vector<Disagreement> out(keys);
    for (const auto& r : rows) {
      StoredBundle b;
      b.bundle_id = r[2].as<std::string>();
      b.seq = static_cast<std::uint64_t>(r[3].as<long long>());
      b.journal_seq = static_cast<std::uint64_t>(r[4].as<long long>());
      out.at(r[0].as<std::size_t>() - 1).emplace_back(r[1].as<int>(), std::move(b));
    }
    return out;
  }

  // One INSERT for pending_[begin, end). Throws (Guard).
  void InsertRows(std::size_t begin, std::size_t end) {
    constexpr std::size_t kColumns = 16;
    static constexpr const char* kTypes[kColumns] = {
        "text", "text",   "text",   "text",   "text", "text",  "bigint", "bigint",
        "text", "bigint", "bigint", "bigint", "text", "bytea", "text",   "text"};
    std::string q =
        "INSERT INTO bundles (bundle_id, receipt_code, terminal_id, site, exam_id, participant, "
        "seq, journal_seq, kind, created_ms, stored_ms, bytes, receipt, bundle, pack_id, digest) "
        "VALUES ";
    std::vector<pqxx::binarystring> params;
    params.reserve((end - begin) * kColumns);
    for (std::size_t i = begin; i < end; ++i) {
      const StoredBundle& r = pending_[i].row;
      q += i > begin ? ", (" : "(";
      for (std::size_t c = 0; c < kColumns; ++c) {
        q += (c > 0 ? ", $" : "$") + std::to_string(params.size() + c + 1) + "::" + kTypes[c];
      }
      q += ")";
      params.push_back(BinaryText(r.bundle_id));
      params.push_back(BinaryText(r.receipt_code));
      params.push_back(BinaryText(r.terminal_id));
      params.push_back(BinaryText(r.site));
      params.push_back(BinaryText(r.exam_id));
      params.push_back(BinaryText(r.participant));
      params.push_back(BinaryInt8(static_cast<std::int64_t>(r.seq)));
      params.push_back(BinaryInt8(static_cast<std::int64_t>(r.journal_seq)));
      params.push_back(BinaryText(r.kind));
      params.push_back(BinaryInt8(r.created_ms));
      params.push_back(BinaryInt8(r.stored_ms));
      params.push_back(BinaryInt8(static_cast<std::int64_t>(r.bytes)));
      params.push_back(BinaryText(r.receipt_text));
      params.push_back(pending_[i].bytes);
      params.push_back(BinaryText(r.pack_id));
      params.push_back(BinaryText(r.digest));
    }
    tx_.exec_params(q, pqxx::prepare::make_dynamic_params(params));
  }

  const Scrubber& scrub_;
  pqxx::work tx_;
  bool locked_ = false;  // pg_advisory_xact_lock(kBatchLock) is held
  std::set<std::string> prefetched_ids_;
  std::map<std::string, StoredBundle> committed_;  // the prefetched ids that are stored
  std::map<std::tuple<std::string, std::uint64_t, std::uint64_t>, Disagreement> disagreeing_;
  std::vector<Pending> pending_;
  std::map<std::string, std::size_t> pending_index_;
};

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

  Result<std::unique_ptr<StoreBatch>> Begin() override {
    // The database restarted, or the link to it dropped, since the last batch: libpqxx 6 does not
    // bring this connection back by itself (its reads do come back), so every batch would fail
    // until `lontar serve` restarted. A batch that found it dead failed (its uploads got a 5xx
    // and are sent again); the next one connects anew.
    if (c_ && !c_->is_open()) {
      LONTAR_ASSIGN_OR_RETURN(c_, OpenSession(url_, scrub_, kWriterSetting));
    }
    return Guard(scrub_, "begin", [&]() -> Result<std::unique_ptr<StoreBatch>> {
      if (!c_) throw std::logic_error("the store was opened read-only");
      return std::unique_ptr<StoreBatch>(new PostgresBatch(*c_, scrub_));
    });
  }

  Result<std::optional<StoredBundle>> FindById(const std::string& id_hex) override {
    return Guard(scrub_, "find bundle", [&]() -> Result<std::optional<StoredBundle>> {
      const ReaderPool::Lease reader = readers_.Borrow();
      pqxx::read_transaction tx(*reader);
      return FirstBundle(tx.exec_prepared("find_id", id_hex));
    });
  }

  Result<std::optional<StoredBundle>> FindByCode(const std::string& code) override {
    return Guard(scrub_, "find receipt code", [&]() -> Result<std::optional<StoredBundle>> {
      const ReaderPool::Lease reader = readers_.Borrow();
      pqxx::read_transaction tx(*reader);
      return FirstBundle(tx.exec_prepared("find_code", code));
    });
  }

  Result<std::uint64_t> CountBundles() override {
    return Guard(scrub_, "count bundles", [&]() -> Result<std::uint64_t> {
      const ReaderPool::Lease reader = readers_.Borrow();
      pqxx::read_transaction tx(*reader);
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

  std::unique_ptr<pqxx::connection> c_;
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
  c.prepare("find_code", std::string(kSelectColumns) + "WHERE receipt_code = $1");
  c.prepare("batch_disagreeing", DisagreeingQuery("$1::text[]", "$2::bigint[]", "$3::bigint[]"));
  c.prepare("insert_flag",
            "INSERT INTO flags (terminal_id, seq, bundle_id, kind, detail, at_ms) "
            "VALUES ($1, $2, $3, $4, $5, $6)");
  c.prepare("read_bundle", "SELECT bundle FROM bundles WHERE bundle_id = $1");
}

// Creates the schema if missing (read-write) and checks its version.
Status OpenSchema(pqxx::connection& c, const Scrubber& scrub, StoreAccess access) {
  const std::string newer =
      " and leaves it untouched: use the lontar that wrote it, or a newer one";
  if (access == StoreAccess::kReadOnly) {
    pqxx::read_transaction tx(c);
    if (tx.exec("SELECT to_regclass('lontar_schema')")[0][0].is_null()) {
      return std::unexpected(Error::NotFound("database " + scrub.url() +
                                             " holds no Lontar store (no lontar_schema table): "
                                             "is the URL the one `lontar serve --db` uses?"));
    }
    const auto v = tx.exec("SELECT max(version) FROM lontar_schema")[0][0];
    if (!v.is_null() && v.as<int>() < kPostgresSchemaVersion) {
      return std::unexpected(Error::TooNew(
          "database " + scrub.url() + " has store schema version " + v.as<std::string>() +
          ", older than this lontar's " + std::to_string(kPostgresSchemaVersion) +
          ": start `lontar serve --db` on it once (it upgrades the store in place, keeping every "
          "bundle)"));
    }
    if (!v.is_null() && v.as<int>() > kPostgresSchemaVersion) {
      return std::unexpected(Error::TooNew(
          "database " + scrub.url() + " has store schema version " + v.as<std::string>() +
          "; this lontar knows version " + std::to_string(kPostgresSchemaVersion) + newer));
    }
    return Ok();
  }
  pqxx::work tx(c);
  tx.exec(LockQuery());
  // Checked rather than CREATE ... IF NOT EXISTS, whose NOTICE libpq would print on every start.
  if (tx.exec("SELECT to_regclass('lontar_schema')")[0][0].is_null()) {
    tx.exec("CREATE TABLE lontar_schema (version integer NOT NULL)");
  }
  const auto v = tx.exec("SELECT max(version) FROM lontar_schema")[0][0];
  if (v.is_null()) {
    tx.exec(kPostgresSchema);
    tx.exec("INSERT INTO lontar_schema (version) VALUES (" +
            std::to_string(kPostgresSchemaVersion) + ")");
  } else if (v.as<int>() > kPostgresSchemaVersion) {
    return std::unexpected(Error::TooNew("database " + scrub.url() + " has store schema version " +
                                         v.as<std::string>() + "; this lontar knows version " +
                                         std::to_string(kPostgresSchemaVersion) + newer));
  } else if (v.as<int>() < kPostgresSchemaVersion) {
    // 1 -> 2: bundles.pack_id.
    tx.exec("ALTER TABLE bundles ADD COLUMN pack_id text NOT NULL DEFAULT ''");
    tx.exec("UPDATE lontar_schema SET version = " + std::to_string(kPostgresSchemaVersion));
  }
  // Stores created before the index on journal heads (same schema version: an index is no
  // format change) get it here, once.
  if (tx.exec("SELECT to_regclass('bundles_journal')")[0][0].is_null()) {
    tx.exec("CREATE INDEX bundles_journal ON bundles (terminal_id, journal_seq)");
  }
  // And the digest a re-sent bundle is compared with (StoredBundle::digest): a column with a
  // default, which a Lontar without it never names; rows stored before keep '' and are read
  // back when a bundle arrives again with their id.
  if (tx.exec("SELECT 1 FROM information_schema.columns WHERE table_name = 'bundles' AND "
              "column_name = 'digest' AND table_schema = current_schema()")
          .empty()) {
    tx.exec("ALTER TABLE bundles ADD COLUMN digest text NOT NULL DEFAULT ''");
  }
  tx.commit();
  return Ok();
}

}  // namespace

Result<std::unique_ptr<StoreBackend>> OpenPostgresBackend(const std::string& url,
                                                          StoreAccess access) {
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

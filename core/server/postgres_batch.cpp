// The PostgreSQL backend's group commit (PostgresBatch): the batch's lookups in one pipelined
// round trip, its rows in multi-row INSERTs with binary parameters, then COMMIT. The round trips
// and why are in postgres_backend.cpp.
#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <tuple>

#include "core/server/batch_disagreeing.hpp"
#include "core/server/postgres_detail.hpp"

namespace lontar::server {
namespace postgres_detail {
namespace {

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

// The rows among `ids` (an SQL expression of type text[]).
std::string FindIdsQuery(const std::string& ids) {
  return std::string(kSelectWithDigest) + "WHERE bundle_id = ANY(" + ids + ")";
}

// One group commit. Round trips: BEGIN; Prefetch's one (the advisory lock, then the duplicate
// and rollback checks of the whole batch, pipelined); one INSERT per 1,000 rows at Write (plus
// one per flag, rare); COMMIT: four, whatever the batch's size (it was 3 per bundle + 3). The
// next batch, on the other writer connection, waits at its lock for this one's COMMIT. Rows
// inserted are kept here until Commit, and FindById and Disagreeing answer from them too, so the
// batch sees its own rows as the transaction would.
class PostgresBatch final : public StoreBatch {
 public:
  PostgresBatch(pqxx::connection& c, const Scrubber& scrub, std::atomic<bool>& busy)
      : busy_(busy), scrub_(scrub), tx_(c) {}

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
    // This batch's own rows, which the database has not seen yet (DisagreeingQuery's rows come
    // in part and number order already).
    return WithPendingDisagreeing(std::move(all), pending_, terminal_id, seq, journal_seq);
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

  // The rows and flags, sent inside the transaction: everything but the COMMIT.
  Status Write() override {
    if (written_) return Ok();
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
                   written_ = true;
                   return Ok();
                 });
  }

  Status Commit() override {
    LONTAR_TRY(Write());
    return Guard(scrub_, "commit a batch of " + std::to_string(pending_.size()) + " bundles",
                 [&]() -> Status {
                   tx_.commit();
                   return Ok();
                 });
  }

 private:
  // Rows one bundle disagrees with, each with the part of the check it matched (0, 1, 2).
  using Disagreement = std::vector<DisagreeingRow>;

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

  // Clears the connection's busy flag once tx_ (declared after it, so destroyed before it) has
  // committed or rolled back.
  struct Busy {
    explicit Busy(std::atomic<bool>& b) : flag(b) { flag = true; }
    ~Busy() { flag = false; }
    std::atomic<bool>& flag;
  } busy_;
  const Scrubber& scrub_;
  pqxx::work tx_;
  bool locked_ = false;   // pg_advisory_xact_lock(kBatchLock) is held
  bool written_ = false;  // Write sent the rows
  std::set<std::string> prefetched_ids_;
  std::map<std::string, StoredBundle> committed_;  // the prefetched ids that are stored
  std::map<std::tuple<std::string, std::uint64_t, std::uint64_t>, Disagreement> disagreeing_;
  std::vector<Pending> pending_;
  std::map<std::string, std::size_t> pending_index_;
};

}  // namespace

std::string LockQuery() {
  return "SELECT pg_advisory_xact_lock(" + std::to_string(kBatchLock) + ")";
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

std::unique_ptr<StoreBatch> NewPostgresBatch(pqxx::connection& c, const Scrubber& scrub,
                                             std::atomic<bool>& busy) {
  return std::unique_ptr<StoreBatch>(new PostgresBatch(c, scrub, busy));
}

}  // namespace postgres_detail
}  // namespace lontar::server

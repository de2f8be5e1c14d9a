// The SQLite backend's group commit (SqliteBatch): the batch's records appended to the current
// segment as it is filled, then (Commit) one fdatasync, then the index rows committed without
// one (sqlite_backend.cpp says why in that order). Filling looks rows up on a connection of its
// own and keeps the batch's rows in memory until Commit, so that the next batch can be filled
// while this one syncs and commits on the writer connection (store.hpp (5)).
#include <map>

#include "core/server/batch_disagreeing.hpp"
#include "core/server/sqlite_detail.hpp"

namespace lontar::server {
namespace sqlite_detail {
namespace {

// Three disjoint parts, each a short range of an index in the normal case (bundles numbered in
// order with advancing journals): the same number; later numbers (none unless bundles arrive out
// of order); journal heads at or past this one (none unless rolled back). One OR over the
// (terminal_id, seq) index scanned every earlier bundle of the terminal for each insert, inside
// the group commit: 18,000 bundles from 4 terminals spent most of the committer's time there.
constexpr char kDisagreeing[] =
    "SELECT 0, bundle_id, seq, journal_seq FROM bundles WHERE terminal_id = ?1 AND seq = ?2 "
    "UNION ALL SELECT 1, bundle_id, seq, journal_seq FROM bundles INDEXED BY bundles_terminal "
    "WHERE terminal_id = ?1 AND seq > ?2 AND journal_seq <= ?3 "
    "UNION ALL SELECT 2, bundle_id, seq, journal_seq FROM bundles INDEXED BY bundles_journal "
    "WHERE terminal_id = ?1 AND journal_seq >= ?3 AND seq < ?2";

// The segment record of a row and its bundle, encoded (and its bundle hashed) ahead of the batch.
class PreparedRecord final : public PreparedInsert {
 public:
  explicit PreparedRecord(SegmentRecordHead head) : head(std::move(head)) {}
  SegmentRecordHead head;
};

class SqliteBatch final : public StoreBatch {
 public:
  SqliteBatch(StatementCache& lookups, Database& db, StatementCache& writes,
              SegmentWriter& segments)
      : lookups_(lookups), db_(db), writes_(writes), segments_(segments) {}
  // Not written: the batch's bytes are cut from the segment. Written and not committed (its
  // sync or index commit failed): its records stay, never acknowledged (SegmentWriter::Sync).
  ~SqliteBatch() override {
    if (!written_) segments_.Rollback();
  }

  Result<std::optional<StoredBundle>> FindById(const std::string& id_hex) override {
    if (const auto it = pending_index_.find(id_hex); it != pending_index_.end()) {
      return pending_[it->second].row;
    }
    return SelectWithDigest(lookups_, "WHERE bundle_id = ?", id_hex);
  }

  Result<std::vector<StoredBundle>> Disagreeing(const std::string& terminal_id, std::uint64_t seq,
                                                std::uint64_t journal_seq) override {
    std::vector<DisagreeingRow> all;
    {
      LONTAR_ASSIGN_OR_RETURN(StatementCache::Lease s, lookups_.Get(kDisagreeing));
      s->Bind(1, terminal_id)
          .Bind(2, static_cast<std::int64_t>(seq))
          .Bind(3, static_cast<std::int64_t>(journal_seq));
      for (;;) {
        LONTAR_ASSIGN_OR_RETURN(bool more, s->Step());
        if (!more) break;
        StoredBundle b;
        b.bundle_id = s->ColumnText(1);
        b.seq = static_cast<std::uint64_t>(s->ColumnInt(2));
        b.journal_seq = static_cast<std::uint64_t>(s->ColumnInt(3));
        all.emplace_back(static_cast<int>(s->ColumnInt(0)), std::move(b));
      }
    }
    // This batch's own rows, which the index does not hold yet, each in its part (by number).
    return WithPendingDisagreeing(std::move(all), pending_, terminal_id, seq, journal_seq);
  }

  // The record (row, flags, bundle) to the segment now; the row and flags to the index at Commit.
  Status Insert(const StoredBundle& r, ByteView bundle, const std::vector<StoredFlag>& flags,
                const PreparedInsert* prepared) override {
    const auto* ready = dynamic_cast<const PreparedRecord*>(prepared);
    SegmentLocation at;
    if (ready != nullptr && flags.empty() && ready->head.bundle_id == r.bundle_id) {
      LONTAR_ASSIGN_OR_RETURN(at, segments_.Append(ready->head, bundle));
    } else {
      LONTAR_ASSIGN_OR_RETURN(at, segments_.Append(r, flags, bundle));
    }
    pending_index_.emplace(r.bundle_id, pending_.size());
    pending_.push_back({r, flags, at});
    return Ok();
  }

  Status AddFlag(const StoredFlag& f) override {
    lone_flags_.push_back(f);
    return Ok();
  }

  // The batch's appends end here: the next batch may append after them.
  Status Write() override {
    if (!written_) {
      point_ = segments_.Seal();
      written_ = true;
    }
    return Ok();
  }

  // The records first, then the rows: a committed row always names a durable record. If the
  // SQLite commit fails after the sync, the records stay (Sync made them the store's) and no
  // receipt goes out; the next open re-indexes them, and a retried upload then gets the receipt
  // its record holds.
  Status Commit() override {
    LONTAR_TRY(Write());
    LONTAR_TRY(SegmentWriter::Sync(point_));
    LONTAR_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db_));
    for (const Pending& p : pending_) LONTAR_TRY(InsertRows(writes_, p.row, p.flags, p.at));
    for (const StoredFlag& f : lone_flags_) LONTAR_TRY(InsertFlag(writes_, f));
    return tx.Commit();
  }

 private:
  struct Pending {
    StoredBundle row;
    std::vector<StoredFlag> flags;
    SegmentLocation at;
  };
  StatementCache& lookups_;  // the batch reader's: used by the batch being filled
  Database& db_;             // the writer: used by the batch committing
  StatementCache& writes_;   // the writer connection's
  SegmentWriter& segments_;
  bool written_ = false;
  SegmentSyncPoint point_;
  std::vector<Pending> pending_;
  std::map<std::string, std::size_t> pending_index_;
  std::vector<StoredFlag> lone_flags_;  // AddFlag's, written at Commit after the rows'
};

}  // namespace

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

Result<std::unique_ptr<PreparedInsert>> PrepareRecord(const StoredBundle& row, ByteView bundle) {
  LONTAR_ASSIGN_OR_RETURN(SegmentRecordHead head, EncodeSegmentRecord(row, {}, bundle));
  return std::unique_ptr<PreparedInsert>(new PreparedRecord(std::move(head)));
}

std::unique_ptr<StoreBatch> NewSqliteBatch(StatementCache& lookups, Database& db,
                                           StatementCache& writes, SegmentWriter& segments) {
  return std::unique_ptr<StoreBatch>(new SqliteBatch(lookups, db, writes, segments));
}

}  // namespace sqlite_detail
}  // namespace lontar::server

// The SQLite backend's group commit (SqliteBatch): the batch's records appended to the current
// segment, one fdatasync, then the index rows committed without one (sqlite_backend.cpp says why
// in that order).
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
    "SELECT bundle_id, seq, journal_seq FROM bundles WHERE terminal_id = ?1 AND seq = ?2 "
    "UNION ALL SELECT bundle_id, seq, journal_seq FROM bundles INDEXED BY bundles_terminal "
    "WHERE terminal_id = ?1 AND seq > ?2 AND journal_seq <= ?3 "
    "UNION ALL SELECT bundle_id, seq, journal_seq FROM bundles INDEXED BY bundles_journal "
    "WHERE terminal_id = ?1 AND journal_seq >= ?3 AND seq < ?2";

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
    return SelectWithDigest(statements_, "WHERE bundle_id = ?", id_hex);
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

std::unique_ptr<StoreBatch> NewSqliteBatch(StatementCache& statements, Transaction tx,
                                           SegmentWriter& segments) {
  return std::unique_ptr<StoreBatch>(new SqliteBatch(statements, std::move(tx), segments));
}

}  // namespace sqlite_detail
}  // namespace lontar::server

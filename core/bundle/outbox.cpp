#include "core/bundle/outbox.hpp"

#include <cstring>
#include <nlohmann/json.hpp>

#include "core/bundle/receipt_code.hpp"
#include "core/util/fs.hpp"

namespace lontar::bundle {
namespace {

constexpr char kColumns[] =
    "bundle_id, seq, participant, exam_id, kind, created_ms, file, state, receipt, delivered_ms";

Result<OutboxEntry> EntryFromRow(terminal::Terminal& t, const vault::Statement& s) {
  OutboxEntry e;
  auto id = HexDecode(s.ColumnText(0));
  if (!id || id->size() != e.bundle_id.size()) {
    return std::unexpected(
        Error::Corruption("outbox row with a bad bundle id in " + t.vault().db_path().string()));
  }
  std::memcpy(e.bundle_id.data(), id->data(), e.bundle_id.size());
  e.receipt_code = ReceiptCodeFor(e.bundle_id);
  e.seq = static_cast<std::uint64_t>(s.ColumnInt(1));
  e.participant = s.ColumnText(2);
  e.exam_id = s.ColumnText(3);
  e.kind = s.ColumnText(4) == "voided" ? Kind::kVoided : Kind::kSubmitted;
  e.created_ms = s.ColumnInt(5);
  e.file = t.vault().home() / kOutboxDir / s.ColumnText(6);
  e.delivered = s.ColumnText(7) == "delivered";
  if (!s.ColumnIsNull(8)) e.receipt = s.ColumnBlob(8);
  if (!s.ColumnIsNull(9)) e.delivered_ms = s.ColumnInt(9);
  return e;
}

Result<std::optional<OutboxEntry>> FindEntry(terminal::Terminal& t, const crypto::Hash256& id) {
  LONTAR_ASSIGN_OR_RETURN(vault::Statement s,
                          t.vault().db().Prepare(std::string("SELECT ") + kColumns +
                                                 " FROM outbox WHERE bundle_id = ?"));
  s.Bind(1, HexEncode(id));
  LONTAR_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<OutboxEntry>();
  LONTAR_ASSIGN_OR_RETURN(OutboxEntry e, EntryFromRow(t, s));
  return std::optional<OutboxEntry>(std::move(e));
}

}  // namespace

Result<std::uint64_t> NextBundleSeq(terminal::Terminal& t) {
  LONTAR_ASSIGN_OR_RETURN(vault::Statement s,
                          t.vault().db().Prepare("SELECT COALESCE(MAX(seq), 0) FROM outbox"));
  LONTAR_ASSIGN_OR_RETURN(bool row, s.Step());
  return (row ? static_cast<std::uint64_t>(s.ColumnInt(0)) : 0) + 1;
}

Result<AddedBundle> AddToOutbox(terminal::Terminal& t, ByteView bundle) {
  LONTAR_ASSIGN_OR_RETURN(BundleHeader h,
                          VerifyBundle(bundle, t.signing_key().public_key(), "new result bundle"));
  if (h.site != t.site()) {
    return std::unexpected(
        Error::InvalidArgument("result bundle " + HexEncode(h.bundle_id).substr(0, 16) +
                               " names site " + h.site + ", but this terminal is at " + t.site()));
  }
  AddedBundle added{h, ReceiptCodeFor(h.bundle_id), {}, false};
  LONTAR_ASSIGN_OR_RETURN(std::optional<OutboxEntry> existing, FindEntry(t, h.bundle_id));
  if (existing) {
    added.file = existing->file;
    added.already = true;
    return added;
  }
  LONTAR_ASSIGN_OR_RETURN(std::uint64_t next, NextBundleSeq(t));
  if (h.seq != next) {
    return std::unexpected(Error::InvalidArgument(
        "result bundle " + HexEncode(h.bundle_id).substr(0, 16) + " carries bundle number " +
        std::to_string(h.seq) + ", but this terminal's next is " + std::to_string(next) +
        ": write it again with the number from NextBundleSeq"));
  }

  // Invariant (1): the file is durable under its final name before the row exists.
  const std::filesystem::path dir = t.vault().home() / kOutboxDir;
  LONTAR_TRY(EnsureDir(dir, 0700));
  const std::string name = HexEncode(h.bundle_id) + ".lrb";
  added.file = dir / name;
  {
    LONTAR_ASSIGN_OR_RETURN(TempFile tmp, TempFile::Beside(added.file));
    LONTAR_TRY(tmp.WriteAll(bundle));
    // Replace: a file left by an attempt that crashed before its row holds these same bytes.
    LONTAR_TRY(tmp.Publish(0600, Overwrite::kReplace));
  }

  // Invariant (2): row and journal record in one durable transaction.
  const nlohmann::ordered_json payload = {{"bundle_id", HexEncode(h.bundle_id)},
                                          {"seq", h.seq},
                                          {"participant", h.participant},
                                          {"kind", KindName(h.kind)},
                                          {"exam_id", h.exam_id},
                                          {"pack_id", h.pack_id}};
  const journal::Event event{"bundle.created", payload.dump()};
  auto insert = [&]() -> Status {
    LONTAR_ASSIGN_OR_RETURN(
        vault::Statement s,
        t.vault().db().Prepare("INSERT INTO outbox(bundle_id, seq, participant, exam_id, kind, "
                               "created_ms, file, state) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')"));
    s.Bind(1, HexEncode(h.bundle_id))
        .Bind(2, static_cast<std::int64_t>(h.seq))
        .Bind(3, h.participant)
        .Bind(4, h.exam_id)
        .Bind(5, KindName(h.kind))
        .Bind(6, h.created_ms)
        .Bind(7, name);
    return s.Run();
  };
  LONTAR_TRY(t.journal().Append(std::span<const journal::Event>(&event, 1), insert));
  return added;
}

Result<std::vector<OutboxEntry>> ListOutbox(terminal::Terminal& t) {
  LONTAR_ASSIGN_OR_RETURN(
      vault::Statement s,
      t.vault().db().Prepare(std::string("SELECT ") + kColumns + " FROM outbox ORDER BY seq"));
  std::vector<OutboxEntry> out;
  for (;;) {
    LONTAR_ASSIGN_OR_RETURN(bool row, s.Step());
    if (!row) break;
    LONTAR_ASSIGN_OR_RETURN(OutboxEntry e, EntryFromRow(t, s));
    out.push_back(std::move(e));
  }
  return out;
}

Result<Bytes> ReadOutboxBundle(terminal::Terminal& t, const OutboxEntry& entry) {
  auto bytes = ReadFile(entry.file, kMaxBundleBytes);
  if (!bytes) {
    return std::unexpected(bytes.error().WithContext("outbox bundle " + std::to_string(entry.seq) +
                                                     " (" + entry.receipt_code + ")"));
  }
  LONTAR_ASSIGN_OR_RETURN(BundleHeader h,
                          VerifyBundle(*bytes, t.signing_key().public_key(), entry.file.string()));
  if (h.bundle_id != entry.bundle_id) {
    return std::unexpected(
        Error::Corruption(entry.file.string() + " holds another bundle than its outbox row names"));
  }
  return std::move(*bytes);
}

Status MarkDelivered(terminal::Terminal& t, const crypto::Hash256& bundle_id, ByteView receipt,
                     std::int64_t now_ms) {
  if (receipt.empty() || receipt.size() > kMaxReceiptBytes) {
    return std::unexpected(Error::InvalidArgument("a receipt of " + std::to_string(receipt.size()) +
                                                  " bytes cannot mark a bundle delivered (1 to " +
                                                  std::to_string(kMaxReceiptBytes) + ")"));
  }
  LONTAR_ASSIGN_OR_RETURN(std::optional<OutboxEntry> entry, FindEntry(t, bundle_id));
  if (!entry) {
    return std::unexpected(
        Error::NotFound("bundle " + HexEncode(bundle_id) + " is not in this terminal's outbox"));
  }
  if (entry->delivered) return Ok();
  const nlohmann::ordered_json payload = {{"bundle_id", HexEncode(bundle_id)}, {"seq", entry->seq}};
  const journal::Event event{"bundle.delivered", payload.dump()};
  auto update = [&]() -> Status {
    LONTAR_ASSIGN_OR_RETURN(
        vault::Statement s,
        t.vault().db().Prepare("UPDATE outbox SET state = 'delivered', receipt = ?, "
                               "delivered_ms = ? WHERE bundle_id = ? AND state = 'pending'"));
    s.BindBlob(1, receipt).Bind(2, now_ms).Bind(3, HexEncode(bundle_id));
    return s.Run();
  };
  LONTAR_TRY(t.journal().Append(std::span<const journal::Event>(&event, 1), update));
  return Ok();
}

}  // namespace lontar::bundle

#include "core/sync/sync.hpp"

#include "core/server/receipt.hpp"

namespace lontar::sync {
namespace {

Status DeliverOne(terminal::Terminal& terminal, const bundle::OutboxEntry& entry,
                  const crypto::VerifyKey& server_key, const Uploader& upload, const Clock& clock) {
  LONTAR_ASSIGN_OR_RETURN(Bytes bytes, bundle::ReadOutboxBundle(terminal, entry));
  LONTAR_ASSIGN_OR_RETURN(std::string receipt_text, upload(HexEncode(entry.bundle_id), bytes));
  auto receipt = server::VerifyReceipt(AsBytes(receipt_text), server_key);
  if (!receipt) return std::unexpected(receipt.error().WithContext("server's receipt"));
  if (receipt->bundle_id != entry.bundle_id || receipt->terminal_id != terminal.id() ||
      receipt->seq != entry.seq) {
    return std::unexpected(Error::Malformed(
        "server's receipt names bundle " + HexEncode(receipt->bundle_id).substr(0, 16) + " of " +
        receipt->terminal_id + " #" + std::to_string(receipt->seq) + ", not this one"));
  }
  return bundle::MarkDelivered(terminal, entry.bundle_id, AsBytes(receipt_text), clock.WallMs());
}

}  // namespace

Result<SyncReport> SyncOutbox(terminal::Terminal& terminal, const crypto::VerifyKey& server_key,
                              const Uploader& upload, const Clock& clock) {
  LONTAR_ASSIGN_OR_RETURN(std::vector<bundle::OutboxEntry> entries, bundle::ListOutbox(terminal));
  SyncReport report;
  for (const auto& entry : entries) report.pending += entry.delivered ? 0 : 1;
  for (const auto& entry : entries) {
    if (entry.delivered) continue;
    if (auto st = DeliverOne(terminal, entry, server_key, upload, clock); !st) {
      ++report.failed;
      if (st.error().kind() != ErrorKind::kIo) report.retryable = false;
      report.errors.push_back("#" + std::to_string(entry.seq) + " " + entry.receipt_code + ": " +
                              st.error().message());
      // A server that cannot be reached will not be reached for the next bundle either.
      if (st.error().kind() == ErrorKind::kIo) {
        report.failed = report.pending - report.delivered;
        break;
      }
      continue;
    }
    ++report.delivered;
  }
  return report;
}

}  // namespace lontar::sync

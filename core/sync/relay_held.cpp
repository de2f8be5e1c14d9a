#include "core/sync/relay_held.hpp"

#include "core/bundle/receipt.hpp"
#include "core/util/fs.hpp"

namespace lontar::sync {
namespace {

std::filesystem::path RecordPath(terminal::Terminal& t, const bundle::OutboxEntry& entry) {
  return t.vault().home() / kRelayHeldDir / (HexEncode(entry.bundle_id) + ".receipt");
}

}  // namespace

Status RecordRelayHeld(terminal::Terminal& terminal, const bundle::OutboxEntry& entry,
                       ByteView relay_receipt) {
  LONTAR_TRY(EnsureDir(terminal.vault().home() / kRelayHeldDir, 0700));
  return WriteFileAtomic(RecordPath(terminal, entry), relay_receipt, 0600, Overwrite::kReplace);
}

void ForgetRelayHeld(terminal::Terminal& terminal, const bundle::OutboxEntry& entry) {
  // Best effort: a record left behind names a delivered bundle, which nothing counts as held.
  std::error_code ec;
  std::filesystem::remove(RecordPath(terminal, entry), ec);
}

bool IsRelayHeld(terminal::Terminal& terminal, const bundle::OutboxEntry& entry,
                 const crypto::VerifyKey& relay_key) {
  auto bytes = ReadFile(RecordPath(terminal, entry), bundle::kMaxReceiptBytes);
  if (!bytes) return false;
  auto r = bundle::VerifyReceipt(*bytes, relay_key);
  return r && r->bundle_id == entry.bundle_id && r->terminal_id == terminal.id() &&
         r->seq == entry.seq;
}

}  // namespace lontar::sync

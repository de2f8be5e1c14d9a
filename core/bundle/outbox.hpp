// The terminal's outbox: result bundles waiting to leave, and those that have left.
//
// Storage: each bundle is a file HOME/outbox/<bundle id>.lrb (bundle_format.hpp), and a row of
// the vault's `outbox` table (schema.hpp, version 3) names it.
//
// States and the functions on each edge:
//
//     (none) ──AddToOutbox──► pending ──MarkDelivered(receipt)──► delivered
//                               │  ▲                                  │
//                               └──┘ export to USB (no state change)  └─ MarkDelivered again: no-op
//
// Invariants:
//  (1) The file is written under a temporary name, fsync'd, renamed into place and its directory
//      fsync'd before the row is inserted: a row never names a missing or partial file. A crash
//      in between leaves a file with no row, which nothing lists and nothing sends; the engine
//      writes a new bundle (a new id) for that sitting on restart.
//  (2) The row and the journal record "bundle.created" {bundle_id, seq, participant, kind,
//      exam_id, pack_id} commit in one transaction (Journal::Append's `also`), so the outbox and
//      the audit log never disagree, and AddToOutbox returns only once both are durable. The kiosk
//      shows the receipt code only after that.
//  (3) Bundle numbers are 1, 2, 3, ... per terminal without gaps: AddToOutbox refuses a bundle
//      whose number is not NextBundleSeq(). A server that sees a gap or a repeat knows a bundle
//      is missing or the vault was rolled back (journal.hpp, "Rollback").
//  (4) delivered is final; the receipt (the server's signed statement, checked by the sync
//      client before it calls MarkDelivered) is kept with the row, journaled as
//      "bundle.delivered" {bundle_id, seq}.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/bundle/bundle_format.hpp"
#include "core/bundle/receipt.hpp"
#include "core/terminal/terminal.hpp"

namespace lontar::bundle {

inline constexpr char kOutboxDir[] = "outbox";

struct OutboxEntry {
  crypto::Hash256 bundle_id{};
  std::string receipt_code;  // receipt_code.hpp
  std::uint64_t seq = 0;
  std::string participant;
  std::string exam_id;
  Kind kind = Kind::kSubmitted;
  std::int64_t created_ms = 0;
  std::filesystem::path file;  // absolute: HOME/outbox/<id>.lrb
  bool delivered = false;
  Bytes receipt;                  // empty while pending
  std::int64_t delivered_ms = 0;  // 0 while pending
};

struct AddedBundle {
  BundleHeader header;
  std::string receipt_code;
  std::filesystem::path file;
  bool already = false;  // this bundle was in the outbox already; nothing changed
};

// The number the next bundle of this terminal must carry (1 for the first). Reads disk.
[[nodiscard]] Result<std::uint64_t> NextBundleSeq(terminal::Terminal& terminal);

// Verifies `bundle` with the terminal's own key, writes its file and its row and journals it,
// durably, per invariants (1)-(3). Adding the same bundle again returns `already` and changes
// nothing. Errors: the bundle's own (VerifyBundle), kInvalidArgument for a bundle whose number
// is not NextBundleSeq() or whose site is not the terminal's, and the disk's (kDiskFull, kIo, ...)
// with nothing acknowledged. Touches disk.
[[nodiscard]] Result<AddedBundle> AddToOutbox(terminal::Terminal& terminal, ByteView bundle);

// Every bundle in the outbox, oldest (lowest seq) first. Reads disk (the vault only).
[[nodiscard]] Result<std::vector<OutboxEntry>> ListOutbox(terminal::Terminal& terminal);

// Reads an outbox bundle's file and verifies it with the terminal's key (so a damaged file is
// reported, never sent). kNotFound naming the file if it has gone. Reads disk.
[[nodiscard]] Result<Bytes> ReadOutboxBundle(terminal::Terminal& terminal,
                                             const OutboxEntry& entry);

// Records the server's receipt for a pending bundle, with a journal record, durably. No-op when
// already delivered; kNotFound for a bundle not in the outbox; kInvalidArgument for an empty
// receipt or one over kMaxReceiptBytes. The caller checks the receipt's signature first. Touches
// disk.
[[nodiscard]] Status MarkDelivered(terminal::Terminal& terminal, const crypto::Hash256& bundle_id,
                                   ByteView receipt, std::int64_t now_ms);

}  // namespace lontar::bundle

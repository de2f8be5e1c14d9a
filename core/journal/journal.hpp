// The terminal's journal: append-only, hash-chained, durable. It is both the exam state (state
// is a fold over it) and the audit log that travels in result bundles.
//
// Invariants:
//  (1) Records are numbered 1, 2, 3, ... without gaps; record n carries the hash of record n-1
//      (record.hpp has the layout). Changing, removing or reordering any record breaks the chain
//      at that record, and VerifyJournal names it.
//  (2) Append returns only after the transaction holding its records has committed with
//      synchronous=FULL, i.e. after the WAL fsync. A record whose Append returned is on disk; one
//      whose Append failed may or may not be (SQLite may find its frames on recovery), but the
//      chain is valid either way, because records only ever join the chain whole.
//  (3) Every kCheckpointInterval records, and whenever SignHead() is called (the engine does so
//      before writing a result bundle), the chain head is signed with the terminal's Ed25519 key.
//      The signature is stored in the head record's own row, in the same transaction: a separate
//      table would put a second page into every checkpointing commit, and the extra WAL frame
//      showed up as the append latency's p99.
//
// Rollback. SQLCipher's per-page HMAC cannot tell that someone put back a whole, older copy of
// vault.db (to undo answers, or to sit an exam twice). The journal makes that detectable
// downstream, where the attacker cannot reach:
//  - every result bundle carries the terminal id, a per-terminal bundle sequence number, and the
//    journal head (seq, hash) with the terminal's signature over it;
//  - the collection server keeps, per terminal, the highest (seq, hash) and bundle number seen.
//    After a rollback the terminal re-uses journal sequence numbers with different hashes (a fork:
//    two signed heads for the same seq) and re-uses bundle numbers; a bundle whose head does not
//    extend what the server already holds, or whose bundle number repeats or goes backwards, is a
//    rollback, proved by the terminal's own signatures;
//  - a missing bundle number shows up as a gap per terminal on the server's status page.
// docs/durability.md says the same for people.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/crypto/sign.hpp"
#include "core/journal/record.hpp"
#include "core/util/clock.hpp"
#include "core/util/error.hpp"
#include "core/vault/vault.hpp"

namespace lontar::journal {

inline constexpr std::uint64_t kCheckpointInterval = 64;

struct Event {
  std::string type;
  std::string payload;  // JSON object text; "{}" when there is nothing to say
};

struct Head {
  std::uint64_t seq = 0;  // 0 for an empty journal
  crypto::Hash256 hash{};
};

struct Checkpoint {
  std::uint64_t seq = 0;
  crypto::Hash256 head{};
  crypto::Signature signature{};
};

class Journal {
 public:
  // Loads the current head. `vault`, `signer` and `clock` must outlive the journal. Reads disk.
  [[nodiscard]] static Result<Journal> Open(vault::Vault& vault, const crypto::SigningKey& signer,
                                            const Clock& clock);

  // How an append treats records another process (the kiosk, `lontar sync`, the proctor's
  // console: each has its own connection to the vault) appended since this journal last read
  // its head. The head is read again inside the append's write transaction, so the check and the
  // append cannot be separated by another writer.
  enum class Mode {
    // Chain onto whatever the head is: for records that do not depend on the others (a bundle
    // delivered, a trust update).
    kOnHead,
    // Fail with kConflict, appending nothing, if the head moved: for records decided from state
    // folded from the journal (the exam engine), which must refresh and decide again.
    kIfUnchanged,
  };

  // Appends `events` (at least one) in one transaction and returns the new head once durable.
  // `also`, if given, runs inside the same transaction, for tables that must change atomically
  // with the events (an outbox row, a trusted key); its failure aborts the whole append.
  // Fails with kInvalidArgument for a bad type/payload, kDiskFull / kIo / kReadOnly when the
  // disk refuses, kConflict per `mode`; on failure nothing is acknowledged and head() reflects
  // what the vault holds.
  [[nodiscard]] Result<Head> Append(std::span<const Event> events,
                                    const std::function<Status()>& also = {},
                                    Mode mode = Mode::kOnHead);
  [[nodiscard]] Result<Head> Append(std::string_view type, std::string_view payload);

  // Signs the current head now (no-op when it is already signed or the journal is empty).
  [[nodiscard]] Status SignHead();

  const Head& head() const { return head_; }

  // Whether another connection (another process) appended since this journal last reported
  // so: records that appeared after this journal's head, including ones an append here chained
  // onto (Mode::kOnHead) or found in its way. If so the head is read again. Reads disk.
  [[nodiscard]] Result<bool> ChangedElsewhere();

  // Records with seq >= from_seq, at most `limit` of them, in order. Reads disk.
  [[nodiscard]] Result<std::vector<Record>> Read(std::uint64_t from_seq, std::size_t limit);
  // The newest signed checkpoint, if any.
  [[nodiscard]] Result<std::optional<Checkpoint>> LatestCheckpoint();

 private:
  Journal(vault::Vault& vault, const crypto::SigningKey& signer, const Clock& clock)
      : vault_(&vault), signer_(&signer), clock_(&clock) {}
  [[nodiscard]] Status ReloadHead();

  vault::Vault* vault_;
  vault::Statement insert_;        // prepared once: appends are the hot path
  vault::Statement head_seq_;      // prepared once: every engine command asks
  vault::Statement head_row_;      // prepared once: every append reads the head in its transaction
  bool unseen_elsewhere_ = false;  // an append met records from elsewhere; not yet reported
  const crypto::SigningKey* signer_;
  const Clock* clock_;
  Head head_;
  std::uint64_t last_checkpoint_seq_ = 0;
};

struct VerifyReport {
  std::uint64_t records = 0;
  std::uint64_t checkpoints = 0;
  Head head;
  std::uint64_t last_checkpoint_seq = 0;
  bool ok = true;
  std::uint64_t first_bad_seq = 0;  // when !ok: the first record (or checkpoint) that fails
  std::string problem;              // when !ok: what is wrong with it
};

// Walks the whole chain and every checkpoint signature against `terminal_key`. A broken chain is
// a report with ok == false (naming the first bad record), not an Error; Errors are for a vault
// that cannot be read at all. Reads disk.
[[nodiscard]] Result<VerifyReport> VerifyJournal(vault::Vault& vault,
                                                 const crypto::VerifyKey& terminal_key);

}  // namespace lontar::journal

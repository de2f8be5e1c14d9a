// The collection server's store: result bundles received from enrolled terminals, the receipts
// given for them, and what is missing. Store holds the rules; where rows and bundle bytes live is
// a StoreBackend (store_backend.hpp): SQLite + files in a directory (the default, no set-up), or
// PostgreSQL with the bytes in the database (a central server).
//
// Invariants, whatever the backend:
//  (1) Verify before store: a bundle is accepted only when its signature checks against the key
//      of an enrolled terminal (the signature is checked before the header is parsed,
//      bundle_format.hpp), the signer is the terminal the header names, and it is within the size
//      cap. Nothing is written for a refused bundle.
//  (2) The bundle bytes are durable no later than the row (SQLite: appended to a segment file,
//      in records that also carry the row, its receipt and its flags, and fdatasync'd before the
//      index transaction commits; PostgreSQL: the bytes are in the row), and the receipt is
//      returned only after the commit: a receipt always names a durable bundle. A crash in
//      between leaves, with SQLite, synced records the index lacks, which the next read-write
//      open indexes (with the receipt they carry), and at most a torn last record, which it cuts
//      (sqlite_backend.cpp); the uploader, which got no receipt, sends the bundle again and gets
//      the stored receipt.
//  (3) A bundle id has one row and one receipt: a duplicate upload (the same bytes) gets the
//      original receipt (byte for byte), and nothing changes. Bytes whose file digest
//      (bundle::HashedBundle) a row holds are that row's bundle, verified when it was stored:
//      they are answered before any signature check, if their signer is still enrolled (an id
//      the uploader named is still checked against the row's). Nothing is stored for them, so
//      invariant 1 holds; an enrollment moved to another site since does not change the receipt
//      given then. Another upload with a stored id
//      but other bytes or another signer (possible with format 1 bundles, whose id names only
//      the sealed payload: bundle_format.hpp) is refused with kConflict (HTTP 409), and a
//      kIdConflictFlag flag is stored against the stored bundle's terminal (status page,
//      `results open`). A bundle whose site is not its terminal's enrolled site is refused
//      (kUntrusted), so that no terminal reports for other sites.
//  (4) Per-terminal sequence numbers are tracked: numbers absent from 1..highest are gaps (a
//      bundle not yet delivered, or lost); a number seen again with a different bundle id, or a
//      journal head that does not advance with the number, is a rollback of the terminal's vault
//      and is recorded as a flag. Both bundles are kept: each is a validly signed result.
//  (5) Accept is safe to call from many threads. Signature checks run in parallel, and so does
//      everything else that needs no other row: the receipt is signed (its stored time is
//      the moment the bundle joins the queue) and the backend prepares the insert (SQLite:
//      encodes the segment record and its checksum). Bytes and rows are stored by group
//      commit: one thread takes every bundle queued so far (up to
//      kMaxBatchRows and kMaxBatchBytes) into one batch, whose bytes and rows are made durable
//      together (SQLite: one fdatasync of the segment, then the index commit without a sync;
//      PostgreSQL: one COMMIT), and each waiting Accept returns only after the commit that holds
//      its row. A failed commit fails every Accept in it, with nothing acknowledged (with
//      SQLite, records already synced stay and are indexed at the next open).
//  (6) The group commit is a pipeline of two stages: a batch is filled (its lookups, flags and
//      the backend's writes, nothing durable: StoreBatch::Write) while the batch before it
//      commits (its sync), and batches commit in the order they were filled. At most one batch
//      is in each stage. So that a failed commit fails exactly its own batch's uploads, a batch
//      being filled decides nothing from the batch still committing, whose rows its lookups do
//      not see: an upload that batch could change the answer for (the same bundle id, or a
//      number and journal head of the same terminal that (4) would compare) is held back to the
//      next batch, filled once that commit's outcome is known. Bundles a terminal numbers in
//      order with advancing journals never wait. Unless StoreOptions::pipelined_commits is set
//      (it is not by default) and the backend can overlap the stages
//      (StoreBackend::PipelinesBatches), they run back to back.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/bundle/bundle_format.hpp"
#include "core/bundle/bundle_json.hpp"
#include "core/bundle/receipt.hpp"
#include "core/crypto/sign.hpp"
#include "core/server/expected_sessions.hpp"
#include "core/server/store_backend.hpp"
#include "core/terminal/enrollment.hpp"
#include "core/util/clock.hpp"

namespace lontar::server {

// The most one group commit takes: enough that a batch's syncs are spread over many bundles,
// few enough that one batch does not keep the first of them waiting long (64 MiB of bundles is
// under a second of disk writing).
inline constexpr std::size_t kMaxBatchRows = 512;
inline constexpr std::uint64_t kMaxBatchBytes = 64ull << 20;

// What bundles.digest held for rows stored on 5 Dec 2026 (since then it holds the file digest,
// bundle::HashedBundle::file_digest, which lets a re-sent bundle be found before it is
// verified); still computed to recognise those rows' bundles when they are sent again.
// A digest that two bundles share exactly when their bytes are the same, computed without a pass
// over the sealed payload: the bundle id already binds it (format 1: the id is its BLAKE2b-256;
// format 2: the id hashes its BLAKE2b-256 and the parsed header), and the rest of a file is the
// version, the signer's key id, the signature and the header's JSON as sent, all hashed here
// (the magic and the two lengths follow from these). BLAKE2b-256 of "lontar-bundle-bytes-v1"
// NUL | bundle id | u16 version | signer key id | signature | header JSON, as 64 hex digits.
// `bundle_id` must be the verified one (VerifyBundle's header). Pure.
std::string BundleBytesDigest(const bundle::BundleEnvelope& envelope,
                              const crypto::Hash256& bundle_id);

// Fills the fields of `row` that a verified bundle's header `h` gives (`bytes` long, stored at
// `now`), with its receipt, signed by `key`, as `row.receipt_text`; returns that receipt. The
// row's other fields (digest, where it is kept) are left as they are. Pure.
bundle::Receipt FillStoredRow(const bundle::BundleHeader& h, std::size_t bytes, std::int64_t now,
                              const crypto::SigningKey& key, StoredBundle& row);

struct StoreOptions {
  std::uint64_t max_bundle_bytes = 16ull << 20;  // 16 MiB: a 3-hour sitting is a few MB
  // Invariant 6's pipeline, where the backend can (StoreBackend::PipelinesBatches); false (the
  // default) runs each batch's two stages back to back. Off by default because on the machines
  // measured (2 cores shared with other work, so CPU-bound, not sync-bound) it stored fewer
  // bundles a second than the serial order (docs/server.md, 6 Dec 2026); `lontar serve
  // --pipelined-commits` turns it on where the disk's sync is the bound.
  bool pipelined_commits = false;
};

struct Accepted {
  bundle::Receipt receipt;
  // For a duplicate: the row's fields (bundle id, terminal, seq, stored time) and no
  // server_key_id; the stored receipt text is not checked again (store.hpp (3)).
  std::string receipt_text;        // the signed receipt, byte for byte what was first returned
  bool duplicate = false;          // stored before; nothing changed
  std::vector<std::string> flags;  // rollback flags raised by this bundle ("seq-reused: ...")
};

struct TerminalStatus {
  std::string terminal_id, site, name;
  bool enrolled = false;
  std::uint64_t bundles = 0;
  std::uint64_t highest_seq = 0;
  std::vector<std::uint64_t> gaps;  // numbers absent from 1..highest_seq, the first 1,000
  std::uint64_t missing = 0;        // how many numbers are absent from 1..highest_seq in all
  std::int64_t last_seen_ms = 0;    // 0: never
  std::vector<std::string> flags;   // "seq-reused #3: ..." etc.
};

struct ExamStatus {
  std::string site, exam_id;
  std::uint64_t bundles = 0;
  std::uint64_t participants = 0;
  std::vector<std::string> terminals;
};

struct StoreStatus {
  std::uint64_t bundles = 0;
  std::vector<TerminalStatus> terminals;   // by site, then terminal id
  std::vector<ExamStatus> exams;           // by site, then exam
  std::vector<SessionDelivered> sessions;  // by site, then pack (expected_sessions.hpp)
};

class Store {
 public:
  // Loads and verifies every *.enroll in `enrolled_dir` (any that fails is an error naming the
  // file; none at all is kNotFound) and serves from `backend` (opened read-write). Reads disk.
  [[nodiscard]] static Result<std::unique_ptr<Store>> Open(
      std::unique_ptr<StoreBackend> backend, const std::filesystem::path& enrolled_dir,
      crypto::SigningKey server_key, const ::lontar::Clock& clock, StoreOptions options = {});
  // The same over the SQLite backend at `dir` (created if missing). Touches disk.
  [[nodiscard]] static Result<std::unique_ptr<Store>> Open(
      const std::filesystem::path& dir, const std::filesystem::path& enrolled_dir,
      crypto::SigningKey server_key, const ::lontar::Clock& clock, StoreOptions options = {});

  // Verifies and stores one bundle per the invariants and returns its receipt. Errors:
  // kMalformed for an oversized or unparsable bundle, kUntrusted for a terminal not enrolled or
  // a site not the terminal's enrolled one, kConflict (a flag stored) for a stored id with other
  // bytes or another signer,
  // kBadSignature for an altered bundle, kCorruption for a bundle id that does not match its
  // payload, kInvalidArgument when `expected_id` (the id the uploader named) is given and is
  // not the bundle's, and the disk's (kDiskFull, kIo); nothing is stored on any error. Touches
  // disk.
  [[nodiscard]] Result<Accepted> Accept(ByteView bundle,
                                        const std::optional<crypto::Hash256>& expected_id = {});

  // `receipt` (its bundle, terminal, seq and stored time) signed again now: signed_ms is this
  // server's wall clock at the call. What a relay answers while it holds a bundle, so that the
  // terminal reads the relay's time from it (receipt.hpp). Pure but for the clock.
  std::string SignReceiptNow(bundle::Receipt receipt) const;

  // The stored bundle a receipt code names (as typed; ParseReceiptCode rules): kInvalidArgument
  // for a mistyped code, kNotFound when no bundle has it. Reads disk.
  [[nodiscard]] Result<StoredBundle> FindByCode(std::string_view code);

  // Per terminal and per exam: what arrived, what is missing, what is flagged. Reads disk.
  [[nodiscard]] Result<StoreStatus> Status();

  // Number of rows in the index: for tests. Reads disk.
  [[nodiscard]] Result<std::uint64_t> CountBundles();

  const crypto::VerifyKey& server_key() const { return server_key_.public_key(); }
  // "store DIR" or "database postgresql://user@host/db" (no password), for logs.
  std::string Describe() const { return backend_->Describe(); }
  std::size_t enrolled_count() const { return enrolled_.size(); }
  // The enrollment records loaded at Open, by signing key id (the relay's room view checks
  // heartbeats against them).
  const std::map<crypto::KeyId, terminal::Enrollment>& enrolled() const { return enrolled_; }

 private:
  Store(crypto::SigningKey key, const ::lontar::Clock& clock)
      : server_key_(std::move(key)), clock_(clock) {}
  // One upload on its way into a batch: its row and signed receipt, made (with the backend's
  // PrepareInsert) by the uploading thread before it queues, so that a group commit only looks
  // up, flags and writes.
  struct PendingRow {
    const bundle::BundleHeader* header;
    const bundle::BundleEnvelope* envelope;
    ByteView bytes;  // the caller's, alive until its Accept returns
    StoredBundle row;
    bundle::Receipt receipt;
    std::unique_ptr<PreparedInsert> prepared;
    bool done = false;                            // guarded by queue_mu_
    std::optional<Error> refused = std::nullopt;  // set by InsertRow: an id conflict (invariant 3)
    Result<Accepted> result = std::unexpected(Error::Internal("not committed"));
  };
  // The rows of the batch committing (invariant 6), by what the next batch's uploads are
  // compared with.
  struct InFlight {
    std::set<std::string> ids;
    std::map<std::string, std::vector<std::pair<std::uint64_t, std::uint64_t>>>
        by_terminal;  // (seq, journal_seq) per terminal
    void Add(const StoredBundle& r);
    // Whether the upload of row `r` could be answered otherwise once this batch commits.
    bool Touches(const StoredBundle& r) const;
  };
  // The row and receipt of a new bundle, stored now; the backend's preparation of its insert.
  [[nodiscard]] lontar::Status PrepareRow(PendingRow& p);
  // Queues `row` (prepared) for the group commit and returns its result once the batch holding
  // it has committed or failed (store_commit.cpp). Takes queue_mu_.
  [[nodiscard]] Result<Accepted> GroupCommit(PendingRow& row);
  // Stage one of invariant 6: the rows of `rows` that `in_flight` (the batch committing, if
  // any) does not touch go to `written`, looked up, flagged and inserted into `tx` (begun here,
  // with a Prefetch of their keys, if null); the others to `deferred`, untouched. On failure the
  // caller fails every row of `written` and drops `tx`.
  [[nodiscard]] lontar::Status FillBatch(std::unique_ptr<StoreBatch>& tx,
                                         const std::vector<PendingRow*>& rows,
                                         const InFlight* in_flight,
                                         std::vector<PendingRow*>& written,
                                         std::vector<PendingRow*>& deferred);
  // Stage two: commits `tx`, the batch of `written`, and sets each row's result.
  void CommitBatch(StoreBatch& tx, const std::vector<PendingRow*>& written);
  // Within CommitBatch's transaction: the duplicate check, rollback flags, rows. A refused
  // upload (invariant 3) gets its flag in `batch` and p.refused set.
  Result<Accepted> InsertRow(StoreBatch& batch, PendingRow& p);
  // Invariant 3: nullopt when `bytes` (envelope, verified header `h`) is the stored bundle
  // `existing` again, else the flag to store. When signer and size agree, compares `digest`
  // (the file digest of `bytes`, HashedBundle) or BundleBytesDigest with the row's digest, and
  // only for a row without one (stored before the column, or re-indexed from an LSG2 segment
  // record) reads the stored bytes. Takes read_mu_ if needed: never call with it held.
  Result<std::optional<StoredFlag>> Conflict(const StoredBundle& existing,
                                             const std::string& digest,
                                             const bundle::BundleEnvelope& envelope,
                                             const bundle::BundleHeader& h, ByteView bytes);
  static Error ConflictError(const StoredFlag& flag);
  // The answer to a re-sent bundle: the stored receipt text, the receipt's fields from the row
  // (whose id is `bundle_id`).
  static Accepted DuplicateOf(const StoredBundle& existing, const crypto::Hash256& bundle_id);

  crypto::SigningKey server_key_;
  const ::lontar::Clock& clock_;
  StoreOptions options_;
  std::map<crypto::KeyId, terminal::Enrollment> enrolled_;
  std::vector<crypto::VerifyKey> enrolled_keys_;
  // The backend's writer (batches) and its reader (lookups, status) are separate connections, so
  // a lookup does not wait for a group commit under way.
  std::mutex read_mu_;  // guards backend_'s reads, unless it takes them concurrently
  // Holds read_mu_ when backend_ needs its reads one at a time, else nothing.
  std::unique_lock<std::mutex> ReadLock();
  std::unique_ptr<StoreBackend> backend_;
  // The group commit's pipeline (invariant 6); a thread fills or commits a batch with
  // queue_mu_ released.
  std::mutex queue_mu_;  // guards the four below
  std::condition_variable queue_cv_;
  std::condition_variable arrival_cv_;  // the filler, taking in arrivals while a batch commits
  std::vector<PendingRow*> queue_;
  bool filling_ = false;                       // a batch is being filled (stage one)
  bool committing_ = false;                    // a batch is committing (stage two)
  std::shared_ptr<const InFlight> in_flight_;  // that batch's rows, while committing_
};

// The facts of a stored bundle, for bundle::BundleFactsJson. Pure.
bundle::BundleFacts FactsOf(const StoredBundle& row);

}  // namespace lontar::server

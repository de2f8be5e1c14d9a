// Relay mode of the collection server: a site relay stores each bundle as any server does and
// forwards it upstream, then hands the upstream receipt back to the terminal.
//
// On disk: STORE/relay.db (SQLite, WAL, synchronous=FULL), next to the relay's own store:
//   forward(bundle_id hex PRIMARY KEY, bytes, queued_ms, attempts, last_error,
//           upstream_receipt, forwarded_ms)
//
// Invariants:
//  (1) A bundle is queued (durably) before the relay answers its uploader, so a relay that
//      crashes or loses power forwards it after restart; the terminal, not having a receipt from
//      upstream yet, keeps it pending and uploads it again anyway.
//  (2) A bundle counts as forwarded only when the upstream's receipt verifies with the upstream
//      key the operator configured and names this bundle id. Anything else leaves it queued.
//  (3) The relay never signs for the upstream: the terminal gets either the upstream receipt,
//      byte for byte, or a 202 with the relay's own receipt (signed by the relay's key). A
//      terminal that knows the relay's key counts that as "held by the relay" (core/sync), never
//      as delivered, and keeps asking until the upstream receipt comes back.
//  (4) One forwarder thread sends the queue in arrival order; uploaders wait for it (bounded)
//      rather than sending themselves, so a bundle is never in flight twice.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/crypto/sign.hpp"
#include "core/util/bytes.hpp"
#include "core/util/clock.hpp"
#include "core/util/error.hpp"
#include "core/vault/sqlite.hpp"

namespace lontar::server {

// Sends one bundle upstream; returns the upstream's receipt text. kIo for a failure worth
// retrying soon (no link, 5xx, a 202 from a relay further up); other kinds for a refusal.
using UpstreamUpload =
    std::function<Result<std::string>(const std::string& bundle_id_hex, ByteView bundle)>;

struct RelayStats {
  std::uint64_t queued = 0;            // every bundle ever queued
  std::uint64_t forwarded = 0;         // with a verified upstream receipt
  std::int64_t oldest_pending_ms = 0;  // queued time of the oldest not yet forwarded; 0: none
  std::int64_t last_forwarded_ms = 0;  // 0: never
  std::string last_error;              // of the most recent failed attempt, if any is pending
};

class Relay {
 public:
  // Opens (creating) STORE/relay.db. Does not start forwarding. Touches disk.
  [[nodiscard]] static Result<std::unique_ptr<Relay>> Open(const std::filesystem::path& store_dir,
                                                           crypto::VerifyKey upstream_key,
                                                           UpstreamUpload upload,
                                                           const Clock& clock);
  ~Relay();  // stops the forwarder

  // Queues a bundle the local store has accepted (a bundle already queued is left as it is).
  // Durable on return. Touches disk.
  [[nodiscard]] Status Enqueue(const std::string& id_hex, ByteView bundle);

  // Wakes the forwarder and waits up to `wait` for the upstream receipt of `id_hex`. nullopt if
  // it has not come by then, or as soon as an attempt at this bundle fails or the forwarder
  // finds the link down (so that an uploader hears "held here" at once, not after `wait`).
  // Reads disk.
  [[nodiscard]] Result<std::optional<std::string>> AwaitUpstream(const std::string& id_hex,
                                                                 std::chrono::milliseconds wait);

  [[nodiscard]] Result<RelayStats> Stats();

  // When the upstream's receipt for `id_hex` was recorded; nullopt if it has not come (or the
  // bundle was never queued here). Reads disk.
  [[nodiscard]] Result<std::optional<std::int64_t>> ForwardedAt(const std::string& id_hex);

  // Starts / stops the forwarder thread. Between passes that failed it backs off from 1 s to
  // `max_backoff` (doubling); a new bundle wakes it at once.
  void Start(std::chrono::milliseconds max_backoff = std::chrono::seconds(60));
  void Stop();

 private:
  Relay(vault::Database db, crypto::VerifyKey key, UpstreamUpload upload, const Clock& clock)
      : db_(std::move(db)), upstream_key_(key), upload_(std::move(upload)), clock_(clock) {}
  struct Item {
    std::string id_hex;
    Bytes bytes;
  };
  Result<std::vector<Item>> NextBatch(std::size_t limit);
  struct Forwarding {
    std::optional<std::string> receipt;  // the upstream's, once forwarded
    std::int64_t attempts = 0;
  };
  Result<Forwarding> ForwardingOf(const std::string& id_hex);
  // One attempt at one bundle; records the outcome. Returns false when the link looks down.
  bool ForwardOne(const Item& item);
  void Run(std::chrono::milliseconds max_backoff);

  std::mutex db_mu_;  // guards db_
  vault::Database db_;
  crypto::VerifyKey upstream_key_;
  UpstreamUpload upload_;
  const Clock& clock_;

  std::mutex mu_;  // guards wake_, stop_, generation_, failures_, link_failures_
  std::condition_variable cv_;
  bool wake_ = false, stop_ = false;
  std::uint64_t generation_ = 0;     // bumped after every recorded upstream receipt
  std::uint64_t failures_ = 0;       // bumped after every failed attempt
  std::uint64_t link_failures_ = 0;  // bumped after every attempt that found the link down
  std::thread thread_;
};

}  // namespace lontar::server

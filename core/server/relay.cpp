#include "core/server/relay.hpp"

#include <algorithm>

#include "core/bundle/receipt.hpp"

namespace lontar::server {
namespace {

using vault::Database;
using vault::SqliteError;
using vault::Statement;

constexpr char kRelaySchema[] = R"sql(
CREATE TABLE IF NOT EXISTS forward (
  bundle_id TEXT PRIMARY KEY,
  bytes BLOB NOT NULL,
  queued_ms INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_attempt_ms INTEGER,
  last_error TEXT,
  upstream_receipt TEXT,
  forwarded_ms INTEGER
);
CREATE INDEX IF NOT EXISTS forward_pending ON forward(attempts, queued_ms)
  WHERE upstream_receipt IS NULL;
)sql";

// Bundles read from relay.db per pass (each up to the size cap; typically a few hundred KB).
constexpr std::size_t kBatch = 16;

}  // namespace

Result<std::unique_ptr<Relay>> Relay::Open(const std::filesystem::path& store_dir,
                                           crypto::VerifyKey upstream_key, UpstreamUpload upload,
                                           const Clock& clock) {
  const auto path = store_dir / "relay.db";
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  Database db(raw);
  if (rc != SQLITE_OK) return std::unexpected(SqliteError(raw, rc, "open " + path.string()));
  LONTAR_TRY(db.Exec("PRAGMA journal_mode = WAL"));
  LONTAR_TRY(db.Exec("PRAGMA synchronous = FULL"));
  LONTAR_TRY(db.Exec(kRelaySchema));
  return std::unique_ptr<Relay>(new Relay(std::move(db), upstream_key, std::move(upload), clock));
}

Relay::~Relay() { Stop(); }

Status Relay::Enqueue(const std::string& id_hex, ByteView bundle) {
  {
    std::lock_guard lock(db_mu_);
    LONTAR_ASSIGN_OR_RETURN(
        Statement st,
        db_.Prepare("INSERT OR IGNORE INTO forward(bundle_id, bytes, queued_ms) VALUES(?,?,?)"));
    st.Bind(1, id_hex).BindBlob(2, bundle).Bind(3, clock_.WallMs());
    LONTAR_TRY(st.Run());
  }
  std::lock_guard lock(mu_);
  wake_ = true;
  cv_.notify_all();
  return Ok();
}

Result<Relay::Forwarding> Relay::ForwardingOf(const std::string& id_hex) {
  std::lock_guard lock(db_mu_);
  LONTAR_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare("SELECT upstream_receipt, attempts FROM forward WHERE bundle_id = ?"));
  st.Bind(1, id_hex);
  LONTAR_ASSIGN_OR_RETURN(bool row, st.Step());
  Forwarding f;
  if (!row) return f;
  if (!st.ColumnIsNull(0)) f.receipt = st.ColumnText(0);
  f.attempts = st.ColumnInt(1);
  return f;
}

Result<std::optional<std::string>> Relay::AwaitUpstream(const std::string& id_hex,
                                                        std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  std::uint64_t seen, seen_link_failures;
  {
    std::lock_guard lock(mu_);
    seen = generation_ + failures_;
    seen_link_failures = link_failures_;
    wake_ = true;
    cv_.notify_all();
  }
  LONTAR_ASSIGN_OR_RETURN(Forwarding start, ForwardingOf(id_hex));
  for (;;) {
    LONTAR_ASSIGN_OR_RETURN(Forwarding now, ForwardingOf(id_hex));
    if (now.receipt) return now.receipt;
    // An attempt at this bundle failed, or the link is down: waiting longer only keeps the
    // uploader from hearing that the bundle is held here.
    if (now.attempts > start.attempts) return std::optional<std::string>();
    std::unique_lock lock(mu_);
    if (link_failures_ != seen_link_failures) return std::optional<std::string>();
    if (!cv_.wait_until(lock, deadline, [&] { return generation_ + failures_ != seen || stop_; })) {
      return std::optional<std::string>();
    }
    if (stop_) return std::optional<std::string>();
    seen = generation_ + failures_;
  }
}

Result<RelayStats> Relay::Stats() {
  std::lock_guard lock(db_mu_);
  LONTAR_ASSIGN_OR_RETURN(
      Statement st,
      db_.Prepare("SELECT COUNT(*), COUNT(upstream_receipt),"
                  " MIN(CASE WHEN upstream_receipt IS NULL THEN queued_ms END),"
                  " MAX(forwarded_ms),"
                  " (SELECT last_error FROM forward WHERE upstream_receipt IS NULL"
                  "  AND last_error IS NOT NULL ORDER BY last_attempt_ms DESC LIMIT 1)"
                  " FROM forward"));
  LONTAR_ASSIGN_OR_RETURN(bool row, st.Step());
  RelayStats s;
  if (!row) return s;
  s.queued = static_cast<std::uint64_t>(st.ColumnInt(0));
  s.forwarded = static_cast<std::uint64_t>(st.ColumnInt(1));
  s.oldest_pending_ms = st.ColumnIsNull(2) ? 0 : st.ColumnInt(2);
  s.last_forwarded_ms = st.ColumnIsNull(3) ? 0 : st.ColumnInt(3);
  s.last_error = st.ColumnIsNull(4) ? "" : st.ColumnText(4);
  return s;
}

Result<std::optional<std::int64_t>> Relay::ForwardedAt(const std::string& id_hex) {
  std::lock_guard lock(db_mu_);
  LONTAR_ASSIGN_OR_RETURN(Statement st,
                          db_.Prepare("SELECT forwarded_ms FROM forward WHERE bundle_id = ? AND "
                                      "upstream_receipt IS NOT NULL"));
  st.Bind(1, id_hex);
  LONTAR_ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row || st.ColumnIsNull(0)) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(st.ColumnInt(0));
}

Result<std::vector<Relay::Item>> Relay::NextBatch(std::size_t limit) {
  std::lock_guard lock(db_mu_);
  // Bundles tried least often first: one the upstream keeps refusing (an enrollment record it
  // lacks) sinks below new arrivals instead of holding them back.
  LONTAR_ASSIGN_OR_RETURN(Statement st,
                          db_.Prepare("SELECT bundle_id, bytes FROM forward WHERE upstream_receipt "
                                      "IS NULL ORDER BY attempts, queued_ms, rowid LIMIT ?"));
  st.Bind(1, static_cast<std::int64_t>(limit));
  std::vector<Item> items;
  for (;;) {
    LONTAR_ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    items.push_back({st.ColumnText(0), st.ColumnBlob(1)});
  }
  return items;
}

bool Relay::ForwardOne(const Item& item) {
  std::string error;
  bool link_up = true;
  auto text = upload_(item.id_hex, item.bytes);
  if (!text) {
    error = text.error().message();
    link_up = text.error().kind() != ErrorKind::kIo;
  } else if (auto r = bundle::VerifyReceipt(AsBytes(*text), upstream_key_); !r) {
    error = "the upstream's receipt does not verify with upstream key " +
            upstream_key_.id().ToString() + ": " + r.error().message();
  } else if (HexEncode(r->bundle_id) != item.id_hex) {
    error = "the upstream's receipt names another bundle";
  }
  std::lock_guard lock(db_mu_);
  auto st = error.empty()
                ? db_.Prepare(
                      "UPDATE forward SET upstream_receipt = ?, forwarded_ms = ?, attempts = "
                      "attempts + 1, last_attempt_ms = ?, last_error = NULL WHERE bundle_id = ?")
                : db_.Prepare(
                      "UPDATE forward SET last_error = ?, attempts = attempts + 1, "
                      "last_attempt_ms = ? WHERE bundle_id = ?");
  if (!st) return false;
  const std::int64_t now = clock_.WallMs();
  if (error.empty()) {
    st->Bind(1, *text).Bind(2, now).Bind(3, now).Bind(4, item.id_hex);
  } else {
    st->Bind(1, error).Bind(2, now).Bind(3, item.id_hex);
  }
  if (!st->Run()) return false;
  std::lock_guard wake_lock(mu_);
  if (error.empty()) {
    ++generation_;
  } else {
    ++failures_;
    if (!link_up) ++link_failures_;
  }
  cv_.notify_all();
  return link_up;
}

void Relay::Run(std::chrono::milliseconds max_backoff) {
  std::chrono::milliseconds backoff(1000);
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
      wake_ = false;
    }
    bool failed = false;
    auto batch = NextBatch(kBatch);
    if (!batch) failed = true;
    if (batch) {
      for (const Item& item : *batch) {
        {
          std::lock_guard lock(mu_);
          if (stop_) return;
        }
        const std::uint64_t g0 = generation_;
        if (!ForwardOne(item)) {
          failed = true;
          break;  // the link is down: the rest would fail the same way
        }
        std::lock_guard lock(mu_);
        if (generation_ == g0) failed = true;  // refused or a bad receipt: try again later
      }
    }
    std::unique_lock lock(mu_);
    if (stop_) return;
    if (failed) {
      cv_.wait_for(lock, backoff, [&] { return stop_ || wake_; });
      backoff = std::min(backoff * 2, max_backoff);
    } else if (batch && batch->size() < kBatch) {
      backoff = std::chrono::milliseconds(1000);
      // Everything queued is forwarded: sleep until a bundle arrives (or a minute passes).
      cv_.wait_for(lock, std::chrono::seconds(60), [&] { return stop_ || wake_; });
    } else {
      backoff = std::chrono::milliseconds(1000);
    }
  }
}

void Relay::Start(std::chrono::milliseconds max_backoff) {
  if (thread_.joinable()) return;
  thread_ = std::thread([this, max_backoff] { Run(max_backoff); });
}

void Relay::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
}

}  // namespace lontar::server

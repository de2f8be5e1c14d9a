#include "core/server/store.hpp"

#include <algorithm>
#include <set>

#include "core/bundle/bundle_format.hpp"
#include "core/bundle/receipt_code.hpp"
#include "core/util/fs.hpp"

namespace lontar::server {
namespace {

using vault::Database;
using vault::SqliteError;
using vault::Statement;
using vault::Transaction;

constexpr char kBundlesDir[] = "bundles";

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS bundles (
  bundle_id    TEXT PRIMARY KEY,
  receipt_code TEXT NOT NULL,
  terminal_id  TEXT NOT NULL,
  site         TEXT NOT NULL,
  exam_id      TEXT NOT NULL,
  participant  TEXT NOT NULL,
  seq          INTEGER NOT NULL,
  journal_seq  INTEGER NOT NULL,
  kind         TEXT NOT NULL,
  created_ms   INTEGER NOT NULL,
  stored_ms    INTEGER NOT NULL,
  bytes        INTEGER NOT NULL,
  receipt      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS bundles_code ON bundles (receipt_code);
CREATE INDEX IF NOT EXISTS bundles_terminal ON bundles (terminal_id, seq);
CREATE TABLE IF NOT EXISTS flags (
  terminal_id TEXT NOT NULL,
  seq         INTEGER NOT NULL,
  bundle_id   TEXT NOT NULL,
  kind        TEXT NOT NULL,
  detail      TEXT NOT NULL,
  at_ms       INTEGER NOT NULL
);
)sql";

constexpr char kSelectColumns[] =
    "SELECT bundle_id, receipt_code, terminal_id, site, exam_id, participant, kind, seq, "
    "created_ms, stored_ms, bytes, receipt FROM bundles ";

StoredBundle RowToBundle(const Statement& s) {
  StoredBundle b;
  b.bundle_id = s.ColumnText(0);
  b.receipt_code = s.ColumnText(1);
  b.terminal_id = s.ColumnText(2);
  b.site = s.ColumnText(3);
  b.exam_id = s.ColumnText(4);
  b.participant = s.ColumnText(5);
  b.kind = s.ColumnText(6);
  b.seq = static_cast<std::uint64_t>(s.ColumnInt(7));
  b.created_ms = s.ColumnInt(8);
  b.stored_ms = s.ColumnInt(9);
  b.bytes = static_cast<std::uint64_t>(s.ColumnInt(10));
  b.receipt_text = s.ColumnText(11);
  return b;
}

Result<Database> OpenIndex(const std::filesystem::path& path) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  Database db(raw);
  if (rc != SQLITE_OK) return std::unexpected(SqliteError(raw, rc, "open " + path.string()));
  LONTAR_TRY(db.Exec("PRAGMA journal_mode = WAL"));
  LONTAR_TRY(db.Exec("PRAGMA synchronous = FULL"));
  LONTAR_TRY(db.Exec(kSchema));
  return db;
}

}  // namespace

Result<std::unique_ptr<Store>> Store::Open(const std::filesystem::path& dir,
                                           const std::filesystem::path& enrolled_dir,
                                           crypto::SigningKey server_key, const Clock& clock,
                                           StoreOptions options) {
  std::unique_ptr<Store> store(new Store(std::move(server_key), clock));
  store->dir_ = dir;
  store->options_ = options;
  std::error_code ec;
  std::filesystem::directory_iterator it(enrolled_dir, ec);
  if (ec) {
    return std::unexpected(
        Error::FromErrno("read enrolled terminals " + enrolled_dir.string(), ec.value()));
  }
  std::vector<std::filesystem::path> files;
  for (const auto& e : it) {
    if (e.path().extension() == ".enroll") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    LONTAR_ASSIGN_OR_RETURN(terminal::Enrollment en, terminal::ReadEnrollmentFile(f));
    store->enrolled_keys_.push_back(en.signing_key);
    store->enrolled_.emplace(en.signing_key.id(), std::move(en));
  }
  if (store->enrolled_.empty()) {
    return std::unexpected(Error::NotFound(enrolled_dir.string() +
                                           " holds no enrollment records (*.enroll): the server "
                                           "would refuse every bundle"));
  }
  LONTAR_TRY(EnsureDir(dir / kBundlesDir, 0750));
  // A server killed while writing leaves ".<id>.lrb.tmp-<random>" files (TempFile): never named by
  // a row, never acknowledged; remove them.
  for (const auto& e : std::filesystem::directory_iterator(dir / kBundlesDir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with(".") && name.find(".lrb.tmp-") != std::string::npos) {
      std::filesystem::remove(e.path(), ec);
    }
  }
  LONTAR_ASSIGN_OR_RETURN(store->db_, OpenIndex(dir / "index.db"));
  return store;
}

Result<std::optional<StoredBundle>> Store::FindById(const std::string& id_hex) {
  LONTAR_ASSIGN_OR_RETURN(Statement s,
                          db_.Prepare(std::string(kSelectColumns) + "WHERE bundle_id = ?"));
  s.Bind(1, id_hex);
  LONTAR_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<StoredBundle>();
  return std::optional<StoredBundle>(RowToBundle(s));
}

Result<Accepted> Store::Accept(ByteView bytes, const std::optional<crypto::Hash256>& expected_id) {
  if (bytes.size() > options_.max_bundle_bytes) {
    return std::unexpected(Error::Malformed("bundle oversized: " + std::to_string(bytes.size()) +
                                            " bytes, this server takes at most " +
                                            std::to_string(options_.max_bundle_bytes)));
  }
  // (1) and (5): the expensive check, outside any lock.
  LONTAR_ASSIGN_OR_RETURN(bundle::BundleHeader h, bundle::VerifyBundle(bytes, enrolled_keys_));
  LONTAR_ASSIGN_OR_RETURN(bundle::BundleEnvelope envelope, bundle::ParseEnvelope(bytes));
  const terminal::Enrollment& en = enrolled_.at(envelope.signer);
  if (h.terminal_id != en.terminal_id) {
    return std::unexpected(Error::Untrusted("bundle names terminal " + h.terminal_id +
                                            " but is signed by " + en.terminal_id));
  }
  const std::string id_hex = HexEncode(h.bundle_id);
  if (expected_id && *expected_id != h.bundle_id) {
    return std::unexpected(Error::InvalidArgument("bundle id in the request (" +
                                                  HexEncode(*expected_id) +
                                                  ") is not the bundle's (" + id_hex + ")"));
  }
  {  // (3), the common case of a re-sent bundle, without touching the disk.
    std::lock_guard lock(mu_);
    LONTAR_ASSIGN_OR_RETURN(std::optional<StoredBundle> existing, FindById(id_hex));
    if (existing) {
      LONTAR_ASSIGN_OR_RETURN(Receipt r, ParseReceipt(AsBytes(existing->receipt_text)));
      return Accepted{r, existing->receipt_text, /*duplicate=*/true, {}};
    }
  }

  // (2): the file first, durably, in parallel with other uploads. Two uploads of the same
  // bundle at once both rename the same bytes into place; the row decides which receipt counts.
  const std::filesystem::path file = dir_ / kBundlesDir / (id_hex + ".lrb");
  {
    LONTAR_ASSIGN_OR_RETURN(TempFile tmp, TempFile::Beside(file));
    LONTAR_TRY(tmp.WriteAll(bytes));
    LONTAR_TRY(tmp.Publish(0640, Overwrite::kReplace));
  }

  // Then the row, by group commit: whoever finds no commit under way takes every row queued so
  // far into one transaction (one fsync of the WAL for all of them); the others wait for it.
  PendingRow row{&h, id_hex, bytes.size()};
  std::unique_lock queue_lock(queue_mu_);
  queue_.push_back(&row);
  while (!row.done) {
    if (committing_) {
      queue_cv_.wait(queue_lock);
      continue;
    }
    committing_ = true;
    std::vector<PendingRow*> batch;
    batch.swap(queue_);
    queue_lock.unlock();
    CommitBatch(batch);
    queue_lock.lock();
    committing_ = false;
    for (PendingRow* p : batch) p->done = true;
    queue_cv_.notify_all();
  }
  return std::move(row.result);
}

void Store::CommitBatch(const std::vector<PendingRow*>& batch) {
  std::lock_guard lock(mu_);
  auto fail_all = [&](const Error& e) {
    for (PendingRow* p : batch) p->result = std::unexpected(e);
  };
  auto tx = Transaction::Begin(db_);
  if (!tx) return fail_all(tx.error());
  std::vector<Result<Accepted>> results;
  for (PendingRow* p : batch) {
    auto r = InsertRow(*p->header, p->id_hex, p->bytes);
    if (!r) return fail_all(r.error());  // the transaction rolls back: nothing is half-stored
    results.push_back(std::move(r));
  }
  if (auto st = tx->Commit(); !st) return fail_all(st.error());
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i]->result = std::move(results[i]);
}

Result<Accepted> Store::InsertRow(const bundle::BundleHeader& h, const std::string& id_hex,
                                  std::size_t bytes) {
  // Another upload of the same bundle may have committed (or be earlier in this batch).
  LONTAR_ASSIGN_OR_RETURN(std::optional<StoredBundle> existing, FindById(id_hex));
  if (existing) {
    LONTAR_ASSIGN_OR_RETURN(Receipt r, ParseReceipt(AsBytes(existing->receipt_text)));
    return Accepted{r, existing->receipt_text, /*duplicate=*/true, {}};
  }
  // (4): compare with this terminal's other bundles.
  const std::int64_t now = clock_.WallMs();
  std::vector<std::pair<std::string, std::string>> flags;  // kind, detail
  {
    LONTAR_ASSIGN_OR_RETURN(
        Statement s,
        db_.Prepare("SELECT bundle_id, seq, journal_seq FROM bundles WHERE terminal_id = ?"));
    s.Bind(1, h.terminal_id);
    for (;;) {
      LONTAR_ASSIGN_OR_RETURN(bool more, s.Step());
      if (!more) break;
      const std::string other_id = s.ColumnText(0);
      const auto other_seq = static_cast<std::uint64_t>(s.ColumnInt(1));
      const auto other_journal = static_cast<std::uint64_t>(s.ColumnInt(2));
      if (other_seq == h.seq) {
        flags.emplace_back("seq-reused", "bundle #" + std::to_string(h.seq) + " arrived again as " +
                                             id_hex.substr(0, 16) + " after " +
                                             other_id.substr(0, 16) +
                                             ": the terminal's vault was rolled back");
      } else if ((other_seq < h.seq && other_journal >= h.journal_seq) ||
                 (other_seq > h.seq && other_journal <= h.journal_seq)) {
        flags.emplace_back("journal-rollback",
                           "bundle #" + std::to_string(h.seq) + " has journal head " +
                               std::to_string(h.journal_seq) + ", bundle #" +
                               std::to_string(other_seq) + " has " + std::to_string(other_journal) +
                               ": the journal did not advance with the bundle number");
      }
    }
  }
  Receipt receipt;
  receipt.bundle_id = h.bundle_id;
  receipt.terminal_id = h.terminal_id;
  receipt.seq = h.seq;
  receipt.stored_ms = now;
  receipt.server_key_id = server_key_.id();
  std::string receipt_text = WriteReceipt(receipt, server_key_);
  {
    LONTAR_ASSIGN_OR_RETURN(
        Statement ins,
        db_.Prepare("INSERT INTO bundles (bundle_id, receipt_code, terminal_id, site, exam_id, "
                    "participant, seq, journal_seq, kind, created_ms, stored_ms, bytes, receipt) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    ins.Bind(1, id_hex)
        .Bind(2, bundle::ReceiptCodeFor(h.bundle_id))
        .Bind(3, h.terminal_id)
        .Bind(4, h.site)
        .Bind(5, h.exam_id)
        .Bind(6, h.participant)
        .Bind(7, static_cast<std::int64_t>(h.seq))
        .Bind(8, static_cast<std::int64_t>(h.journal_seq))
        .Bind(9, bundle::KindName(h.kind))
        .Bind(10, h.created_ms)
        .Bind(11, now)
        .Bind(12, static_cast<std::int64_t>(bytes))
        .Bind(13, receipt_text);
    LONTAR_TRY(ins.Run());
  }
  for (const auto& [kind, detail] : flags) {
    LONTAR_ASSIGN_OR_RETURN(
        Statement ins,
        db_.Prepare("INSERT INTO flags (terminal_id, seq, bundle_id, kind, detail, at_ms) "
                    "VALUES (?, ?, ?, ?, ?, ?)"));
    ins.Bind(1, h.terminal_id)
        .Bind(2, static_cast<std::int64_t>(h.seq))
        .Bind(3, id_hex)
        .Bind(4, kind)
        .Bind(5, detail)
        .Bind(6, now);
    LONTAR_TRY(ins.Run());
  }
  Accepted out{receipt, std::move(receipt_text), false, {}};
  for (const auto& [kind, detail] : flags) out.flags.push_back(kind + ": " + detail);
  return out;
}

Result<StoredBundle> Store::FindByCode(std::string_view code) {
  LONTAR_ASSIGN_OR_RETURN(std::string canonical, bundle::ParseReceiptCode(code));
  std::lock_guard lock(mu_);
  LONTAR_ASSIGN_OR_RETURN(Statement s,
                          db_.Prepare(std::string(kSelectColumns) + "WHERE receipt_code = ?"));
  s.Bind(1, canonical);
  LONTAR_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) {
    return std::unexpected(
        Error::NotFound("no bundle with receipt code " + canonical + " has reached this server"));
  }
  return RowToBundle(s);
}

Result<std::uint64_t> Store::CountBundles() {
  std::lock_guard lock(mu_);
  LONTAR_ASSIGN_OR_RETURN(Statement s, db_.Prepare("SELECT count(*) FROM bundles"));
  LONTAR_ASSIGN_OR_RETURN(bool row, s.Step());
  return row ? static_cast<std::uint64_t>(s.ColumnInt(0)) : 0;
}

Result<StoreStatus> Store::Status() {
  StoreStatus out;
  std::map<std::string, TerminalStatus> terminals;
  for (const auto& [id, en] : enrolled_) {
    TerminalStatus& t = terminals[en.terminal_id];
    t.terminal_id = en.terminal_id;
    t.site = en.site;
    t.name = en.name;
    t.enrolled = true;
  }
  std::map<std::pair<std::string, std::string>, ExamStatus> exams;
  std::map<std::pair<std::string, std::string>, std::set<std::string>> participants;
  std::map<std::string, std::set<std::uint64_t>> seqs;
  std::lock_guard lock(mu_);
  {
    LONTAR_ASSIGN_OR_RETURN(Statement s,
                            db_.Prepare("SELECT terminal_id, site, exam_id, participant, seq, "
                                        "stored_ms FROM bundles"));
    for (;;) {
      LONTAR_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      const std::string terminal_id = s.ColumnText(0), site = s.ColumnText(1),
                        exam_id = s.ColumnText(2), participant = s.ColumnText(3);
      const auto seq = static_cast<std::uint64_t>(s.ColumnInt(4));
      ++out.bundles;
      TerminalStatus& t = terminals[terminal_id];
      if (t.terminal_id.empty()) {
        t.terminal_id = terminal_id;
        t.site = site;
      }
      ++t.bundles;
      t.highest_seq = std::max(t.highest_seq, seq);
      t.last_seen_ms = std::max(t.last_seen_ms, s.ColumnInt(5));
      seqs[terminal_id].insert(seq);
      ExamStatus& e = exams[{site, exam_id}];
      e.site = site;
      e.exam_id = exam_id;
      ++e.bundles;
      if (std::find(e.terminals.begin(), e.terminals.end(), terminal_id) == e.terminals.end()) {
        e.terminals.push_back(terminal_id);
      }
      participants[{site, exam_id}].insert(participant);
    }
  }
  {
    LONTAR_ASSIGN_OR_RETURN(
        Statement s, db_.Prepare("SELECT terminal_id, kind, detail FROM flags ORDER BY rowid"));
    for (;;) {
      LONTAR_ASSIGN_OR_RETURN(bool row, s.Step());
      if (!row) break;
      terminals[s.ColumnText(0)].flags.push_back(s.ColumnText(1) + ": " + s.ColumnText(2));
    }
  }
  for (auto& [id, t] : terminals) {
    const auto& have = seqs[id];
    for (std::uint64_t n = 1; n < t.highest_seq; ++n) {
      if (!have.contains(n)) t.gaps.push_back(n);
    }
    out.terminals.push_back(std::move(t));
  }
  std::stable_sort(
      out.terminals.begin(), out.terminals.end(),
      [](const TerminalStatus& a, const TerminalStatus& b) { return a.site < b.site; });
  for (auto& [key, e] : exams) {
    e.participants = participants[key].size();
    std::sort(e.terminals.begin(), e.terminals.end());
    out.exams.push_back(std::move(e));
  }
  return out;
}

}  // namespace lontar::server

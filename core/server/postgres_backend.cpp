// The collection store in PostgreSQL (libpqxx 6), for a central server that many sites upload
// to: rows and bundle bytes in one database, so the server needs no shared file system and
// `lontar results open --db URL` reads everything from it.
//
// Schema (version 2; created on the first read-write open, under an advisory lock so that two
// servers starting at once do not race):
//   lontar_schema(version integer)       one row: the schema version
//   bundles(bundle_id text PRIMARY KEY, receipt_code, terminal_id, site, exam_id, participant,
//           seq bigint, journal_seq bigint, kind, created_ms bigint, stored_ms bigint,
//           bytes bigint, receipt text, bundle bytea, pack_id text)
//       the bytea column is STORAGE EXTERNAL: bundles are sealed (incompressible), so TOAST
//       does not try to compress them
//   flags(id bigserial, terminal_id, seq, bundle_id, kind, detail, at_ms)   in order of id
//
// Durability: the session runs with synchronous_commit = on (whatever the database's default),
// so COMMIT returns only once the WAL record is flushed; the bundle bytes are in the same
// transaction as their row, so there is no window where one exists without the other.
// Each group commit first takes pg_advisory_xact_lock(kBatchLock): several `lontar serve`
// processes on one database then commit one batch at a time, and the duplicate check and the
// rollback flags (store.hpp invariants 3 and 4) see every earlier batch.
//
// Errors: libpqxx throws; every call here catches and returns an Error. Messages never carry the
// password: the URL appears only through RedactDatabaseUrl, and libpq's own text is scrubbed of
// it too.
#include <pqxx/pqxx>

#include "core/bundle/bundle_format.hpp"
#include "core/server/store_backend.hpp"

namespace lontar::server {
namespace {

// An arbitrary 64-bit key for pg_advisory_xact_lock: "lontar" in ASCII.
constexpr long long kBatchLock = 0x6c6f6e746172;

constexpr char kSchema[] = R"sql(
CREATE TABLE bundles (
  bundle_id    text PRIMARY KEY,
  receipt_code text NOT NULL,
  terminal_id  text NOT NULL,
  site         text NOT NULL,
  exam_id      text NOT NULL,
  participant  text NOT NULL,
  seq          bigint NOT NULL,
  journal_seq  bigint NOT NULL,
  kind         text NOT NULL,
  created_ms   bigint NOT NULL,
  stored_ms    bigint NOT NULL,
  bytes        bigint NOT NULL,
  receipt      text NOT NULL,
  bundle       bytea NOT NULL,
  pack_id      text NOT NULL DEFAULT ''
);
ALTER TABLE bundles ALTER COLUMN bundle SET STORAGE EXTERNAL;
CREATE INDEX bundles_code ON bundles (receipt_code);
CREATE INDEX bundles_terminal ON bundles (terminal_id, seq);
CREATE INDEX bundles_journal ON bundles (terminal_id, journal_seq);
CREATE TABLE flags (
  id          bigserial PRIMARY KEY,
  terminal_id text NOT NULL,
  seq         bigint NOT NULL,
  bundle_id   text NOT NULL,
  kind        text NOT NULL,
  detail      text NOT NULL,
  at_ms       bigint NOT NULL
);
)sql";

constexpr char kSelectColumns[] =
    "SELECT bundle_id, receipt_code, terminal_id, site, exam_id, participant, kind, seq, "
    "journal_seq, created_ms, stored_ms, bytes, receipt, pack_id FROM bundles ";

StoredBundle RowToBundle(const pqxx::row& r) {
  StoredBundle b;
  b.bundle_id = r[0].as<std::string>();
  b.receipt_code = r[1].as<std::string>();
  b.terminal_id = r[2].as<std::string>();
  b.site = r[3].as<std::string>();
  b.exam_id = r[4].as<std::string>();
  b.participant = r[5].as<std::string>();
  b.kind = r[6].as<std::string>();
  b.seq = static_cast<std::uint64_t>(r[7].as<long long>());
  b.journal_seq = static_cast<std::uint64_t>(r[8].as<long long>());
  b.created_ms = r[9].as<long long>();
  b.stored_ms = r[10].as<long long>();
  b.bytes = static_cast<std::uint64_t>(r[11].as<long long>());
  b.receipt_text = r[12].as<std::string>();
  b.pack_id = r[13].as<std::string>();
  return b;
}

std::optional<StoredBundle> FirstBundle(const pqxx::result& r) {
  if (r.empty()) return std::nullopt;
  return RowToBundle(r[0]);
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const std::string hex(s.substr(i + 1, 2));
      char* end = nullptr;
      const long v = std::strtol(hex.c_str(), &end, 16);
      if (end == hex.c_str() + 2) {
        out += static_cast<char>(v);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// The passwords a URL carries (as written and percent-decoded), to scrub from libpq's messages.
std::vector<std::string> PasswordsIn(const std::string& url) {
  std::vector<std::string> out;
  auto add = [&](std::string_view p) {
    if (p.empty()) return;
    out.emplace_back(p);
    if (std::string d = PercentDecode(p); d != p) out.push_back(std::move(d));
  };
  const auto scheme = url.find("://");
  const std::size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  const std::size_t end = std::min(url.find_first_of("/?#", start), url.size());
  const std::string_view authority = std::string_view(url).substr(start, end - start);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userinfo = authority.substr(0, at);
    if (const auto colon = userinfo.find(':'); colon != std::string_view::npos) {
      add(userinfo.substr(colon + 1));
    }
  }
  if (const auto q = url.find('?'); q != std::string::npos) {
    std::string_view query = std::string_view(url).substr(q + 1);
    while (!query.empty()) {
      const auto amp = query.find('&');
      const std::string_view param = query.substr(0, amp);
      if (param.starts_with("password=")) add(param.substr(9));
      if (amp == std::string_view::npos) break;
      query.remove_prefix(amp + 1);
    }
  }
  return out;
}

class Scrubber {
 public:
  explicit Scrubber(const std::string& url)
      : redacted_(RedactDatabaseUrl(url)), passwords_(PasswordsIn(url)) {}
  const std::string& url() const { return redacted_; }
  std::string operator()(std::string text) const {
    for (const auto& p : passwords_) {
      for (auto at = text.find(p); at != std::string::npos; at = text.find(p, at + 3)) {
        text.replace(at, p.size(), "***");
      }
    }
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
  }

 private:
  std::string redacted_;
  std::vector<std::string> passwords_;
};

// Runs `f`, turning libpqxx's exceptions into Errors about `what` on the database.
template <typename F>
auto Guard(const Scrubber& scrub, const std::string& what, F&& f) -> decltype(f()) {
  const std::string context = what + " (database " + scrub.url() + "): ";
  try {
    return f();
  } catch (const pqxx::broken_connection& e) {
    return std::unexpected(
        Error::Io(context + "the connection to the database was lost: " + scrub(e.what())));
  } catch (const pqxx::in_doubt_error& e) {
    return std::unexpected(Error::Io(context +
                                     "the commit's outcome is unknown (nothing was "
                                     "acknowledged; a retry is answered correctly): " +
                                     scrub(e.what())));
  } catch (const pqxx::sql_error& e) {
    // Class 53: insufficient resources (53100 disk full).
    if (e.sqlstate() == "53100") return std::unexpected(Error::DiskFull(context + scrub(e.what())));
    return std::unexpected(Error::Internal(context + scrub(e.what())));
  } catch (const std::exception& e) {
    return std::unexpected(Error::Internal(context + scrub(e.what())));
  }
}

class PostgresBatch final : public StoreBatch {
 public:
  PostgresBatch(pqxx::connection& c, const Scrubber& scrub) : scrub_(scrub), tx_(c) {
    tx_.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kBatchLock) + ")");
  }

  Result<std::optional<StoredBundle>> FindById(const std::string& id_hex) override {
    return Guard(scrub_, "find bundle", [&]() -> Result<std::optional<StoredBundle>> {
      return FirstBundle(tx_.exec_prepared("find_id", id_hex));
    });
  }

  Result<std::vector<StoredBundle>> Disagreeing(const std::string& terminal_id, std::uint64_t seq,
                                                std::uint64_t journal_seq) override {
    return Guard(scrub_, "read terminal bundles", [&]() -> Result<std::vector<StoredBundle>> {
      std::vector<StoredBundle> out;
      for (const auto& r :
           tx_.exec_prepared("disagreeing", terminal_id, static_cast<long long>(seq),
                             static_cast<long long>(journal_seq))) {
        StoredBundle b;
        b.bundle_id = r[0].as<std::string>();
        b.seq = static_cast<std::uint64_t>(r[1].as<long long>());
        b.journal_seq = static_cast<std::uint64_t>(r[2].as<long long>());
        out.push_back(std::move(b));
      }
      return out;
    });
  }

  Status Insert(const StoredBundle& r, ByteView bundle,
                const std::vector<StoredFlag>& flags) override {
    return Guard(scrub_, "insert bundle " + r.bundle_id, [&]() -> Status {
      tx_.exec_prepared("insert_bundle", r.bundle_id, r.receipt_code, r.terminal_id, r.site,
                        r.exam_id, r.participant, static_cast<long long>(r.seq),
                        static_cast<long long>(r.journal_seq), r.kind,
                        static_cast<long long>(r.created_ms), static_cast<long long>(r.stored_ms),
                        static_cast<long long>(r.bytes), r.receipt_text,
                        pqxx::binarystring(bundle.data(), bundle.size()), r.pack_id);
      for (const auto& f : flags) {
        tx_.exec_prepared("insert_flag", f.terminal_id, static_cast<long long>(f.seq), f.bundle_id,
                          f.kind, f.detail, static_cast<long long>(f.at_ms));
      }
      return Ok();
    });
  }

  Status Commit() override {
    return Guard(scrub_, "commit", [&]() -> Status {
      tx_.commit();
      return Ok();
    });
  }

 private:
  const Scrubber& scrub_;
  pqxx::work tx_;
};

class PostgresBackend final : public StoreBackend {
 public:
  // `c` is the writer (none when read-only), `reader` the connection for reads.
  PostgresBackend(std::unique_ptr<pqxx::connection> c, std::unique_ptr<pqxx::connection> reader,
                  Scrubber scrub)
      : c_(std::move(c)), reader_(std::move(reader)), scrub_(std::move(scrub)) {}

  std::string Describe() const override { return "database " + scrub_.url(); }

  Result<std::unique_ptr<StoreBatch>> Begin() override {
    return Guard(scrub_, "begin", [&]() -> Result<std::unique_ptr<StoreBatch>> {
      if (!c_) throw std::logic_error("the store was opened read-only");
      return std::unique_ptr<StoreBatch>(new PostgresBatch(*c_, scrub_));
    });
  }

  Result<std::optional<StoredBundle>> FindById(const std::string& id_hex) override {
    return Guard(scrub_, "find bundle", [&]() -> Result<std::optional<StoredBundle>> {
      pqxx::read_transaction tx(*reader_);
      return FirstBundle(tx.exec_prepared("find_id", id_hex));
    });
  }

  Result<std::optional<StoredBundle>> FindByCode(const std::string& code) override {
    return Guard(scrub_, "find receipt code", [&]() -> Result<std::optional<StoredBundle>> {
      pqxx::read_transaction tx(*reader_);
      return FirstBundle(tx.exec_prepared("find_code", code));
    });
  }

  Result<std::uint64_t> CountBundles() override {
    return Guard(scrub_, "count bundles", [&]() -> Result<std::uint64_t> {
      pqxx::read_transaction tx(*reader_);
      return static_cast<std::uint64_t>(
          tx.exec("SELECT count(*) FROM bundles")[0][0].as<long long>());
    });
  }

  Result<std::vector<StoredBundle>> ListBundles() override {
    return Guard(scrub_, "list bundles", [&]() -> Result<std::vector<StoredBundle>> {
      pqxx::read_transaction tx(*reader_);
      std::vector<StoredBundle> out;
      for (const auto& r :
           tx.exec(std::string(kSelectColumns) + "ORDER BY site, terminal_id, seq")) {
        out.push_back(RowToBundle(r));
      }
      return out;
    });
  }

  Result<std::vector<StoredFlag>> ListFlags() override {
    return Guard(scrub_, "list flags", [&]() -> Result<std::vector<StoredFlag>> {
      pqxx::read_transaction tx(*reader_);
      std::vector<StoredFlag> out;
      for (const auto& r : tx.exec("SELECT terminal_id, seq, bundle_id, kind, detail, at_ms "
                                   "FROM flags ORDER BY id")) {
        out.push_back({r[0].as<std::string>(), static_cast<std::uint64_t>(r[1].as<long long>()),
                       r[2].as<std::string>(), r[3].as<std::string>(), r[4].as<std::string>(),
                       r[5].as<long long>()});
      }
      return out;
    });
  }

  Result<Bytes> ReadBundle(const std::string& id_hex) override {
    return Guard(scrub_, "read bundle " + id_hex, [&]() -> Result<Bytes> {
      pqxx::read_transaction tx(*reader_);
      const pqxx::result r = tx.exec_prepared("read_bundle", id_hex);
      if (r.empty()) return std::unexpected(Error::NotFound(BundleName(id_hex) + " not found"));
      const pqxx::binarystring b(r[0][0]);
      if (b.size() > bundle::kMaxBundleBytes) {
        return std::unexpected(Error::Malformed(BundleName(id_hex) + " is over the size cap"));
      }
      return Bytes(b.data(), b.data() + b.size());
    });
  }

  std::string BundleName(const std::string& id_hex) const override {
    return "bundle " + id_hex + " in " + Describe();
  }

 private:
  std::unique_ptr<pqxx::connection> c_, reader_;
  Scrubber scrub_;
};

void PrepareStatements(pqxx::connection& c) {
  c.prepare("find_id", std::string(kSelectColumns) + "WHERE bundle_id = $1");
  c.prepare("find_code", std::string(kSelectColumns) + "WHERE receipt_code = $1");
  // Three disjoint parts, each a short index range in the normal case (see sqlite_backend.cpp):
  // one OR scanned every earlier bundle of the terminal for each insert.
  c.prepare("disagreeing",
            "SELECT bundle_id, seq, journal_seq FROM bundles WHERE terminal_id = $1 AND seq = $2 "
            "UNION ALL SELECT bundle_id, seq, journal_seq FROM bundles WHERE terminal_id = $1 AND "
            "seq > $2 AND journal_seq <= $3 "
            "UNION ALL SELECT bundle_id, seq, journal_seq FROM bundles WHERE terminal_id = $1 AND "
            "journal_seq >= $3 AND seq < $2");
  c.prepare("insert_bundle",
            "INSERT INTO bundles (bundle_id, receipt_code, terminal_id, site, exam_id, "
            "participant, seq, journal_seq, kind, created_ms, stored_ms, bytes, receipt, bundle, "
            "pack_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)");
  c.prepare("insert_flag",
            "INSERT INTO flags (terminal_id, seq, bundle_id, kind, detail, at_ms) "
            "VALUES ($1, $2, $3, $4, $5, $6)");
  c.prepare("read_bundle", "SELECT bundle FROM bundles WHERE bundle_id = $1");
}

// Creates the schema if missing (read-write) and checks its version.
Status OpenSchema(pqxx::connection& c, const Scrubber& scrub, StoreAccess access) {
  const std::string newer =
      " and leaves it untouched: use the lontar that wrote it, or a newer one";
  if (access == StoreAccess::kReadOnly) {
    pqxx::read_transaction tx(c);
    if (tx.exec("SELECT to_regclass('lontar_schema')")[0][0].is_null()) {
      return std::unexpected(Error::NotFound("database " + scrub.url() +
                                             " holds no Lontar store (no lontar_schema table): "
                                             "is the URL the one `lontar serve --db` uses?"));
    }
    const auto v = tx.exec("SELECT max(version) FROM lontar_schema")[0][0];
    if (!v.is_null() && v.as<int>() < kPostgresSchemaVersion) {
      return std::unexpected(Error::TooNew(
          "database " + scrub.url() + " has store schema version " + v.as<std::string>() +
          ", older than this lontar's " + std::to_string(kPostgresSchemaVersion) +
          ": start `lontar serve --db` on it once (it upgrades the store in place, keeping every "
          "bundle)"));
    }
    if (!v.is_null() && v.as<int>() > kPostgresSchemaVersion) {
      return std::unexpected(Error::TooNew(
          "database " + scrub.url() + " has store schema version " + v.as<std::string>() +
          "; this lontar knows version " + std::to_string(kPostgresSchemaVersion) + newer));
    }
    return Ok();
  }
  pqxx::work tx(c);
  tx.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kBatchLock) + ")");
  // Checked rather than CREATE ... IF NOT EXISTS, whose NOTICE libpq would print on every start.
  if (tx.exec("SELECT to_regclass('lontar_schema')")[0][0].is_null()) {
    tx.exec("CREATE TABLE lontar_schema (version integer NOT NULL)");
  }
  const auto v = tx.exec("SELECT max(version) FROM lontar_schema")[0][0];
  if (v.is_null()) {
    tx.exec(kSchema);
    tx.exec("INSERT INTO lontar_schema (version) VALUES (" +
            std::to_string(kPostgresSchemaVersion) + ")");
  } else if (v.as<int>() > kPostgresSchemaVersion) {
    return std::unexpected(Error::TooNew("database " + scrub.url() + " has store schema version " +
                                         v.as<std::string>() + "; this lontar knows version " +
                                         std::to_string(kPostgresSchemaVersion) + newer));
  } else if (v.as<int>() < kPostgresSchemaVersion) {
    // 1 -> 2: bundles.pack_id.
    tx.exec("ALTER TABLE bundles ADD COLUMN pack_id text NOT NULL DEFAULT ''");
    tx.exec("UPDATE lontar_schema SET version = " + std::to_string(kPostgresSchemaVersion));
  }
  // Stores created before the index on journal heads (same schema version: an index is no
  // format change) get it here, once.
  if (tx.exec("SELECT to_regclass('bundles_journal')")[0][0].is_null()) {
    tx.exec("CREATE INDEX bundles_journal ON bundles (terminal_id, journal_seq)");
  }
  tx.commit();
  return Ok();
}

Result<std::unique_ptr<pqxx::connection>> Connect(const std::string& url, const Scrubber& scrub) {
  try {
    return std::make_unique<pqxx::connection>(url);
  } catch (const std::exception& e) {
    return std::unexpected(Error::Io(
        "cannot connect to database " + scrub.url() + ": " + scrub(e.what()) +
        "\ncheck that the PostgreSQL server is up and reachable at that host and port, that the "
        "URL is right, that the user's password is right (in the URL, PGPASSWORD or ~/.pgpass), "
        "and that the database exists (createdb DATABASE)"));
  }
}

}  // namespace

Result<std::unique_ptr<StoreBackend>> OpenPostgresBackend(const std::string& url,
                                                          StoreAccess access) {
  if (!url.starts_with("postgresql://") && !url.starts_with("postgres://")) {
    return std::unexpected(
        Error::InvalidArgument("database URL " + RedactDatabaseUrl(url) +
                               ": expected postgresql://[USER[:PASSWORD]@]HOST[:PORT]/DATABASE"));
  }
  Scrubber scrub(url);
  LONTAR_ASSIGN_OR_RETURN(std::unique_ptr<pqxx::connection> c, Connect(url, scrub));
  auto opened = Guard(scrub, "open the store", [&]() -> Status {
    c->set_variable("synchronous_commit", "on");
    if (access == StoreAccess::kReadOnly) c->set_variable("default_transaction_read_only", "on");
    LONTAR_TRY(OpenSchema(*c, scrub, access));
    PrepareStatements(*c);
    return Ok();
  });
  if (!opened) return std::unexpected(opened.error());
  if (access == StoreAccess::kReadOnly) {
    return std::unique_ptr<StoreBackend>(
        new PostgresBackend(nullptr, std::move(c), std::move(scrub)));
  }
  // Lookups get their own connection, so that they do not wait for a group commit under way.
  LONTAR_ASSIGN_OR_RETURN(std::unique_ptr<pqxx::connection> reader, Connect(url, scrub));
  auto prepared = Guard(scrub, "open the store", [&]() -> Status {
    reader->set_variable("default_transaction_read_only", "on");
    PrepareStatements(*reader);
    return Ok();
  });
  if (!prepared) return std::unexpected(prepared.error());
  return std::unique_ptr<StoreBackend>(
      new PostgresBackend(std::move(c), std::move(reader), std::move(scrub)));
}

}  // namespace lontar::server

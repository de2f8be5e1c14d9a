// The PostgreSQL backend's schema (created, upgraded in place, its version checked), its rows
// read back, and what keeps a password out of messages. The schema and durability are described
// in postgres_backend.cpp.
#include <algorithm>

#include "core/server/postgres_detail.hpp"

namespace lontar::server {
namespace postgres_detail {
namespace {

constexpr char kPostgresSchema[] = R"sql(
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
  pack_id      text NOT NULL DEFAULT '',
  digest       text NOT NULL DEFAULT ''
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

}  // namespace

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
  if (r.size() > 14) b.digest = r[14].as<std::string>();  // kSelectWithDigest's
  return b;
}

std::optional<StoredBundle> FirstBundle(const pqxx::result& r) {
  if (r.empty()) return std::nullopt;
  return RowToBundle(r[0]);
}

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
  tx.exec(LockQuery());
  // Checked rather than CREATE ... IF NOT EXISTS, whose NOTICE libpq would print on every start.
  if (tx.exec("SELECT to_regclass('lontar_schema')")[0][0].is_null()) {
    tx.exec("CREATE TABLE lontar_schema (version integer NOT NULL)");
  }
  const auto v = tx.exec("SELECT max(version) FROM lontar_schema")[0][0];
  if (v.is_null()) {
    tx.exec(kPostgresSchema);
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
  // And the digest a re-sent bundle is compared with (StoredBundle::digest): a column with a
  // default, which a Lontar without it never names; rows stored before keep '' and are read
  // back when a bundle arrives again with their id.
  if (tx.exec("SELECT 1 FROM information_schema.columns WHERE table_name = 'bundles' AND "
              "column_name = 'digest' AND table_schema = current_schema()")
          .empty()) {
    tx.exec("ALTER TABLE bundles ADD COLUMN digest text NOT NULL DEFAULT ''");
  }
  // By which a re-sent upload is looked up before it is verified (Store::Accept); rows without
  // a digest are never looked up that way.
  if (tx.exec("SELECT to_regclass('bundles_digest')")[0][0].is_null()) {
    tx.exec("CREATE INDEX bundles_digest ON bundles (digest) WHERE digest <> ''");
  }
  tx.commit();
  return Ok();
}

}  // namespace postgres_detail
}  // namespace lontar::server

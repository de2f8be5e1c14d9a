// Choosing a collection store backend from what the operator gave (--store DIR or --db URL), and
// the one way a database URL may be shown.
#include "core/server/store_backend.hpp"

namespace lontar::server {

Result<std::unique_ptr<StoreBackend>> OpenStoreBackend(const StoreLocation& where,
                                                       StoreAccess access) {
  const bool dir = !where.dir.empty(), db = !where.database_url.empty();
  if (dir == db) {
    return std::unexpected(Error::InvalidArgument(
        std::string(dir ? "both a store directory and a database URL given" : "no store given") +
        ": give exactly one of --store DIR (SQLite and bundle files) or --db "
        "postgresql://USER@HOST/DATABASE (PostgreSQL)"));
  }
  return dir ? OpenSqliteBackend(where.dir, access)
             : OpenPostgresBackend(where.database_url, access);
}

std::string RedactDatabaseUrl(const std::string& url) {
  std::string out = url;
  // user:PASSWORD@ in the authority (which ends at the first '/', '?' or '#' after "://").
  const auto scheme = out.find("://");
  const std::size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  const std::size_t end = std::min(out.find_first_of("/?#", start), out.size());
  const auto at = out.rfind('@', end == 0 ? 0 : end - 1);
  if (at != std::string::npos && at >= start) {
    const auto colon = out.find(':', start);
    if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
  }
  // password=... among the query parameters.
  const auto q = out.find('?');
  if (q != std::string::npos) {
    std::size_t p = q + 1;
    while (p < out.size()) {
      std::size_t amp = out.find('&', p);
      if (amp == std::string::npos) amp = out.size();
      if (out.compare(p, 9, "password=") == 0) {
        out.replace(p + 9, amp - p - 9, "***");
        amp = p + 9 + 3;
      }
      p = amp + 1;
    }
  }
  return out;
}

}  // namespace lontar::server

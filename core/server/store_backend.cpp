// Choosing a collection store backend from what the operator gave (--store DIR or --db URL), and
// the one way a database URL may be shown.
#include "core/server/store_backend.hpp"

#include <map>
#include <set>

namespace lontar::server {
namespace {

class CopiedScan final : public BundleScan {
 public:
  explicit CopiedScan(std::vector<StoredBundle> rows) : rows_(std::move(rows)) {}
  Result<std::optional<StoredBundle>> Next() override {
    if (next_ == rows_.size()) return std::optional<StoredBundle>();
    StoredBundle row = std::move(rows_[next_++]);
    row.receipt_text.clear();
    return std::optional<StoredBundle>(std::move(row));
  }

 private:
  std::vector<StoredBundle> rows_;
  std::size_t next_ = 0;
};

}  // namespace

Result<std::unique_ptr<BundleScan>> StoreBackend::ScanBundles() {
  LONTAR_ASSIGN_OR_RETURN(std::vector<StoredBundle> rows, ListBundles());
  return std::unique_ptr<BundleScan>(new CopiedScan(std::move(rows)));
}

Result<std::vector<std::string>> StoreBackend::TerminalsWithSeqGaps() {
  LONTAR_ASSIGN_OR_RETURN(std::vector<StoredBundle> rows, ListBundles());
  std::map<std::string, std::set<std::uint64_t>> seqs;
  for (const StoredBundle& r : rows) seqs[r.terminal_id].insert(r.seq);
  std::vector<std::string> gapped;
  for (const auto& [t, have] : seqs) {
    if (!have.empty() && *have.rbegin() != have.size()) gapped.push_back(t);
  }
  return gapped;
}

Result<std::vector<std::string>> StoreBackend::ParticipantsWithSeveralBundles(
    const std::string& exam_id) {
  LONTAR_ASSIGN_OR_RETURN(std::vector<StoredBundle> rows, ListBundles());
  std::map<std::string, int> count;
  for (const StoredBundle& r : rows) {
    if (r.exam_id == exam_id) ++count[r.participant];
  }
  std::vector<std::string> several;
  for (const auto& [p, n] : count) {
    if (n > 1) several.push_back(p);
  }
  return several;
}

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

// What the PostgreSQL backend's files share (postgres_backend.cpp has the schema, the
// durability and the round trips): the row columns, libpqxx errors turned into Errors without
// the password, the batch lock, the batch itself. Internal to core/server's postgres_*.cpp.
#pragma once

#include <pqxx/pqxx>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/server/bundle_columns.hpp"
#include "core/server/store_backend.hpp"

namespace lontar::server::postgres_detail {

// An arbitrary 64-bit key for pg_advisory_xact_lock: "lontar" in ASCII.
inline constexpr long long kBatchLock = 0x6c6f6e746172;

// A row of kSelectColumns (or kSelectWithDigest, then with its digest: bundle_columns.hpp); the
// first of a result. The lookups by id, with the digest, are prepared on first use (libpqxx 6),
// which only a read-write store makes, after OpenSchema added the column to a database that
// lacked it.
StoredBundle RowToBundle(const pqxx::row& r);
std::optional<StoredBundle> FirstBundle(const pqxx::result& r);

// The passwords a URL carries (as written and percent-decoded), to scrub from libpq's messages.
std::vector<std::string> PasswordsIn(const std::string& url);

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

// Takes pg_advisory_xact_lock(kBatchLock).
std::string LockQuery();
// The rollback check of every bundle of a batch at once (postgres_batch.cpp says how), given
// three SQL arrays of the same length (text[], bigint[], bigint[]).
std::string DisagreeingQuery(const std::string& terminals, const std::string& seqs,
                             const std::string& journal_seqs);

// One group commit on `c` (whose statements are prepared), in a transaction begun here. Throws
// (run it in Guard).
// `busy` is true from here until the batch is destroyed (its transaction ended).
std::unique_ptr<StoreBatch> NewPostgresBatch(pqxx::connection& c, const Scrubber& scrub,
                                             std::atomic<bool>& busy);

// Creates the schema if missing (read-write) and checks its version. Throws (Guard).
[[nodiscard]] Status OpenSchema(pqxx::connection& c, const Scrubber& scrub, StoreAccess access);

}  // namespace lontar::server::postgres_detail

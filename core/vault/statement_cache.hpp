// Prepared statements kept for the life of one connection. Preparing a statement costs more than
// running it: the collection server spent a tenth of its CPU in sqlite3_prepare_v2 when every
// lookup and insert prepared its own, inside the group commit that every upload waits for.
//
// Not thread-safe: the caller uses a cache only where it may use its connection (the same lock
// or thread). A lease resets its statement when it ends, so a SELECT left half-stepped never
// holds its read snapshot (in WAL mode it would keep seeing the database as it was).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "core/vault/sqlite.hpp"

namespace lontar::vault {

class StatementCache {
 public:
  // The statement, reset to its start with no bindings, for the lease's lifetime.
  class Lease {
   public:
    explicit Lease(Statement* s) : s_(s) {}
    Lease(Lease&& other) noexcept : s_(other.s_) { other.s_ = nullptr; }
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease() {
      if (s_ != nullptr) s_->Reset();
    }
    Statement& operator*() const { return *s_; }
    Statement* operator->() const { return s_; }

   private:
    Statement* s_;
  };

  // `db` outlives the cache (declare the cache after the connection it serves).
  explicit StatementCache(const Database& db) : db_(&db) {}

  [[nodiscard]] Result<Lease> Get(std::string_view sql);

 private:
  const Database* db_;
  std::map<std::string, std::unique_ptr<Statement>, std::less<>> statements_;
};

}  // namespace lontar::vault

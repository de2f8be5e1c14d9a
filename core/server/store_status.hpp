// The status page's counts (StoreBackend::CountStatus) as SQL that both backends run: SQLite
// (SQLCipher 3.4.1 is SQLite 3.15, without window functions) and PostgreSQL. Each query returns
// a row per terminal or per group, never per bundle; the holes use the index on
// bundles (terminal_id, seq) both schemas have.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/server/store_backend.hpp"

namespace lontar::server {

// One result row of a count query, its columns read by 0-based index.
class CountRow {
 public:
  virtual ~CountRow() = default;
  virtual std::string Text(int column) const = 0;
  virtual std::int64_t Int(int column) const = 0;
};

// Runs `sql` (no parameters) and calls `each` for every row; a backend's failure as Error.
using RunCountQuery =
    std::function<Status(const char* sql, const std::function<void(const CountRow&)>& each)>;

// The StatusCounts of the rows `run` reaches: five queries, each a pass over the bundles (the
// holes over the (terminal_id, seq) index).
[[nodiscard]] Result<StatusCounts> CountStatusWith(const RunCountQuery& run);

// The StatusCounts of `rows` (every row of a store): what the queries compute, for a backend
// without SQL. Pure.
StatusCounts CountStatusOf(const std::vector<StoredBundle>& rows);

}  // namespace lontar::server

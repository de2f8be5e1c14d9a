// What the SQLite backend's files share (sqlite_backend.cpp has the layout on disk and the
// order of a group commit): the row columns, the index rows of a record, the batch, and what a
// read-write open does to the schema and the segments. Internal to core/server's sqlite_*.cpp.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/server/bundle_columns.hpp"
#include "core/server/segment_log.hpp"
#include "core/server/store_backend.hpp"
#include "core/vault/sqlite.hpp"
#include "core/vault/statement_cache.hpp"

namespace lontar::server::sqlite_detail {

using vault::Database;
using vault::SqliteError;
using vault::Statement;
using vault::StatementCache;
using vault::Transaction;

inline constexpr char kBundlesDir[] = "bundles";  // schema versions 1 and 2: a file per bundle
inline constexpr char kSegmentsDir[] = "segments";

// A row of kSelectColumns.
StoredBundle RowToBundle(const Statement& s);
// The row `where` (one parameter, `value`) selects; SelectWithDigest: with its digest.
[[nodiscard]] Result<std::optional<StoredBundle>> SelectOne(StatementCache& statements,
                                                            const std::string& where,
                                                            const std::string& value);
[[nodiscard]] Result<std::optional<StoredBundle>> SelectWithDigest(StatementCache& statements,
                                                                   const char* where,
                                                                   const std::string& value);

// One flag row (inside the caller's transaction, if any).
[[nodiscard]] Status InsertFlag(StatementCache& statements, const StoredFlag& f);
// The row and flags of one record, into the index (inside the caller's transaction).
[[nodiscard]] Status InsertRows(StatementCache& statements, const StoredBundle& r,
                                const std::vector<StoredFlag>& flags, const SegmentLocation& at);

// The segment record of (row, bundle) with no flags, encoded ahead of the batch
// (StoreBackend::PrepareInsert).
[[nodiscard]] Result<std::unique_ptr<PreparedInsert>> PrepareRecord(const StoredBundle& row,
                                                                    ByteView bundle);
// One group commit: looked up through `lookups` (a reader connection of its own, used only by
// the batch being filled), records appended to `segments` (whose BeginBatch the caller has
// called), rows committed at Commit in one transaction on the writer `db` (whose statements are
// `writes`).
std::unique_ptr<StoreBatch> NewSqliteBatch(StatementCache& lookups, Database& db,
                                           StatementCache& writes, SegmentWriter& segments);

[[nodiscard]] Result<std::int64_t> UserVersion(const Database& db);
// A read-only connection to `index`, for reads beside the writer.
[[nodiscard]] Result<Database> OpenReader(const std::filesystem::path& index);
// The store's schema version, checked: a newer one is refused (kTooNew); a read-only open needs
// at least version 2 (bundles.pack_id), which it reads as it is.
[[nodiscard]] Result<std::int64_t> CheckSchemaVersion(const Database& db,
                                                      const std::filesystem::path& index,
                                                      StoreAccess access);
// Brings the tables to kSqliteSchemaVersion in one transaction (sqlite_schema.cpp says what each
// version added).
[[nodiscard]] Status UpgradeSchema(Database& db);
// Every record the index names, for ScanSegments.
[[nodiscard]] Result<std::vector<SegmentLocation>> IndexedRecords(const Database& db);
// Adds the rows and flags of the records no row named, in log order, in one transaction.
[[nodiscard]] Status Reindex(Database& db, const std::vector<UnindexedRecord>& records);
// What a read-write open's scan did, for the operator.
std::vector<std::string> ScanNotes(const std::filesystem::path& segments, const SegmentScan& scan);
// One server per store: an exclusive lock on STORE/segments, held while the backend is open
// (the descriptor; closing it releases the lock).
[[nodiscard]] Result<int> LockStore(const std::filesystem::path& dir);

}  // namespace lontar::server::sqlite_detail

// Thin RAII over the SQLite C API as shipped by SQLCipher (SQLite 3.15.2 underneath: no UPSERT,
// no RETURNING, no JSON1). Only core/vault and the modules that keep tables in the vault use it.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::vault {

// Maps an SQLite result code to an Error: SQLITE_FULL -> kDiskFull, SQLITE_READONLY ->
// kReadOnly, SQLITE_CORRUPT/NOTADB -> kCorruption, SQLITE_IOERR_* -> kIo, ... The message is
// "CONTEXT: <sqlite's message>".
Error SqliteError(sqlite3* db, int rc, std::string_view context);

class Statement {
 public:
  Statement() = default;
  Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
    other.stmt_ = nullptr;
  }
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  [[nodiscard]] static Result<Statement> Prepare(sqlite3* db, std::string_view sql);
  bool empty() const { return stmt_ == nullptr; }

  // Binders use 1-based indexes. Blobs and text are copied by SQLite (SQLITE_TRANSIENT).
  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, std::string_view text);
  Statement& BindBlob(int index, ByteView blob);
  Statement& BindNull(int index);

  // Steps once: true when a row is available, false when done.
  [[nodiscard]] Result<bool> Step();
  // Steps to completion, for statements that return no rows.
  [[nodiscard]] Status Run();
  // Resets for re-use with new bindings.
  void Reset();

  std::int64_t ColumnInt(int col) const;
  std::string ColumnText(int col) const;
  Bytes ColumnBlob(int col) const;
  // The blob without copying; valid until the next Step/Reset.
  ByteView ColumnBlobView(int col) const;
  bool ColumnIsNull(int col) const;
  int ColumnCount() const { return sqlite3_column_count(stmt_); }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// A database connection. Closing waits for nothing: callers finalise statements first (RAII).
class Database {
 public:
  Database() = default;
  explicit Database(sqlite3* db) : db_(db) {}
  Database(Database&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Database& operator=(Database&& other) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  sqlite3* get() const { return db_; }
  [[nodiscard]] Status Exec(std::string_view sql);
  [[nodiscard]] Result<Statement> Prepare(std::string_view sql) const {
    return Statement::Prepare(db_, sql);
  }

 private:
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT. Rolls back on destruction unless Commit() succeeded, so an error
// anywhere in between leaves the database as it was.
class Transaction {
 public:
  [[nodiscard]] static Result<Transaction> Begin(Database& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();
  // Durable on return when the connection runs with synchronous=FULL.
  [[nodiscard]] Status Commit();

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_ = nullptr;
};

}  // namespace lontar::vault

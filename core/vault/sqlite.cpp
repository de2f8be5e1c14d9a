#include "core/vault/sqlite.hpp"

namespace lontar::vault {

Error SqliteError(sqlite3* db, int rc, std::string_view context) {
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  std::string message = std::string(context) + ": " + (detail ? detail : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_FULL:
      return Error::DiskFull(message + " (the disk is full: free space, then retry)");
    case SQLITE_READONLY:
      return Error::ReadOnly(message +
                             " (the vault is not writable: check the disk is mounted "
                             "read-write and the files belong to this user)");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Error::Corruption(std::move(message));
    case SQLITE_IOERR:
      return Error::Io(message + " (the disk reported an I/O error)");
    case SQLITE_CANTOPEN:
      return Error::Io(std::move(message));
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return Error::Permission(std::move(message));
    case SQLITE_NOMEM:
      return Error::Internal(message + " (out of memory)");
    default:
      return Error::Internal(std::move(message));
  }
}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = other.stmt_;
    other.stmt_ = nullptr;
  }
  return *this;
}

Statement::~Statement() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

Result<Statement> Statement::Prepare(sqlite3* db, std::string_view sql) {
  Statement s;
  s.db_ = db;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &s.stmt_, nullptr);
  if (rc != SQLITE_OK) return std::unexpected(SqliteError(db, rc, "prepare"));
  return s;
}

Statement& Statement::Bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}
Statement& Statement::Bind(int index, std::string_view text) {
  sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::BindBlob(int index, ByteView blob) {
  // A zero-length blob must still bind as a blob, not NULL.
  static const std::uint8_t kEmpty = 0;
  sqlite3_bind_blob(stmt_, index, blob.empty() ? &kEmpty : blob.data(),
                    static_cast<int>(blob.size()), SQLITE_TRANSIENT);
  return *this;
}
Statement& Statement::BindNull(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return std::unexpected(SqliteError(db_, rc, "vault query"));
}

Status Statement::Run() {
  for (;;) {
    LONTAR_ASSIGN_OR_RETURN(bool row, Step());
    if (!row) return Ok();
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::ColumnInt(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string Statement::ColumnText(int col) const {
  const unsigned char* text = sqlite3_column_text(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return text ? std::string(reinterpret_cast<const char*>(text), static_cast<size_t>(n)) : "";
}

ByteView Statement::ColumnBlobView(int col) const {
  const void* blob = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  if (blob == nullptr || n <= 0) return {};
  return {static_cast<const std::uint8_t*>(blob), static_cast<size_t>(n)};
}

Bytes Statement::ColumnBlob(int col) const {
  ByteView v = ColumnBlobView(col);
  return Bytes(v.begin(), v.end());
}

bool Statement::ColumnIsNull(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    if (db_ != nullptr) sqlite3_close_v2(db_);
    db_ = other.db_;
    other.db_ = nullptr;
  }
  return *this;
}

Database::~Database() {
  if (db_ != nullptr) sqlite3_close_v2(db_);
}

Status Database::Exec(std::string_view sql) {
  std::string owned(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, owned.c_str(), nullptr, nullptr, &err);
  if (err != nullptr) sqlite3_free(err);
  if (rc != SQLITE_OK) return std::unexpected(SqliteError(db_, rc, "vault"));
  return Ok();
}

Result<Transaction> Transaction::Begin(Database& db) {
  LONTAR_TRY(db.Exec("BEGIN IMMEDIATE"));
  return Transaction(&db);
}

Status Transaction::Commit() {
  Database* db = db_;
  if (auto st = db->Exec("COMMIT"); !st) return st;  // destructor rolls back
  db_ = nullptr;
  return Ok();
}

Transaction::~Transaction() {
  if (db_ != nullptr && !sqlite3_get_autocommit(db_->get())) {
    // Best effort: after an I/O error SQLite may already have rolled back.
    (void)db_->Exec("ROLLBACK");
  }
}

}  // namespace lontar::vault

#include "core/vault/vault.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "core/util/fs.hpp"
#include "core/vault/schema.hpp"

namespace lontar::vault {
namespace {

// The vault's page size on disk (PRAGMA cipher_page_size).
constexpr std::uintmax_t kVaultPageBytes = 1024;

constexpr char kSqliteMagic[] = "SQLite format 3";  // 16 bytes with its NUL

// What the first bytes of vault.db say before any key is tried. Read through a SQLite connection
// of its own, never a descriptor opened and closed here: closing any descriptor of a file drops
// every POSIX lock the process holds on that file (fcntl's rule), among them the shared lock that
// a connection already open in this process (the kiosk keeps one per screen and technician mode
// opens another) holds on vault.db in WAL mode. Without that lock, another process (lontar-admin,
// the sync service) closing its connection took itself for the last one, checkpointed the WAL and
// deleted it; this process's next commits went to the deleted file, acknowledged and then lost
// (found as the kiosk's terminal.clock_set record that never reached the journal, issue 20).
// SQLite defers closing its own descriptors while the process holds a lock on the file.
Status CheckFileLooksLikeVault(const std::filesystem::path& path, const VaultOptions& options) {
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec == std::errc::no_such_file_or_directory) {
    return std::unexpected(Error::NotFound(
        "no vault at " + path.string() +
        ": this directory is not a Lontar terminal home. Check --home, or create a terminal "
        "with `lontar terminal init --home " +
        path.parent_path().string() + " --site SITE --trust authority.pub`"));
  }
  if (ec) return std::unexpected(Error::FromErrno("stat " + path.string(), ec.value()));
  std::array<char, 16> head{};
  if (size == 0) {
    return std::unexpected(
        Error::NotAVault(path.string() +
                         " is empty: it is not a Lontar vault (an interrupted initialisation or a "
                         "wiped file). Move it aside and re-initialise the terminal"));
  }
  if (size < head.size()) {
    return std::unexpected(Error::NotAVault(path.string() + " is too short to be a Lontar vault"));
  }
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                                 options.vfs.empty() ? nullptr : options.vfs.c_str());
  const Database db(raw);  // closed on return, through SQLite
  if (rc != SQLITE_OK) return std::unexpected(SqliteError(raw, rc, "open " + path.string()));
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(raw, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK ||
      file == nullptr || file->pMethods == nullptr) {
    return std::unexpected(Error::Internal("open " + path.string() + ": no file handle"));
  }
  if (const int read = file->pMethods->xRead(file, head.data(), head.size(), 0);
      read != SQLITE_OK) {
    return std::unexpected(SqliteError(raw, read, "read " + path.string()));
  }
  if (std::memcmp(head.data(), kSqliteMagic, sizeof kSqliteMagic) == 0) {
    return std::unexpected(Error::NotAVault(
        path.string() + " is an unencrypted SQLite database, not a Lontar vault; check --home"));
  }
  return Ok();
}

Status CheckWritable(const std::filesystem::path& home) {
  for (const auto& p : {home, home / "vault.db"}) {
    if (::access(p.c_str(), W_OK) != 0) {
      int err = errno;
      if (err == EROFS) {
        return std::unexpected(
            Error::ReadOnly(p.string() +
                            " is on a read-only file system: the terminal cannot save answers. "
                            "Remount the disk read-write (or check the disk for errors)"));
      }
      if (err == EACCES) {
        return std::unexpected(
            Error::ReadOnly(p.string() +
                            " is not writable by this user: the terminal cannot save answers. Run "
                            "as the lontar user or fix the owner of " +
                            home.string()));
      }
      if (err != ENOENT) return std::unexpected(Error::FromErrno("access " + p.string(), err));
    }
  }
  return Ok();
}

// Hands the raw key to SQLCipher as the blob literal x'<64 hex>', built in secure memory.
Status ApplyKey(sqlite3* db, const crypto::SecretBytes& key) {
  LONTAR_ASSIGN_OR_RETURN(crypto::SecretBytes literal,
                          crypto::SecretBytes::Allocate(key.size() * 2 + 4));
  char* out = reinterpret_cast<char*>(literal.data());
  out[0] = 'x';
  out[1] = '\'';
  sodium_bin2hex(out + 2, key.size() * 2 + 1, key.data(), key.size());
  out[2 + key.size() * 2] = '\'';
  int rc = sqlite3_key(db, literal.data(), static_cast<int>(key.size() * 2 + 3));
  if (rc != SQLITE_OK) return std::unexpected(SqliteError(db, rc, "set vault key"));
  return Ok();
}

}  // namespace

Result<Vault> Vault::OpenDatabase(const std::filesystem::path& home, const VaultKey& key,
                                  const VaultOptions& options, bool create) {
  const std::filesystem::path path = home / "vault.db";
  // SQLite writes the file in whole pages. One cut short within its last page can still decrypt
  // (a short read is zero-filled, and the bytes cut may have been zeros), so the size is checked
  // first. Not while a WAL is there: crash recovery is SQLite's, and the WAL has the pages.
  if (!create) {
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(path, ec);
    if (!ec && size % kVaultPageBytes != 0 && !std::filesystem::exists(home / "vault.db-wal", ec)) {
      return std::unexpected(Error::Corruption(
          path.string() + " is " + std::to_string(size) + " bytes, not a whole number of " +
          std::to_string(kVaultPageBytes) +
          "-byte pages: it was cut short or damaged. Do not use this terminal for an exam; "
          "collect its result bundles from backups and re-initialise it"));
    }
  }
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags,
                           options.vfs.empty() ? nullptr : options.vfs.c_str());
  Vault vault;
  vault.db_ = Database(raw);
  vault.home_ = home;
  vault.key_source_ = key.source;
  if (rc != SQLITE_OK) return std::unexpected(SqliteError(raw, rc, "open " + path.string()));
  sqlite3_busy_timeout(raw, 5000);
  LONTAR_TRY(ApplyKey(raw, key.key));
  // SQLCipher does not store its page size, so it is set on every open. 1024 is SQLCipher 3's
  // default; see note 3 in vault.hpp for why it stays.
  LONTAR_TRY(vault.db_.Exec("PRAGMA cipher_page_size = " + std::to_string(kVaultPageBytes)));

  // The first read decrypts page 1; a wrong key or a damaged page 1 fails here.
  auto probe = vault.db_.Exec("SELECT count(*) FROM sqlite_master");
  if (!probe) {
    if (probe.error().kind() == ErrorKind::kCorruption) {
      return std::unexpected(
          Error::Corruption(path.string() +
                            " cannot be decrypted: the file is damaged or has been tampered with "
                            "(or was replaced by another file). Do not use this terminal for an "
                            "exam; collect its result bundles from backups and re-initialise it"));
    }
    return std::unexpected(probe.error().WithContext(path.string()));
  }
  // Read every page now (note 4), before anything else trusts the file's contents.
  if (options.check_integrity && !create) {
    LONTAR_ASSIGN_OR_RETURN(Statement check, vault.db_.Prepare("PRAGMA quick_check"));
    auto row = check.Step();
    if (!row || !*row || check.ColumnText(0) != "ok") {
      std::string detail = !row ? row.error().message() : (*row ? check.ColumnText(0) : "");
      return std::unexpected(Error::Corruption(
          path.string() + " is damaged or has been tampered with (" + detail +
          "). Do not use this terminal for an exam; export what can be read and re-initialise"));
    }
  }
  LONTAR_TRY(vault.db_.Exec("PRAGMA journal_mode = WAL"));
  LONTAR_TRY(vault.db_.Exec("PRAGMA synchronous = FULL"));
  LONTAR_TRY(vault.db_.Exec("PRAGMA temp_store = MEMORY"));

  LONTAR_ASSIGN_OR_RETURN(Statement version, vault.db_.Prepare("PRAGMA user_version"));
  LONTAR_ASSIGN_OR_RETURN(bool has_row, version.Step());
  int found_version = has_row ? static_cast<int>(version.ColumnInt(0)) : 0;
  version = Statement();
  if (found_version > kSchemaVersion) {
    return std::unexpected(Error::TooNew(
        path.string() + " has schema version " + std::to_string(found_version) +
        ", newer than this Lontar understands (" + std::to_string(kSchemaVersion) +
        "): it was written by a newer release. Install that release (or newer); do not "
        "re-initialise, or the results on this terminal are lost"));
  }
  if (found_version == 0 && !create) {
    return std::unexpected(
        Error::NotAVault(path.string() + " is an empty database, not a Lontar vault"));
  }
  LONTAR_TRY(Migrate(vault.db_, found_version));
  vault.schema_version_ = kSchemaVersion;

  LONTAR_ASSIGN_OR_RETURN(auto format, vault.GetMeta("format"));
  if (format != std::optional<std::string>(kVaultFormat)) {
    return std::unexpected(
        Error::NotAVault(path.string() + " is a database but not a Lontar vault"));
  }
  return vault;
}

Result<Vault> Vault::Create(const std::filesystem::path& home, const VaultOptions& options) {
  const std::filesystem::path path = home / "vault.db";
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    return std::unexpected(Error::AlreadyExists(
        path.string() +
        " already exists: this is already a terminal home. Refusing to overwrite "
        "it (its journal and results would be lost)"));
  }
  LONTAR_TRY(EnsureDir(home, 0700));
  bool key_file_existed = std::filesystem::exists(home / "vault.key", ec);
  LONTAR_ASSIGN_OR_RETURN(VaultKey key, CreateVaultKey(home));
  auto cleanup = [&] {
    for (const char* name : {"vault.db", "vault.db-wal", "vault.db-shm", "vault.keycheck"}) {
      std::filesystem::remove(home / name, ec);
    }
    if (key.source == KeySource::kFile && !key_file_existed) {
      std::filesystem::remove(home / "vault.key", ec);
    }
  };
  // Create the file ourselves so that it (and the -wal and -shm files SQLite derives from it)
  // is private to this user from the first byte; O_EXCL also closes the race with another init.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    int err = errno;
    cleanup();
    return std::unexpected(Error::FromErrno("create " + path.string(), err));
  }
  ::close(fd);
  auto vault = OpenDatabase(home, key, options, /*create=*/true);
  if (!vault) {
    cleanup();
    return vault;
  }
  if (auto st = WriteKeyCheck(home, key.key); !st) {
    cleanup();
    return std::unexpected(st.error());
  }
  return vault;
}

Result<Vault> Vault::Open(const std::filesystem::path& home, const VaultOptions& options) {
  const std::filesystem::path path = home / "vault.db";
  LONTAR_TRY(CheckFileLooksLikeVault(path, options));
  LONTAR_TRY(CheckWritable(home));
  LONTAR_ASSIGN_OR_RETURN(VaultKey key, LoadVaultKey(home));
  LONTAR_TRY(CheckKey(home, key));
  return OpenDatabase(home, key, options, /*create=*/false);
}

Status Vault::SetMeta(std::string_view name, std::string_view value) {
  LONTAR_ASSIGN_OR_RETURN(Statement s,
                          db_.Prepare("INSERT OR REPLACE INTO meta(name, value) VALUES (?, ?)"));
  s.Bind(1, name).Bind(2, value);
  return s.Run();
}

Result<std::optional<std::string>> Vault::GetMeta(std::string_view name) {
  LONTAR_ASSIGN_OR_RETURN(Statement s, db_.Prepare("SELECT value FROM meta WHERE name = ?"));
  s.Bind(1, name);
  LONTAR_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(s.ColumnText(0));
}

Status Vault::PutSecret(std::string_view name, ByteView value) {
  LONTAR_ASSIGN_OR_RETURN(Statement s,
                          db_.Prepare("INSERT OR REPLACE INTO secrets(name, value) VALUES (?, ?)"));
  s.Bind(1, name).BindBlob(2, value);
  return s.Run();
}

Result<crypto::SecretBytes> Vault::GetSecret(std::string_view name) {
  LONTAR_ASSIGN_OR_RETURN(Statement s, db_.Prepare("SELECT value FROM secrets WHERE name = ?"));
  s.Bind(1, name);
  LONTAR_ASSIGN_OR_RETURN(bool row, s.Step());
  if (!row) {
    return std::unexpected(
        Error::NotFound("secret '" + std::string(name) + "' is missing from the vault"));
  }
  return crypto::SecretBytes::CopyOf(s.ColumnBlobView(0));
}

}  // namespace lontar::vault

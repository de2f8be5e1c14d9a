// The terminal's encrypted store: HOME/vault.db, a SQLCipher database.
//
// Design notes:
//  (1) The key is a random 256-bit raw key (see vault_key.hpp); no passphrase KDF runs at open.
//  (2) journal_mode=WAL, synchronous=FULL: a transaction is durable (its WAL frames fsync'd) when
//      COMMIT returns. Nothing above the vault may tell a person "saved" before that.
//  (3) cipher_page_size=1024, SQLCipher 3's default, chosen by measurement: a journal append
//      writes one WAL frame per changed page, and a b-tree split adds two more. With 4096-byte
//      pages a split came every ~14 appends and put append p99 at 1.4-1.7x a raw fdatasync'd
//      append; with 1024-byte pages frames are cheap enough that p99 is 1.0-1.3x (and p50 is
//      below the raw append, because the WAL file is reused instead of grown). Bigger pages were
//      worse still (16 KiB: 1.9x). It also means the stock sqlcipher shell opens the vault with
//      only the key. temp_store=MEMORY: no plaintext temporary files. Every page on disk,
//      including WAL frames, is AES-256-CBC with an HMAC-SHA1 per page.
//  (4) Open reads every page once (PRAGMA quick_check) unless told not to, so flipped bytes
//      anywhere in the database are reported at open with a clear error, not mid-exam.
//  (5) SQLCipher's page HMACs cannot notice that a whole older copy of vault.db was put back;
//      the journal's signed chain head handles that (see core/journal/journal.hpp).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "core/crypto/secret.hpp"
#include "core/util/error.hpp"
#include "core/vault/sqlite.hpp"
#include "core/vault/vault_key.hpp"

namespace lontar::vault {

struct VaultOptions {
  // Name of a registered SQLite VFS to use instead of the default; the seam through which the
  // fault-injection tests fail individual writes and syncs.
  std::string vfs;
  // Read every page at open (see note 4). Costs about a millisecond per megabyte.
  bool check_integrity = true;
};

class Vault {
 public:
  // Creates HOME (0700) if needed, a new key (see CreateVaultKey) and an empty vault at the
  // current schema. Fails with kAlreadyExists if HOME/vault.db exists. On failure removes what it
  // created. Touches disk.
  [[nodiscard]] static Result<Vault> Create(const std::filesystem::path& home,
                                            const VaultOptions& options = {});

  // Opens an existing vault. Every failure names the file and says what to do:
  //   kNotFound   no vault.db, or no key
  //   kNotAVault  the file is not a Lontar vault (empty, plain SQLite, some other file)
  //   kWrongKey   the key does not belong to this vault
  //   kCorruption the vault fails authentication (damaged or tampered)
  //   kTooNew     written by a newer Lontar
  //   kReadOnly / kDiskFull / kIo / kPermission from the file system
  [[nodiscard]] static Result<Vault> Open(const std::filesystem::path& home,
                                          const VaultOptions& options = {});

  Database& db() { return db_; }
  const std::filesystem::path& home() const { return home_; }
  std::filesystem::path db_path() const { return home_ / "vault.db"; }
  KeySource key_source() const { return key_source_; }
  int schema_version() const { return schema_version_; }

  // Small named values (terminal id, site, ...). Get returns nullopt when absent.
  [[nodiscard]] Status SetMeta(std::string_view name, std::string_view value);
  [[nodiscard]] Result<std::optional<std::string>> GetMeta(std::string_view name);

  // Secrets (private keys). Get copies the value into secure memory; kNotFound when absent.
  [[nodiscard]] Status PutSecret(std::string_view name, ByteView value);
  [[nodiscard]] Result<crypto::SecretBytes> GetSecret(std::string_view name);

 private:
  Vault() = default;
  [[nodiscard]] static Result<Vault> OpenDatabase(const std::filesystem::path& home,
                                                  const VaultKey& key, const VaultOptions& options,
                                                  bool create);

  Database db_;
  std::filesystem::path home_;
  KeySource key_source_ = KeySource::kFile;
  int schema_version_ = 0;
};

}  // namespace lontar::vault

// Where the vault key comes from.
//
// The vault is encrypted with a random 256-bit raw key (SQLCipher `x'..'` form, so no
// passphrase KDF runs). On the appliance the key is a systemd credential, TPM2-sealed where a TPM
// exists, delivered as $CREDENTIALS_DIRECTORY/lontar-vault-key. Everywhere else it is
// HOME/vault.key, mode 0600, created by `lontar terminal init`.
//
// Key file layout: exactly 32 raw bytes, or 64 hex digits optionally followed by a newline (so
// `systemd-creds encrypt` of a hex file works as well as of raw bytes).
//
// HOME/vault.keycheck holds "lontar-vault-keycheck 1 <32 hex>\n": BLAKE2b-128 keyed with the
// vault key over "lontar-vault-key-check-v1". It reveals nothing about the key and lets open tell
// "this is the wrong key" apart from "vault.db is damaged", which SQLCipher cannot.
#pragma once

#include <filesystem>
#include <string>

#include "core/crypto/secret.hpp"
#include "core/util/error.hpp"

namespace lontar::vault {

inline constexpr char kCredentialName[] = "lontar-vault-key";
inline constexpr std::size_t kVaultKeySize = 32;

enum class KeySource { kCredential, kFile };
std::string_view KeySourceName(KeySource source);  // "credential" / "file"

struct VaultKey {
  crypto::SecretBytes key;
  KeySource source = KeySource::kFile;
  std::filesystem::path path;  // where it was read from, for messages
};

// Finds and reads the key: the credential if $CREDENTIALS_DIRECTORY/lontar-vault-key exists,
// else HOME/vault.key. Fails with kNotFound (neither exists), kPermission (vault.key readable by
// group or others: it must be 0600), or kMalformed (wrong length). Reads disk.
[[nodiscard]] Result<VaultKey> LoadVaultKey(const std::filesystem::path& home);

// For a new vault: uses the credential when present, otherwise generates a random key and
// writes HOME/vault.key (0600, refusing to overwrite). Touches disk.
[[nodiscard]] Result<VaultKey> CreateVaultKey(const std::filesystem::path& home);

std::string KeyCheck(const crypto::SecretBytes& key);
[[nodiscard]] Status WriteKeyCheck(const std::filesystem::path& home,
                                   const crypto::SecretBytes& key);
// kWrongKey if HOME/vault.keycheck exists and does not match `key`; Ok if it matches or is absent.
[[nodiscard]] Status CheckKey(const std::filesystem::path& home, const VaultKey& key);

}  // namespace lontar::vault

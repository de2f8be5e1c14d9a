#include "core/vault/vault_key.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <optional>

#include "core/crypto/hash.hpp"
#include "core/util/fs.hpp"

namespace lontar::vault {
namespace {

constexpr char kKeyCheckPrefix[] = "lontar-vault-keycheck 1 ";

std::filesystem::path CredentialPath() {
  const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
  if (dir == nullptr || *dir == '\0') return {};
  return std::filesystem::path(dir) / kCredentialName;
}

Result<crypto::SecretBytes> ParseKey(const std::filesystem::path& path) {
  // The file is read into ordinary memory once, copied into secure memory and wiped.
  LONTAR_ASSIGN_OR_RETURN(Bytes raw, ReadFile(path, 256));
  auto wipe = [&] { crypto::Wipe(raw); };
  LONTAR_ASSIGN_OR_RETURN(crypto::SecretBytes key, crypto::SecretBytes::Allocate(kVaultKeySize));
  // A raw key is exactly 32 bytes, whatever they are (its last byte may well be '\n'); only
  // the hex form may carry a trailing newline.
  size_t length = raw.size();
  if (length == kVaultKeySize * 2 + 1 && raw[length - 1] == '\n') --length;
  if (length == kVaultKeySize) {
    std::copy_n(raw.begin(), kVaultKeySize, key.data());
  } else if (length == kVaultKeySize * 2) {
    size_t written = 0;
    if (sodium_hex2bin(key.data(), key.size(), reinterpret_cast<const char*>(raw.data()), length,
                       nullptr, &written, nullptr) != 0 ||
        written != kVaultKeySize) {
      wipe();
      return std::unexpected(
          Error::Malformed(path.string() + ": not a vault key (64 hex digits expected)"));
    }
  } else {
    wipe();
    return std::unexpected(Error::Malformed(
        path.string() + ": not a vault key (32 bytes or 64 hex digits expected, found " +
        std::to_string(raw.size()) + " bytes)"));
  }
  wipe();
  return key;
}

// The systemd credential, when the service manager provides one; nullopt otherwise.
Result<std::optional<VaultKey>> LoadCredential() {
  const std::filesystem::path credential = CredentialPath();
  std::error_code ec;
  if (credential.empty() || !std::filesystem::exists(credential, ec)) {
    return std::optional<VaultKey>();
  }
  LONTAR_ASSIGN_OR_RETURN(crypto::SecretBytes key, ParseKey(credential));
  return std::optional<VaultKey>(VaultKey{std::move(key), KeySource::kCredential, credential});
}

}  // namespace

std::string_view KeySourceName(KeySource source) {
  return source == KeySource::kCredential ? "credential" : "file";
}

Result<VaultKey> LoadVaultKey(const std::filesystem::path& home) {
  LONTAR_ASSIGN_OR_RETURN(std::optional<VaultKey> credential, LoadCredential());
  if (credential) return std::move(*credential);
  std::filesystem::path file = home / "vault.key";
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    return std::unexpected(Error::NotFound(
        "vault key not found: neither $CREDENTIALS_DIRECTORY/" + std::string(kCredentialName) +
        " nor " + file.string() +
        " exists. The vault cannot be opened without its key: restore the key file, or start the "
        "terminal through its systemd unit so the credential is provided"));
  }
  if ((st.st_mode & 077) != 0) {
    return std::unexpected(
        Error::Permission(file.string() +
                          " is readable by other users; the vault key must be private: run "
                          "`chmod 600 " +
                          file.string() + "` (and check who could have copied it)"));
  }
  LONTAR_ASSIGN_OR_RETURN(crypto::SecretBytes key, ParseKey(file));
  return VaultKey{std::move(key), KeySource::kFile, file};
}

Result<VaultKey> CreateVaultKey(const std::filesystem::path& home) {
  LONTAR_ASSIGN_OR_RETURN(std::optional<VaultKey> credential, LoadCredential());
  if (credential) return std::move(*credential);
  crypto::EnsureSodium();
  LONTAR_ASSIGN_OR_RETURN(crypto::SecretBytes key, crypto::SecretBytes::Allocate(kVaultKeySize));
  randombytes_buf(key.data(), key.size());
  std::filesystem::path file = home / "vault.key";
  LONTAR_TRY(WriteFileAtomic(file, key.view(), 0600, Overwrite::kRefuse));
  return VaultKey{std::move(key), KeySource::kFile, file};
}

std::string KeyCheck(const crypto::SecretBytes& key) {
  crypto::Blake2bHasher h(16, key.view());
  h.Update(AsBytes("lontar-vault-key-check-v1"));
  return HexEncode(h.Finish());
}

Status WriteKeyCheck(const std::filesystem::path& home, const crypto::SecretBytes& key) {
  std::string text = kKeyCheckPrefix + KeyCheck(key) + "\n";
  return WriteFileAtomic(home / "vault.keycheck", AsBytes(text), 0644, Overwrite::kReplace);
}

Status CheckKey(const std::filesystem::path& home, const VaultKey& key) {
  std::filesystem::path path = home / "vault.keycheck";
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return Ok();
  LONTAR_ASSIGN_OR_RETURN(Bytes raw, ReadFile(path, 256));
  std::string_view text = AsChars(raw);
  std::string_view prefix = kKeyCheckPrefix;
  if (!text.starts_with(prefix)) return Ok();  // unreadable check: let SQLCipher decide
  std::string_view stored = text.substr(prefix.size(), 32);
  std::string expected = KeyCheck(key.key);
  if (!crypto::ConstantTimeEqual(AsBytes(stored), AsBytes(expected))) {
    return std::unexpected(Error::WrongKey(
        "the vault key in " + key.path.string() + " does not belong to the vault in " +
        home.string() +
        " (its key check does not match). Provide the key this terminal was initialised with; "
        "the vault cannot be read with any other"));
  }
  return Ok();
}

}  // namespace lontar::vault

// A terminal's identity and its open vault, journal and keys.
//
// A terminal is named by its signing key: terminal id = "T-" + the key id of its Ed25519 public
// key. The id therefore cannot be claimed by anyone without the key, and every record the
// terminal signs names it.
//
// Vault contents owned here:
//   meta      terminal_id, site, name, created_wall_ms
//   secrets   "signing" (Ed25519, 64 bytes), "box" (X25519, 32 bytes)
//   trusted_keys  the exam authority keys this terminal accepts packs from
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/crypto/box.hpp"
#include "core/crypto/sign.hpp"
#include "core/journal/journal.hpp"
#include "core/util/clock.hpp"
#include "core/vault/vault.hpp"

namespace lontar::terminal {

struct TrustedKey {
  crypto::VerifyKey key;
  std::string label;
};

struct InitOptions {
  std::string site;  // 1..64 printable characters, e.g. "KANREG-IV-MAKASSAR-01"
  std::string name;  // optional, free text shown on the health screen, e.g. "Ruang 2 / PC 14"
  std::vector<TrustedKey> trusted;  // at least one authority key
};

// Validates a site code: 1..64 characters of A-Z a-z 0-9 - _ . (it appears in file names and
// result bundle headers). kInvalidArgument with the rule otherwise.
[[nodiscard]] Status ValidateSite(std::string_view site);

class Terminal {
 public:
  // Creates the vault at `home`, the terminal's keys inside it, records the trusted keys and
  // journals "terminal.initialised". Refuses (kAlreadyExists) if `home` already has a vault.
  // Touches disk.
  [[nodiscard]] static Result<Terminal> Init(const std::filesystem::path& home,
                                             const InitOptions& options, const Clock& clock,
                                             const vault::VaultOptions& vault_options = {});

  // Opens an initialised terminal: vault, keys, journal. Errors are the vault's (see
  // Vault::Open) or kCorruption if the identity inside the vault is incomplete. Reads disk.
  [[nodiscard]] static Result<Terminal> Open(const std::filesystem::path& home, const Clock& clock,
                                             const vault::VaultOptions& vault_options = {});

  Terminal(Terminal&&) noexcept;
  Terminal& operator=(Terminal&&) = delete;
  Terminal(const Terminal&) = delete;
  ~Terminal();

  const std::string& id() const { return id_; }
  const std::string& site() const { return site_; }
  const std::string& name() const { return name_; }
  const crypto::SigningKey& signing_key() const { return *signing_key_; }
  const crypto::BoxSecretKey& box_key() const { return *box_key_; }
  vault::Vault& vault() { return *vault_; }
  journal::Journal& journal() { return *journal_; }

  [[nodiscard]] Result<std::vector<TrustedKey>> TrustedKeys();

 private:
  Terminal() = default;

  std::string id_, site_, name_;
  // Heap-held so that the journal's references stay valid when a Terminal is moved.
  std::unique_ptr<vault::Vault> vault_;
  std::unique_ptr<crypto::SigningKey> signing_key_;
  std::unique_ptr<crypto::BoxSecretKey> box_key_;
  std::unique_ptr<journal::Journal> journal_;
};

std::string TerminalIdFor(const crypto::VerifyKey& key);

}  // namespace lontar::terminal

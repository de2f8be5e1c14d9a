// A read-only snapshot of a terminal's health: what `lontar terminal status` prints and what the
// kiosk's start screen and technician health page show.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/util/clock.hpp"
#include "core/util/error.hpp"
#include "core/vault/vault.hpp"

namespace lontar::health {

struct TrustedKeyInfo {
  std::string key_id;  // 16 hex digits, minisign order
  std::string label;   // free text given when the key was trusted, e.g. "authority.pub"
};

struct PackInfo {
  std::string pack_id;
  std::string exam_id;
  std::uint64_t exam_version = 0;
  std::string title_id, title_en;
  std::string valid_from, valid_until;  // ISO 8601 UTC
  bool released = false;
  // Whether the pack carries a proctor code: "yes", "no", or "unknown" (a pack built before
  // headers recorded it and not yet released; once released, the exam inside tells).
  std::string proctor_code;
  // The released pack this terminal runs (pack::RunningPack): of several released, the one
  // released or opened last; the others stay released but no session runs on them.
  bool running = false;
};

// The terminal's clock against its collection server's (core/sync/clock_offset.hpp): one
// field for `lontar terminal status` and the kiosk's technician health page.
struct ClockHealth {
  std::int64_t now_ms = 0;          // this terminal's wall clock when read
  bool measured = false;            // false until a sync got a signed time back
  std::int64_t offset_ms = 0;       // the server's clock minus this terminal's
  std::int64_t uncertainty_ms = 0;  // ± this
  std::int64_t last_sync_ms = 0;    // this terminal's clock at that sync (0: never)
  bool relay = false;               // measured against a site relay, not the collection server
  std::string signer_key_id;        // whose signed time it was
  bool off = false;                 // |offset_ms| > sync::kClockWarnMs: warn
  // For people, one line: "2.0 s behind the collection server's (± 0.1 s), at the last sync",
  // "not measured yet: run lontar sync". Always set.
  std::string summary;
  std::string advice;  // what to do when off (sync::ClockAdvice); "" otherwise
};

struct TerminalStatus {
  std::filesystem::path home;
  std::string terminal_id;  // "T-" + key id of the terminal's signing key
  std::string site;
  std::string name;
  std::string signing_key_id;
  std::string box_key_id;
  std::vector<TrustedKeyInfo> trusted_keys;

  // Vault
  std::string key_source;  // "credential" ($CREDENTIALS_DIRECTORY) or "file" (HOME/vault.key)
  int schema_version = 0;
  std::uint64_t vault_bytes = 0;  // vault.db plus its -wal file

  // Item packs loaded, newest first.
  std::vector<PackInfo> packs;

  // Journal
  std::uint64_t journal_records = 0;
  std::uint64_t head_seq = 0;
  std::string head_hash;  // hex of the chain head
  std::uint64_t last_checkpoint_seq = 0;
  bool journal_ok = false;
  std::string journal_problem;  // empty when journal_ok

  ClockHealth clock;
};

// Opens the terminal at `home`, verifies its journal and reports. Fails (with the vault's
// actionable message) only when the vault cannot be opened at all; a broken journal is reported
// in the status, not as an error. For a released pack whose header does not say whether it has
// a proctor code, decrypts the pack's exam to find out (reads the whole stored pack). Reads only.
[[nodiscard]] Result<TerminalStatus> ReadStatus(const std::filesystem::path& home);

// The clock part of the status alone (no journal walk): the last reading kept by sync and
// `clock`'s wall clock now. The vault's errors. Reads disk.
[[nodiscard]] Result<ClockHealth> ReadClockHealth(vault::Vault& vault, const Clock& clock);

}  // namespace lontar::health

// The vault's schema and its migrations.
//
// PRAGMA user_version holds the schema version. Migration N -> N+1 runs in one transaction, so a
// crash mid-migration leaves the vault at N. A vault whose version is newer than kSchemaVersion
// was written by a newer Lontar and is refused (never "downgraded").
//
// Tables (version 1):
//   meta(name PRIMARY KEY, value)            vault format marker, terminal id, site, name
//   secrets(name PRIMARY KEY, value BLOB)    the terminal's private keys
//   trusted_keys(key_id PRIMARY KEY, public_key, label, added_seq)
//   journal(seq PRIMARY KEY, mono_ns, wall_ms, type, payload, prev_hash, hash, signature)
// Added in version 2:
//   packs(pack_id PRIMARY KEY, exam_id, exam_version, header, file, loaded_seq)
//   exam_versions(exam_id PRIMARY KEY, highest)   never decreases: the rollback guard
//   released_keys(pack_id PRIMARY KEY, content_key, released_seq)
// Added in version 3:
//   outbox(bundle_id PRIMARY KEY, seq UNIQUE, participant, exam_id, kind, created_ms, file,
//          state 'pending'|'delivered', receipt, delivered_ms)   core/bundle/outbox.hpp
#pragma once

#include "core/util/error.hpp"
#include "core/vault/sqlite.hpp"

namespace lontar::vault {

inline constexpr int kSchemaVersion = 3;
inline constexpr char kVaultFormat[] = "lontar-vault";

// Brings a vault at `from_version` (0 for a new, empty database) to kSchemaVersion. Touches disk.
[[nodiscard]] Status Migrate(Database& db, int from_version);

}  // namespace lontar::vault

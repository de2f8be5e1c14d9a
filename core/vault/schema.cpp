#include "core/vault/schema.hpp"

#include <array>
#include <string>

namespace lontar::vault {
namespace {

// kMigrations[i] takes the schema from version i to i + 1. Append only; never edit a shipped one.
constexpr std::array<const char*, kSchemaVersion> kMigrations = {
    R"sql(
CREATE TABLE meta(name TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta(name, value) VALUES ('format', 'lontar-vault');
CREATE TABLE secrets(name TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE trusted_keys(
  key_id TEXT PRIMARY KEY,
  public_key BLOB NOT NULL,
  label TEXT NOT NULL,
  added_seq INTEGER NOT NULL);
CREATE TABLE journal(
  seq INTEGER PRIMARY KEY,
  mono_ns INTEGER NOT NULL,
  wall_ms INTEGER NOT NULL,
  type TEXT NOT NULL,
  payload BLOB NOT NULL,
  prev_hash BLOB NOT NULL,
  hash BLOB NOT NULL,
  signature BLOB);
)sql",
    R"sql(
CREATE TABLE packs(
  pack_id TEXT PRIMARY KEY,
  exam_id TEXT NOT NULL,
  exam_version INTEGER NOT NULL,
  header TEXT NOT NULL,
  file TEXT NOT NULL,
  loaded_seq INTEGER NOT NULL);
CREATE TABLE exam_versions(exam_id TEXT PRIMARY KEY, highest INTEGER NOT NULL);
CREATE TABLE released_keys(
  pack_id TEXT PRIMARY KEY,
  content_key BLOB NOT NULL,
  released_seq INTEGER NOT NULL);
)sql",
    R"sql(
CREATE TABLE outbox(
  bundle_id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL UNIQUE,
  participant TEXT NOT NULL,
  exam_id TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('submitted', 'voided')),
  created_ms INTEGER NOT NULL,
  file TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered')),
  receipt BLOB,
  delivered_ms INTEGER);
)sql",
};

}  // namespace

Status Migrate(Database& db, int from_version) {
  for (int v = from_version; v < kSchemaVersion; ++v) {
    LONTAR_ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db));
    LONTAR_TRY(db.Exec(kMigrations[static_cast<size_t>(v)]));
    LONTAR_TRY(db.Exec("PRAGMA user_version = " + std::to_string(v + 1)));
    LONTAR_TRY(txn.Commit());
  }
  return Ok();
}

}  // namespace lontar::vault

// One journal record and how its hash is computed.
//
// A record is a row of the vault's `journal` table:
//
//   seq        u64   1, 2, 3, ... with no gaps (the table's primary key)
//   mono_ns    i64   Clock::MonotonicNs() when appended (boot-relative; see clock.hpp)
//   wall_ms    i64   Clock::WallMs() when appended (informational only)
//   type       text  event type, "domain.verb" ASCII, 1..64 bytes, e.g. "terminal.initialised"
//   payload    blob  UTF-8 JSON object as written by the appender (at most 1 MiB). The hash
//                    covers these exact bytes, so re-serialising never matters.
//   prev_hash  32 B  hash of record seq-1; 32 zero bytes for seq 1
//   hash       32 B  BLAKE2b-256 of the encoding below
//   signature  64 B  or NULL: on checkpoint records, the terminal's Ed25519 signature of
//                    CheckpointMessage(seq, hash); not part of the hash (it signs the hash)
//
// Hash input (all integers little-endian):
//   "lontar-journal-v1" | u64 seq | u64 mono_ns | u64 wall_ms | u32 len | type | u32 len |
//   payload | prev_hash
//
// A torn write cannot produce a half record: each append is one SQLite transaction, which is
// either wholly in the WAL with its commit frame or not there at all.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/crypto/hash.hpp"
#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::journal {

inline constexpr std::size_t kMaxTypeBytes = 64;
inline constexpr std::size_t kMaxPayloadBytes = 1 << 20;

struct Record {
  std::uint64_t seq = 0;
  std::int64_t mono_ns = 0;
  std::int64_t wall_ms = 0;
  std::string type;
  std::string payload;
  crypto::Hash256 prev_hash{};
  crypto::Hash256 hash{};
};

// The hash a record must carry given its other fields.
crypto::Hash256 ComputeRecordHash(const Record& record);

// kInvalidArgument unless `type` is 1..64 bytes of [a-z0-9._-] and `payload` is at most 1 MiB.
[[nodiscard]] Status ValidateEvent(std::string_view type, std::string_view payload);

// The message a checkpoint signature covers: "lontar-checkpoint-v1" | u64 seq | head.
Bytes CheckpointMessage(std::uint64_t seq, const crypto::Hash256& head);

}  // namespace lontar::journal

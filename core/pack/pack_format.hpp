// The item pack file (.lpk): layout, header, and the envelope check that comes before any
// parsing.
//
// Layout (integers little-endian):
//   magic "LONTARPK"            8
//   format version u16          2     = 1
//   signature count u8          1     1..8
//   signatures                  72 each: key id (8) | Ed25519 signature (64)
//   header length u32           4     1 .. 1 MiB
//   header                      JSON object, UTF-8 (PackHeader below)
//   payload                     secretstream (core/crypto/stream.hpp) of the archive
//                               (core/pack/archive.hpp), payload.bytes long
//
// Each signature covers "lontar-pack-v1\0" | header length | header. The header carries the
// payload's length and BLAKE2b-256 hash, so the signatures cover every byte of the file. A
// reader checks a signature by a trusted key before it parses the header, and the payload hash
// before it stores or decrypts anything. A flipped byte anywhere fails one or the other; a
// truncated file fails the payload length.
//
// Key wrapping: the payload's content key K is bound to both the target terminal and the
// release code. For each target,
//   slot = SealedBox(terminal box key, nonce (24) | XChaCha20-Poly1305(Argon2id(code, salt), K,
//                                                                     ad = pack_id))
// The terminal's secret opens the outer box; the release code opens the inner one. A stolen
// terminal without the code, or a stolen stick with the code, reveals nothing.
//
// Results slot: results_slot = SealedBox(results key, K), so that `lontar results open --pack`
// can read the exam (answer keys, scoring rules, roster) to re-score what terminals sent. It is
// not bound to the release code: the results key belongs to the exam authority that wrote the
// exam, is kept offline, and is needed only after the sessions. Whoever holds it can read the
// pack before release; guard it as the exam itself.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/crypto/box.hpp"
#include "core/crypto/hash.hpp"
#include "core/crypto/kdf.hpp"
#include "core/crypto/sign.hpp"
#include "core/util/bytes.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"

namespace lontar::pack {

inline constexpr char kMagic[8] = {'L', 'O', 'N', 'T', 'A', 'R', 'P', 'K'};
inline constexpr std::uint16_t kFormatVersion = 1;
inline constexpr std::size_t kMaxSignatures = 8;
inline constexpr std::size_t kMaxHeaderBytes = 1 << 20;
inline constexpr std::uint64_t kMaxPayloadBytes = 8ull << 30;  // 8 GiB
inline constexpr std::size_t kMaxTargets = 10000;

struct Text {
  std::string id;  // Bahasa Indonesia
  std::string en;
};

struct Target {
  std::string terminal_id;
  std::string site;
  crypto::KeyId box_key_id;
  Bytes slot;  // see "Key wrapping" above
};

struct PackHeader {
  std::string pack_id;  // 32 hex, random
  std::string exam_id;
  std::uint64_t exam_version = 0;  // strictly increasing per exam_id
  Text title;
  std::int64_t valid_from_ms = 0;  // Unix ms
  std::int64_t valid_until_ms = 0;
  std::int64_t created_ms = 0;
  std::vector<Target> targets;
  // Release-code KDF.
  Bytes kdf_salt;  // 16 bytes
  crypto::Argon2Params kdf{};
  crypto::BoxPublicKey results_key;  // result bundles are sealed to this
  // SealedBox(results_key, K): lets the holder of the results key read the exam to re-score
  // results (see "Results slot" above). Empty in packs built before it existed.
  Bytes results_slot;
  // Whether the encrypted payload carries a proctor code hash (without one, no proctor action
  // is possible at the terminal). Signed, so `lontar pack inspect` can say it without the
  // content key. JSON "proctor_code": true|false; absent (nullopt) in packs built before it
  // existed, which readers show as unknown.
  std::optional<bool> proctor_code;
  // Payload.
  std::uint64_t payload_bytes = 0;
  crypto::Hash256 payload_hash{};
  std::uint64_t items = 0;
  std::uint64_t media_bytes = 0;
  std::uint64_t participants = 0;
};

// Whether `header` says its pack carries a proctor code: "yes", "no", or "unknown" for a pack
// built before headers recorded it. Pure.
std::string_view ProctorCodeState(const PackHeader& header);

// Header as JSON text (what gets signed). Pure.
std::string SerializeHeader(const PackHeader& header);
// Parses and validates a header that has already passed its signature check: every field
// present, sizes and counts within limits, times ordered. kMalformed naming the field. Pure.
[[nodiscard]] Result<PackHeader> ParseHeader(std::string_view json);

struct PackSignature {
  crypto::KeyId key_id;
  crypto::Signature signature{};
};

// The fixed part of the file up to the payload, as read from disk.
struct Envelope {
  std::vector<PackSignature> signatures;
  std::string header_json;
  std::uint64_t payload_offset = 0;  // where the payload starts in the file
};

Bytes SignedMessage(std::string_view header_json);

// Writes magic through header. Pure.
Bytes SerializeEnvelope(const std::vector<PackSignature>& signatures, std::string_view header_json);

// Reads magic through header from `path` (bounded by kMaxHeaderBytes), without interpreting the
// header. kMalformed for a file that is not a pack or is cut short; kTooNew for a newer format.
[[nodiscard]] Result<Envelope> ReadEnvelope(const std::filesystem::path& path);
// The same from the first bytes of a pack (at least the envelope; more is ignored). `name`
// prefixes messages. Pure.
[[nodiscard]] Result<Envelope> ParseEnvelope(ByteView prefix, std::string_view name);
inline constexpr std::size_t kMaxEnvelopeBytes = 11 + kMaxSignatures * 72 + 4 + kMaxHeaderBytes;

// Checks that at least one signature is by a key in `trusted` and valid. kUntrusted (naming the
// signer ids and the trusted ids) or kBadSignature. Pure.
[[nodiscard]] Result<crypto::KeyId> VerifyEnvelope(const Envelope& envelope,
                                                   const std::vector<crypto::VerifyKey>& trusted);

// Streams the payload: checks its length and BLAKE2b-256 against the header, optionally copying
// the whole file into `copy_to` on the way (the caller publishes it only if this succeeds).
// kCorruption for a wrong hash, kMalformed for a wrong length (truncated or with trailing
// bytes). Reads disk.
[[nodiscard]] Status VerifyPayload(const std::filesystem::path& path, const Envelope& envelope,
                                   const PackHeader& header, TempFile* copy_to = nullptr);

// ISO 8601 "2026-11-24T07:30:00Z" <-> Unix ms (UTC only).
std::string FormatTime(std::int64_t unix_ms);
[[nodiscard]] Result<std::int64_t> ParseTime(std::string_view iso);

}  // namespace lontar::pack

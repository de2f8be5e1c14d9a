// The result bundle file (.lrb): one sitting's results, sealed to the results key and signed by
// the terminal that produced them.
//
// Layout (integers little-endian; written by WriteBundle):
//   magic "LONTARRB"              8
//   format version u16            2     = 1
//   signer key id                 8     key id of the terminal's Ed25519 key (sign.hpp)
//   signature                     64    Ed25519 over SignedMessage below
//   header length u32             4     1 .. kMaxHeaderBytes
//   header                        JSON object, UTF-8 (BundleHeader; SerializeHeader)
//   sealed payload length u64     8     kSlotBytes + 37 .. kMaxSealedPayloadBytes
//   sealed payload:
//     key slot                    80    SealedBox(results public key, content key (32))
//     secretstream                      core/crypto/stream.hpp, content key, of the payload
//                                       JSON (BundlePayload; SerializePayload)
//   (nothing after it)
//
// SignedMessage = "lontar-bundle-v1" NUL | u16 version | signer key id | u32 header length |
//                 header | u64 sealed payload length | BLAKE2b-256(sealed payload)
// so the one signature covers every byte of the file except itself. bundle id =
// BLAKE2b-256(sealed payload), carried in the header, so the id cannot be chosen by anyone and
// names exactly one sealed payload.
//
// Reading (VerifyBundle): size cap, magic, version, lengths (truncated and trailing bytes each
// have their own message), signer id against the key(s) offered, the signature, and only then
// the header JSON; last, the header's bundle id against the hash. A torn or cut copy fails the
// length checks before any crypto runs; a flipped byte fails the signature check wherever it is,
// except in the magic, the version and the two lengths, which fail the envelope checks first.
//
// Why a secretstream with a sealed key, not one sealed box over the payload: a 3-hour sitting
// carries thousands of journal records (megabytes), and whoever opens results opens tens of
// thousands of bundles. OpenSealed returns plaintext in sodium_malloc'd guarded memory (guard
// pages, mlock within the memlock limit), which is meant for keys, not megabytes of answers, and
// a sealed box can only be opened whole. The secretstream decrypts in 64 KiB authenticated
// chunks into ordinary memory, so a future streaming reader needs two chunks of memory; only the
// 32-byte content key goes through the sealed box. It costs 80 + 17 bytes per 64 KiB, and no
// time: lontar_bundle_bench measures WriteBundle + VerifyBundle, less the payload JSON, at
// 1.00x sealing + Ed25519-signing + verifying the same bytes (signing a BLAKE2b hash instead of
// the whole payload pays for the rest). It is also the packs' construction: one thing to review.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "core/crypto/box.hpp"
#include "core/crypto/hash.hpp"
#include "core/crypto/sign.hpp"
#include "core/journal/record.hpp"
#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::bundle {

inline constexpr char kMagic[8] = {'L', 'O', 'N', 'T', 'A', 'R', 'R', 'B'};
inline constexpr std::uint16_t kFormatVersion = 1;
inline constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
inline constexpr std::size_t kSlotBytes = 32 + crypto::kSealOverhead;  // 80
inline constexpr std::uint64_t kMaxSealedPayloadBytes = 64ull << 20;   // 64 MiB
inline constexpr std::size_t kFixedBytes = 8 + 2 + 8 + 64 + 4 + 8;     // everything but variable
inline constexpr std::uint64_t kMaxBundleBytes =
    kFixedBytes + kMaxHeaderBytes + kMaxSealedPayloadBytes;

enum class Kind { kSubmitted, kVoided };
std::string_view KindName(Kind kind);  // "submitted" | "voided"

// Everything the header says. The signature covers it; the results key is not needed to read it.
struct BundleHeader {
  crypto::Hash256 bundle_id{};  // BLAKE2b-256 of the sealed payload
  std::string terminal_id;      // "T-" + signer key id (terminal.hpp)
  std::string site;
  std::string exam_id;
  std::string pack_id;
  std::uint64_t exam_version = 0;  // the pack's version of the exam
  std::string participant;
  std::int64_t created_ms = 0;  // terminal wall clock, informational
  std::uint64_t seq = 0;        // per-terminal bundle number, 1, 2, 3, ... (outbox.hpp)
  std::uint64_t journal_seq = 0;
  crypto::Hash256 journal_hash{};  // the terminal's journal head when the bundle was written
  Kind kind = Kind::kSubmitted;
  crypto::KeyId results_key_id;     // which results key opens it
  std::uint64_t payload_bytes = 0;  // plaintext payload size
};

// What is sealed: filled by the exam engine. The JSON values are carried as given; the journal
// records are the sitting's own (not a contiguous range), each with its exact payload bytes so
// that a reader can recompute every record's hash.
struct BundlePayload {
  nlohmann::json answers = nlohmann::json::object();
  nlohmann::json flags = nlohmann::json::object();
  nlohmann::json timings = nlohmann::json::object();
  nlohmann::json score = nlohmann::json::object();  // the terminal's local score
  std::vector<journal::Record> journal;
};

// Everything WriteBundle needs: the header fields it does not compute, and the payload.
struct BundleInputs {
  std::string terminal_id;
  std::string site;
  std::string exam_id;
  std::string pack_id;
  std::uint64_t exam_version = 0;
  std::string participant;
  std::int64_t created_ms = 0;
  std::uint64_t seq = 0;  // outbox::NextBundleSeq
  // Journal::head() just after Journal::SignHead(), so that the vault also holds a checkpoint
  // signature for exactly this head (journal.hpp, invariant 3 and "Rollback").
  std::uint64_t journal_seq = 0;
  crypto::Hash256 journal_hash{};
  Kind kind = Kind::kSubmitted;
  BundlePayload payload;
};

// Builds a bundle: serialises and seals the payload, computes the bundle id, signs. Checks its
// inputs first: kInvalidArgument when terminal_id is not the signer's, a field is empty or too
// long, seq is 0, or the payload exceeds the caps. Pure (apart from randomness).
[[nodiscard]] Result<Bytes> WriteBundle(const BundleInputs& inputs,
                                        const crypto::SigningKey& terminal_key,
                                        const crypto::BoxPublicKey& results_key);

// The framing of a bundle, read without interpreting the header or checking anything
// cryptographic.
struct BundleEnvelope {
  crypto::KeyId signer;
  crypto::Signature signature{};
  std::string header_json;  // unverified: parse only after VerifyEnvelope
  ByteView sealed_payload;  // points into the bytes given
};

// Reads the framing. kMalformed for: more than kMaxBundleBytes ("oversized"), not a bundle
// (magic), truncated (saying where and how many bytes are missing), trailing bytes (how many),
// lengths out of range; kTooNew for a newer format version. `name` prefixes messages. Pure.
[[nodiscard]] Result<BundleEnvelope> ParseEnvelope(ByteView bytes,
                                                   std::string_view name = "bundle");

// Checks the signature by `terminal_key`, then parses and validates the header, then checks the
// bundle id against the sealed payload. kUntrusted when signed by another key (naming both ids),
// kBadSignature when altered, kMalformed for a header that does not parse (only reachable for a
// validly signed but broken header), kCorruption for a bundle id that does not match. Pure.
[[nodiscard]] Result<BundleHeader> VerifyBundle(ByteView bytes,
                                                const crypto::VerifyKey& terminal_key,
                                                std::string_view name = "bundle");
// As above, choosing the key by the signer id among `enrolled` (a server's enrolled terminals);
// kUntrusted naming the signer when none matches. Pure.
[[nodiscard]] Result<BundleHeader> VerifyBundle(ByteView bytes,
                                                std::span<const crypto::VerifyKey> enrolled,
                                                std::string_view name = "bundle");

// Decrypts the payload with the results secret key and checks it: framing as ParseEnvelope,
// kWrongKey when sealed to another results key, kCorruption when the stream fails
// authentication or a journal record's hash does not match its fields, kMalformed for a payload
// that is not the expected JSON. It does not check the terminal's signature: run VerifyBundle
// first. Pure.
[[nodiscard]] Result<BundlePayload> OpenBundle(ByteView bytes,
                                               const crypto::BoxSecretKey& results_key,
                                               std::string_view name = "bundle");

// The pieces, for tests, tools and the fuzz target. Pure.
std::string SerializeHeader(const BundleHeader& header);
[[nodiscard]] Result<BundleHeader> ParseHeader(std::string_view json);
std::string SerializePayload(const BundlePayload& payload);
[[nodiscard]] Result<BundlePayload> ParsePayload(std::string_view json);
// The bundle id the format defines for `header` (its bundle_id field ignored) and a sealed payload
// whose BLAKE2b-256 is `sealed_payload_hash`. Pure.
crypto::Hash256 ComputeBundleId(const BundleHeader& header,
                                const crypto::Hash256& sealed_payload_hash);
// The message the terminal signs, given the sealed payload's size and BLAKE2b-256 hash (its
// bundle id): the payload is hashed once, by the caller, however many checks use the hash.
Bytes SignedMessage(const crypto::KeyId& signer, std::string_view header_json,
                    std::uint64_t sealed_payload_size, const crypto::Hash256& sealed_payload_hash);

}  // namespace lontar::bundle

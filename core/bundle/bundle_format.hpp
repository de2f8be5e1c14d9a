// The result bundle file (.lrb): one sitting's results, sealed to the results key and signed by
// the terminal that produced them.
//
// Layout (integers little-endian; written by WriteBundle):
//   magic "LONTARRB"              8
//   format version u16            2     = 2 (1 is still read: below)
//   signer key id                 8     key id of the terminal's Ed25519 key (sign.hpp)
//   signature                     64    Ed25519 over SignedMessage below
//   header length u32             4     1 .. kMaxHeaderBytes
//   header                        JSON object, UTF-8 (BundleHeader; SerializeHeader)
//   sealed payload length u64     8     kSlotBytes + 37 .. kMaxSealedPayloadBytes
//   sealed payload:
//     key slot                    80    SealedBox(results public key, content key (32))
//     secretstream                      core/crypto/stream.hpp, content key, of the payload
//                                       JSON (BundlePayload; SerializePayload), which in
//                                       format 2 holds "bound": the header's terminal, site,
//                                       exam, pack, exam version, participant, seq, journal
//                                       head and kind (BundleBinding)
//   (nothing after it)
//
// SignedMessage = "lontar-bundle-v1" NUL | u16 version | signer key id | u32 header length |
//                 header | u64 sealed payload length | BLAKE2b-256(sealed payload)
// so the one signature covers every byte of the file except itself. The bundle id
// (ComputeBundleId), carried in the header, cannot be chosen by anyone:
//   format 2: BLAKE2b-256("lontar-bundle-id-v2" NUL | BLAKE2b-256(sealed payload) |
//             u32 length | SerializeHeader(header with a zero bundle id))
//   format 1: BLAKE2b-256(sealed payload)
//
// Why format 2 (issue 24): in format 1 the header was not bound to the payload and the id named
// the payload alone, so an enrolled terminal holding another's bundle could re-sign that sealed
// payload under its own header naming any participant, and its upload took the id first: the
// answers were credited to someone else and the real upload answered as a "duplicate" with a
// receipt naming the other terminal. In format 2 the payload names what the header says
// (CheckBinding, run by `results open`, which does not score a row whose header disagrees) and
// the id covers the header, so a re-signed payload is another bundle with another id. Format 1
// bundles still verify and open (stores hold them); their header cannot be checked against the
// payload, so `results open` marks their rows "unbound-v1" (and still checks a format 1
// envelope whose payload carries a binding: a format 2 payload wrapped again as format 1 to
// shed it), and the server refuses a second
// upload of a format 1 id with other bytes or another signer (store.hpp, invariant 3).
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
// time: lontar_bundle_bench measures WriteBundle + VerifyBundle at 0.93-1.00x sealing +
// Ed25519-signing + verifying the same bytes, 0.6x less the payload JSON (signing a BLAKE2b hash
// instead of the whole payload pays for the rest; docs/durability.md has the runs). It is also
// the packs' construction: one thing to review. WriteBundle is in bundle_format_write.cpp, the
// readers in bundle_format_read.cpp, what both use in bundle_format.cpp.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
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
inline constexpr std::uint16_t kFormatVersion = 2;
inline constexpr std::uint16_t kOldestFormatVersion = 1;  // still read
inline constexpr std::size_t kMaxHeaderBytes = 16 * 1024;
inline constexpr std::size_t kSlotBytes = 32 + crypto::kSealOverhead;  // 80
inline constexpr std::uint64_t kMaxSealedPayloadBytes = 64ull << 20;   // 64 MiB
inline constexpr std::size_t kFixedBytes = 8 + 2 + 8 + 64 + 4 + 8;     // everything but variable
inline constexpr std::uint64_t kMaxBundleBytes =
    kFixedBytes + kMaxHeaderBytes + kMaxSealedPayloadBytes;
// The "format" field of the header and of the payload JSON.
inline constexpr char kHeaderFormat[] = "lontar-bundle";
inline constexpr char kPayloadFormat[] = "lontar-bundle-payload";
// The longest text field of a header (ids, site, participant).
inline constexpr std::size_t kMaxFieldBytes = 64;

enum class Kind { kSubmitted, kVoided };
std::string_view KindName(Kind kind);  // "submitted" | "voided"

// Everything the header says. The signature covers it; the results key is not needed to read it.
struct BundleHeader {
  // From the envelope, not the JSON: which rule ComputeBundleId applies.
  std::uint16_t format_version = kFormatVersion;
  crypto::Hash256 bundle_id{};  // ComputeBundleId
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

// The header fields a format 2 payload repeats, sealed with it: the header a bundle was written
// with, which `results open` compares with the header it arrived with (CheckBinding).
struct BundleBinding {
  std::string terminal_id, site, exam_id, pack_id;
  std::uint64_t exam_version = 0;
  std::string participant;
  std::uint64_t seq = 0;
  std::uint64_t journal_seq = 0;
  crypto::Hash256 journal_hash{};
  Kind kind = Kind::kSubmitted;
  bool operator==(const BundleBinding&) const = default;
};
BundleBinding BindingOf(const BundleHeader& header);

// What is sealed: filled by the exam engine. The JSON values are carried as given; the journal
// records are the sitting's own (not a contiguous range), each with its exact payload bytes so
// that a reader can recompute every record's hash.
struct BundlePayload {
  nlohmann::json answers = nlohmann::json::object();
  nlohmann::json flags = nlohmann::json::object();
  nlohmann::json timings = nlohmann::json::object();
  nlohmann::json score = nlohmann::json::object();  // the terminal's local score
  // The sitting's accommodations (core/model/accommodations.hpp's JSON plus "source"), only
  // when it had any: absent from bundles written before they existed, and from those without.
  std::optional<nlohmann::json> accommodations;
  std::vector<journal::Record> journal;
  // Set by WriteBundle and OpenBundle in format 2; empty in format 1 payloads.
  std::optional<BundleBinding> bound;
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
  std::uint16_t version = kFormatVersion;  // kOldestFormatVersion .. kFormatVersion
  crypto::KeyId signer;
  crypto::Signature signature{};
  std::string header_json;  // unverified: parse only after VerifyEnvelope
  ByteView sealed_payload;  // points into the bytes given
};

// Reads the framing. kMalformed for: more than kMaxBundleBytes ("oversized"), not a bundle
// (magic), truncated (saying where and how many bytes are missing), trailing bytes (how many),
// lengths out of range; kTooNew for a newer format version (kMalformed for 0). `name` prefixes
// messages. Pure.
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

// A bundle's framing and the one pass over its sealed payload, computed once for everything
// that needs them: VerifyBundle (the signed message carries the payload's hash) and a
// collection server's lookup of a re-sent bundle by `file_digest`.
struct HashedBundle {
  BundleEnvelope envelope;         // points into the bytes given
  crypto::Hash256 payload_hash{};  // BLAKE2b-256(sealed payload)
  // BLAKE2b-256("lontar-bundle-file-v1" NUL | every byte of the file before the sealed payload
  // (magic to payload length) | payload_hash): one value for exactly these bytes, as BLAKE2b of
  // the whole file would be, without a second pass over the payload. Unverified: it says which
  // bytes these are, not who wrote them.
  crypto::Hash256 file_digest{};
};

// ParseEnvelope (same errors), then the hashes above: one pass over the payload. Pure.
[[nodiscard]] Result<HashedBundle> HashBundle(ByteView bytes, std::string_view name = "bundle");

// VerifyBundle over a HashedBundle: the same checks, in the same order, with the same errors,
// taking its payload hash instead of hashing the payload again. `hashed` must come from
// HashBundle (its envelope points into bytes that must still be alive). Pure.
[[nodiscard]] Result<BundleHeader> VerifyBundle(const HashedBundle& hashed,
                                                std::span<const crypto::VerifyKey> enrolled,
                                                std::string_view name = "bundle");

// Decrypts the payload with the results secret key and checks it: framing as ParseEnvelope,
// kWrongKey when sealed to another results key, kCorruption when the stream fails
// authentication or a journal record's hash does not match its fields, kMalformed for a payload
// that is not the expected JSON (in format 2, also one without its "bound" fields). It does not
// check the terminal's signature (run VerifyBundle first), nor the binding (CheckBinding). Pure.
[[nodiscard]] Result<BundlePayload> OpenBundle(ByteView bytes,
                                               const crypto::BoxSecretKey& results_key,
                                               std::string_view name = "bundle");

// Whether `payload` was sealed for the header it arrived with: Ok when its binding agrees with
// `header`, or when it has none (format 1: nothing to check; callers say so); kCorruption naming
// every field that differs, header's value then payload's ("participant TEST-0002, sealed for
// TEST-0001"). Pure.
[[nodiscard]] Status CheckBinding(const BundleHeader& header, const BundlePayload& payload);

// The pieces, for tests, tools and the fuzz target. Pure.
std::string SerializeHeader(const BundleHeader& header);
[[nodiscard]] Result<BundleHeader> ParseHeader(std::string_view json);
std::string SerializePayload(const BundlePayload& payload);
[[nodiscard]] Result<BundlePayload> ParsePayload(std::string_view json);
// The bundle id the format (header.format_version) defines for `header` (its bundle_id ignored)
// and a sealed payload whose BLAKE2b-256 is `sealed_payload_hash`. Pure.
crypto::Hash256 ComputeBundleId(const BundleHeader& header,
                                const crypto::Hash256& sealed_payload_hash);
// The message the terminal signs, given the sealed payload's size and BLAKE2b-256 hash (its
// bundle id): the payload is hashed once, by the caller, however many checks use the hash.
Bytes SignedMessage(const crypto::KeyId& signer, std::string_view header_json,
                    std::uint64_t sealed_payload_size, const crypto::Hash256& sealed_payload_hash,
                    std::uint16_t version = kFormatVersion);

}  // namespace lontar::bundle

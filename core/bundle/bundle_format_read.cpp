// Reading a result bundle (bundle_format.hpp has the layout and the order of the checks): the
// envelope, the signature, the header, and with the results key the payload.
#include <cstring>
#include <utility>

#include "core/bundle/bundle_format.hpp"
#include "core/crypto/stream.hpp"
#include "core/terminal/terminal.hpp"
#include "core/util/json_fields.hpp"

namespace lontar::bundle {
namespace {

using Json = nlohmann::ordered_json;

Error Damaged(std::string_view name, const std::string& why) {
  return Error::Malformed(std::string(name) + ": " + why +
                          ". Export the bundle again from the terminal's outbox");
}

// The shared field reader (core/util/json_fields.hpp), with what a bundle's fields have in common:
// text is at most kMaxFieldBytes and not empty unless said otherwise; hashes are 64 hex digits.
struct Reader {
  OrderedJsonFields fields;

  Reader(const Json& j, std::string where, std::string& problem)
      : fields(j, std::move(where), problem) {}

  std::string Str(const char* name, std::size_t max = kMaxFieldBytes, bool allow_empty = false) {
    return fields.Str(name, max, allow_empty);
  }
  std::uint64_t U64(const char* name) { return fields.Unsigned(name); }
  std::int64_t I64(const char* name) { return fields.Int(name); }
  crypto::Hash256 Hash(const char* name) {
    crypto::Hash256 h{};
    const Bytes bytes = fields.Hex(name, h.size());
    if (bytes.size() == h.size()) std::memcpy(h.data(), bytes.data(), h.size());
    return h;
  }
  nlohmann::json Value(const char* name) {
    const Json* f = fields.Get(name);
    return f == nullptr ? nlohmann::json(nullptr) : nlohmann::json(*f);
  }
  void FailField(const char* name, const std::string& what) { fields.FailField(name, what); }
};

Result<Kind> ParseKind(std::string_view s) {
  if (s == "submitted") return Kind::kSubmitted;
  if (s == "voided") return Kind::kVoided;
  return std::unexpected(Error::Malformed("kind '" + std::string(s) + "'"));
}

// The fields a header and a format 2 payload's "bound" object both carry (BundleBinding), read
// into `out`, a BundleHeader or a BundleBinding.
template <typename Fields>
void ReadBindingFields(Reader& r, Fields& out) {
  out.terminal_id = r.Str("terminal_id");
  out.site = r.Str("site");
  out.exam_id = r.Str("exam_id");
  out.pack_id = r.Str("pack_id");
  out.exam_version = r.U64("exam_version");
  out.participant = r.Str("participant");
  out.seq = r.U64("seq");
  out.journal_seq = r.U64("journal_seq");
  out.journal_hash = r.Hash("journal_hash");
  auto kind = ParseKind(r.Str("kind"));
  if (!kind) r.FailField("kind", "is neither submitted nor voided");
  out.kind = kind.value_or(Kind::kSubmitted);
}

}  // namespace

Result<BundleHeader> ParseHeader(std::string_view json) {
  Json j = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return std::unexpected(Error::Malformed("bundle header is not a JSON object"));
  }
  std::string problem;
  Reader r(j, "header field", problem);
  BundleHeader h;
  if (r.Str("format") != kHeaderFormat) r.FailField("format", "is not lontar-bundle");
  h.bundle_id = r.Hash("bundle_id");
  ReadBindingFields(r, h);
  if (problem.empty() && h.seq == 0) r.FailField("seq", "is 0");
  h.created_ms = r.I64("created_ms");
  auto id = crypto::KeyId::Parse(r.Str("results_key_id"));
  if (!id) r.FailField("results_key_id", "is not a key id");
  if (id) h.results_key_id = *id;
  if (!problem.empty()) return std::unexpected(Error::Malformed("bundle " + problem));
  return h;
}

Result<BundlePayload> ParsePayload(std::string_view json) {
  Json j = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return std::unexpected(Error::Malformed("bundle payload is not a JSON object"));
  }
  std::string problem;
  Reader r(j, "payload field", problem);
  BundlePayload p;
  if (r.Str("format") != kPayloadFormat) r.FailField("format", "is not lontar-bundle-payload");
  p.answers = r.Value("answers");
  p.flags = r.Value("flags");
  p.timings = r.Value("timings");
  p.score = r.Value("score");
  if (const Json* a = r.fields.Find("accommodations"); a != nullptr) {
    if (!a->is_object()) r.FailField("accommodations", "is not an object");
    p.accommodations = *a;
  }
  if (r.fields.Has("bound")) {
    if (const Json* bound = r.fields.Object("bound"); bound != nullptr) {
      Reader br(*bound, "payload bound field", problem);
      BundleBinding b;
      ReadBindingFields(br, b);
      p.bound = std::move(b);
    }
  }
  const Json& records = r.fields.Array("journal");
  p.journal.reserve(records.size());
  for (const Json& rec : records) {
    if (!problem.empty()) break;
    if (!rec.is_object()) {
      r.FailField("journal", "holds something that is not a record");
      break;
    }
    Reader rr(rec, "journal record field", problem);
    journal::Record out;
    out.seq = rr.U64("seq");
    out.mono_ns = rr.I64("mono_ns");
    out.wall_ms = rr.I64("wall_ms");
    out.type = rr.Str("type", journal::kMaxTypeBytes);
    out.payload = rr.Str("payload", journal::kMaxPayloadBytes, /*allow_empty=*/true);
    out.prev_hash = rr.Hash("prev_hash");
    out.hash = rr.Hash("hash");
    if (!problem.empty()) break;
    p.journal.push_back(std::move(out));
  }
  if (!problem.empty()) return std::unexpected(Error::Malformed("bundle " + problem));
  return p;
}

Status CheckBinding(const BundleHeader& header, const BundlePayload& payload) {
  if (!payload.bound) return Ok();
  const BundleBinding have = BindingOf(header);
  const BundleBinding& sealed = *payload.bound;
  if (have == sealed) return Ok();
  std::string diff;
  auto add = [&](const char* name, const std::string& h, const std::string& p) {
    if (h == p) return;
    diff += std::string(diff.empty() ? "" : ", ") + name + " " + h + ", sealed for " + p;
  };
  add("terminal", have.terminal_id, sealed.terminal_id);
  add("site", have.site, sealed.site);
  add("exam", have.exam_id, sealed.exam_id);
  add("pack", have.pack_id, sealed.pack_id);
  add("exam version", std::to_string(have.exam_version), std::to_string(sealed.exam_version));
  add("participant", have.participant, sealed.participant);
  add("seq", std::to_string(have.seq), std::to_string(sealed.seq));
  add("journal seq", std::to_string(have.journal_seq), std::to_string(sealed.journal_seq));
  add("journal hash", HexEncode(have.journal_hash).substr(0, 16),
      HexEncode(sealed.journal_hash).substr(0, 16));
  add("kind", std::string(KindName(have.kind)), std::string(KindName(sealed.kind)));
  return std::unexpected(Error::Corruption(
      "the header does not match what its sealed payload was written for (" + diff +
      "): another terminal re-signed this payload, or the header was rewritten"));
}

Result<BundleEnvelope> ParseEnvelope(ByteView in, std::string_view name) {
  if (in.size() > kMaxBundleBytes) {
    return std::unexpected(Error::Malformed(
        std::string(name) + " is oversized: " + std::to_string(in.size()) +
        " bytes, more than any result bundle can be (" + std::to_string(kMaxBundleBytes) + ")"));
  }
  if (in.size() < 8 || std::memcmp(in.data(), kMagic, 8) != 0) {
    return std::unexpected(
        Error::Malformed(std::string(name) + " is not a Lontar result bundle (.lrb)"));
  }
  auto truncated = [&](std::size_t need) {
    return std::unexpected(Damaged(name, "truncated: it ends at byte " + std::to_string(in.size()) +
                                             ", " + std::to_string(need - in.size()) +
                                             " bytes short (an interrupted copy?)"));
  };
  if (in.size() < 10) return truncated(10);
  const std::uint16_t version = static_cast<std::uint16_t>(in[8] | in[9] << 8);
  if (version < kOldestFormatVersion) {
    return std::unexpected(Damaged(name, "its format version is " + std::to_string(version)));
  }
  if (version > kFormatVersion) {
    return std::unexpected(
        Error::TooNew(std::string(name) + ": result bundle format " + std::to_string(version) +
                      " (this Lontar reads " + std::to_string(kOldestFormatVersion) + " to " +
                      std::to_string(kFormatVersion) + "); upgrade Lontar here"));
  }
  std::size_t at = 10;
  if (in.size() < at + 8 + 64 + 4) return truncated(at + 8 + 64 + 4);
  BundleEnvelope e;
  e.version = version;
  std::memcpy(e.signer.bytes.data(), in.data() + at, 8);
  std::memcpy(e.signature.data(), in.data() + at + 8, 64);
  at += 72;
  const std::uint32_t header_len = LoadU32(in.subspan(at, 4));
  at += 4;
  if (header_len == 0 || header_len > kMaxHeaderBytes) {
    return std::unexpected(Damaged(name, "its header length is " + std::to_string(header_len)));
  }
  if (in.size() < at + header_len + 8) return truncated(at + header_len + 8);
  e.header_json.assign(reinterpret_cast<const char*>(in.data() + at), header_len);
  at += header_len;
  const std::uint64_t payload_len = LoadU64(in.subspan(at, 8));
  at += 8;
  if (payload_len < kSlotBytes + crypto::EncryptedStreamSize(0) ||
      payload_len > kMaxSealedPayloadBytes) {
    return std::unexpected(
        Damaged(name, "its sealed payload length is " + std::to_string(payload_len)));
  }
  const std::size_t end = at + static_cast<std::size_t>(payload_len);
  if (in.size() < end) return truncated(end);
  if (in.size() > end) {
    return std::unexpected(Damaged(name, "has " + std::to_string(in.size() - end) +
                                             " bytes of trailing data after the sealed payload"));
  }
  e.sealed_payload = in.subspan(at, static_cast<std::size_t>(payload_len));
  return e;
}

namespace {

// `payload_hash` is BLAKE2b-256(e.sealed_payload): the one pass over the payload (the bulk of
// the file), done by the caller; the signed message carries it, and the bundle id hashes it.
Result<BundleHeader> VerifyWithKey(const BundleEnvelope& e, const crypto::Hash256& payload_hash,
                                   const crypto::VerifyKey& key, std::string_view name) {
  if (auto st = key.Verify(
          SignedMessage(e.signer, e.header_json, e.sealed_payload.size(), payload_hash, e.version),
          e.signature);
      !st) {
    return std::unexpected(Error::BadSignature(
        std::string(name) + ": the signature of terminal key " + key.id().ToString() +
        " does not verify: the bundle was altered or damaged after it was written. Export it "
        "again from the terminal's outbox"));
  }
  // Only now is the header worth reading.
  auto h = ParseHeader(e.header_json);
  if (!h) return std::unexpected(h.error().WithContext(name));
  h->format_version = e.version;
  if (!crypto::ConstantTimeEqual(h->bundle_id, ComputeBundleId(*h, payload_hash))) {
    return std::unexpected(Error::Corruption(
        std::string(name) +
        ": bundle id in the signed header does not match its header and sealed payload"));
  }
  if (h->terminal_id != terminal::TerminalIdFor(key)) {
    return std::unexpected(Error::Malformed(std::string(name) + ": header names terminal " +
                                            h->terminal_id + " but is signed by " +
                                            terminal::TerminalIdFor(key)));
  }
  return h;
}

}  // namespace

Result<BundleHeader> VerifyBundle(ByteView bytes, const crypto::VerifyKey& terminal_key,
                                  std::string_view name) {
  LONTAR_ASSIGN_OR_RETURN(BundleEnvelope e, ParseEnvelope(bytes, name));
  if (e.signer != terminal_key.id()) {
    return std::unexpected(Error::Untrusted(std::string(name) + " is signed by terminal key " +
                                            e.signer.ToString() + ", not by the expected " +
                                            terminal_key.id().ToString() +
                                            ": it comes from another terminal"));
  }
  return VerifyWithKey(e, crypto::Blake2b256(e.sealed_payload), terminal_key, name);
}

namespace {

Result<BundleHeader> VerifyEnrolled(const BundleEnvelope& e,
                                    std::span<const crypto::VerifyKey> enrolled,
                                    const crypto::Hash256* payload_hash, std::string_view name) {
  for (const crypto::VerifyKey& k : enrolled) {
    if (k.id() != e.signer) continue;
    return VerifyWithKey(e, payload_hash ? *payload_hash : crypto::Blake2b256(e.sealed_payload), k,
                         name);
  }
  return std::unexpected(Error::Untrusted(
      std::string(name) + " is signed by terminal key " + e.signer.ToString() + " (terminal T-" +
      e.signer.ToString() + "), which is not among the " + std::to_string(enrolled.size()) +
      " enrolled terminals. Add its enrollment record"));
}

constexpr char kFileDigestDomain[] = "lontar-bundle-file-v1";  // followed by its NUL

}  // namespace

Result<BundleHeader> VerifyBundle(ByteView bytes, std::span<const crypto::VerifyKey> enrolled,
                                  std::string_view name) {
  LONTAR_ASSIGN_OR_RETURN(BundleEnvelope e, ParseEnvelope(bytes, name));
  return VerifyEnrolled(e, enrolled, nullptr, name);
}

Result<HashedBundle> HashBundle(ByteView bytes, std::string_view name) {
  HashedBundle out;
  LONTAR_ASSIGN_OR_RETURN(out.envelope, ParseEnvelope(bytes, name));
  out.payload_hash = crypto::Blake2b256(out.envelope.sealed_payload);
  // ParseEnvelope ends the payload at the end of `bytes` (no trailing bytes), so what comes
  // before it is everything else of the file.
  const std::size_t head = bytes.size() - out.envelope.sealed_payload.size();
  crypto::Blake2bHasher hasher;
  hasher.Update(AsBytes(std::string_view(kFileDigestDomain, sizeof kFileDigestDomain)));
  hasher.Update(bytes.first(head));
  hasher.Update(ByteView(out.payload_hash.data(), out.payload_hash.size()));
  const Bytes digest = hasher.Finish();
  std::memcpy(out.file_digest.data(), digest.data(), out.file_digest.size());
  return out;
}

Result<BundleHeader> VerifyBundle(const HashedBundle& hashed,
                                  std::span<const crypto::VerifyKey> enrolled,
                                  std::string_view name) {
  return VerifyEnrolled(hashed.envelope, enrolled, &hashed.payload_hash, name);
}

Result<BundlePayload> OpenBundle(ByteView bytes, const crypto::BoxSecretKey& results_key,
                                 std::string_view name) {
  LONTAR_ASSIGN_OR_RETURN(BundleEnvelope e, ParseEnvelope(bytes, name));
  auto key = crypto::OpenSealed(results_key, e.sealed_payload.first(kSlotBytes));
  if (!key) {
    return std::unexpected(Error::WrongKey(
        std::string(name) + ": the results key " + results_key.id().ToString() +
        " does not open this bundle (sealed to another results key, or its key slot is "
        "damaged)"));
  }
  if (key->size() != crypto::kStreamKeySize) {
    return std::unexpected(Error::Corruption(std::string(name) + ": key slot of the wrong size"));
  }
  auto plain = crypto::DecryptBytes(*key, e.sealed_payload.subspan(kSlotBytes));
  if (!plain) {
    // The key slot opened, so a stream that fails is damaged, whatever the stream reports.
    return std::unexpected(
        Error::Corruption(std::string(name) + " payload: " + plain.error().message()));
  }
  auto payload = ParsePayload(AsChars(*plain));
  crypto::Wipe(*plain);
  if (!payload) return std::unexpected(payload.error().WithContext(name));
  if (e.version >= 2 && !payload->bound) {
    return std::unexpected(
        Damaged(name, "its format 2 payload lacks the header it was sealed for"));
  }
  // A format 1 envelope keeps what its payload says: a genuine format 1 payload has no "bound",
  // and one that has it is a format 2 payload wrapped again as format 1, whose header the caller
  // must still check against it (results.cpp), or the downgrade would undo the binding.
  for (const journal::Record& r : payload->journal) {
    if (!crypto::ConstantTimeEqual(journal::ComputeRecordHash(r), r.hash)) {
      return std::unexpected(Error::Corruption(std::string(name) + ": journal record " +
                                               std::to_string(r.seq) +
                                               " in the payload does not match its own hash"));
    }
  }
  return payload;
}

}  // namespace lontar::bundle

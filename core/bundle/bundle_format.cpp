#include "core/bundle/bundle_format.hpp"

#include <cstring>

#include "core/crypto/stream.hpp"
#include "core/terminal/terminal.hpp"
#include "core/util/json_fields.hpp"

namespace lontar::bundle {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kSignatureDomain[] = "lontar-bundle-v1";  // followed by its NUL in the message
constexpr char kIdDomain[] = "lontar-bundle-id-v2";      // the same
constexpr char kHeaderFormat[] = "lontar-bundle";
constexpr char kPayloadFormat[] = "lontar-bundle-payload";
constexpr std::size_t kMaxFieldBytes = 64;

Error Damaged(std::string_view name, const std::string& why) {
  return Error::Malformed(std::string(name) + ": " + why +
                          ". Export the bundle again from the terminal's outbox");
}

// Field readers that remember the first problem, naming the field (core/util/json_fields.hpp),
// with this format's defaults: text of 1 to kMaxFieldBytes bytes, hashes as 64 hex digits.
struct Reader : OrderedJsonFields {
  Reader(const Json& j, const char* what) : OrderedJsonFields(j, what) {}
  std::string Str(const char* name, std::size_t max = kMaxFieldBytes, bool allow_empty = false) {
    return OrderedJsonFields::Str(name, max, allow_empty);
  }
  std::uint64_t U64(const char* name) { return Unsigned(name); }
  std::int64_t I64(const char* name) { return Int(name); }
  crypto::Hash256 Hash(const char* name) {
    crypto::Hash256 h{};
    const Bytes bytes = Hex(name, h.size());
    if (bytes.size() == h.size()) std::memcpy(h.data(), bytes.data(), h.size());
    return h;
  }
  nlohmann::json Value(const char* name) {
    const Json* f = Get(name);
    return f == nullptr ? nlohmann::json(nullptr) : nlohmann::json(*f);
  }
};

Result<Kind> ParseKind(std::string_view s) {
  if (s == "submitted") return Kind::kSubmitted;
  if (s == "voided") return Kind::kVoided;
  return std::unexpected(Error::Malformed("kind '" + std::string(s) + "'"));
}

// JSON text; kInvalidArgument instead of nlohmann's exception for strings that are not UTF-8.
Result<std::string> Dump(const Json& j, std::string_view what) {
  try {
    return j.dump();
  } catch (const nlohmann::json::exception& e) {
    return std::unexpected(Error::InvalidArgument(std::string(what) + ": " + e.what()));
  }
}

Status CheckInputs(const BundleInputs& in, const crypto::SigningKey& key) {
  auto bad = [](const std::string& m) {
    return std::unexpected(Error::InvalidArgument("result bundle: " + m));
  };
  if (in.terminal_id != terminal::TerminalIdFor(key.public_key())) {
    return bad("terminal id " + in.terminal_id + " is not the signing key's (" +
               terminal::TerminalIdFor(key.public_key()) + ")");
  }
  if (auto st = terminal::ValidateSite(in.site); !st) return bad(st.error().message());
  for (const auto& [name, value] :
       {std::pair<const char*, const std::string*>{"exam id", &in.exam_id},
        {"pack id", &in.pack_id},
        {"participant", &in.participant}}) {
    if (value->empty() || value->size() > kMaxFieldBytes) {
      return bad(std::string(name) + " must be 1 to " + std::to_string(kMaxFieldBytes) + " bytes");
    }
  }
  if (in.seq == 0) return bad("bundle sequence numbers start at 1");
  return Ok();
}

// Appends `s` as a JSON string literal; false when `s` is not valid UTF-8.
bool AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c == '"' || c == '\\') {
        out += '\\';
        out += static_cast<char>(c);
      } else if (c < 0x20) {
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    // A multi-byte sequence: lead byte, continuation bytes, no overlongs, no surrogates, at most
    // U+10FFFF (RFC 3629).
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c >= 0xc2 && c <= 0xdf) {
      n = 1;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = cp << 6 | (cc & 0x3f);
    }
    if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (n == 3 && (cp < 0x10000 || cp > 0x10ffff))) {
      return false;
    }
    out.append(s.substr(i, n + 1));
    i += n + 1;
  }
  out += '"';
  return true;
}

}  // namespace

std::string_view KindName(Kind kind) { return kind == Kind::kSubmitted ? "submitted" : "voided"; }

std::string SerializeHeader(const BundleHeader& h) {
  Json j;
  j["format"] = kHeaderFormat;
  j["bundle_id"] = HexEncode(h.bundle_id);
  j["terminal_id"] = h.terminal_id;
  j["site"] = h.site;
  j["exam_id"] = h.exam_id;
  j["pack_id"] = h.pack_id;
  j["exam_version"] = h.exam_version;
  j["participant"] = h.participant;
  j["created_ms"] = h.created_ms;
  j["seq"] = h.seq;
  j["journal_seq"] = h.journal_seq;
  j["journal_hash"] = HexEncode(h.journal_hash);
  j["kind"] = KindName(h.kind);
  j["results_key_id"] = h.results_key_id.ToString();
  // Every field is ASCII-checked or a number, so this cannot throw for a header WriteBundle made;
  // replace rather than throw for one built by hand.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

Result<BundleHeader> ParseHeader(std::string_view json) {
  Json j = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return std::unexpected(Error::Malformed("bundle header is not a JSON object"));
  }
  Reader r(j, "header");
  BundleHeader h;
  if (r.Str("format") != kHeaderFormat) r.FailField("format", "is not lontar-bundle");
  h.bundle_id = r.Hash("bundle_id");
  h.terminal_id = r.Str("terminal_id");
  h.site = r.Str("site");
  h.exam_id = r.Str("exam_id");
  h.pack_id = r.Str("pack_id");
  h.exam_version = r.U64("exam_version");
  h.participant = r.Str("participant");
  h.created_ms = r.I64("created_ms");
  h.seq = r.U64("seq");
  if (h.seq == 0) r.FailField("seq", "is 0");
  h.journal_seq = r.U64("journal_seq");
  h.journal_hash = r.Hash("journal_hash");
  auto kind = ParseKind(r.Str("kind"));
  if (!kind) r.FailField("kind", "is neither submitted nor voided");
  h.kind = kind.value_or(Kind::kSubmitted);
  auto id = crypto::KeyId::Parse(r.Str("results_key_id"));
  if (!id) r.FailField("results_key_id", "is not a key id");
  if (id) h.results_key_id = *id;
  if (!r.ok()) return std::unexpected(Error::Malformed("bundle " + r.problem()));
  return h;
}

std::string SerializePayload(const BundlePayload& p) {
  Json j;
  j["format"] = kPayloadFormat;
  j["answers"] = p.answers;
  j["flags"] = p.flags;
  j["timings"] = p.timings;
  j["score"] = p.score;
  if (p.accommodations) j["accommodations"] = *p.accommodations;
  if (p.bound) {
    const BundleBinding& b = *p.bound;
    j["bound"] = {{"terminal_id", b.terminal_id},
                  {"site", b.site},
                  {"exam_id", b.exam_id},
                  {"pack_id", b.pack_id},
                  {"exam_version", b.exam_version},
                  {"participant", b.participant},
                  {"seq", b.seq},
                  {"journal_seq", b.journal_seq},
                  {"journal_hash", HexEncode(b.journal_hash)},
                  {"kind", std::string(KindName(b.kind))}};
  }
  j["journal"] = Json::array();
  auto head = Dump(j, "bundle payload");
  if (!head) return "";
  // The journal array is written by hand: building a JSON object per record took two thirds of
  // WriteBundle's time for a 5,000-record sitting (lontar_bundle_bench). Same JSON either way.
  std::string out = std::move(*head);
  out.resize(out.size() - 3);  // drop the empty array's "[]}"
  out.reserve(out.size() + p.journal.size() * 320);
  out += '[';
  for (std::size_t i = 0; i < p.journal.size(); ++i) {
    const journal::Record& r = p.journal[i];
    if (i > 0) out += ',';
    out += "{\"seq\":" + std::to_string(r.seq) + ",\"mono_ns\":" + std::to_string(r.mono_ns) +
           ",\"wall_ms\":" + std::to_string(r.wall_ms) + ",\"type\":";
    if (!AppendJsonString(out, r.type)) return "";
    out += ",\"payload\":";
    if (!AppendJsonString(out, r.payload)) return "";
    out +=
        ",\"prev_hash\":\"" + HexEncode(r.prev_hash) + "\",\"hash\":\"" + HexEncode(r.hash) + "\"}";
  }
  out += "]}";
  return out;
}

Result<BundlePayload> ParsePayload(std::string_view json) {
  Json j = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return std::unexpected(Error::Malformed("bundle payload is not a JSON object"));
  }
  Reader r(j, "payload");
  BundlePayload p;
  if (r.Str("format") != kPayloadFormat) r.FailField("format", "is not lontar-bundle-payload");
  p.answers = r.Value("answers");
  p.flags = r.Value("flags");
  p.timings = r.Value("timings");
  p.score = r.Value("score");
  if (auto a = j.find("accommodations"); a != j.end()) {
    if (!a->is_object()) r.FailField("accommodations", "is not an object");
    p.accommodations = *a;
  }
  if (auto bound = j.find("bound"); bound != j.end()) {
    if (!bound->is_object()) {
      r.FailField("bound", "is not an object");
    } else {
      Reader br(*bound, "payload bound");
      BundleBinding b;
      b.terminal_id = br.Str("terminal_id");
      b.site = br.Str("site");
      b.exam_id = br.Str("exam_id");
      b.pack_id = br.Str("pack_id");
      b.exam_version = br.U64("exam_version");
      b.participant = br.Str("participant");
      b.seq = br.U64("seq");
      b.journal_seq = br.U64("journal_seq");
      b.journal_hash = br.Hash("journal_hash");
      auto kind = ParseKind(br.Str("kind"));
      if (!kind) br.FailField("kind", "is neither submitted nor voided");
      b.kind = kind.value_or(Kind::kSubmitted);
      if (!br.ok()) r.Fail(br.problem());
      p.bound = std::move(b);
    }
  }
  auto records = j.find("journal");
  if (records == j.end() || !records->is_array()) {
    r.FailField("journal", "is missing or not a list");
  } else {
    p.journal.reserve(records->size());
    for (const Json& rec : *records) {
      if (!rec.is_object()) {
        r.FailField("journal", "holds something that is not a record");
        break;
      }
      Reader rr(rec, "journal record");
      journal::Record out;
      out.seq = rr.U64("seq");
      out.mono_ns = rr.I64("mono_ns");
      out.wall_ms = rr.I64("wall_ms");
      out.type = rr.Str("type", journal::kMaxTypeBytes);
      out.payload = rr.Str("payload", journal::kMaxPayloadBytes, /*allow_empty=*/true);
      out.prev_hash = rr.Hash("prev_hash");
      out.hash = rr.Hash("hash");
      if (!rr.ok()) {
        r.Fail(rr.problem());
        break;
      }
      p.journal.push_back(std::move(out));
    }
  }
  if (!r.ok()) return std::unexpected(Error::Malformed("bundle " + r.problem()));
  return p;
}

BundleBinding BindingOf(const BundleHeader& h) {
  return {h.terminal_id, h.site, h.exam_id,     h.pack_id,      h.exam_version,
          h.participant, h.seq,  h.journal_seq, h.journal_hash, h.kind};
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

crypto::Hash256 ComputeBundleId(const BundleHeader& header,
                                const crypto::Hash256& sealed_payload_hash) {
  if (header.format_version < 2) return sealed_payload_hash;
  BundleHeader zeroed = header;
  zeroed.bundle_id = {};
  const std::string json = SerializeHeader(zeroed);
  Bytes m(kIdDomain, kIdDomain + sizeof kIdDomain);  // with its NUL
  Append(m, sealed_payload_hash);
  AppendU32(m, static_cast<std::uint32_t>(json.size()));
  Append(m, AsBytes(json));
  return crypto::Blake2b256(m);
}

Bytes SignedMessage(const crypto::KeyId& signer, std::string_view header_json,
                    std::uint64_t sealed_payload_size, const crypto::Hash256& sealed_payload_hash,
                    std::uint16_t version) {
  Bytes m(kSignatureDomain, kSignatureDomain + sizeof kSignatureDomain);  // with its NUL
  AppendU16(m, version);
  Append(m, signer.bytes);
  AppendU32(m, static_cast<std::uint32_t>(header_json.size()));
  Append(m, AsBytes(header_json));
  AppendU64(m, sealed_payload_size);
  Append(m, sealed_payload_hash);
  return m;
}

Result<Bytes> WriteBundle(const BundleInputs& in, const crypto::SigningKey& terminal_key,
                          const crypto::BoxPublicKey& results_key) {
  LONTAR_TRY(CheckInputs(in, terminal_key));
  BundleHeader h;
  h.terminal_id = in.terminal_id;
  h.site = in.site;
  h.exam_id = in.exam_id;
  h.pack_id = in.pack_id;
  h.exam_version = in.exam_version;
  h.participant = in.participant;
  h.created_ms = in.created_ms;
  h.seq = in.seq;
  h.journal_seq = in.journal_seq;
  h.journal_hash = in.journal_hash;
  h.kind = in.kind;
  h.results_key_id = results_key.id();
  BundlePayload bound_payload;  // the caller's payload with the header it is written for
  const BundlePayload* payload = &in.payload;
  if (in.payload.bound != BindingOf(h)) {
    bound_payload = in.payload;
    bound_payload.bound = BindingOf(h);
    payload = &bound_payload;
  }
  const std::string payload_json = SerializePayload(*payload);
  if (payload_json.empty()) {
    return std::unexpected(Error::InvalidArgument(
        "result bundle: the payload holds text that is not UTF-8 (answers, flags, timings, score "
        "or a journal record)"));
  }
  if (crypto::EncryptedStreamSize(payload_json.size()) + kSlotBytes > kMaxSealedPayloadBytes) {
    return std::unexpected(Error::InvalidArgument(
        "result bundle: the payload is " + std::to_string(payload_json.size()) +
        " bytes, over the " + std::to_string(kMaxSealedPayloadBytes >> 20) + " MiB limit"));
  }

  LONTAR_ASSIGN_OR_RETURN(crypto::SecretBytes content_key, crypto::GenerateStreamKey());
  Bytes sealed = crypto::Seal(results_key, content_key.view());
  LONTAR_ASSIGN_OR_RETURN(Bytes stream, crypto::EncryptBytes(content_key, AsBytes(payload_json)));
  Append(sealed, stream);

  const crypto::Hash256 sealed_hash = crypto::Blake2b256(sealed);
  h.bundle_id = ComputeBundleId(h, sealed_hash);
  const std::string header = SerializeHeader(h);
  if (header.size() > kMaxHeaderBytes) {
    return std::unexpected(Error::InvalidArgument("result bundle: header over its size limit"));
  }

  const crypto::Signature signature =
      terminal_key.Sign(SignedMessage(terminal_key.id(), header, sealed.size(), sealed_hash));
  Bytes out(kMagic, kMagic + sizeof kMagic);
  out.reserve(kFixedBytes + header.size() + sealed.size());
  AppendU16(out, kFormatVersion);
  Append(out, terminal_key.id().bytes);
  Append(out, signature);
  AppendU32(out, static_cast<std::uint32_t>(header.size()));
  Append(out, AsBytes(header));
  AppendU64(out, sealed.size());
  Append(out, sealed);
  return out;
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

Result<BundleHeader> VerifyWithKey(const BundleEnvelope& e, const crypto::VerifyKey& key,
                                   std::string_view name) {
  // The one pass over the payload (the bulk of the file): the signed message carries its hash,
  // and the header's bundle id must be that same hash.
  const crypto::Hash256 payload_hash = crypto::Blake2b256(e.sealed_payload);
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
  return VerifyWithKey(e, terminal_key, name);
}

Result<BundleHeader> VerifyBundle(ByteView bytes, std::span<const crypto::VerifyKey> enrolled,
                                  std::string_view name) {
  LONTAR_ASSIGN_OR_RETURN(BundleEnvelope e, ParseEnvelope(bytes, name));
  for (const crypto::VerifyKey& k : enrolled) {
    if (k.id() == e.signer) return VerifyWithKey(e, k, name);
  }
  return std::unexpected(Error::Untrusted(
      std::string(name) + " is signed by terminal key " + e.signer.ToString() + " (terminal T-" +
      e.signer.ToString() + "), which is not among the " + std::to_string(enrolled.size()) +
      " enrolled terminals. Add its enrollment record"));
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

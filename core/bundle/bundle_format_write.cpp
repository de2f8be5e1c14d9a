// Writing a result bundle (bundle_format.hpp has the layout): the payload JSON, sealing,
// the bundle id and the signature.
#include <charconv>
#include <cstring>

#include "core/bundle/bundle_format.hpp"
#include "core/crypto/stream.hpp"
#include "core/terminal/terminal.hpp"

namespace lontar::bundle {
namespace {

using Json = nlohmann::ordered_json;

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
    // Runs of printable ASCII other than '"' and '\\' (nearly all of a journal payload) are
    // copied whole.
    std::size_t plain = i;
    while (plain < s.size()) {
      const auto p = static_cast<unsigned char>(s[plain]);
      if (p < 0x20 || p >= 0x80 || p == '"' || p == '\\') break;
      ++plain;
    }
    if (plain > i) {
      out.append(s.data() + i, plain - i);
      i = plain;
      continue;
    }
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

void AppendNumber(std::string& out, std::int64_t v) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

void AppendNumber(std::string& out, std::uint64_t v) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

void AppendHex(std::string& out, const crypto::Hash256& h) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::uint8_t b : h) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
}

// SerializePayload, with `bound` as the payload's binding: WriteBundle binds the caller's payload
// to its header without copying it (a copy of a 3-hour sitting's records cost as much as the
// rest of WriteBundle).
std::string PayloadJson(const BundlePayload& p, const std::optional<BundleBinding>& bound) {
  Json j;
  j["format"] = kPayloadFormat;
  j["answers"] = p.answers;
  j["flags"] = p.flags;
  j["timings"] = p.timings;
  j["score"] = p.score;
  if (p.accommodations) j["accommodations"] = *p.accommodations;
  if (bound) {
    const BundleBinding& b = *bound;
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
  std::size_t journal_bytes = 0;
  for (const journal::Record& r : p.journal) journal_bytes += r.payload.size() + r.type.size();
  out.reserve(out.size() + journal_bytes + p.journal.size() * 260 + 2);
  out += '[';
  for (std::size_t i = 0; i < p.journal.size(); ++i) {
    const journal::Record& r = p.journal[i];
    if (i > 0) out += ',';
    out += "{\"seq\":";
    AppendNumber(out, r.seq);
    out += ",\"mono_ns\":";
    AppendNumber(out, r.mono_ns);
    out += ",\"wall_ms\":";
    AppendNumber(out, r.wall_ms);
    out += ",\"type\":";
    if (!AppendJsonString(out, r.type)) return "";
    out += ",\"payload\":";
    if (!AppendJsonString(out, r.payload)) return "";
    out += ",\"prev_hash\":\"";
    AppendHex(out, r.prev_hash);
    out += "\",\"hash\":\"";
    AppendHex(out, r.hash);
    out += "\"}";
  }
  out += "]}";
  return out;
}

}  // namespace

std::string SerializePayload(const BundlePayload& p) { return PayloadJson(p, p.bound); }

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
  const std::string payload_json = PayloadJson(in.payload, BindingOf(h));
  if (payload_json.empty()) {
    return std::unexpected(Error::InvalidArgument(
        "result bundle: the payload holds text that is not UTF-8 (answers, flags, timings, score "
        "or a journal record)"));
  }
  const std::uint64_t sealed_size = kSlotBytes + crypto::EncryptedStreamSize(payload_json.size());
  if (sealed_size > kMaxSealedPayloadBytes) {
    return std::unexpected(Error::InvalidArgument(
        "result bundle: the payload is " + std::to_string(payload_json.size()) +
        " bytes, over the " + std::to_string(kMaxSealedPayloadBytes >> 20) + " MiB limit"));
  }
  // The header's length does not depend on the bundle id (fixed-length hex), so the file is laid
  // out with a placeholder header and signature and the payload is sealed straight into place,
  // hashed as it is written: one pass over the payload, no copies of it.
  const std::size_t header_size = SerializeHeader(h).size();
  if (header_size > kMaxHeaderBytes) {
    return std::unexpected(Error::InvalidArgument("result bundle: header over its size limit"));
  }
  Bytes out(kMagic, kMagic + sizeof kMagic);
  out.reserve(kFixedBytes + header_size + sealed_size);
  AppendU16(out, kFormatVersion);
  Append(out, terminal_key.id().bytes);
  const std::size_t signature_at = out.size();
  out.resize(out.size() + crypto::Signature{}.size());
  AppendU32(out, static_cast<std::uint32_t>(header_size));
  const std::size_t header_at = out.size();
  out.resize(out.size() + header_size);
  AppendU64(out, sealed_size);

  LONTAR_ASSIGN_OR_RETURN(crypto::SecretBytes content_key, crypto::GenerateStreamKey());
  crypto::Blake2bHasher hasher(32);
  const Bytes slot = crypto::Seal(results_key, content_key.view());
  hasher.Update(slot);
  Append(out, slot);
  std::size_t read_at = 0;
  auto read = [&](std::uint8_t* buffer, std::size_t max) -> Result<std::size_t> {
    const std::size_t n = std::min(max, payload_json.size() - read_at);
    std::memcpy(buffer, payload_json.data() + read_at, n);
    read_at += n;
    return n;
  };
  LONTAR_TRY(crypto::EncryptStream(content_key, read, [&](ByteView d) -> Status {
    hasher.Update(d);
    Append(out, d);
    return Ok();
  }));
  if (out.size() != kFixedBytes + header_size + sealed_size) {
    return std::unexpected(Error::Internal("result bundle: sealed payload of an unexpected size"));
  }
  const Bytes digest = hasher.Finish();
  crypto::Hash256 sealed_hash{};
  std::copy(digest.begin(), digest.end(), sealed_hash.begin());

  h.bundle_id = ComputeBundleId(h, sealed_hash);
  const std::string header = SerializeHeader(h);
  if (header.size() != header_size) {
    return std::unexpected(Error::Internal("result bundle: header changed length"));
  }
  std::memcpy(out.data() + header_at, header.data(), header.size());
  const crypto::Signature signature =
      terminal_key.Sign(SignedMessage(terminal_key.id(), header, sealed_size, sealed_hash));
  std::memcpy(out.data() + signature_at, signature.data(), signature.size());
  return out;
}

}  // namespace lontar::bundle

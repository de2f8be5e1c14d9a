// The pieces of the result bundle format that writing and reading share (bundle_format.hpp has
// the layout): the header's JSON, the bundle id and the signed message.
#include "core/bundle/bundle_format.hpp"

namespace lontar::bundle {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kSignatureDomain[] = "lontar-bundle-v1";  // followed by its NUL in the message
constexpr char kIdDomain[] = "lontar-bundle-id-v2";      // the same

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

BundleBinding BindingOf(const BundleHeader& h) {
  return {h.terminal_id, h.site, h.exam_id,     h.pack_id,      h.exam_version,
          h.participant, h.seq,  h.journal_seq, h.journal_hash, h.kind};
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

}  // namespace lontar::bundle

#include "core/bundle/receipt.hpp"

#include <nlohmann/json.hpp>

#include "core/bundle/receipt_code.hpp"
#include "core/format/signed_envelope.hpp"

namespace lontar::bundle {
namespace {

Result<Receipt> ParseBody(const format::SignedEnvelope& envelope) {
  // Version 1 has no signed_ms; version 2 must carry it.
  nlohmann::json j = nlohmann::json::parse(envelope.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return std::unexpected(Error::Malformed("receipt: body is not a JSON object"));
  }
  auto text = [&](const char* name) -> Result<std::string> {
    auto it = j.find(name);
    if (it == j.end() || !it->is_string()) {
      return std::unexpected(
          Error::Malformed(std::string("receipt: field '") + name + "' missing or not a string"));
    }
    return it->get<std::string>();
  };
  auto number = [&](const char* name) -> Result<std::int64_t> {
    auto it = j.find(name);
    if (it == j.end() || !it->is_number_integer()) {
      return std::unexpected(
          Error::Malformed(std::string("receipt: field '") + name + "' missing or not an integer"));
    }
    return it->get<std::int64_t>();
  };
  Receipt r;
  LONTAR_ASSIGN_OR_RETURN(std::string id_hex, text("bundle_id"));
  auto id = HexDecode(id_hex);
  if (!id || id->size() != r.bundle_id.size()) {
    return std::unexpected(Error::Malformed("receipt: bundle_id is not 64 hex digits"));
  }
  std::copy(id->begin(), id->end(), r.bundle_id.begin());
  LONTAR_ASSIGN_OR_RETURN(r.terminal_id, text("terminal_id"));
  LONTAR_ASSIGN_OR_RETURN(std::int64_t seq, number("seq"));
  if (seq < 1) return std::unexpected(Error::Malformed("receipt: seq must be 1 or more"));
  r.seq = static_cast<std::uint64_t>(seq);
  LONTAR_ASSIGN_OR_RETURN(r.stored_ms, number("stored_ms"));
  LONTAR_ASSIGN_OR_RETURN(std::string key_id, text("server_key_id"));
  auto parsed_id = crypto::KeyId::Parse(key_id);
  if (!parsed_id) return std::unexpected(Error::Malformed("receipt: bad server_key_id"));
  r.server_key_id = *parsed_id;
  if (envelope.version >= 2) {
    LONTAR_ASSIGN_OR_RETURN(std::int64_t signed_ms, number("signed_ms"));
    r.signed_ms = signed_ms;
  }
  if (r.server_key_id != envelope.signer.id()) {
    return std::unexpected(Error::Malformed("receipt: names server key " + key_id +
                                            " but is signed by " +
                                            envelope.signer.id().ToString()));
  }
  return r;
}

}  // namespace

std::string WriteReceipt(const Receipt& receipt, const crypto::SigningKey& server_key) {
  nlohmann::ordered_json j;
  j["bundle_id"] = HexEncode(receipt.bundle_id);
  j["receipt_code"] = bundle::ReceiptCodeFor(receipt.bundle_id);
  j["terminal_id"] = receipt.terminal_id;
  j["seq"] = receipt.seq;
  j["stored_ms"] = receipt.stored_ms;
  j["server_key_id"] = server_key.id().ToString();
  j["signed_ms"] = receipt.signed_ms.value_or(receipt.stored_ms);
  return format::WriteSignedEnvelope(kReceiptFormat, kReceiptVersion, server_key, j.dump());
}

Result<Receipt> ParseReceipt(ByteView bytes) {
  auto envelope =
      format::ReadSignedEnvelope(bytes, kReceiptFormat, kReceiptVersion, kMaxReceiptBytes);
  if (!envelope) return std::unexpected(envelope.error());
  return ParseBody(*envelope);
}

Result<Receipt> VerifyReceipt(ByteView bytes, const crypto::VerifyKey& server_key) {
  auto envelope =
      format::ReadSignedEnvelope(bytes, kReceiptFormat, kReceiptVersion, kMaxReceiptBytes);
  if (!envelope) return std::unexpected(envelope.error());
  if (envelope->signer != server_key) {
    return std::unexpected(Error::Untrusted(
        "receipt signed by key " + envelope->signer.id().ToString() + ", not by the server key " +
        server_key.id().ToString() + " given to trust"));
  }
  return ParseBody(*envelope);
}

}  // namespace lontar::bundle

#include "core/format/signed_envelope.hpp"

#include <nlohmann/json.hpp>

namespace lontar::format {
namespace {

Bytes SignedMessage(std::string_view format, int version, std::string_view body) {
  Bytes m;
  Append(m, AsBytes(format));
  m.push_back('\n');
  Append(m, AsBytes(std::to_string(version)));
  m.push_back('\n');
  Append(m, AsBytes(body));
  return m;
}

}  // namespace

std::string WriteSignedEnvelope(std::string_view format, int version,
                                const crypto::SigningKey& signer, std::string_view body) {
  crypto::Signature sig = signer.Sign(SignedMessage(format, version, body));
  nlohmann::ordered_json j;
  j["format"] = format;
  j["version"] = version;
  j["signer"] = Base64Encode(signer.public_key().view());
  j["body"] = body;
  j["signature"] = Base64Encode(sig);
  return j.dump(2) + "\n";
}

Result<SignedEnvelope> ReadSignedEnvelope(ByteView data, std::string_view format, int max_version,
                                          std::size_t max_bytes) {
  const std::string what(format);
  if (data.size() > max_bytes) {
    return std::unexpected(
        Error::Malformed("not a " + what + " record: " + std::to_string(data.size()) +
                         " bytes, at most " + std::to_string(max_bytes) + " expected"));
  }
  nlohmann::json j = nlohmann::json::parse(data.begin(), data.end(), nullptr,
                                           /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return std::unexpected(Error::Malformed("not a " + what +
                                            " record (not a JSON object; the "
                                            "file may be truncated or of another kind)"));
  }
  auto text_field = [&](const char* name) -> Result<std::string> {
    auto it = j.find(name);
    if (it == j.end() || !it->is_string()) {
      return std::unexpected(
          Error::Malformed(what + " record: field '" + name + "' is missing or not a string"));
    }
    return it->get<std::string>();
  };
  LONTAR_ASSIGN_OR_RETURN(std::string found_format, text_field("format"));
  if (found_format != format) {
    return std::unexpected(
        Error::Malformed("this is a '" + found_format + "' record, not a " + what + " record"));
  }
  auto version_it = j.find("version");
  if (version_it == j.end() || !version_it->is_number_integer()) {
    return std::unexpected(Error::Malformed(what + " record: field 'version' is missing"));
  }
  const auto version = version_it->get<std::int64_t>();
  if (version < 1) return std::unexpected(Error::Malformed(what + " record: bad version"));
  if (version > max_version) {
    return std::unexpected(Error::TooNew(what + " record has format version " +
                                         std::to_string(version) + "; this Lontar reads up to " +
                                         std::to_string(max_version) + ". Upgrade Lontar"));
  }
  LONTAR_ASSIGN_OR_RETURN(std::string signer_b64, text_field("signer"));
  LONTAR_ASSIGN_OR_RETURN(std::string body, text_field("body"));
  LONTAR_ASSIGN_OR_RETURN(std::string sig_b64, text_field("signature"));
  auto signer_raw = Base64Decode(signer_b64);
  if (!signer_raw) return std::unexpected(Error::Malformed(what + " record: bad signer key"));
  auto signer = crypto::VerifyKey::FromBytes(*signer_raw);
  if (!signer) return std::unexpected(signer.error().WithContext(what + " record signer"));
  auto sig = Base64Decode(sig_b64);
  if (!sig) return std::unexpected(Error::Malformed(what + " record: bad signature encoding"));
  if (auto st = signer->Verify(SignedMessage(format, static_cast<int>(version), body), *sig); !st) {
    return std::unexpected(Error::BadSignature(
        what +
        " record: signature does not verify (the record was altered or damaged after it "
        "was signed; get a fresh copy from its source)"));
  }
  return SignedEnvelope{found_format, static_cast<int>(version), *signer, std::move(body)};
}

}  // namespace lontar::format

#include "core/terminal/trust.hpp"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "core/format/signed_envelope.hpp"

namespace lontar::terminal {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kTrustUpdateFormat[] = "lontar-trust-update";
constexpr char kSequenceMeta[] = "trust_sequence";

Result<TrustUpdate> ParseBody(const std::string& body) {
  auto bad = [](const std::string& why) {
    return std::unexpected(Error::Malformed("trust update: " + why));
  };
  Json j = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return bad("body is not a JSON object");
  TrustUpdate u;
  auto seq = j.find("sequence");
  if (seq == j.end() || !seq->is_number_unsigned()) return bad("'sequence' is missing");
  u.sequence = seq->get<std::uint64_t>();
  auto add = j.find("add");
  auto revoke = j.find("revoke");
  if (add == j.end() || !add->is_array() || revoke == j.end() || !revoke->is_array()) {
    return bad("'add' and 'revoke' must be lists");
  }
  if (add->size() > 16 || revoke->size() > 16) return bad("too many keys in one update");
  for (const Json& k : *add) {
    if (!k.is_object() || !k.contains("key") || !k["key"].is_string() || !k.contains("label") ||
        !k["label"].is_string() || k["label"].get<std::string>().size() > 128) {
      return bad("an added key needs 'key' and 'label'");
    }
    auto raw = Base64Decode(k["key"].get<std::string>());
    if (!raw) return bad("an added key is not base64");
    auto key = crypto::VerifyKey::FromBytes(*raw);
    if (!key) return bad(key.error().message());
    u.add.push_back({*key, k["label"].get<std::string>()});
  }
  for (const Json& r : *revoke) {
    if (!r.is_string()) return bad("a revoked key id is not text");
    auto id = crypto::KeyId::Parse(r.get<std::string>());
    if (!id) return bad("'" + r.get<std::string>() + "' is not a key id");
    u.revoke.push_back(*id);
  }
  return u;
}

}  // namespace

std::string WriteTrustUpdate(const TrustUpdate& u, const crypto::SigningKey& signer,
                             std::int64_t wall_ms) {
  Json body;
  body["sequence"] = u.sequence;
  Json add = Json::array();
  for (const TrustedKey& k : u.add) {
    add.push_back({{"key", Base64Encode(k.key.view())},
                   {"key_id", k.key.id().ToString()},
                   {"label", k.label}});
  }
  body["add"] = add;
  Json revoke = Json::array();
  for (const crypto::KeyId& id : u.revoke) revoke.push_back(id.ToString());
  body["revoke"] = revoke;
  body["created_wall_ms"] = wall_ms;
  return format::WriteSignedEnvelope(kTrustUpdateFormat, 1, signer, body.dump());
}

Result<TrustUpdate> ApplyTrustUpdate(Terminal& t, ByteView data) {
  LONTAR_ASSIGN_OR_RETURN(
      format::SignedEnvelope envelope,
      format::ReadSignedEnvelope(data, kTrustUpdateFormat, 1, kMaxTrustUpdateBytes));
  LONTAR_ASSIGN_OR_RETURN(std::vector<TrustedKey> trusted, t.TrustedKeys());
  const bool signer_trusted = std::any_of(trusted.begin(), trusted.end(), [&](const TrustedKey& k) {
    return k.key == envelope.signer;
  });
  if (!signer_trusted) {
    return std::unexpected(Error::Untrusted(
        "trust update is signed by key " + envelope.signer.id().ToString() +
        ", which this terminal does not trust; only a currently trusted authority key can change "
        "what the terminal trusts"));
  }
  LONTAR_ASSIGN_OR_RETURN(TrustUpdate u, ParseBody(envelope.body));
  vault::Vault& v = t.vault();
  LONTAR_ASSIGN_OR_RETURN(auto last_text, v.GetMeta(kSequenceMeta));
  std::uint64_t last = 0;
  if (last_text) std::from_chars(last_text->data(), last_text->data() + last_text->size(), last);
  if (u.sequence <= last) {
    return std::unexpected(Error::InvalidArgument(
        "trust update number " + std::to_string(u.sequence) + " is not newer than number " +
        std::to_string(last) + ", already applied; an old update is never applied again"));
  }
  std::vector<crypto::KeyId> remaining;
  for (const TrustedKey& k : trusted) {
    if (std::find(u.revoke.begin(), u.revoke.end(), k.key.id()) == u.revoke.end()) {
      remaining.push_back(k.key.id());
    }
  }
  if (remaining.empty() && u.add.empty()) {
    return std::unexpected(Error::InvalidArgument(
        "this trust update would leave the terminal trusting no authority key; it is refused"));
  }
  Json payload;
  payload["sequence"] = u.sequence;
  payload["signer"] = envelope.signer.id().ToString();
  Json added = Json::array(), revoked = Json::array();
  for (const TrustedKey& k : u.add) added.push_back(k.key.id().ToString());
  for (const crypto::KeyId& id : u.revoke) revoked.push_back(id.ToString());
  payload["added"] = added;
  payload["revoked"] = revoked;
  const std::uint64_t seq = t.journal().head().seq + 1;
  const journal::Event event{"trust.updated", payload.dump()};
  LONTAR_TRY(t.journal().Append(std::span<const journal::Event>(&event, 1), [&]() -> Status {
    for (const crypto::KeyId& id : u.revoke) {
      LONTAR_ASSIGN_OR_RETURN(vault::Statement del,
                              v.db().Prepare("DELETE FROM trusted_keys WHERE key_id = ?"));
      del.Bind(1, id.ToString());
      LONTAR_TRY(del.Run());
    }
    for (const TrustedKey& k : u.add) {
      LONTAR_ASSIGN_OR_RETURN(
          vault::Statement ins,
          v.db().Prepare("INSERT OR REPLACE INTO trusted_keys(key_id, public_key, label, "
                         "added_seq) VALUES (?, ?, ?, ?)"));
      ins.Bind(1, k.key.id().ToString())
          .BindBlob(2, k.key.view())
          .Bind(3, k.label)
          .Bind(4, static_cast<std::int64_t>(seq));
      LONTAR_TRY(ins.Run());
    }
    return v.SetMeta(kSequenceMeta, std::to_string(u.sequence));
  }));
  return u;
}

}  // namespace lontar::terminal

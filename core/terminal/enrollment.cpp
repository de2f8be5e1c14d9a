#include "core/terminal/enrollment.hpp"

#include <nlohmann/json.hpp>

#include "core/format/signed_envelope.hpp"
#include "core/terminal/terminal.hpp"
#include "core/util/fs.hpp"

namespace lontar::terminal {
namespace {

constexpr char kEnrollmentFormat[] = "lontar-enrollment";
constexpr int kEnrollmentVersion = 1;

}  // namespace

std::string WriteEnrollment(const Terminal& terminal, std::int64_t wall_ms) {
  nlohmann::ordered_json body;
  body["terminal_id"] = terminal.id();
  body["site"] = terminal.site();
  body["name"] = terminal.name();
  body["signing_key"] = Base64Encode(terminal.signing_key().public_key().view());
  body["box_key"] = Base64Encode(terminal.box_key().public_key().view());
  body["box_key_id"] = terminal.box_key().public_key().id().ToString();
  body["created_wall_ms"] = wall_ms;
  return format::WriteSignedEnvelope(kEnrollmentFormat, kEnrollmentVersion, terminal.signing_key(),
                                     body.dump());
}

Result<Enrollment> ReadEnrollment(ByteView data) {
  LONTAR_ASSIGN_OR_RETURN(
      format::SignedEnvelope envelope,
      format::ReadSignedEnvelope(data, kEnrollmentFormat, kEnrollmentVersion, kMaxEnrollmentBytes));
  auto body = nlohmann::json::parse(envelope.body, nullptr, /*allow_exceptions=*/false);
  auto bad = [](const std::string& what) {
    return std::unexpected(Error::Malformed("enrollment record: " + what));
  };
  if (body.is_discarded() || !body.is_object()) return bad("body is not a JSON object");
  auto text = [&](const char* name) -> std::optional<std::string> {
    auto it = body.find(name);
    if (it == body.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  Enrollment e;
  auto id = text("terminal_id");
  auto site = text("site");
  auto name = text("name");
  auto signing = text("signing_key");
  auto box = text("box_key");
  auto created = body.find("created_wall_ms");
  if (!id || !site || !name || !signing || !box || created == body.end() ||
      !created->is_number_integer()) {
    return bad(
        "a required field is missing (terminal_id, site, name, signing_key, box_key, "
        "created_wall_ms)");
  }
  auto signing_raw = Base64Decode(*signing);
  if (!signing_raw || !crypto::ConstantTimeEqual(*signing_raw, envelope.signer.view())) {
    return bad("signing_key is not the key that signed the record");
  }
  e.signing_key = envelope.signer;
  if (*id != TerminalIdFor(e.signing_key)) {
    return bad("terminal_id " + *id + " does not match its signing key (expected " +
               TerminalIdFor(e.signing_key) + ")");
  }
  if (auto st = ValidateSite(*site); !st) return bad(st.error().message());
  auto box_raw = Base64Decode(*box);
  if (!box_raw) return bad("box_key is not base64");
  auto box_key = crypto::BoxPublicKey::FromBytes(*box_raw);
  if (!box_key) return bad(box_key.error().message());
  e.terminal_id = *id;
  e.site = *site;
  e.name = *name;
  e.box_key = *box_key;
  e.created_wall_ms = created->get<std::int64_t>();
  return e;
}

Result<Enrollment> ReadEnrollmentFile(const std::filesystem::path& path) {
  auto data = ReadFile(path, kMaxEnrollmentBytes);
  if (!data) return std::unexpected(data.error());
  auto e = ReadEnrollment(*data);
  if (!e) return std::unexpected(e.error().WithContext(path.string()));
  return e;
}

Result<std::vector<Enrollment>> ReadEnrollmentDir(const std::filesystem::path& dir) {
  LONTAR_ASSIGN_OR_RETURN(std::vector<std::filesystem::path> files,
                          ListFilesWithExtension(dir, ".enroll"));
  std::vector<Enrollment> records;
  for (const auto& f : files) {
    LONTAR_ASSIGN_OR_RETURN(Enrollment e, ReadEnrollmentFile(f));
    records.push_back(std::move(e));
  }
  return records;
}

std::vector<crypto::VerifyKey> SigningKeysOf(const std::vector<Enrollment>& records) {
  std::vector<crypto::VerifyKey> keys;
  keys.reserve(records.size());
  for (const auto& e : records) keys.push_back(e.signing_key);
  return keys;
}

}  // namespace lontar::terminal

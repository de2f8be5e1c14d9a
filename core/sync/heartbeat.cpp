#include "core/sync/heartbeat.hpp"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/format/signed_envelope.hpp"
#include "core/terminal/terminal.hpp"

namespace lontar::sync {
namespace {

using Json = nlohmann::json;

// Limits on the free-text fields, so that a heartbeat stays small and a tile readable.
constexpr std::size_t kMaxTextBytes = 256;

Error Field(const std::string& name, const std::string& what) {
  return Error::Malformed("heartbeat: field '" + name + "' " + what);
}

Result<std::string> Text(const Json& j, const std::string& name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_string()) return std::unexpected(Field(name, "is not a string"));
  std::string s = it->get<std::string>();
  if (s.size() > kMaxTextBytes) return std::unexpected(Field(name, "is over 256 bytes"));
  return s;
}

Result<std::uint64_t> Count(const Json& j, const std::string& name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number_unsigned()) {
    return std::unexpected(Field(name, "is not a whole number of 0 or more"));
  }
  return it->get<std::uint64_t>();
}

Result<std::int64_t> Signed(const Json& j, const std::string& name) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number_integer()) {
    return std::unexpected(Field(name, "is not a whole number"));
  }
  if (it->is_number_unsigned() &&
      it->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<int64_t>::max())) {
    return std::unexpected(Field(name, "is out of range"));
  }
  return it->get<std::int64_t>();
}

}  // namespace

Status ValidateSeat(std::string_view seat) {
  if (seat.empty() || seat.size() > kMaxSeatBytes) {
    return std::unexpected(Error::InvalidArgument("a seat label of " + std::to_string(seat.size()) +
                                                  " bytes: give 1 to 32 characters"));
  }
  for (unsigned char c : seat) {
    if (c < 0x20 || c == 0x7f) {
      return std::unexpected(Error::InvalidArgument("seat label: no control characters"));
    }
  }
  return Ok();
}

void AddSittingProgress(nlohmann::ordered_json& j, const Heartbeat& hb) {
  j["participant"] = hb.participant;
  j["phase"] = hb.phase;
  j["section"] = hb.section;
  j["section_title"] = hb.section_title;
  j["answered"] = hb.answered;
  j["items"] = hb.items;
  j["time_left_s"] = hb.time_left_s;
}

std::string WriteHeartbeat(const Heartbeat& hb, const crypto::SigningKey& key) {
  nlohmann::ordered_json j;
  j["terminal_id"] = hb.terminal_id;
  j["site"] = hb.site;
  j["name"] = hb.name;
  j["seat"] = hb.seat;
  j["seq"] = hb.seq;
  j["sent_ms"] = hb.sent_ms;
  j["clock_offset_ms"] =
      hb.clock_offset_ms ? nlohmann::ordered_json(*hb.clock_offset_ms) : nlohmann::ordered_json();
  j["pack_id"] = hb.pack_id;
  j["exam_id"] = hb.exam_id;
  j["title"] = hb.title;
  AddSittingProgress(j, hb);
  j["last_answer_ms"] = hb.last_answer_ms;
  j["outbox"] = hb.outbox;
  return format::WriteSignedEnvelope(kHeartbeatFormat, 1, key, j.dump());
}

Result<SignedHeartbeat> ReadHeartbeat(ByteView data) {
  LONTAR_ASSIGN_OR_RETURN(
      format::SignedEnvelope env,
      format::ReadSignedEnvelope(data, kHeartbeatFormat, 1, kMaxHeartbeatBytes));
  // The signature has checked: only now is the body read.
  const Json j = Json::parse(env.body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return std::unexpected(Error::Malformed("heartbeat: the body is not a JSON object"));
  }
  Heartbeat hb;
  LONTAR_ASSIGN_OR_RETURN(hb.terminal_id, Text(j, "terminal_id"));
  const std::string signer_id = terminal::TerminalIdFor(env.signer);
  if (hb.terminal_id != signer_id) {
    return std::unexpected(Error::Untrusted("heartbeat names terminal " + hb.terminal_id +
                                            " but is signed by " + signer_id +
                                            ": a terminal may speak only for itself"));
  }
  LONTAR_ASSIGN_OR_RETURN(hb.site, Text(j, "site"));
  LONTAR_ASSIGN_OR_RETURN(hb.name, Text(j, "name"));
  LONTAR_ASSIGN_OR_RETURN(hb.seat, Text(j, "seat"));
  if (auto st = ValidateSeat(hb.seat); !st) {
    return std::unexpected(Field("seat", "is not a seat label: " + st.error().message()));
  }
  LONTAR_ASSIGN_OR_RETURN(hb.seq, Count(j, "seq"));
  if (hb.seq == 0) return std::unexpected(Field("seq", "is 0 (numbers start at 1)"));
  LONTAR_ASSIGN_OR_RETURN(hb.sent_ms, Signed(j, "sent_ms"));
  auto offset = j.find("clock_offset_ms");
  if (offset == j.end()) return std::unexpected(Field("clock_offset_ms", "is missing"));
  if (!offset->is_null()) {
    LONTAR_ASSIGN_OR_RETURN(hb.clock_offset_ms, Signed(j, "clock_offset_ms"));
  }
  LONTAR_ASSIGN_OR_RETURN(hb.pack_id, Text(j, "pack_id"));
  LONTAR_ASSIGN_OR_RETURN(hb.exam_id, Text(j, "exam_id"));
  LONTAR_ASSIGN_OR_RETURN(hb.title, Text(j, "title"));
  LONTAR_ASSIGN_OR_RETURN(hb.participant, Text(j, "participant"));
  LONTAR_ASSIGN_OR_RETURN(hb.phase, Text(j, "phase"));
  if (std::find(std::begin(kSeatPhases), std::end(kSeatPhases), hb.phase) ==
      std::end(kSeatPhases)) {
    return std::unexpected(Field("phase", "is not a known phase: '" + hb.phase + "'"));
  }
  LONTAR_ASSIGN_OR_RETURN(hb.section, Count(j, "section"));
  LONTAR_ASSIGN_OR_RETURN(hb.section_title, Text(j, "section_title"));
  LONTAR_ASSIGN_OR_RETURN(hb.answered, Count(j, "answered"));
  LONTAR_ASSIGN_OR_RETURN(hb.items, Count(j, "items"));
  if (hb.answered > hb.items) return std::unexpected(Field("answered", "is more than 'items'"));
  LONTAR_ASSIGN_OR_RETURN(hb.time_left_s, Signed(j, "time_left_s"));
  LONTAR_ASSIGN_OR_RETURN(hb.last_answer_ms, Signed(j, "last_answer_ms"));
  LONTAR_ASSIGN_OR_RETURN(hb.outbox, Count(j, "outbox"));
  return SignedHeartbeat{std::move(hb), env.signer};
}

}  // namespace lontar::sync

// Handing a sitting over to a spare terminal (engine.hpp has the record's layout and the rules).
#include <nlohmann/json.hpp>

#include "core/crypto/hash.hpp"
#include "core/exam/engine.hpp"
#include "core/format/signed_envelope.hpp"
#include "core/pack/terminal_packs.hpp"

namespace lontar::exam {
namespace {

using Json = nlohmann::json;
constexpr char kFormat[] = "lontar-handoff";
constexpr int kVersion = 1;

}  // namespace

void Engine::NoteHandoff(const std::string& participant, const SittingState& before, const Json& j,
                         const journal::Record& record) {
  HandoffNote note;
  note.state = Snapshot(before, j.value("handoff_id", ""), terminal_->id());
  note.reason = j.value("reason", "");
  note.seq = record.seq;
  note.hash = record.hash;
  handoffs_[participant] = std::move(note);
}

Result<std::string> Engine::HandOff(const ProctorAuth& auth, const std::string& participant,
                                    const std::string& reason) {
  LONTAR_TRY(CheckAuth(auth));
  if (State(participant).phase == Phase::kHandedOff) return HandoffRecord(participant);
  if (State(participant).phase == Phase::kNotStarted) {
    return std::unexpected(
        Error::NotFound("participant " + participant + " has no sitting on this terminal"));
  }
  const std::int64_t now = clock_->MonotonicNs();
  SittingState state = State(participant);
  LONTAR_ASSIGN_OR_RETURN(std::vector<Event> events, Charge(participant, state, now));
  const SittingState before = state;
  const std::string id = crypto::RandomId();
  LONTAR_ASSIGN_OR_RETURN(std::vector<Event> decided,
                          Decide(*exam_, state, ProctorCommand{exam::HandOff{id, reason}}));
  for (const Event& e : decided) {
    state = Apply(*exam_, std::move(state), e);
    events.push_back(e);
  }
  Outgoing out;
  for (const Event& e : events) out.Add(Encode(participant, e), participant);
  LONTAR_ASSIGN_OR_RETURN(journal::Head head, Append(out));
  sittings_[participant] = state;
  charged_at_ns_[participant] = now;
  handoffs_[participant] =
      HandoffNote{Snapshot(before, id, terminal_->id()), reason, head.seq, head.hash};
  LONTAR_TRY(terminal_->journal().SignHead());
  return HandoffRecord(participant);
}

Result<std::string> Engine::HandoffRecord(const std::string& participant) const {
  auto it = handoffs_.find(participant);
  if (it == handoffs_.end()) {
    return std::unexpected(Error::NotFound("participant " + participant +
                                           "'s sitting has not been handed off from here"));
  }
  const HandoffNote& note = it->second;
  const EncodedEvent state = ToJson(Event{note.state});
  const Json body{{"handoff_id", note.state.handoff_id},
                  {"from_terminal", terminal_->id()},
                  {"site", terminal_->site()},
                  {"pack_id", pack_id_},
                  {"exam_id", exam_->id},
                  {"participant", participant},
                  {"reason", note.reason},
                  {"journal", {{"seq", note.seq}, {"hash", HexEncode(note.hash)}}},
                  {"state", Json::parse(state.payload)}};
  return format::WriteSignedEnvelope(kFormat, kVersion, terminal_->signing_key(),
                                     body.dump(-1, ' ', false, Json::error_handler_t::replace));
}

Result<SittingState> Engine::ImportHandoff(const ProctorAuth& auth, ByteView record) {
  LONTAR_TRY(CheckAuth(auth));
  LONTAR_ASSIGN_OR_RETURN(format::SignedEnvelope envelope,
                          format::ReadSignedEnvelope(record, kFormat, kVersion, kMaxHandoffBytes));
  const std::string from = terminal::TerminalIdFor(envelope.signer);
  if (from == terminal_->id()) {
    return std::unexpected(Error::InvalidArgument(
        "this hand-off record was written by this terminal; import it on the spare terminal"));
  }
  LONTAR_ASSIGN_OR_RETURN(std::vector<pack::LoadedPack> packs, pack::ListPacks(*terminal_));
  const auto pack = std::find_if(packs.begin(), packs.end(), [&](const pack::LoadedPack& p) {
    return p.header.pack_id == pack_id_;
  });
  const bool targeted = pack != packs.end() &&
                        std::any_of(pack->header.targets.begin(), pack->header.targets.end(),
                                    [&](const pack::Target& t) { return t.terminal_id == from; });
  if (!targeted) {
    return std::unexpected(Error::Untrusted(
        "the hand-off record is signed by terminal " + from +
        ", which is not one of this session's terminals; only a terminal the pack was made for "
        "can hand a sitting over"));
  }
  const Json body = Json::parse(envelope.body, nullptr, /*allow_exceptions=*/false);
  auto text = [&](const char* k) {
    auto f = body.is_object() ? body.find(k) : body.end();
    return f != body.end() && f->is_string() ? f->get<std::string>() : std::string();
  };
  if (!body.is_object() || !body.contains("state") || !body["state"].is_object()) {
    return std::unexpected(Error::Malformed("the hand-off record has no sitting state"));
  }
  if (text("pack_id") != pack_id_) {
    return std::unexpected(Error::InvalidArgument(
        "the hand-off record is for pack " + text("pack_id") + ", this terminal has pack " +
        pack_id_ + " released; release the same session's pack here first"));
  }
  LONTAR_ASSIGN_OR_RETURN(Event event, FromParsedJson("sitting.restored", body["state"]));
  Restored& restored = std::get<Restored>(event);
  if (restored.from_terminal != from || restored.handoff_id != text("handoff_id") ||
      restored.participant != text("participant")) {
    return std::unexpected(Error::Malformed("the hand-off record contradicts itself"));
  }
  const std::string participant = restored.participant;
  const bool listed =
      std::any_of(exam_->roster.begin(), exam_->roster.end(),
                  [&](const model::Participant& p) { return p.number == participant; });
  if (!listed) {
    return std::unexpected(
        Error::InvalidArgument("participant " + participant + " is not on this session's list"));
  }
  LONTAR_ASSIGN_OR_RETURN(std::vector<Event> events,
                          Decide(*exam_, State(participant), ProctorCommand{Restore{restored}}));
  Outgoing out;
  for (const Event& e : events) {
    out.Add(Encode(participant, e, Json{{"handoff_record", AsChars(record)}}), participant);
  }
  LONTAR_TRY(Append(out));
  SittingState state = State(participant);
  for (const Event& e : events) state = Apply(*exam_, std::move(state), e);
  sittings_[participant] = state;
  charged_at_ns_[participant] = clock_->MonotonicNs();
  return state;
}

}  // namespace lontar::exam

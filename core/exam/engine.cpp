#include "core/exam/engine.hpp"

#include <nlohmann/json.hpp>

#include <sodium.h>

#include "core/crypto/kdf.hpp"
#include "core/crypto/secret.hpp"
#include "core/pack/terminal_packs.hpp"

namespace lontar::exam {
namespace {

using Json = nlohmann::json;

bool IsSubmittedEvent(const Event& e) { return std::holds_alternative<Submitted>(e); }

}  // namespace

Result<Engine> Engine::Open(terminal::Terminal& terminal, const Clock& clock) {
  LONTAR_ASSIGN_OR_RETURN(std::vector<pack::LoadedPack> packs, pack::ListPacks(terminal));
  const auto released = std::find_if(packs.begin(), packs.end(),
                                     [](const pack::LoadedPack& p) { return p.released; });
  if (released == packs.end()) {
    return std::unexpected(Error::NotFound(
        "no released pack on this terminal: load the session's pack and release it first "
        "(lontar session release)"));
  }
  Engine e;
  e.terminal_ = &terminal;
  e.clock_ = &clock;
  e.pack_id_ = released->header.pack_id;
  LONTAR_ASSIGN_OR_RETURN(authoring::Exam exam, pack::ReadReleasedExam(terminal, e.pack_id_));
  e.exam_ = std::make_unique<authoring::Exam>(std::move(exam));

  // Replay every sitting of this pack.
  std::map<std::string, std::int64_t> last_wall_ms;
  for (std::uint64_t from = 1;;) {
    LONTAR_ASSIGN_OR_RETURN(std::vector<journal::Record> records,
                            terminal.journal().Read(from, 1000));
    if (records.empty()) break;
    for (const journal::Record& r : records) {
      const bool sitting = r.type.starts_with("sitting.");
      if (!sitting && !r.type.starts_with("session.") && !r.type.starts_with("login.")) continue;
      const Json j = Json::parse(r.payload, nullptr, /*allow_exceptions=*/false);
      if (!j.is_object() || j.value("pack_id", "") != e.pack_id_) continue;
      if (!sitting) {
        e.ApplySessionRecord(r.type, j);
        continue;
      }
      const std::string participant = j.value("participant", "");
      LONTAR_ASSIGN_OR_RETURN(Event event, FromJson(r.type, r.payload));
      e.sittings_[participant] = Apply(*e.exam_, e.sittings_[participant], event);
      last_wall_ms[participant] = r.wall_ms;
    }
    from = records.back().seq + 1;
  }
  // Invariant 3: the clock restarts now; downtime is charged only by policy.
  const std::int64_t now = clock.MonotonicNs();
  for (const auto& [participant, state] : e.sittings_) {
    if (state.phase == Phase::kInProgress) e.charged_at_ns_[participant] = now;
  }
  if (e.exam_->charge_downtime) {
    for (const auto& [participant, wall] : last_wall_ms) {
      if (e.State(participant).phase != Phase::kInProgress) continue;
      const std::int64_t gap_ns = std::max<std::int64_t>(0, clock.WallMs() - wall) * 1'000'000;
      LONTAR_TRY(e.Execute(participant, Tick{gap_ns}));
    }
  }
  return e;
}

SittingState Engine::State(const std::string& participant) const {
  auto it = sittings_.find(participant);
  return it == sittings_.end() ? SittingState{} : it->second;
}

std::vector<std::string> Engine::InProgress() const {
  std::vector<std::string> participants;
  for (const auto& [participant, state] : sittings_) {
    if (state.phase == Phase::kInProgress) participants.push_back(participant);
  }
  return participants;
}

Status Engine::Journal(const std::string& participant, const std::vector<Event>& events) {
  if (events.empty()) return Ok();
  std::vector<journal::Event> records;
  for (const Event& e : events) {
    EncodedEvent encoded = ToJson(e);
    Json payload = Json::parse(encoded.payload);
    payload["participant"] = participant;
    payload["pack_id"] = pack_id_;
    records.push_back({encoded.type, payload.dump()});
  }
  LONTAR_TRY(terminal_->journal().Append(records));
  return Ok();
}

Result<std::vector<Event>> Engine::Charge(const std::string& participant, SittingState& state,
                                          std::int64_t now) const {
  if (state.phase != Phase::kInProgress) return std::vector<Event>{};
  const auto charged = charged_at_ns_.find(participant);
  const std::int64_t since = charged == charged_at_ns_.end() ? now : charged->second;
  LONTAR_ASSIGN_OR_RETURN(std::vector<Event> events,
                          Decide(*exam_, state, Tick{std::max<std::int64_t>(0, now - since)}));
  for (const Event& e : events) state = Apply(*exam_, state, e);
  return events;
}

Result<SittingState> Engine::Execute(const std::string& participant, const Command& command) {
  const std::int64_t now = clock_->MonotonicNs();
  SittingState state = State(participant);
  LONTAR_ASSIGN_OR_RETURN(std::vector<Event> events, Charge(participant, state, now));
  auto decided = Decide(*exam_, state, command);
  if (!decided) {
    // A time-up that the charge just discovered is a fact, whatever happens to the command.
    if (std::any_of(events.begin(), events.end(), IsSubmittedEvent)) {
      LONTAR_TRY(Journal(participant, events));
      sittings_[participant] = state;
      charged_at_ns_[participant] = now;
    }
    return std::unexpected(decided.error());
  }
  for (const Event& e : *decided) {
    state = Apply(*exam_, state, e);
    events.push_back(e);
  }
  LONTAR_TRY(Journal(participant, events));  // invariant 1: durable before visible
  sittings_[participant] = state;
  charged_at_ns_[participant] = now;
  return state;
}

Status Engine::Checkpoint() {
  const std::int64_t now = clock_->MonotonicNs();
  for (auto& [participant, state] : sittings_) {
    if (state.phase != Phase::kInProgress) continue;
    SittingState next = state;
    LONTAR_ASSIGN_OR_RETURN(std::vector<Event> events, Charge(participant, next, now));
    LONTAR_TRY(Journal(participant, events));
    state = next;
    charged_at_ns_[participant] = now;
  }
  return Ok();
}

Status Engine::Record(const std::string& type, Json payload) {
  payload["pack_id"] = pack_id_;
  LONTAR_TRY(terminal_->journal().Append(type, payload.dump()));
  ApplySessionRecord(type, payload);
  return Ok();
}

void Engine::ApplySessionRecord(const std::string& type, const Json& j) {
  const std::string participant = j.value("participant", "");
  if (type == "session.opened") {
    token_ = j.value("token", "");
  } else if (type == "login.failed" && !participant.empty()) {
    failures_[participant] = j.value("failures", failures_[participant] + 1);
  } else if (type == "login.locked") {
    locked_.insert(participant);
  } else if (type == "login.ok") {
    failures_.erase(participant);
  }
}

Result<std::string> Engine::OpenSession(ByteView proctor_code) {
  if (exam_->proctor_code_hash.empty()) {
    return std::unexpected(Error::NotFound(
        "this pack carries no proctor code, so the session cannot be opened at the terminal; "
        "ask the exam authority for a pack built with --proctor-code-file"));
  }
  LONTAR_ASSIGN_OR_RETURN(bool ok,
                          crypto::VerifyPin(exam_->proctor_code_hash, AsChars(proctor_code)));
  if (!ok) {
    LONTAR_TRY(Record("session.proctor_denied", Json::object()));
    return std::unexpected(Error::WrongKey("wrong proctor code"));
  }
  if (!token_.empty()) return token_;
  // Six characters without look-alikes (no 0/O, 1/I/L), easy to read off a board.
  static constexpr char kAlphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
  crypto::EnsureSodium();
  std::string token;
  for (int i = 0; i < 6; ++i) token += kAlphabet[randombytes_uniform(sizeof kAlphabet - 1)];
  LONTAR_TRY(Record("session.opened", Json{{"token", token}}));
  return token_;
}

Result<SittingState> Engine::Login(const std::string& participant, ByteView pin,
                                   std::string_view token) {
  if (token_.empty()) {
    return std::unexpected(Error::NotFound(
        "the session is not open yet: wait for the proctor to open it and show the token"));
  }
  const auto entry =
      std::find_if(exam_->roster.begin(), exam_->roster.end(),
                   [&](const authoring::Participant& p) { return p.number == participant; });
  if (entry == exam_->roster.end()) {
    LONTAR_TRY(Record("login.failed", Json{{"participant", participant}, {"reason", "unknown"}}));
    return std::unexpected(
        Error::InvalidArgument("participant number " + participant +
                               " is not on this session's list; check the number "
                               "on your card, or ask the proctor"));
  }
  if (locked_.contains(participant)) {
    return std::unexpected(Error::Permission("participant " + participant + " is locked after " +
                                             std::to_string(kMaxLoginFailures) +
                                             " wrong attempts; the proctor must unlock it"));
  }
  if (State(participant).phase == Phase::kSubmitted) {
    return std::unexpected(
        Error::InvalidArgument("participant " + participant + " has already finished this exam"));
  }
  std::string typed(token);
  std::transform(typed.begin(), typed.end(), typed.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  const bool token_ok = crypto::ConstantTimeEqual(AsBytes(typed), AsBytes(token_));
  bool pin_ok = false;
  if (token_ok) {
    LONTAR_ASSIGN_OR_RETURN(pin_ok, crypto::VerifyPin(entry->pin_hash, AsChars(pin)));
  }
  if (!token_ok || !pin_ok) {
    const int failures = failures_[participant] + 1;
    LONTAR_TRY(Record("login.failed", Json{{"participant", participant},
                                           {"reason", token_ok ? "pin" : "token"},
                                           {"failures", failures}}));
    if (failures >= kMaxLoginFailures) {
      LONTAR_TRY(Record("login.locked", Json{{"participant", participant}}));
    }
    return std::unexpected(
        Error::WrongKey(std::string(token_ok ? "wrong PIN" : "wrong session token") + " (" +
                        std::to_string(failures) + " of " + std::to_string(kMaxLoginFailures) +
                        " attempts; then the proctor must unlock)"));
  }
  LONTAR_TRY(Record("login.ok", Json{{"participant", participant}}));
  if (State(participant).phase == Phase::kNotStarted) {
    std::uint64_t seed = 0;
    randombytes_buf(&seed, sizeof seed);
    return Execute(participant, Start{participant, seed});
  }
  // Resuming: time kept running while the engine did (invariant 2); charge it now (which may
  // find the time up, and say so in the returned state).
  LONTAR_TRY(Checkpoint());
  return State(participant);
}

}  // namespace lontar::exam

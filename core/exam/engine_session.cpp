// The engine's session side: the proctor code, the session token, logins, and proctor actions
// (engine.hpp describes the journal records they write).
#include <sodium.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/crypto/hash.hpp"
#include "core/crypto/kdf.hpp"
#include "core/crypto/secret.hpp"
#include "core/exam/engine.hpp"
#include "core/pack/terminal_packs.hpp"

namespace lontar::exam {
namespace {

using Json = nlohmann::json;

// Six characters without look-alikes (no 0/O, 1/I/L), easy to read off a board: a hash of the
// proctor code and the pack, so that every terminal in the room derives the same token and
// nobody without the code can.
std::string DeriveToken(ByteView proctor_code, const std::string& pack_id) {
  static constexpr char kAlphabet[] = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
  crypto::Blake2bHasher hasher(32);
  hasher.Update(AsBytes(std::string_view("lontar-session-token\n")));
  hasher.Update(AsBytes(pack_id + "\n"));
  hasher.Update(proctor_code);
  const Bytes digest = hasher.Finish();
  std::string token;
  for (int i = 0; i < 6; ++i) token += kAlphabet[digest[static_cast<std::size_t>(i)] % 31];
  return token;
}

std::string Describe(const std::string& participant, Phase phase) {
  switch (phase) {
    case Phase::kSubmitted:
      return "participant " + participant + " has already finished this exam";
    case Phase::kVoided:
      return "the proctor voided participant " + participant + "'s sitting; it cannot restart";
    case Phase::kHandedOff:
      return "participant " + participant +
             "'s sitting was handed over to another terminal; log in there";
    case Phase::kNotStarted:
    case Phase::kInProgress:
      break;
  }
  return "";
}

}  // namespace

Status Engine::Record(const std::string& type, Json payload) {
  payload["pack_id"] = pack_id_;
  const auto named = payload.find("participant");
  Outgoing out;
  out.Add({type, payload.dump(-1, ' ', false, Json::error_handler_t::replace)},
          named != payload.end() && named->is_string() ? named->get<std::string>() : "");
  LONTAR_TRY(Append(out));
  ApplySessionRecord(type, payload);
  return Ok();
}

void Engine::ApplySessionRecord(const std::string& type, const Json& j) {
  const std::string participant = j.value("participant", "");
  if (type == "session.opened") {
    token_ = j.value("token", "");
  } else if (type == "session.paused") {
    room_paused_ = true;
  } else if (type == "session.resumed") {
    room_paused_ = false;
  } else if (type == "login.failed" && !participant.empty()) {
    failures_[participant] = j.value("failures", failures_[participant] + 1);
  } else if (type == "login.locked") {
    locked_.insert(participant);
  } else if (type == "login.ok" || type == "login.unlocked") {
    failures_.erase(participant);
    locked_.erase(participant);
  } else if (type == "session.image_unshown") {
    image_faults_.push_back(
        {participant, j.value("item", ""), j.value("media", ""), j.value("reason", "")});
  }
}

Status Engine::ReportImageUnshown(const ImageFault& f) {
  return RetryOnConflict([&]() -> Status {
    LONTAR_TRY(Refresh());
    for (const ImageFault& had : image_faults_) {
      if (had.participant == f.participant && had.item == f.item && had.media == f.media) {
        return Ok();
      }
    }
    return Record("session.image_unshown", Json{{"participant", f.participant},
                                                {"item", f.item},
                                                {"media", f.media},
                                                {"reason", f.reason}});
  });
}

Result<ProctorAuth> Engine::AuthorizeProctor(ByteView proctor_code) {
  LONTAR_TRY(Refresh());
  if (exam_->proctor_code_hash.empty()) {
    return std::unexpected(Error::NotFound(
        "this pack carries no proctor code, so proctor actions cannot be taken at the terminal; "
        "ask the exam authority for a pack built with --proctor-code-file"));
  }
  LONTAR_ASSIGN_OR_RETURN(bool ok,
                          crypto::VerifyPin(exam_->proctor_code_hash, AsChars(proctor_code)));
  if (!ok) {
    LONTAR_TRY(Record("session.proctor_denied", Json::object()));
    return std::unexpected(Error::WrongKey("wrong proctor code"));
  }
  return ProctorAuth(this);
}

Status Engine::CheckAuth(const ProctorAuth& auth) {
  if (auth.engine_ != this) {
    return std::unexpected(Error::Permission("the proctor was authorised on another engine"));
  }
  return Refresh();
}

Status Engine::Choose() {
  // One session at a time: going over to this pack would strand a sitting under way in the one
  // running now (as releasing another pack would, in the kiosk's panel).
  LONTAR_ASSIGN_OR_RETURN(Engine now, Open(*terminal_, *clock_));
  if (const std::vector<std::string> busy = now.InProgress(); !busy.empty()) {
    std::string who;
    for (const std::string& p : busy) who += (who.empty() ? "" : ", ") + p;
    return std::unexpected(Error::InvalidArgument(
        "this terminal runs " + now.exam().id + " (pack " + now.pack_id().substr(0, 8) +
        ") and a sitting is in progress there (" + who +
        "): let it finish, void it or hand it over before opening another session"));
  }
  LONTAR_TRY(pack::SelectPack(*terminal_, pack_id_));
  running_ = true;
  return Refresh();
}

Result<std::string> Engine::OpenSession(ByteView proctor_code) {
  LONTAR_TRY(AuthorizeProctor(proctor_code));
  if (!running_) LONTAR_TRY(Choose());
  const std::string token = DeriveToken(proctor_code, pack_id_);
  if (token_ == token) return token_;
  LONTAR_TRY(Record("session.opened", Json{{"token", token}}));
  return token_;
}

Result<SittingState> Engine::Login(const std::string& participant, ByteView pin,
                                   std::string_view token) {
  auto result = TryLogin(participant, pin, token);
  if (!result) return std::unexpected(std::move(result.error().error));
  return std::move(*result);
}

std::expected<SittingState, LoginRefused> Engine::TryLogin(const std::string& participant,
                                                           ByteView pin, std::string_view token) {
  for (int i = 1;; ++i) {  // RetryOnConflict, for a refusal that carries its Error inside
    auto result = LoginOnce(participant, pin, token);
    if (result || result.error().error.kind() != ErrorKind::kConflict || i == kConflictAttempts) {
      return result;
    }
  }
}

std::expected<SittingState, LoginRefused> Engine::LoginOnce(const std::string& participant,
                                                            ByteView pin, std::string_view token) {
  auto refuse = [](LoginRefusal why, Error error, int failures = 0) {
    return std::unexpected(LoginRefused{why, std::move(error), failures});
  };
  // The terminal could not carry the login out (journal, disk): no answer for the candidate.
  auto failed = [&](const Error& error) { return refuse(LoginRefusal::kFailed, error); };
  if (auto st = Refresh(); !st) return failed(st.error());
  if (token_.empty()) {
    return refuse(LoginRefusal::kSessionNotOpen,
                  Error::NotFound("the session is not open yet: wait for the proctor to open it "
                                  "and show the token"));
  }
  if (room_paused_) {
    return refuse(LoginRefusal::kRoomPaused,
                  Error::Permission("the proctor has paused the session; wait until it resumes"));
  }
  const auto entry =
      std::find_if(exam_->roster.begin(), exam_->roster.end(),
                   [&](const model::Participant& p) { return p.number == participant; });
  if (entry == exam_->roster.end()) {
    if (auto st = Record("login.failed", Json{{"participant", participant}, {"reason", "unknown"}});
        !st) {
      return failed(st.error());
    }
    return refuse(LoginRefusal::kNotOnRoster,
                  Error::InvalidArgument("participant number " + participant +
                                         " is not on this session's list; check the number "
                                         "on your card, or ask the proctor"));
  }
  if (locked_.contains(participant)) {
    return refuse(LoginRefusal::kLocked,
                  Error::Permission("participant " + participant + " is locked after " +
                                    std::to_string(kMaxLoginFailures) +
                                    " wrong attempts; the proctor must unlock it"),
                  login_failures(participant));
  }
  const Phase phase = State(participant).phase;
  if (const std::string why = Describe(participant, phase); !why.empty()) {
    const LoginRefusal ended = phase == Phase::kSubmitted ? LoginRefusal::kFinished
                               : phase == Phase::kVoided  ? LoginRefusal::kVoided
                                                          : LoginRefusal::kHandedOff;
    return refuse(ended, Error::InvalidArgument(why));
  }
  std::string typed(token);
  std::transform(typed.begin(), typed.end(), typed.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  const bool token_ok = crypto::ConstantTimeEqual(AsBytes(typed), AsBytes(token_));
  bool pin_ok = false;
  if (token_ok) {
    auto verified = crypto::VerifyPin(entry->pin_hash, AsChars(pin));
    if (!verified) return failed(verified.error());
    pin_ok = *verified;
  }
  if (!token_ok || !pin_ok) {
    const int failures = failures_[participant] + 1;
    if (auto st = Record("login.failed", Json{{"participant", participant},
                                              {"reason", token_ok ? "pin" : "token"},
                                              {"failures", failures}});
        !st) {
      return failed(st.error());
    }
    const bool locks = failures >= kMaxLoginFailures;
    if (locks) {
      if (auto st = Record("login.locked", Json{{"participant", participant}}); !st) {
        return failed(st.error());
      }
    }
    const LoginRefusal why = locks      ? LoginRefusal::kLocked
                             : token_ok ? LoginRefusal::kWrongPin
                                        : LoginRefusal::kWrongToken;
    return refuse(
        why,
        Error::WrongKey(std::string(token_ok ? "wrong PIN" : "wrong session token") + " (" +
                        std::to_string(failures) + " of " + std::to_string(kMaxLoginFailures) +
                        " attempts; then the proctor must unlock)"),
        failures);
  }
  if (auto st = Record("login.ok", Json{{"participant", participant}}); !st) {
    return failed(st.error());
  }
  Result<SittingState> started = [&]() -> Result<SittingState> {
    if (State(participant).phase == Phase::kNotStarted) {
      std::uint64_t seed = 0;
      crypto::EnsureSodium();
      randombytes_buf(&seed, sizeof seed);
      // Invariant 6 of sitting.hpp: the roster's accommodations from the first second.
      return Execute(participant, Start{participant, seed, entry->accommodations,
                                        "roster.csv of " + exam_->id + " version " +
                                            std::to_string(exam_version_)});
    }
    // Resuming: time kept running while the engine did (invariant 2); charge it now (which may
    // find the time up, and say so in the returned state).
    LONTAR_TRY(Checkpoint());
    return State(participant);
  }();
  if (!started) return failed(started.error());
  return std::move(*started);
}

Status Engine::ProctorAll(const std::vector<std::pair<std::string, ProctorCommand>>& work,
                          const std::string& session_type, const std::string& reason) {
  // The callers read state to build `work` after AuthorizeProctor refreshed it.
  const std::int64_t now = clock_->MonotonicNs();
  Outgoing out;
  std::map<std::string, SittingState> next;
  for (const auto& [participant, command] : work) {
    SittingState state = State(participant);
    LONTAR_ASSIGN_OR_RETURN(std::vector<Event> events, Charge(participant, state, now));
    LONTAR_ASSIGN_OR_RETURN(std::vector<Event> decided, Decide(*exam_, state, command));
    for (const Event& e : decided) {
      state = Apply(*exam_, std::move(state), e);
      events.push_back(e);
    }
    for (const Event& e : events) out.Add(Encode(participant, e), participant);
    next[participant] = std::move(state);
  }
  Json session;
  if (!session_type.empty()) {
    session = Json{{"reason", reason}, {"pack_id", pack_id_}};
    out.Add({session_type, session.dump(-1, ' ', false, Json::error_handler_t::replace)}, "");
  }
  if (!out.records.empty()) LONTAR_TRY(Append(out));  // all or nothing
  for (auto& [participant, state] : next) {
    sittings_[participant] = std::move(state);
    charged_at_ns_[participant] = now;
  }
  if (!session_type.empty()) ApplySessionRecord(session_type, session);
  return SealFinished();
}

Result<SittingState> Engine::Proctor(const ProctorAuth& auth, const std::string& participant,
                                     const ProctorCommand& command) {
  LONTAR_TRY(CheckAuth(auth));
  if (std::holds_alternative<exam::HandOff>(command) || std::holds_alternative<Restore>(command)) {
    return std::unexpected(
        Error::InvalidArgument("hand-offs go through HandOff and ImportHandoff"));
  }
  if (State(participant).phase == Phase::kNotStarted) {
    return std::unexpected(
        Error::NotFound("participant " + participant + " has no sitting on this terminal"));
  }
  LONTAR_TRY(ProctorAll({{participant, command}}, "", ""));
  return State(participant);
}

Status Engine::PauseRoom(const ProctorAuth& auth, const std::string& reason) {
  LONTAR_TRY(CheckAuth(auth));
  if (reason.empty()) return std::unexpected(Error::InvalidArgument("give a reason"));
  std::vector<std::pair<std::string, ProctorCommand>> work;
  for (const auto& [participant, state] : sittings_) {
    if (state.phase == Phase::kInProgress && !state.paused) {
      work.emplace_back(participant, Pause{reason, /*room=*/true});
    }
  }
  return ProctorAll(work, "session.paused", reason);
}

Status Engine::ResumeRoom(const ProctorAuth& auth, const std::string& reason) {
  LONTAR_TRY(CheckAuth(auth));
  std::vector<std::pair<std::string, ProctorCommand>> work;
  for (const auto& [participant, state] : sittings_) {
    if (state.phase == Phase::kInProgress && state.paused_by_room) {
      work.emplace_back(participant, Resume{reason});
    }
  }
  return ProctorAll(work, "session.resumed", reason);
}

Status Engine::Unlock(const ProctorAuth& auth, const std::string& participant,
                      const std::string& reason) {
  LONTAR_TRY(CheckAuth(auth));
  if (!locked_.contains(participant)) {
    return std::unexpected(Error::InvalidArgument("participant " + participant + " is not locked"));
  }
  if (reason.empty()) return std::unexpected(Error::InvalidArgument("give a reason"));
  return Record("login.unlocked", Json{{"participant", participant}, {"reason", reason}});
}

}  // namespace lontar::exam

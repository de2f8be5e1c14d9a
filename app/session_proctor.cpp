// The session controller's proctor panel: what it shows, and carrying out what the proctor asks
// for through the engine, which journals every action with its reason.
#include <imgui.h>
#include <sodium.h>

#include <ctime>

#include "app/session.hpp"
#include "core/pack/pack_choice.hpp"
#include "core/util/fs.hpp"

namespace lontar::app {

void SessionController::ToggleProctor() {
  if (proctor_open_) return CloseProctor();
  ReadPacks();
  // Before any release, the panel has only the next session to offer.
  if (engine_ || (screen_ == Screen::kWaiting && !NextSessions().empty())) proctor_open_ = true;
}

void SessionController::ReadPacks() {
  packs_.clear();
  if (!terminal_) return;
  auto packs = pack::ListPacks(*terminal_);
  if (packs) packs_ = std::move(*packs);  // else none to offer; the health screen says why
}

std::vector<const pack::LoadedPack*> SessionController::NextSessions() const {
  std::vector<const pack::LoadedPack*> next;
  for (const pack::LoadedPack* p : pack::ValidPacks(packs_, clock_.WallMs())) {
    if (!p->released) next.push_back(p);
  }
  return next;
}

const pack::LoadedPack* SessionController::ChosenSession() const {
  const auto next = NextSessions();
  if (next.size() == 1) return next.front();
  for (const pack::LoadedPack* p : next) {
    if (p->header.pack_id == next_pack_id_) return p;
  }
  return nullptr;
}

std::string SessionController::SessionTitle(const Catalog& tr, const pack::PackHeader& h) {
  // Bahasa Indonesia when the pack has no English; copied before the temporary goes.
  return Pick(tr, model::Text{h.title.id, h.title.en});
}

std::string SessionController::DescribeSession(const Catalog& tr, const pack::PackHeader& h) const {
  auto hour = [](std::time_t t) {
    std::tm tm{};
    localtime_r(&t, &tm);
    char text[8];
    std::strftime(text, sizeof text, "%H:%M", &tm);
    return std::string(text);
  };
  const std::time_t from = h.valid_from_ms / 1000, until = h.valid_until_ms / 1000;
  const std::string from_day = FormatDate(tr, from), until_day = FormatDate(tr, until);
  return from_day + " " + hour(from) + " - " + (until_day == from_day ? "" : until_day + " ") +
         hour(until);
}

void SessionController::ReleaseNext(const Catalog& tr) {
  ProctorForm& f = proctor_form_;
  auto say = [&](const std::string& text, bool bad) {
    f.message = text;
    f.message_bad = bad;
  };
  auto code = crypto::SecretBytes::CopyOf(AsBytes(std::string_view(f.release_code.data())));
  sodium_memzero(f.release_code.data(), f.release_code.size());
  f.focus = true;
  if (!code) return say(code.error().message(), true);
  const pack::LoadedPack* next = ChosenSession();
  if (!next || !terminal_) return say(tr("proctor.choose_session"), true);
  // One candidate at a time: the next session's pack would strand a sitting under way here.
  if (engine_ && !engine_->InProgress().empty()) return say(tr("proctor.sitting_running"), true);
  const std::string title = SessionTitle(tr, next->header);
  auto released = pack::ReleasePack(*terminal_, next->header.pack_id, code->view(), clock_);
  if (!released) return say(released.error().message(), true);
  // The session released last is the one the engine opens (exam/engine.hpp). The finished
  // sittings' bundles stay in the outbox, delivered as before.
  images_.reset();
  images_at_.clear();
  image_failures_.clear();  // media names of the old pack
  engine_.reset();
  proctor_auth_.reset();
  proctor_code_.reset();
  token_shown_.clear();
  participant_.clear();
  shown_section_ = 0;
  saved_ = Saved::kNothing;
  next_pack_id_.clear();
  form_.Clear();
  refusal_key_.clear();
  locked_ = false;
  OpenEngine();
  ReadPacks();
  say(tr.Format("proctor.released", title), false);
}

void SessionController::CloseProctor() {
  proctor_open_ = false;
  proctor_form_.Clear();
  proctor_auth_.reset();
  proctor_code_.reset();
}

std::vector<std::string> SessionController::ImageFaultLines(const Catalog& tr) const {
  std::vector<std::string> lines;
  if (!engine_) return lines;
  for (const exam::Engine::ImageFault& f : engine_->image_faults()) {
    lines.push_back(tr.Format("proctor.image_fault", f.participant) + ", " + f.item + ": " +
                    f.media + " (" + f.reason + ")");
  }
  return lines;
}

void SessionController::DrawPanel(const ScreenContext& ctx, const exam::SittingState& sitting) {
  std::vector<SessionChoice> next;
  std::optional<std::size_t> chosen;
  const pack::LoadedPack* choice = ChosenSession();
  for (const pack::LoadedPack* p : NextSessions()) {
    if (p == choice) chosen = next.size();
    next.push_back({SessionTitle(ctx.tr, p->header), DescribeSession(ctx.tr, p->header)});
  }
  const ProctorView view{
      .engine_open = engine_.has_value(),
      .current_session = engine_ ? Pick(ctx.tr, engine_->exam().title) : std::string(),
      .next_sessions = std::move(next),
      .chosen = chosen,
      .authorised = proctor_auth_.has_value(),
      .token = token_shown_,
      .participant = sitting.participant,
      .in_progress = sitting.phase == exam::Phase::kInProgress,
      .paused = sitting.paused,
      .room_paused = engine_ && engine_->room_paused(),
      .handoff_dir = options_.handoff_dir.string(),
      .accommodations = model::DescribeAccommodations(sitting.accommodations),
      .read_aloud = sitting.accommodations.read_aloud,
      .image_faults = ImageFaultLines(ctx.tr)};
  if (auto a = DrawProctor(ctx, view, proctor_form_)) ActProctor(ctx.tr, *a);
}

void SessionController::ActProctor(const Catalog& tr, ProctorAction a) {
  ProctorForm& f = proctor_form_;
  auto say = [&](const std::string& text, bool bad) {
    f.message = text;
    f.message_bad = bad;
  };
  auto report = [&](const Status& st) {
    if (st) {
      say(tr("proctor.done"), false);
    } else {
      say(st.error().message(), true);
    }
    Synced();
  };
  const std::string reason(f.reason.data());
  if (a == ProctorAction::kClose) return CloseProctor();
  if (a == ProctorAction::kChooseSession) {
    const auto next = NextSessions();
    if (f.next_session < next.size()) next_pack_id_ = next[f.next_session]->header.pack_id;
    f.focus = true;
    return say("", false);
  }
  if (a == ProctorAction::kReleaseSession) return ReleaseNext(tr);
  if (!engine_) return;
  if (a == ProctorAction::kAuthorise) {
    auto code = crypto::SecretBytes::CopyOf(AsBytes(std::string_view(f.code.data())));
    sodium_memzero(f.code.data(), f.code.size());
    if (!code) return say(code.error().message(), true);
    auto auth = engine_->AuthorizeProctor(code->view());
    if (!auth) {
      f.focus = true;
      return say(auth.error().kind() == ErrorKind::kWrongKey ? tr("proctor.wrong_code")
                                                             : auth.error().message(),
                 true);
    }
    proctor_auth_.emplace(*auth);
    proctor_code_.emplace(std::move(*code));
    return say("", false);
  }
  if (!proctor_auth_) return;
  const exam::ProctorAuth& auth = *proctor_auth_;
  auto sitting = [&](const exam::ProctorCommand& c) -> Status {
    LONTAR_TRY(engine_->Proctor(auth, participant_, c));
    return Ok();
  };
  constexpr std::int64_t kMinute = 60'000'000'000;
  switch (a) {
    case ProctorAction::kShowToken: {
      auto token = engine_->OpenSession(proctor_code_->view());
      if (!token) return say(token.error().message(), true);
      token_shown_ = *token;
      return say("", false);
    }
    case ProctorAction::kPauseCandidate:
      return report(sitting(exam::Pause{reason, false}));
    case ProctorAction::kResumeCandidate:
      return report(sitting(exam::Resume{reason}));
    case ProctorAction::kAddFiveMinutes:
      return report(sitting(exam::AddTime{5 * kMinute, reason}));
    case ProctorAction::kAddTenMinutes:
      return report(sitting(exam::AddTime{10 * kMinute, reason}));
    case ProctorAction::kVoid:
      return report(sitting(exam::Void{reason}));
    case ProctorAction::kPauseRoom:
      return report(engine_->PauseRoom(auth, reason));
    case ProctorAction::kResumeRoom:
      return report(engine_->ResumeRoom(auth, reason));
    case ProctorAction::kUnlock: {
      const std::string who(f.participant.data());
      report(engine_->Unlock(auth, who, reason));
      if (f.message_bad) return;
      locked_ = false;
      refusal_key_.clear();
      return;
    }
    case ProctorAction::kHandOff: {
      auto record = engine_->HandOff(auth, participant_, reason);
      if (!record) return say(record.error().message(), true);
      const std::filesystem::path& dir = options_.handoff_dir;
      const std::filesystem::path file =
          dir /
          (participant_ + "." + engine_->State(participant_).handoff_id.substr(0, 8) + ".handoff");
      Status written = EnsureDir(dir, 0700);
      if (written) written = WriteFileAtomic(file, AsBytes(*record), 0600, Overwrite::kReplace);
      Synced();
      if (!written) return say(written.error().message(), true);
      return say(tr.Format("proctor.handed_off", file.string()), false);
    }
    case ProctorAction::kToggleReadAloud: {
      model::Accommodations acc = Sitting().accommodations;
      acc.read_aloud = !acc.read_aloud;
      return report(sitting(exam::Accommodate{acc, reason}));
    }
    case ProctorAction::kAuthorise:
    case ProctorAction::kClose:
    case ProctorAction::kChooseSession:
    case ProctorAction::kReleaseSession:
      break;
  }
}

}  // namespace lontar::app

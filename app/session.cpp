#include "app/session.hpp"

#include <imgui.h>
#include <malloc.h>
#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <iostream>

#include "app/screens/error.hpp"
#include "app/screens/finished.hpp"
#include "app/screens/health.hpp"
#include "app/screens/instructions.hpp"
#include "app/screens/item.hpp"
#include "app/screens/next_section.hpp"
#include "app/screens/paused.hpp"
#include "app/screens/review.hpp"
#include "app/screens/waiting.hpp"
#include "core/crypto/code_file.hpp"
#include "core/pack/terminal_packs.hpp"

namespace lontar::app {
namespace {

constexpr std::time_t kRecheckSeconds = 60;            // re-read terminal health this often
constexpr std::time_t kWaitingRecheckSeconds = 5;      // look for a released pack this often
constexpr std::int64_t kCheckpointNs = 5'000'000'000;  // engine.hpp invariant (2)

}  // namespace

const char* ScreenName(Screen s) {
  switch (s) {
    case Screen::kError:
      return "error";
    case Screen::kHealth:
      return "health";
    case Screen::kWaiting:
      return "waiting";
    case Screen::kLogin:
      return "login";
    case Screen::kInstructions:
      return "instructions";
    case Screen::kItem:
      return "item";
    case Screen::kReview:
      return "review";
    case Screen::kNextSection:
      return "next-section";
    case Screen::kFinished:
      return "finished";
  }
  return "?";
}

SessionController::SessionController(SessionOptions options, const Window& window, const Look& base,
                                     Look& look)
    : options_(std::move(options)), window_(window), base_look_(base), look_(look) {}

const char* SessionController::ShownName() const {
  return proctor_open_ ? "proctor" : ScreenName(screen_);
}

bool SessionController::TechnicianAllowed() const {
  return !proctor_open_ && (screen_ == Screen::kError || screen_ == Screen::kHealth ||
                            screen_ == Screen::kWaiting || screen_ == Screen::kLogin);
}

void SessionController::AfterTechnician() {
  if (engine_ && !engine_->InProgress().empty()) return;
  images_.reset();  // before the engine: it reads the engine's pack
  engine_.reset();
  terminal_.reset();
  Recheck();
}

bool SessionController::TakeLookChanged() {
  const bool changed = look_changed_;
  look_changed_ = false;
  return changed;
}

void SessionController::RecheckIfDue(std::time_t now) {
  const std::time_t every = screen_ == Screen::kWaiting ? kWaitingRecheckSeconds : kRecheckSeconds;
  if (!engine_ && now - checked_at_ >= every) Recheck();
}

void SessionController::Recheck() {
  checked_at_ = std::time(nullptr);
  auto status = health::ReadStatus(options_.home);
  if (!status) {
    status_ = std::move(status).error();
    screen_ = Screen::kError;
    return;
  }
  status_ = std::move(*status);
  if (!std::get<health::TerminalStatus>(status_).journal_ok) {
    screen_ = Screen::kHealth;
    return;
  }
  if (!engine_) OpenEngine();
  ReadPacks();
}

void SessionController::Fail(Error error) {
  status_ = std::move(error);
  screen_ = Screen::kError;
}

void SessionController::OpenEngine() {
  if (!terminal_) {
    auto t = terminal::Terminal::Open(options_.home, clock_);
    if (!t) return Fail(std::move(t).error());
    terminal_ = std::make_unique<terminal::Terminal>(std::move(*t));
  }
  auto engine = exam::Engine::Open(*terminal_, clock_);
  if (!engine) {
    if (engine.error().kind() == ErrorKind::kNotFound) {
      screen_ = Screen::kWaiting;
      return;
    }
    return Fail(std::move(engine).error());
  }
  engine_.emplace(std::move(*engine));
  // Reading the exam built its JSON (megabytes for a long CACT pack) from small allocations
  // that are free now: give their pages back, or the heap keeps them for the whole sitting.
  malloc_trim(0);
  // The image cache opens with the first sitting on screen (UpdateImages), not here: its
  // indexing pass reads the whole payload, which a terminal waiting at its login screen does
  // not need, and which on two cores slowed the login screen's start.
  images_.reset();
  images_opened_ = false;
  if (options_.open_session_with && token_shown_.empty()) {
    auto code = crypto::ReadCodeFile(*options_.open_session_with);
    if (!code) return Fail(code.error());
    auto token = engine_->OpenSession(code->view());
    if (!token) return Fail(token.error());
    token_shown_ = *token;
  }
  // The terminal belongs to one candidate at a time: after a crash or power cut, the one
  // sitting in progress here carries on without a new login.
  const std::vector<std::string> running = engine_->InProgress();
  if (running.size() == 1) {
    participant_ = running.front();
    screen_ = Screen::kItem;
    Synced();
  } else {
    screen_ = Screen::kLogin;
  }
}

// Images are read from the released pack and decoded when needed (app/image_cache.hpp).
void SessionController::OpenImages() {
  images_.reset();
  images_opened_ = true;
  auto key = pack::ContentKey(*terminal_, engine_->pack_id());
  if (!key) {  // the engine just read the pack with this key: no image can show, each says so
    std::cerr << "lontar-kiosk: images: " << key.error().message() << "\n";
    return;
  }
  // Decoded no larger than the item screen draws it (the screen's width, kImageHeightShare of its
  // height, in pixels): a 1920x1080 screen's texture is at most 2.4 MiB, not 8. The wanted ones
  // (this item's and its two neighbours') are kept whatever the budget, so moving on or back one
  // item never waits; the budget is for items left further behind, which are decoded again (in
  // the background, a "loading" frame) if the candidate goes back to them. At 1 MiB it keeps
  // one or two typical figures besides the wanted: 4 MiB held five and cost the sitting's peak
  // 3.6 MiB at 1920x1080 (pack synth's 2000 items: 42.4 MiB against 38.7).
  const Geometry g = window_.geometry();
  images_ = std::make_unique<ImageCache>(
      window_.renderer(),
      ImageCache::Options{.pack_file = pack::StoredPackFile(*terminal_, engine_->pack_id()),
                          .fit_width = g.width,
                          .fit_height = static_cast<int>(
                              std::ceil(static_cast<float>(g.height) * kImageHeightShare)),
                          .budget_bytes = 1u << 20},
      *key);
}

// Uploads what was decoded, and journals an image of the item on screen that cannot be shown
// (once), so that the proctor sees it. Never silent.
bool SessionController::UpdateImages() {
  if (!engine_ || participant_.empty()) return false;
  if (!images_opened_) OpenImages();
  if (!images_) return false;
  const exam::SittingState s = Sitting();
  if (const std::string at = std::to_string(s.section) + "/" + s.current_item; at != images_at_) {
    images_at_ = at;
    const auto items = exam::ItemOrder(engine_->exam(), s.section, s.seed);
    const auto index = std::find(items.begin(), items.end(), s.current_item) - items.begin();
    // The items next to it, both ways: one move ahead of the candidate is enough to have the
    // next image ready, and every item further out would hold another texture.
    images_->Want(MediaAround(engine_->exam(), items, static_cast<std::size_t>(index), 1));
  }
  images_->Pump();
  for (auto& [name, why] : images_->TakeFailures()) image_failures_[name] = why;
  const bool backlog = images_->backlog();
  const auto item = engine_->exam().items.find(s.current_item);
  if (screen_ != Screen::kItem || item == engine_->exam().items.end()) return backlog;
  for (const std::string& name : item->second.media) {
    const auto failed = image_failures_.find(name);
    if (failed == image_failures_.end()) continue;
    const exam::Engine::ImageFault fault{participant_, s.current_item, name, failed->second};
    if (!images_reported_.insert(fault.participant + "/" + fault.item + "/" + name).second) {
      continue;
    }
    std::cerr << "lontar-kiosk: item " << fault.item << ": image not shown: " << fault.reason
              << "\n";
    if (auto st = engine_->ReportImageUnshown(fault); !st) {
      std::cerr << "lontar-kiosk: journaling it: " << st.error().message() << "\n";
    }
  }
  return backlog;
}

int SessionController::ImagesOnScreen() const {
  if (!engine_ || participant_.empty() || screen_ != Screen::kItem || proctor_open_) return 0;
  const auto item = engine_->exam().items.find(Sitting().current_item);
  return item == engine_->exam().items.end() ? 0 : static_cast<int>(item->second.media.size());
}

int SessionController::ImagesLoading() const {
  if (!images_ || ImagesOnScreen() == 0) return 0;
  int loading = 0;
  for (const std::string& name : engine_->exam().items.at(Sitting().current_item).media) {
    if (images_->Find(name).state == ShownImage::State::kLoading) ++loading;
  }
  return loading;
}

exam::SittingState SessionController::Sitting() const {
  return engine_ && !participant_.empty() ? engine_->State(participant_) : exam::SittingState{};
}

// The engine has just charged time: the clock counts on from here.
void SessionController::Synced() {
  charged_ns_ = clock_.MonotonicNs();
  FollowState();
}

// Screens that the sitting's phase decides: a submitted sitting shows the finished screen, a
// section that closed (time) takes the candidate back to the items.
void SessionController::FollowState() {
  const exam::SittingState s = Sitting();
  if (aids_.Follow(s, base_look_, look_)) look_changed_ = true;  // large text from the start
  const bool ended = s.phase == exam::Phase::kSubmitted || s.phase == exam::Phase::kVoided ||
                     s.phase == exam::Phase::kHandedOff;
  if (ended) screen_ = Screen::kFinished;
  if (s.phase == exam::Phase::kInProgress && s.section != shown_section_) {
    shown_section_ = s.section;
    if (screen_ == Screen::kReview || screen_ == Screen::kNextSection) screen_ = Screen::kItem;
  }
}

void SessionController::Tick() {
  if (!engine_ || participant_.empty()) return;
  const exam::SittingState s = Sitting();
  if (s.phase != exam::Phase::kInProgress) return;
  const std::int64_t now = clock_.MonotonicNs();
  const bool due = now - charged_ns_ >= kCheckpointNs;
  const bool zero = Remaining(s).second <= 0 && now - charged_ns_ >= 1'000'000'000 / 2;
  if (!due && !zero) return;
  if (auto st = engine_->Checkpoint(); !st) {
    saved_ = Saved::kFailed;
    save_error_ = st.error().message();
    return;
  }
  Synced();
}

// Whole-exam and section time left, as of now: the engine's figures less what the kiosk
// measured since the engine last charged time (display only; the engine charges its own).
std::pair<std::int64_t, std::int64_t> SessionController::Remaining(
    const exam::SittingState& s) const {
  const std::int64_t since = std::max<std::int64_t>(0, clock_.MonotonicNs() - charged_ns_);
  return {std::max<std::int64_t>(0, exam::RemainingNs(engine_->exam(), s) - since),
          std::max<std::int64_t>(0, exam::SectionRemainingNs(engine_->exam(), s) - since)};
}

std::string SessionController::ParticipantName(const std::string& number) const {
  for (const auto& p : engine_->exam().roster) {
    if (p.number == number) return p.name;
  }
  return "";
}

void SessionController::Frame(const std::string& shown, bool english) {
  last_shown_ = shown;
  aids_.Shown(shown);
  if (engine_ && !participant_.empty()) {
    const exam::SittingState sitting = Sitting();
    aids_.Announce(sitting, Remaining(sitting).first, english, shown);
  }
}

std::optional<Action> SessionController::Draw(const ScreenContext& ctx) {
  const exam::SittingState sitting = Sitting();
  if (proctor_open_) {
    DrawPanel(ctx, sitting);
    return std::nullopt;
  }
  auto lift = [](std::optional<Intent> i) -> std::optional<Action> {
    if (i) return Action{*i};
    return std::nullopt;
  };
  switch (screen_) {
    case Screen::kError:
      return lift(DrawError(ctx, std::get<Error>(status_)));
    case Screen::kHealth:
      return lift(DrawHealth(ctx, std::get<health::TerminalStatus>(status_)));
    case Screen::kWaiting: {
      const pack::LoadedPack* next = ChosenSession();
      const std::size_t valid = NextSessions().size();
      const bool named = next != nullptr && (valid == 1 || !next_pack_id_.empty());
      return lift(DrawWaiting(ctx, std::get<health::TerminalStatus>(status_), valid,
                              named ? SessionTitle(ctx.tr, next->header) : std::string(),
                              named ? DescribeSession(ctx.tr, next->header) : std::string()));
    }
    case Screen::kLogin: {
      LoginView view{engine_->exam(), token_shown_, "", locked_};
      if (!refusal_key_.empty()) view.refusal = ctx.tr.Format(refusal_key_, refusal_arg_);
      return DrawLogin(ctx, view, form_);
    }
    default:
      break;
  }
  ExamView view{.exam = engine_->exam(),
                .state = sitting,
                .participant_name = ParticipantName(sitting.participant),
                .save_error = save_error_,
                .receipt = engine_->ReceiptCode(sitting.participant)};
  std::tie(view.remaining_ns, view.section_remaining_ns) = Remaining(sitting);
  view.saved = saved_item_ == sitting.current_item ? saved_ : Saved::kNothing;
  view.images = images_.get();
  // The score the engine sealed into the result bundle: never scored a second time here.
  view.score = engine_->SealedScore(sitting.participant);
  view.read_aloud = aids_.read_aloud();
  view.speaking = aids_.speaking();
  view.audio_error = aids_.audio_error();
  if (sitting.phase == exam::Phase::kInProgress && sitting.paused) {
    return DrawPaused(ctx, view);  // the proctor's pause covers every exam screen
  }
  switch (screen_) {
    case Screen::kInstructions:
      return DrawInstructions(ctx, view);
    case Screen::kItem:
      return DrawItem(ctx, view);
    case Screen::kReview:
      return DrawReview(ctx, view);
    case Screen::kNextSection:
      return DrawNextSection(ctx, view);
    case Screen::kFinished:
      return DrawFinished(ctx, view);
    default:
      return std::nullopt;
  }
}

// Sends `command` to the engine. The "saved" mark goes on only when the engine returned
// success, which it does only once the events are durable (engine.hpp invariant 1).
bool SessionController::Execute(const exam::Command& command) {
  const exam::SittingState before = Sitting();
  auto result = engine_->Execute(participant_, command);
  saved_item_ = before.current_item;
  if (!result) {
    saved_ = Saved::kFailed;
    save_error_ = result.error().message();
    Synced();
    return false;
  }
  const bool changes_answer = std::holds_alternative<exam::Answer>(command) ||
                              std::holds_alternative<exam::Clear>(command) ||
                              std::holds_alternative<exam::Flag>(command);
  saved_ = changes_answer ? Saved::kSaved : Saved::kNothing;
  save_error_.clear();
  Synced();
  return true;
}

// The current item's neighbour in the candidate's order (`step` -1 or +1).
void SessionController::Move(int step) {
  const exam::SittingState s = Sitting();
  const auto items = exam::ItemOrder(engine_->exam(), s.section, s.seed);
  const auto it = std::find(items.begin(), items.end(), s.current_item);
  const auto index = static_cast<long>(it - items.begin()) + step;
  if (index < 0) return;
  if (index >= static_cast<long>(items.size())) {
    ShowReview();
    return;
  }
  Execute(exam::Goto{items[static_cast<std::size_t>(index)]});
}

void SessionController::ShowReview() {
  const bool last = Sitting().section + 1 >= engine_->exam().sections.size();
  screen_ = last ? Screen::kReview : Screen::kNextSection;
}

void SessionController::Login() {
  std::string number = form_.text[LoginForm::kNumber].data();
  const std::string_view pin = form_.text[LoginForm::kPin].data();
  const std::string token = form_.text[LoginForm::kToken].data();
  refusal_key_.clear();
  refusal_arg_.clear();
  locked_ = false;
  if (number.empty() || pin.empty() || token.empty()) {
    refusal_key_ = "login.refused.empty";
    return;
  }
  auto result = engine_->TryLogin(number, AsBytes(pin), token);
  if (!result && result.error().why == exam::LoginRefusal::kSessionNotOpen) {
    // The proctor may have opened the session from the console since the engine was read.
    auto reopened = exam::Engine::Open(*terminal_, clock_);
    if (reopened) {
      engine_.emplace(std::move(*reopened));
      result = engine_->TryLogin(number, AsBytes(pin), token);
    }
  }
  // The PIN never outlives the attempt.
  sodium_memzero(form_.text[LoginForm::kPin].data(), form_.text[LoginForm::kPin].size());
  if (!result) return Refuse(result.error(), number);
  form_.Clear();
  participant_ = number;
  const exam::SittingState& s = *result;
  const bool fresh = s.answers.empty() && s.flagged.empty() && s.section == 0;
  screen_ = fresh ? Screen::kInstructions : Screen::kItem;
  shown_section_ = s.section;
  saved_ = Saved::kNothing;
  Synced();
}

void SessionController::Refuse(const exam::LoginRefused& refused, const std::string& number) {
  form_.field = LoginForm::kPin;
  form_.focus = true;
  refusal_arg_ = number;
  switch (refused.why) {
    case exam::LoginRefusal::kSessionNotOpen:
      refusal_key_ = "login.refused.not_open";
      break;
    case exam::LoginRefusal::kRoomPaused:
      refusal_key_ = "login.refused.paused";
      break;
    case exam::LoginRefusal::kLocked:
      refusal_key_ = "login.refused.locked";
      locked_ = true;
      break;
    case exam::LoginRefusal::kWrongToken:
    case exam::LoginRefusal::kWrongPin:
      refusal_key_ = "login.refused.wrong";
      refusal_arg_ =
          std::to_string(refused.failures) + " / " + std::to_string(exam::kMaxLoginFailures);
      break;
    case exam::LoginRefusal::kNotOnRoster:
      refusal_key_ = "login.refused.unknown";
      break;
    case exam::LoginRefusal::kFinished:
      refusal_key_ = "login.refused.finished";
      break;
    case exam::LoginRefusal::kVoided:
      refusal_key_ = "login.refused.voided";
      break;
    case exam::LoginRefusal::kHandedOff:
      refusal_key_ = "login.refused.handed_off";
      break;
    case exam::LoginRefusal::kFailed:
      refusal_key_ = "login.refused.other";
      refusal_arg_ = refused.error.message();
      break;
  }
}

void SessionController::Act(const Action& action, bool english) {
  if (const auto* command = std::get_if<exam::Command>(&action)) {
    const bool go = std::holds_alternative<exam::Goto>(*command);
    if (Execute(*command) && go) screen_ = Screen::kItem;
    return;
  }
  switch (std::get<Intent>(action)) {
    case Intent::kRecheck:
      return Recheck();
    case Intent::kLogin:
      return Login();
    case Intent::kBeginItems:
    case Intent::kBackToItems:
      screen_ = Screen::kItem;
      return;
    case Intent::kPreviousItem:
      return Move(-1);
    case Intent::kNextItem:
      return Move(+1);
    case Intent::kToggleFlag: {
      const exam::SittingState s = Sitting();
      Execute(exam::Flag{s.current_item, !s.flagged.contains(s.current_item)});
      return;
    }
    case Intent::kShowReview:
      return ShowReview();
    case Intent::kConfirmSubmit:
      Execute(exam::Submit{});
      return;
    case Intent::kConfirmNextSection:
      if (Execute(exam::NextSection{})) screen_ = Screen::kItem;
      return;
    case Intent::kReadAloud:
      return aids_.ToggleItem(engine_->exam(), Sitting(), english, last_shown_);
    case Intent::kVolumeUp:
      return aids_.VolumeUp();
    case Intent::kVolumeDown:
      return aids_.VolumeDown();
    case Intent::kToggleLanguage:
    case Intent::kFontSmaller:
    case Intent::kFontLarger:
    case Intent::kToggleContrast:
      return;  // the frame loop's
  }
}

void SessionController::AddToReport(nlohmann::json& j, bool time_warning) const {
  if (!engine_ || participant_.empty()) return;
  const exam::SittingState s = Sitting();
  j["participant"] = s.participant;
  j["phase"] = exam::PhaseName(s.phase);
  j["paused"] = s.paused;
  j["receipt"] = engine_->ReceiptCode(s.participant);
  j["current_item"] = s.current_item;
  j["answers"] = s.answers;
  j["flagged"] = s.flagged;
  const auto [whole, section] = Remaining(s);
  j["remaining_seconds"] = whole / 1'000'000'000;
  j["time_warning"] = time_warning;
  j["section_remaining_seconds"] = section / 1'000'000'000;
  j["read_aloud"] = aids_.ReportJson();
}

}  // namespace lontar::app

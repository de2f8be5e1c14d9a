#include "app/kiosk.hpp"

#include <imgui.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <variant>

#include "app/accommodations.hpp"
#include "app/fonts.hpp"
#include "app/i18n.hpp"
#include "app/image_cache.hpp"
#include "app/input_pump.hpp"
#include "app/layout_check.hpp"
#include "app/screens/error.hpp"
#include "app/screens/finished.hpp"
#include "app/screens/health.hpp"
#include "app/screens/instructions.hpp"
#include "app/screens/item.hpp"
#include "app/screens/login.hpp"
#include "app/screens/next_section.hpp"
#include "app/screens/paused.hpp"
#include "app/screens/proctor.hpp"
#include "app/screens/review.hpp"
#include "app/screens/waiting.hpp"
#include "app/script.hpp"
#include "app/technician.hpp"
#include "core/crypto/code_file.hpp"
#include "core/crypto/secret.hpp"
#include "core/exam/engine.hpp"
#include "core/health/health.hpp"
#include "core/pack/terminal_packs.hpp"
#include "core/scoring/score.hpp"
#include "core/util/fs.hpp"

namespace lontar::app {
namespace {

constexpr int kSettleFrames = 3;             // ImGui sizes tables and text over the first frames
constexpr std::time_t kRecheckSeconds = 60;  // re-read terminal health this often
constexpr std::time_t kWaitingRecheckSeconds = 5;      // look for a released pack this often
constexpr std::int64_t kCheckpointNs = 5'000'000'000;  // engine.hpp invariant (2)

// What is showing. Everything else (the sitting) is the engine's.
enum class Screen {
  kError,
  kHealth,
  kWaiting,
  kLogin,
  kInstructions,
  kItem,
  kReview,
  kNextSection,
  kFinished
};

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

class Kiosk {
 public:
  Kiosk(const KioskOptions& options, Window window, Catalog id, Catalog en)
      : options_(options),
        window_(std::move(window)),
        id_(std::move(id)),
        en_(std::move(en)),
        look_(options.look),
        english_(options.lang == "en"),
        technician_(options.home, options.technician_code,
                    options.usb_stick ? terminal::UsbGateClient::FixedStick(*options.usb_stick)
                                      : terminal::UsbGateClient::Service(options.usb_dir)) {}

  int Run() {
    // A USB gate left open by a kiosk that crashed in technician mode is closed (its stick
    // unmounted) before any sitting can begin; a gate that cannot be told does not stop the kiosk.
    if (!options_.usb_stick) {
      if (auto st = terminal::UsbGateClient::Service(options_.usb_dir).CloseAtStart(); !st) {
        std::cerr << "lontar-kiosk: closing the USB gate at start: " << st.error().message()
                  << "\n";
      }
    }
    if (!Rebuild()) return 1;
    if (options_.script) {
      auto script = Script::Load(*options_.script);
      if (!script) {
        std::cerr << "lontar-kiosk: " << script.error().message() << "\n";
        return 2;
      }
      script_ = std::move(*script);
    }
    Recheck();
    int frames = 0;
    int pending = 1;  // frames to draw without waiting: input needs two (ImGui settles on the 2nd)
    const auto handle = [this](const SDL_Event& event) { return Handle(event); };
    for (;;) {
      // Sleep until input arrives or the clock's next second: no busy loop. A script keeps the
      // frames coming while it has steps.
      const bool screenshotting = options_.screenshot.has_value();
      const bool scripted = script_ && !script_->done();
      keys_.clear();
      if (pending == 0 && !screenshotting) {
        const auto now = std::chrono::system_clock::now().time_since_epoch();
        int ms =
            1000 - static_cast<int>(
                       std::chrono::duration_cast<std::chrono::milliseconds>(now).count() % 1000);
        if (scripted) ms = std::min(ms, 20);
        if (technician_.active()) ms = std::min(ms, 250);  // follow the USB stick
        switch (input_.Drain(ms, handle)) {
          case InputPump::Drained::kQuit:
            return 0;
          case InputPump::Drained::kInput:
            pending = 2;
            break;
          case InputPump::Drained::kNothing:
            pending = 1;  // the clock ticked
            break;
        }
      } else if (scripted && input_.Drain(0, handle) == InputPump::Drained::kQuit) {
        return 0;
      }
      // A new display mode or pixel density: re-rasterise the text for it before drawing.
      if (window_.geometry() != fonts_.built_for && !Rebuild()) return 1;
      const std::time_t t = std::time(nullptr);
      const std::time_t every =
          screen_ == Screen::kWaiting ? kWaitingRecheckSeconds : kRecheckSeconds;
      if (!engine_ && !technician_.active() && t - checked_at_ >= every) Recheck();
      technician_.Tick(t);
      if (technician_.TakeEnded()) AfterTechnician();
      Tick();
      const auto frame_start = std::chrono::steady_clock::now();
      const std::string item_before = images_at_;
      UpdateImages();
      targets_.clear();
      std::optional<Action> action = DrawFrame(t);
      ++frames;
      if (screenshotting && frames == kSettleFrames) {
        if (auto st = window_.EndFrame(&*options_.screenshot); !st) {
          std::cerr << "lontar-kiosk: " << st.error().message() << "\n";
          return 1;
        }
        WriteRegions(*options_.screenshot);
        Report();
        return 0;
      }
      std::optional<std::filesystem::path> shot = script_ ? script_->ScreenshotDue() : std::nullopt;
      if (auto st = window_.EndFrame(shot ? &*shot : nullptr); !st) {
        std::cerr << "lontar-kiosk: " << st.error().message() << "\n";
        return 1;
      }
      if (shot) WriteRegions(*shot);
      if (options_.report && images_at_ != item_before && !item_before.empty()) {
        // Test mode: how long the frame that first showed a new item took (benchmarks).
        item_frame_ms_.push_back(std::chrono::duration<double, std::milli>(
                                     std::chrono::steady_clock::now() - frame_start)
                                     .count());
      }
      // Layout is checked on the frames people see: the last before the kiosk sleeps, or the one
      // a script step acts on (ImGui sizes some things over the first frames after a change).
      const bool settled = script_ && !script_->done() ? script_->Settled() : pending <= 1;
      if (options_.report && settled) {
        for (std::string& p : CheckLayout()) {
          if (layout_problems_.size() < 50) {
            layout_problems_.insert(std::string(ShownName()) + ": " + std::move(p));
          }
        }
      }
      if (pending > 0) --pending;
      if (action) {
        if (!Act(*action)) return 1;
        pending = 2;  // show the effect now, not at the next tick
      }
      if (script_) {
        if (auto code = script_->AfterFrame(window_.sdl(), targets_, ShownName())) {
          Report();
          return *code;
        }
        if (!script_->done()) pending = std::max(pending, 1);
      }
      Report();
    }
  }

 private:
  const Catalog& tr() const { return english_ ? en_ : id_; }

  // Technician mode may open from the terminal's own screens and the login screen, never while
  // a candidate's sitting is on screen.
  bool TechnicianAllowed() const {
    return !proctor_open_ && (screen_ == Screen::kError || screen_ == Screen::kHealth ||
                              screen_ == Screen::kWaiting || screen_ == Screen::kLogin);
  }

  // Technician mode has ended: packs, the terminal itself or its settings may have changed, so
  // read everything again unless a sitting is under way.
  void AfterTechnician() {
    if (engine_ && !engine_->InProgress().empty()) return;
    images_.reset();  // before the engine: it reads the engine's pack
    engine_.reset();
    terminal_.reset();
    Recheck();
  }

  // Window events, and the keys pressed for the screens' shortcuts (not while a text field has
  // the keyboard: typing "F" into a token must not flag an item). True: quit.
  bool Handle(const SDL_Event& event) {
    if (technician_.active() &&
        (event.type == SDL_KEYDOWN || event.type == SDL_TEXTINPUT ||
         event.type == SDL_MOUSEBUTTONDOWN || event.type == SDL_FINGERDOWN)) {
      technician_.Touch(std::time(nullptr));
    }
    // Ctrl+Alt+T opens technician mode (the code prompt) where TechnicianAllowed says.
    if (event.type == SDL_KEYDOWN && event.key.keysym.sym == SDLK_t &&
        (event.key.keysym.mod & KMOD_CTRL) != 0 && (event.key.keysym.mod & KMOD_ALT) != 0) {
      if (!technician_.active() && TechnicianAllowed()) technician_.Begin(std::time(nullptr));
      return false;
    }
    // Ctrl+Alt+P opens (or closes) the proctor panel, whatever has the keyboard.
    if (event.type == SDL_KEYDOWN && event.key.keysym.sym == SDLK_p && !technician_.active() &&
        (event.key.keysym.mod & KMOD_CTRL) != 0 && (event.key.keysym.mod & KMOD_ALT) != 0) {
      if (proctor_open_) {
        CloseProctor();
      } else if (engine_) {
        proctor_open_ = true;
      }
      return false;
    }
    if (event.type == SDL_KEYDOWN && !ImGui::GetIO().WantTextInput) {
      keys_.push_back(event.key.keysym.sym);
    }
    return window_.HandleEvent(event);
  }

  // Fonts and spacing for the current screen and text size. False (with the message on stderr)
  // when the fonts cannot be loaded; the kiosk then exits for its service to restart it.
  bool Rebuild() {
    auto fonts = BuildFonts(window_.geometry(), look_.font_scale);
    if (!fonts) {
      std::cerr << "lontar-kiosk: " << fonts.error().message() << "\n";
      return false;
    }
    fonts_ = *fonts;
    ApplyTheme(look_, fonts_);
    return true;
  }

  // Terminal health, then the engine on the released pack when there is one.
  void Recheck() {
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
  }

  void Fail(Error error) {
    status_ = std::move(error);
    screen_ = Screen::kError;
  }

  void OpenEngine() {
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
    OpenImages();
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
  void OpenImages() {
    images_.reset();
    auto key = pack::ContentKey(*terminal_, engine_->pack_id());
    if (!key) {  // the engine just read the pack with this key: no image can show, each says so
      std::cerr << "lontar-kiosk: images: " << key.error().message() << "\n";
      return;
    }
    const Geometry g = window_.geometry();
    images_ = std::make_unique<ImageCache>(
        window_.renderer(),
        ImageCache::Options{.pack_file = pack::StoredPackFile(*terminal_, engine_->pack_id()),
                            .fit_width = g.width,
                            .fit_height = g.height,
                            .wait_for_current = options_.script || options_.screenshot},
        *key);
  }

  // Wants the images around the current item, uploads what was decoded, and journals an image
  // of the item on screen that cannot be shown (once), so that the proctor sees it. Never silent.
  void UpdateImages() {
    if (!images_ || !engine_ || participant_.empty()) return;
    const exam::SittingState s = Sitting();
    if (const std::string at = std::to_string(s.section) + "/" + s.current_item; at != images_at_) {
      images_at_ = at;
      const auto items = exam::ItemOrder(engine_->exam(), s.section, s.seed);
      const auto index = std::find(items.begin(), items.end(), s.current_item) - items.begin();
      images_->Want(MediaAround(engine_->exam(), items, static_cast<std::size_t>(index), 2));
    }
    images_->Pump();
    for (auto& [name, why] : images_->TakeFailures()) image_failures_[name] = why;
    const auto item = engine_->exam().items.find(s.current_item);
    if (screen_ != Screen::kItem || item == engine_->exam().items.end()) return;
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
  }

  std::vector<std::string> ImageFaultLines() const {
    std::vector<std::string> lines;
    for (const exam::Engine::ImageFault& f : engine_->image_faults()) {
      lines.push_back(tr().Format("proctor.image_fault", f.participant) + ", " + f.item + ": " +
                      f.media + " (" + f.reason + ")");
    }
    return lines;
  }

  // The screen's name for scripts and reports: "proctor" while the panel covers it.
  const char* ShownName() const {
    if (technician_.active()) return technician_.ShownName();
    return proctor_open_ ? "proctor" : ScreenName(screen_);
  }

  std::filesystem::path HandoffDir() const {
    return options_.handoff_dir ? *options_.handoff_dir : options_.home / "handoff";
  }

  void CloseProctor() {
    proctor_open_ = false;
    proctor_form_.Clear();
    proctor_auth_.reset();
    proctor_code_.reset();
  }

  // Carries out what the proctor asked for through the engine (which journals it with the
  // reason) and says how it went in the panel.
  void ActProctor(ProctorAction a) {
    ProctorForm& f = proctor_form_;
    auto say = [&](const std::string& text, bool bad) {
      f.message = text;
      f.message_bad = bad;
    };
    auto report = [&](const Status& st) {
      if (st) {
        say(tr()("proctor.done"), false);
      } else {
        say(st.error().message(), true);
      }
      Synced();
    };
    const std::string reason(f.reason.data());
    if (a == ProctorAction::kClose) return CloseProctor();
    if (a == ProctorAction::kAuthorise) {
      auto code = crypto::SecretBytes::CopyOf(AsBytes(std::string_view(f.code.data())));
      sodium_memzero(f.code.data(), f.code.size());
      if (!code) return say(code.error().message(), true);
      auto auth = engine_->AuthorizeProctor(code->view());
      if (!auth) {
        f.focus = true;
        return say(auth.error().kind() == ErrorKind::kWrongKey ? tr()("proctor.wrong_code")
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
        const std::filesystem::path file =
            HandoffDir() / (participant_ + "." +
                            engine_->State(participant_).handoff_id.substr(0, 8) + ".handoff");
        Status written = EnsureDir(HandoffDir(), 0700);
        if (written) written = WriteFileAtomic(file, AsBytes(*record), 0600, Overwrite::kReplace);
        Synced();
        if (!written) return say(written.error().message(), true);
        return say(tr().Format("proctor.handed_off", file.string()), false);
      }
      case ProctorAction::kToggleReadAloud: {
        authoring::Accommodations a = Sitting().accommodations;
        a.read_aloud = !a.read_aloud;
        return report(sitting(exam::Accommodate{a, reason}));
      }
      case ProctorAction::kAuthorise:
      case ProctorAction::kClose:
        break;
    }
  }

  exam::SittingState Sitting() const {
    return engine_ && !participant_.empty() ? engine_->State(participant_) : exam::SittingState{};
  }

  // The engine has just charged time: the clock counts on from here.
  void Synced() {
    charged_ns_ = clock_.MonotonicNs();
    FollowState();
  }

  // Screens that the sitting's phase decides: a submitted sitting shows the finished screen, a
  // section that closed (time) takes the candidate back to the items.
  void FollowState() {
    const exam::SittingState s = Sitting();
    if (aids_.Follow(s, options_.look, look_)) Rebuild();  // large text from the first screen
    const bool ended = s.phase == exam::Phase::kSubmitted || s.phase == exam::Phase::kVoided ||
                       s.phase == exam::Phase::kHandedOff;
    if (ended && screen_ != Screen::kFinished) {
      screen_ = Screen::kFinished;
      std::string position;
      for (const auto& p : engine_->exam().roster) {
        if (p.number == s.participant) position = p.position;
      }
      auto report = scoring::Score(engine_->exam(), s.answers, position);
      if (report) score_ = *report;
    }
    if (s.phase == exam::Phase::kInProgress && s.section != shown_section_) {
      shown_section_ = s.section;
      if (screen_ == Screen::kReview || screen_ == Screen::kNextSection) screen_ = Screen::kItem;
    }
  }

  // Charges time at least every five seconds, and at once when the clock shows zero.
  void Tick() {
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
  std::pair<std::int64_t, std::int64_t> Remaining(const exam::SittingState& s) const {
    const std::int64_t since = std::max<std::int64_t>(0, clock_.MonotonicNs() - charged_ns_);
    return {std::max<std::int64_t>(0, exam::RemainingNs(engine_->exam(), s) - since),
            std::max<std::int64_t>(0, exam::SectionRemainingNs(engine_->exam(), s) - since)};
  }

  std::string ParticipantName(const std::string& number) const {
    for (const auto& p : engine_->exam().roster) {
      if (p.number == number) return p.name;
    }
    return "";
  }

  std::optional<Action> DrawFrame(std::time_t now) {
    window_.BeginFrame();
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->Pos);
    ImGui::SetNextWindowSize(vp->Size);
    ImGui::Begin("screen", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                     ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                     // The renderer clears to the background colour (Window::EndFrame), which is
                     // far cheaper than blending a quad over every pixel of the screen.
                     ImGuiWindowFlags_NoBackground);
    const exam::SittingState sitting = Sitting();
    const std::string shown = std::string(ShownName()) + "/" + sitting.current_item;
    const ScreenContext ctx{
        .tr = tr(),
        .fonts = fonts_,
        .look = look_,
        .now = now,
        .keys = keys_,
        .targets = options_.script || options_.report || options_.screenshot ? &targets_ : nullptr,
        .first_frame = shown != last_shown_};
    last_shown_ = shown;
    aids_.Shown(shown);
    if (engine_ && !participant_.empty()) {
      aids_.Announce(sitting, Remaining(sitting).first, english_, shown);
    }
    std::optional<Action> action;
    if (technician_.active()) {
      technician_.Draw(ctx);
      ImGui::End();
      return std::nullopt;
    }
    if (proctor_open_ && engine_) {
      const ProctorView view{
          .authorised = proctor_auth_.has_value(),
          .token = token_shown_,
          .participant = sitting.participant,
          .in_progress = sitting.phase == exam::Phase::kInProgress,
          .paused = sitting.paused,
          .room_paused = engine_->room_paused(),
          .handoff_dir = HandoffDir().string(),
          .accommodations = authoring::DescribeAccommodations(sitting.accommodations),
          .read_aloud = sitting.accommodations.read_aloud,
          .image_faults = ImageFaultLines()};
      if (auto pa = DrawProctor(ctx, view, proctor_form_)) ActProctor(*pa);
      ImGui::End();
      return std::nullopt;
    }
    auto lift = [](std::optional<Intent> i) -> std::optional<Action> {
      if (i) return Action{*i};
      return std::nullopt;
    };
    switch (screen_) {
      case Screen::kError:
        action = lift(DrawError(ctx, std::get<Error>(status_)));
        break;
      case Screen::kHealth:
        action = lift(DrawHealth(ctx, std::get<health::TerminalStatus>(status_)));
        break;
      case Screen::kWaiting:
        action = lift(DrawWaiting(ctx, std::get<health::TerminalStatus>(status_)));
        break;
      case Screen::kLogin: {
        LoginView view{engine_->exam(), token_shown_, "", locked_};
        if (!refusal_key_.empty()) view.refusal = tr().Format(refusal_key_, refusal_arg_);
        action = DrawLogin(ctx, view, form_);
        break;
      }
      default: {
        ExamView view{.exam = engine_->exam(),
                      .state = sitting,
                      .participant_name = {},
                      .save_error = {},
                      .receipt = {}};
        view.participant_name = ParticipantName(sitting.participant);
        std::tie(view.remaining_ns, view.section_remaining_ns) = Remaining(sitting);
        view.saved = saved_item_ == sitting.current_item ? saved_ : Saved::kNothing;
        view.save_error = save_error_;
        view.images = images_.get();
        view.score = score_ ? &*score_ : nullptr;
        view.receipt = engine_->ReceiptCode(sitting.participant);
        view.read_aloud = aids_.read_aloud();
        view.speaking = aids_.speaking();
        view.audio_error = aids_.audio_error();
        if (sitting.phase == exam::Phase::kInProgress && sitting.paused) {
          action = DrawPaused(ctx, view);  // the proctor's pause covers every exam screen
        } else if (screen_ == Screen::kInstructions) {
          action = DrawInstructions(ctx, view);
        } else if (screen_ == Screen::kItem) {
          action = DrawItem(ctx, view);
        } else if (screen_ == Screen::kReview) {
          action = DrawReview(ctx, view);
        } else if (screen_ == Screen::kNextSection) {
          action = DrawNextSection(ctx, view);
        } else if (screen_ == Screen::kFinished) {
          action = DrawFinished(ctx, view);
        }
        break;
      }
    }
    ImGui::End();
    return action;
  }

  // Sends `command` to the engine. The "saved" mark goes on only when the engine returned
  // success, which it does only once the events are durable (engine.hpp invariant 1).
  bool Execute(const exam::Command& command) {
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
  void Move(int step) {
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

  void ShowReview() {
    const bool last = Sitting().section + 1 >= engine_->exam().sections.size();
    screen_ = last ? Screen::kReview : Screen::kNextSection;
  }

  void Login() {
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
    auto result = engine_->Login(number, AsBytes(pin), token);
    if (!result && result.error().kind() == ErrorKind::kNotFound) {
      // The proctor may have opened the session from the console since the engine was read.
      auto reopened = exam::Engine::Open(*terminal_, clock_);
      if (reopened) {
        engine_.emplace(std::move(*reopened));
        result = engine_->Login(number, AsBytes(pin), token);
      }
    }
    // The PIN never outlives the attempt.
    sodium_memzero(form_.text[LoginForm::kPin].data(), form_.text[LoginForm::kPin].size());
    if (result) {
      form_.Clear();
      participant_ = number;
      const exam::SittingState& s = *result;
      const bool fresh = s.answers.empty() && s.flagged.empty() && s.section == 0;
      screen_ = fresh ? Screen::kInstructions : Screen::kItem;
      shown_section_ = s.section;
      saved_ = Saved::kNothing;
      Synced();
      return;
    }
    form_.field = LoginForm::kPin;
    form_.focus = true;
    const Error& e = result.error();
    refusal_arg_ = number;
    switch (e.kind()) {
      case ErrorKind::kNotFound:
        refusal_key_ = "login.refused.not_open";
        break;
      case ErrorKind::kPermission:
        refusal_key_ = "login.refused.locked";
        locked_ = true;
        break;
      case ErrorKind::kWrongKey:
        if (engine_->locked(number)) {
          refusal_key_ = "login.refused.locked";
          locked_ = true;
        } else {
          refusal_key_ = "login.refused.wrong";
          refusal_arg_ = std::to_string(engine_->login_failures(number)) + " / " +
                         std::to_string(exam::kMaxLoginFailures);
        }
        break;
      case ErrorKind::kInvalidArgument:
        switch (engine_->State(number).phase) {
          case exam::Phase::kSubmitted:
            refusal_key_ = "login.refused.finished";
            break;
          case exam::Phase::kVoided:
            refusal_key_ = "login.refused.voided";
            break;
          case exam::Phase::kHandedOff:
            refusal_key_ = "login.refused.handed_off";
            break;
          case exam::Phase::kNotStarted:
          case exam::Phase::kInProgress:
            refusal_key_ = "login.refused.unknown";
            break;
        }
        break;
      default:
        refusal_key_ = "login.refused.other";
        refusal_arg_ = e.message();
        break;
    }
  }

  // False when the screen cannot be redrawn (the fonts failed to load).
  bool Act(const Action& action) {
    if (const auto* command = std::get_if<exam::Command>(&action)) {
      const bool go = std::holds_alternative<exam::Goto>(*command);
      if (Execute(*command) && go) screen_ = Screen::kItem;
      return true;
    }
    const Intent intent = std::get<Intent>(action);
    switch (intent) {
      case Intent::kToggleLanguage:
        english_ = !english_;
        break;
      case Intent::kFontSmaller:
      case Intent::kFontLarger: {
        const float step = intent == Intent::kFontLarger ? 0.25f : -0.25f;
        look_.font_scale = std::clamp(look_.font_scale + step, 1.0f, 2.0f);
        return Rebuild();
      }
      case Intent::kToggleContrast:
        look_.high_contrast = !look_.high_contrast;
        ApplyTheme(look_, fonts_);
        break;
      case Intent::kRecheck:
        Recheck();
        break;
      case Intent::kLogin:
        Login();
        break;
      case Intent::kBeginItems:
      case Intent::kBackToItems:
        screen_ = Screen::kItem;
        break;
      case Intent::kPreviousItem:
        Move(-1);
        break;
      case Intent::kNextItem:
        Move(+1);
        break;
      case Intent::kToggleFlag: {
        const exam::SittingState s = Sitting();
        Execute(exam::Flag{s.current_item, !s.flagged.contains(s.current_item)});
        break;
      }
      case Intent::kShowReview:
        ShowReview();
        break;
      case Intent::kConfirmSubmit:
        Execute(exam::Submit{});
        break;
      case Intent::kConfirmNextSection:
        if (Execute(exam::NextSection{})) screen_ = Screen::kItem;
        break;
      case Intent::kReadAloud:
        aids_.ToggleItem(engine_->exam(), Sitting(), english_, last_shown_);
        break;
      case Intent::kVolumeUp:
        aids_.VolumeUp();
        break;
      case Intent::kVolumeDown:
        aids_.VolumeDown();
        break;
    }
    return true;
  }

  // Next to a screenshot, SHOT.regions.json: the pixel rectangles of the text that differs from
  // run to run (MarkVolatile), which comparisons with golden images leave out.
  void WriteRegions(const std::filesystem::path& shot) const {
    const float scale = window_.geometry().pixel_scale;
    nlohmann::json regions = nlohmann::json::object();
    for (const auto& [name, r] : targets_) {
      if (!name.starts_with("volatile.")) continue;
      regions[name.substr(9)] = {r.x0 * scale, r.y0 * scale, r.x1 * scale, r.y1 * scale};
    }
    std::filesystem::path out = shot;
    out.replace_extension(".regions.json");
    std::ofstream(out) << nlohmann::json{{"volatile", regions}}.dump(1) << "\n";
  }

  // Test mode: what is on screen, for the tests to compare with the engine's journal.
  void Report() {
    if (!options_.report) return;
    nlohmann::json j;
    j["screen"] = ShownName();
    j["pid"] = static_cast<int>(getpid());
    j["lang"] = english_ ? "en" : "id";
    j["script_done"] = !script_ || script_->done();
    j["layout_problems"] = layout_problems_;
    if (!item_frame_ms_.empty()) {
      std::vector<double> ms = item_frame_ms_;
      std::sort(ms.begin(), ms.end());
      j["item_frames"] = {{"count", ms.size()},
                          {"p50_ms", ms[ms.size() / 2]},
                          {"p95_ms", ms[ms.size() * 95 / 100]},
                          {"max_ms", ms.back()}};
    }
    if (engine_ && !participant_.empty()) {
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
      j["time_warning"] = targets_.contains("shown.time_warning");
      j["section_remaining_seconds"] = section / 1'000'000'000;
      j["read_aloud"] = aids_.ReportJson();
    }
    j["font_scale"] = look_.font_scale;
    j["high_contrast"] = look_.high_contrast;
    const std::string text = j.dump(2);
    if (text == last_report_) return;
    last_report_ = text;
    const std::filesystem::path tmp = options_.report->string() + ".tmp";
    std::ofstream(tmp) << text << "\n";
    std::error_code ec;
    std::filesystem::rename(tmp, *options_.report, ec);
  }

  const KioskOptions& options_;
  Window window_;
  Catalog id_, en_;
  Look look_;
  bool english_;
  Fonts fonts_;
  SystemClock clock_;
  std::variant<health::TerminalStatus, Error> status_ = Error::Internal("not checked yet");
  std::time_t checked_at_ = 0;
  Screen screen_ = Screen::kError;

  // The exam: the engine owns the sitting; the kiosk only remembers whose it is.
  std::unique_ptr<terminal::Terminal> terminal_;  // heap: the engine keeps a pointer to it
  std::optional<exam::Engine> engine_;
  std::unique_ptr<ImageCache> images_;
  std::string images_at_;                              // section/item the cache was last told about
  std::map<std::string, std::string> image_failures_;  // media name -> why it cannot be shown
  std::set<std::string> images_reported_;              // participant/item/media journaled
  std::vector<double> item_frame_ms_;  // test mode: frames that first showed an item
  std::string token_shown_;
  std::string participant_;
  std::size_t shown_section_ = 0;
  std::int64_t charged_ns_ = 0;
  Saved saved_ = Saved::kNothing;
  std::string saved_item_, save_error_;
  std::optional<scoring::ScoreReport> score_;
  SittingAids aids_;  // accommodations on screen, read-aloud

  // The login form: typed text and the last refusal (as a catalog key, so it follows the
  // language).
  LoginForm form_;
  bool proctor_open_ = false;
  ProctorForm proctor_form_;
  std::optional<exam::ProctorAuth> proctor_auth_;
  std::optional<crypto::SecretBytes> proctor_code_;
  std::string refusal_key_, refusal_arg_;
  bool locked_ = false;

  // Input and test mode.
  InputPump input_;
  std::vector<SDL_Keycode> keys_;
  Targets targets_;
  std::optional<Script> script_;
  std::set<std::string> layout_problems_;
  std::string last_report_;
  std::string last_shown_;  // screen and item of the last frame

  Technician technician_;
};

}  // namespace

std::filesystem::path FindAssets(const char* argv0) {
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) exe = argv0;
  const std::filesystem::path dir = exe.parent_path();
  for (const auto& candidate : {dir / "../../assets", dir / "../share/lontar/assets",
                                std::filesystem::path("/usr/share/lontar/assets")}) {
    if (std::filesystem::exists(candidate / "i18n" / "id.json", ec)) {
      return std::filesystem::weakly_canonical(candidate, ec);
    }
  }
  return dir / "../../assets";
}

int RunKiosk(const KioskOptions& options) {
  auto id = Catalog::Load(options.assets, "id");
  auto en = Catalog::Load(options.assets, "en");
  if (!id || !en) {
    std::cerr << "lontar-kiosk: " << (!id ? id.error() : en.error()).message()
              << " (pass --assets DIR)\n";
    return 1;
  }
  auto window = Window::Open(options.window);
  if (!window) {
    std::cerr << "lontar-kiosk: " << window.error().message() << "\n";
    return 1;
  }
  // One line in the journal that says how the screen is drawn: what a support question about a
  // wrongly drawn screen asks first.
  std::cerr << "lontar-kiosk: display: " << window->Describe() << "\n";
  Kiosk kiosk(options, std::move(*window), std::move(*id), std::move(*en));
  return kiosk.Run();
}

}  // namespace lontar::app

#include "app/kiosk.hpp"

#include <imgui.h>
#include <imgui_internal.h>  // ClearActiveID
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "app/fonts.hpp"
#include "app/i18n.hpp"
#include "app/input_pump.hpp"
#include "app/layout_check.hpp"
#include "app/script.hpp"
#include "app/session.hpp"
#include "app/technician/mode.hpp"
#include "core/terminal/clock_set.hpp"

namespace lontar::app {
namespace {

constexpr int kSettleFrames = 3;  // ImGui sizes tables and text over the first frames

// CPU time of the calling thread, in milliseconds (test mode's frame figures).
double ThreadCpuMs() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

// The frame loop: input, fonts and look, the screen's frame, and test mode (scripts,
// screenshots, reports). What shows and what it does is the session controller's
// (app/session.hpp) and, in technician mode, the technician's (app/technician/mode.hpp).
class Kiosk {
 public:
  Kiosk(const KioskOptions& options, Window window, Catalog id, Catalog en)
      : options_(options),
        window_(std::move(window)),
        id_(std::move(id)),
        en_(std::move(en)),
        look_(options.look),
        english_(options.lang == "en"),
        session_(SessionOptions{.home = options.home,
                                .open_session_with = options.open_session_with,
                                .handoff_dir = options.handoff_dir ? *options.handoff_dir
                                                                   : options.home / "handoff"},
                 window_, options_.look, look_),
        technician_(options.home, options.technician_code,
                    options.usb_stick ? terminal::UsbGateClient::FixedStick(*options.usb_stick)
                                      : terminal::UsbGateClient::Service(options.usb_dir),
                    options.clock_test_record
                        ? terminal::ClockSetter::RecordOnly(*options.clock_test_record)
                        : terminal::ClockSetter::Service(options.clock_dir),
                    options.localtime) {}

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
    session_.Recheck();
    int frames = 0;
    bool images_loading = false;  // the item on screen shows "loading" for an image
    int pending = 1;  // frames to draw without waiting: input needs two (ImGui settles on the 2nd)
    const auto handle = [this](const SDL_Event& event) { return Handle(event); };
    for (;;) {
      // Sleep until input arrives or the clock's next second: no busy loop. A script keeps the
      // frames coming while it has steps.
      const bool screenshotting = options_.screenshot.has_value();
      const bool scripted = script_ && !script_->done();
      keys_.clear();
      // Test mode waits for the item's images (the worker's wake-up ends the wait), never the
      // frame itself.
      if ((pending == 0 && !screenshotting) || (images_loading && (scripted || screenshotting))) {
        const auto now = std::chrono::system_clock::now().time_since_epoch();
        int ms =
            1000 - static_cast<int>(
                       std::chrono::duration_cast<std::chrono::milliseconds>(now).count() % 1000);
        if (scripted || screenshotting) ms = std::min(ms, 20);
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
      if (!technician_.active()) session_.RecheckIfDue(t);
      technician_.Tick();
      if (technician_.TakeEnded()) session_.AfterTechnician();
      session_.Tick();
      // A sitting's accommodations asked for larger text or more contrast.
      if (session_.TakeLookChanged() && !Rebuild()) return 1;
      const auto frame_start = std::chrono::steady_clock::now();
      const double frame_cpu_start = options_.report ? ThreadCpuMs() : 0;
      const std::string item_before = session_.images_at();
      if (session_.UpdateImages()) pending = std::max(pending, 1);  // uploads left for next frame
      images_loading = session_.ImagesLoading() > 0;
      if (script_ && images_loading) script_->Unsettle();
      targets_.clear();
      std::optional<Action> action = DrawFrame(t);
      // A screenshot is of the settled screen with its images (test mode waits for them).
      if (!images_loading) ++frames;
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
      if (options_.report) {
        TimeItemFrames(item_before, frame_start, ThreadCpuMs() - frame_cpu_start, images_loading);
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
      // The script's next step waits until the item's images show (or say they cannot).
      if (script_ && !images_loading) {
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

  // The screen's name for scripts and reports.
  const char* ShownName() const {
    return technician_.active() ? technician_.ShownName() : session_.ShownName();
  }

  // Window events, and the keys pressed for the screens' shortcuts (not while a text field has
  // the keyboard: typing "F" into a token must not flag an item). True: quit.
  bool Handle(const SDL_Event& event) {
    if (technician_.active() &&
        (event.type == SDL_KEYDOWN || event.type == SDL_TEXTINPUT ||
         event.type == SDL_MOUSEBUTTONDOWN || event.type == SDL_FINGERDOWN)) {
      technician_.Touch();
    }
    // Ctrl+Alt+T opens technician mode (the code prompt) where TechnicianAllowed says.
    if (event.type == SDL_KEYDOWN && event.key.keysym.sym == SDLK_t &&
        (event.key.keysym.mod & KMOD_CTRL) != 0 && (event.key.keysym.mod & KMOD_ALT) != 0) {
      if (!technician_.active() && session_.TechnicianAllowed()) {
        technician_.Begin();
      }
      return false;
    }
    // Ctrl+Alt+P opens (or closes) the proctor panel, whatever has the keyboard.
    if (event.type == SDL_KEYDOWN && event.key.keysym.sym == SDLK_p && !technician_.active() &&
        (event.key.keysym.mod & KMOD_CTRL) != 0 && (event.key.keysym.mod & KMOD_ALT) != 0) {
      session_.ToggleProctor();
      return false;
    }
    if (event.type == SDL_KEYDOWN && !ImGui::GetIO().WantTextInput) {
      // Tab and Space belong to the focus ring (app/screens/screen.hpp), not to ImGui, which
      // would otherwise put the keyboard into the first text field on Tab. The technician's
      // screens have no ring and keep ImGui's Tab.
      if (event.key.keysym.sym == SDLK_TAB && !technician_.active()) {
        tab_ += (event.key.keysym.mod & KMOD_SHIFT) != 0 ? -1 : 1;
        return false;
      }
      if (event.key.keysym.sym == SDLK_SPACE) space_ = true;
      keys_.push_back(event.key.keysym.sym);
    }
    // Escape in a text field leaves it with what was typed (ImGui would undo the typing), so
    // that Tab can reach the buttons around it.
    if (event.type == SDL_KEYDOWN && event.key.keysym.sym == SDLK_ESCAPE &&
        ImGui::GetIO().WantTextInput) {
      ImGui::ClearActiveID();
      return false;
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
    const std::string shown = std::string(ShownName()) + "/" + session_.current_item();
    const ScreenContext ctx{
        .tr = tr(),
        .fonts = fonts_,
        .look = look_,
        .now = now,
        .keys = keys_,
        .targets = options_.script || options_.report || options_.screenshot ? &targets_ : nullptr,
        .first_frame = shown != last_shown_,
        .focus = technician_.active() ? nullptr : &focus_,
        .zone = terminal::ZoneLabel(terminal::ReadSystemZone(options_.localtime))};
    MoveFocus(shown != last_shown_);
    last_shown_ = shown;
    session_.Frame(shown, english_);
    std::optional<Action> action;
    if (technician_.active()) {
      technician_.Draw(ctx);
    } else {
      action = session_.Draw(ctx);
    }
    ImGui::End();
    if (focus_.at >= focus_.count) focus_.at = focus_.count - 1;  // the screen lost controls
    return action;
  }

  // Before a frame: the ring starts afresh on a new screen or item and stays off while a text
  // field has the keyboard; Tab moves it on, Shift+Tab back, both wrapping round the controls
  // the last frame drew; Space presses what it is on.
  void MoveFocus(bool new_screen) {
    if (new_screen || ImGui::GetIO().WantTextInput) focus_.at = -1;
    const int n = focus_.count;
    if (tab_ != 0 && n > 0) {
      if (focus_.at < 0) {
        focus_.at = tab_ > 0 ? tab_ - 1 : n + tab_;
      } else {
        focus_.at += tab_;
      }
      focus_.at = ((focus_.at % n) + n) % n;
    }
    focus_.activate = space_ && focus_.at >= 0;
    focus_.count = 0;
    tab_ = 0;
    space_ = false;
  }

  // Display intents here; the rest is the session's. False when the screen cannot be redrawn
  // (the fonts failed to load).
  bool Act(const Action& action) {
    if (const Intent* intent = std::get_if<Intent>(&action)) {
      switch (*intent) {
        case Intent::kToggleLanguage:
          english_ = !english_;
          return true;
        case Intent::kFontSmaller:
        case Intent::kFontLarger: {
          const float step = *intent == Intent::kFontLarger ? 0.25f : -0.25f;
          look_.font_scale = std::clamp(look_.font_scale + step, 1.0f, 2.0f);
          return Rebuild();
        }
        case Intent::kToggleContrast:
          look_.high_contrast = !look_.high_contrast;
          ApplyTheme(look_, fonts_);
          return true;
        default:
          break;
      }
    }
    session_.Act(action, english_);
    return !session_.TakeLookChanged() || Rebuild();
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

  // Test mode (benchmarks): how long the frame that first showed a new item took, and, for an
  // item with images, how long from that frame until they all showed (0 when they were ready).
  // The frame's CPU time too: on a shared machine the wall time is mostly waiting for a core.
  void TimeItemFrames(const std::string& item_before,
                      std::chrono::steady_clock::time_point frame_start, double cpu_ms,
                      bool images_loading) {
    const auto now = std::chrono::steady_clock::now();
    const auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
    if (session_.images_at() != item_before && !item_before.empty()) {
      item_frame_ms_.push_back(ms(now - frame_start));
      item_frame_cpu_ms_.push_back(cpu_ms);
      image_wait_from_.reset();
      if (session_.ImagesOnScreen() > 0 && !images_loading) image_wait_ms_.push_back(0);
      if (session_.ImagesOnScreen() > 0 && images_loading) image_wait_from_ = frame_start;
      return;
    }
    if (image_wait_from_ && !images_loading) {
      image_wait_ms_.push_back(ms(now - *image_wait_from_));
      image_wait_from_.reset();
    }
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
    const auto figures = [](std::vector<double> ms) {
      std::sort(ms.begin(), ms.end());
      return nlohmann::json{{"count", ms.size()},
                            {"p50_ms", ms[ms.size() / 2]},
                            {"p95_ms", ms[ms.size() * 95 / 100]},
                            {"max_ms", ms.back()}};
    };
    if (!item_frame_ms_.empty()) j["item_frames"] = figures(item_frame_ms_);
    if (!item_frame_cpu_ms_.empty()) j["item_frames_cpu"] = figures(item_frame_cpu_ms_);
    if (!image_wait_ms_.empty()) j["image_waits"] = figures(image_wait_ms_);
    if (const long kb = PeakRssKb(); kb > 0) j["peak_rss_kb"] = kb;
    if (script_ && script_->peak_rss_before_reset_kb() > 0) {
      j["peak_rss_kb_before_reset"] = script_->peak_rss_before_reset_kb();
    }
    session_.AddToReport(j, targets_.contains("shown.time_warning"));
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
  SessionController session_;
  std::string last_shown_;  // screen and item of the last frame

  // Input and test mode.
  InputPump input_;
  std::vector<SDL_Keycode> keys_;
  Focus focus_;  // the keyboard focus ring
  int tab_ = 0;  // Tab (+1) and Shift+Tab (-1) presses since the last frame
  bool space_ = false;
  Targets targets_;
  std::optional<Script> script_;
  std::set<std::string> layout_problems_;
  std::string last_report_;
  std::vector<double> item_frame_ms_;      // test mode: frames that first showed an item
  std::vector<double> item_frame_cpu_ms_;  // the UI thread's CPU time in those frames
  std::vector<double> image_wait_ms_;      // and from there until the item's images showed
  std::optional<std::chrono::steady_clock::time_point> image_wait_from_;

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
  // Large buffers (the font atlas while it is made, decoded images, the files they came from)
  // are mapped and unmapped on their own, from the start: glibc would otherwise raise its mmap
  // threshold after the first large free and keep the next ones in a heap that never shrinks.
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
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

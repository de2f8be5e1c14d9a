#include "app/kiosk.hpp"

#include <imgui.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <iostream>
#include <variant>

#include "app/fonts.hpp"
#include "app/i18n.hpp"
#include "app/screens/error.hpp"
#include "app/screens/health.hpp"
#include "core/status/status.hpp"

namespace lontar::app {
namespace {

constexpr int kSettleFrames = 3;             // ImGui sizes tables and text over the first frames
constexpr std::time_t kRecheckSeconds = 60;  // re-read terminal health this often

class Kiosk {
 public:
  Kiosk(const KioskOptions& options, Window window, Catalog id, Catalog en)
      : options_(options),
        window_(std::move(window)),
        id_(std::move(id)),
        en_(std::move(en)),
        look_(options.look),
        english_(options.lang == "en") {}

  int Run() {
    if (!Rebuild()) return 1;
    Recheck();
    int frames = 0;
    int pending = 1;  // frames to draw without waiting: input needs two (ImGui settles on the 2nd)
    for (;;) {
      // Sleep until input arrives or the clock's next second: no busy loop.
      const bool screenshotting = options_.screenshot.has_value();
      if (pending == 0 && !screenshotting) {
        const auto now = std::chrono::system_clock::now().time_since_epoch();
        const int ms =
            1000 - static_cast<int>(
                       std::chrono::duration_cast<std::chrono::milliseconds>(now).count() % 1000);
        SDL_Event event;
        if (SDL_WaitEventTimeout(&event, ms)) {
          if (window_.HandleEvent(event)) return 0;
          while (SDL_PollEvent(&event)) {
            if (window_.HandleEvent(event)) return 0;
          }
          pending = 2;
        } else {
          pending = 1;  // the clock ticked
        }
      }
      // A new display mode or pixel density: re-rasterise the text for it before drawing.
      if (window_.geometry() != fonts_.built_for && !Rebuild()) return 1;
      const std::time_t t = std::time(nullptr);
      if (t - checked_at_ >= kRecheckSeconds) Recheck();
      std::optional<Intent> intent = DrawFrame(t);
      ++frames;
      if (screenshotting && frames == kSettleFrames) {
        if (auto st = window_.EndFrame(&*options_.screenshot); !st) {
          std::cerr << "lontar-kiosk: " << st.error().message() << "\n";
          return 1;
        }
        return 0;
      }
      if (auto st = window_.EndFrame(); !st) return 1;
      if (pending > 0) --pending;
      if (intent) {
        if (!Act(*intent)) return 1;
        pending = 2;  // show the effect now, not at the next tick
      }
    }
  }

 private:
  const Catalog& tr() const { return english_ ? en_ : id_; }

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

  void Recheck() {
    auto status = status::ReadStatus(options_.home);
    if (status) {
      state_ = std::move(*status);
    } else {
      state_ = std::move(status).error();
    }
    checked_at_ = std::time(nullptr);
  }

  std::optional<Intent> DrawFrame(std::time_t now) {
    window_.BeginFrame();
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->Pos);
    ImGui::SetNextWindowSize(vp->Size);
    ImGui::Begin("screen", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                     ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus);
    const ScreenContext ctx{tr(), fonts_, look_, now};
    std::optional<Intent> intent;
    if (const auto* status = std::get_if<status::TerminalStatus>(&state_)) {
      intent = DrawHealth(ctx, *status);
    } else {
      intent = DrawError(ctx, std::get<Error>(state_));
    }
    ImGui::End();
    return intent;
  }

  // False when the screen cannot be redrawn (the fonts failed to load).
  bool Act(Intent intent) {
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
    }
    return true;
  }

  const KioskOptions& options_;
  Window window_;
  Catalog id_, en_;
  Look look_;
  bool english_;
  Fonts fonts_;
  std::variant<status::TerminalStatus, Error> state_ = Error::Internal("not checked yet");
  std::time_t checked_at_ = 0;
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
  Kiosk kiosk(options, std::move(*window), std::move(*id), std::move(*en));
  return kiosk.Run();
}

}  // namespace lontar::app

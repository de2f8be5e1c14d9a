// The kiosk's window: SDL2 video, a renderer, Dear ImGui's SDL backends, and the lockdown the
// application can do by itself. (Compositor, VT switching and power keys belong to the image.)
#pragma once

#include <SDL.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "app/panel.hpp"
#include "core/util/error.hpp"

namespace lontar::app {

// The window's size in points (layout units) and how many pixels each point has: 1 on ordinary
// displays, more on high-density ones that the compositor scales.
struct Geometry {
  int width = 0;
  int height = 0;
  float pixel_scale = 1.0f;
  bool operator==(const Geometry&) const = default;
};

struct WindowOptions {
  // Full screen on the primary display, keyboard grabbed, close requests ignored. When set,
  // a normal window of this size for development, which closes like any other.
  std::optional<std::pair<int, int>> windowed;
};

class Window {
 public:
  // Initialises SDL video, creates the window and renderer, and Dear ImGui's context and
  // backends. kInternal with SDL's message when there is no display.
  [[nodiscard]] static Result<Window> Open(const WindowOptions& options);
  Window(Window&& other) noexcept;
  Window& operator=(Window&&) = delete;
  Window(const Window&) = delete;
  ~Window();

  bool locked() const { return locked_; }
  SDL_Window* sdl() const { return window_; }
  SDL_Renderer* renderer() const { return renderer_; }
  // Output size in pixels.
  std::pair<int, int> Size() const;
  Geometry geometry() const;
  // How the window is drawn, for the log: SDL's video driver, the renderer and its texture
  // formats, the window's pixel format and size, e.g. "video wayland, renderer software
  // (ARGB8888 ...), window RGB888 1280x800 pixels".
  std::string Describe() const;

  // Feeds an event to ImGui. Returns true when the event asks the application to quit and the
  // window is not locked (a locked kiosk ignores window-close, Alt+F4 and SDL_QUIT).
  bool HandleEvent(const SDL_Event& event);

  void BeginFrame();
  // Renders and presents the frame; with `screenshot`, also writes the frame to that PNG first
  // (the back buffer is undefined after presenting). Touches disk only for the screenshot.
  [[nodiscard]] Status EndFrame(const std::filesystem::path* screenshot = nullptr);

 private:
  Window() = default;
  [[nodiscard]] Status SaveScreenshot(const std::filesystem::path& path) const;
  void FillPanels(const std::vector<PanelFill>& panels, const ImVec2& scale) const;
  SDL_Window* window_ = nullptr;
  SDL_Renderer* renderer_ = nullptr;
  bool locked_ = true;
  bool owns_ = false;
};

}  // namespace lontar::app

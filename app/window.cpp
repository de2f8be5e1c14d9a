#include "app/window.hpp"

#include <imgui.h>
#include <imgui_impl_sdl.h>
#include <imgui_impl_sdlrenderer.h>
#include <stb/stb_image_write.h>

#include <algorithm>
#include <vector>

#include "app/panel.hpp"

namespace lontar::app {

Result<Window> Window::Open(const WindowOptions& options) {
  const bool locked = !options.windowed.has_value();
  // Lockdown hints must be set before the window exists.
  SDL_SetHint(SDL_HINT_VIDEO_ALLOW_SCREENSAVER, "0");
  SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
  SDL_SetHint(SDL_HINT_NO_SIGNAL_HANDLERS, "1");  // SIGINT/SIGTERM are the service manager's
  if (locked) SDL_SetHint(SDL_HINT_GRAB_KEYBOARD, "1");
  // SDL's own software renderer, presenting straight from the window surface: the kiosk redraws
  // a still 2D screen once a second, which costs it about 5 ms at 1920x1080 (0.5% of a core, with
  // 30 MB resident), where a GL context over a software rasteriser (Mesa's llvmpipe: Xvfb, or a
  // compositor without GPU acceleration) took twice the CPU and 95 MB more for the GL stack; on
  // a stock PC a GPU driver adds memory and ways to fail for nothing the kiosk needs. The
  // environment wins over these hints: SDL_RENDER_DRIVER=opengl selects the GPU renderer.
  SDL_SetHint(SDL_HINT_RENDER_DRIVER, "software");
  if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) {
    return std::unexpected(Error::Internal(std::string("cannot start the display: ") +
                                           SDL_GetError() +
                                           " (is the kiosk running inside its compositor?)"));
  }
  // Where the video driver has a window framebuffer of its own (X11), the software renderer
  // draws straight into it. Wayland has none: SDL then presents the software renderer's surface
  // through one texture of a GPU renderer, and with framebuffer acceleration off it could not
  // make the surface at all and fell back to drawing everything through OpenGL (Mesa's
  // llvmpipe on a PC without a 3D driver), the cost the software renderer is here to avoid.
  const char* video = SDL_GetCurrentVideoDriver();
  const bool native_framebuffer = video == nullptr || std::string(video) != "wayland";
  SDL_SetHint(SDL_HINT_FRAMEBUFFER_ACCELERATION, native_framebuffer ? "0" : "1");
  SDL_DisableScreenSaver();
  Window w;
  w.owns_ = true;
  w.locked_ = locked;
  Uint32 flags = SDL_WINDOW_ALLOW_HIGHDPI;
  int width = 1024, height = 768;
  if (locked) {
    // Created at the display's own size, so the first frame (and the fonts, which are sized
    // for the screen) already see the final geometry, with or without a window manager.
    SDL_DisplayMode mode;
    if (SDL_GetDesktopDisplayMode(0, &mode) == 0) {
      width = mode.w;
      height = mode.h;
    }
    flags |= SDL_WINDOW_FULLSCREEN_DESKTOP | SDL_WINDOW_BORDERLESS | SDL_WINDOW_INPUT_GRABBED;
  } else {
    std::tie(width, height) = *options.windowed;
    flags |= SDL_WINDOW_RESIZABLE;
  }
  const int pos = locked ? SDL_WINDOWPOS_UNDEFINED_DISPLAY(0) : SDL_WINDOWPOS_CENTERED_DISPLAY(0);
  w.window_ = SDL_CreateWindow("Lontar", locked ? 0 : pos, locked ? 0 : pos, width, height, flags);
  if (w.window_ == nullptr) {
    return std::unexpected(
        Error::Internal(std::string("cannot open the window: ") + SDL_GetError()));
  }
  w.renderer_ = SDL_CreateRenderer(w.window_, -1, SDL_RENDERER_PRESENTVSYNC);
  if (w.renderer_ == nullptr)
    w.renderer_ = SDL_CreateRenderer(w.window_, -1, SDL_RENDERER_SOFTWARE);
  if (w.renderer_ == nullptr) {
    return std::unexpected(
        Error::Internal(std::string("cannot create a renderer: ") + SDL_GetError()));
  }
  if (locked) SDL_SetWindowKeyboardGrab(w.window_, SDL_TRUE);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // no layout files: the kiosk looks the same on every start
  io.LogFilename = nullptr;
  // Free the vertex buffers of windows not drawn for a while (a screen left behind).
  io.ConfigMemoryCompactTimer = 5.0f;
  // Nothing leaves the kiosk through the clipboard, and nothing comes in.
  io.SetClipboardTextFn = [](void*, const char*) {};
  io.GetClipboardTextFn = [](void*) -> const char* { return ""; };
  ImGui_ImplSDL2_InitForSDLRenderer(w.window_);
  ImGui_ImplSDLRenderer_Init(w.renderer_);
  return w;
}

Window::Window(Window&& other) noexcept
    : window_(other.window_),
      renderer_(other.renderer_),
      locked_(other.locked_),
      owns_(other.owns_) {
  other.owns_ = false;
  other.window_ = nullptr;
  other.renderer_ = nullptr;
}

Window::~Window() {
  if (!owns_) return;
  if (ImGui::GetCurrentContext() != nullptr) {
    ImGui_ImplSDLRenderer_Shutdown();
    ImGui_ImplSDL2_Shutdown();
    ImGui::DestroyContext();
  }
  if (renderer_ != nullptr) SDL_DestroyRenderer(renderer_);
  if (window_ != nullptr) SDL_DestroyWindow(window_);
  SDL_Quit();
}

std::pair<int, int> Window::Size() const {
  int w = 0, h = 0;
  SDL_GetRendererOutputSize(renderer_, &w, &h);
  return {w, h};
}

Geometry Window::geometry() const {
  Geometry g;
  SDL_GetWindowSize(window_, &g.width, &g.height);
  const int pixels_h = Size().second;
  if (g.height > 0 && pixels_h > g.height) {
    g.pixel_scale = static_cast<float>(pixels_h) / static_cast<float>(g.height);
  }
  return g;
}

std::string Window::Describe() const {
  std::string out = "video ";
  const char* driver = SDL_GetCurrentVideoDriver();
  out += driver != nullptr ? driver : "none";
  SDL_RendererInfo info;
  if (SDL_GetRendererInfo(renderer_, &info) == 0) {
    out += std::string(", renderer ") + info.name + " (";
    for (Uint32 i = 0; i < info.num_texture_formats; ++i) {
      if (i > 0) out += ' ';
      // SDL_GetPixelFormatName says SDL_PIXELFORMAT_ before each name.
      std::string name = SDL_GetPixelFormatName(info.texture_formats[i]);
      if (name.starts_with("SDL_PIXELFORMAT_")) name.erase(0, 16);
      out += name;
    }
    out += ')';
    if ((info.flags & SDL_RENDERER_SOFTWARE) != 0) out += " software";
    if ((info.flags & SDL_RENDERER_ACCELERATED) != 0) out += " accelerated";
  }
  std::string format = SDL_GetPixelFormatName(SDL_GetWindowPixelFormat(window_));
  if (format.starts_with("SDL_PIXELFORMAT_")) format.erase(0, 16);
  const auto [w, h] = Size();
  out += ", window " + format + " " + std::to_string(w) + "x" + std::to_string(h) + " pixels";
  return out;
}

bool Window::HandleEvent(const SDL_Event& event) {
  if (event.type == SDL_QUIT) return !locked_;
  if (event.type == SDL_WINDOWEVENT && event.window.event == SDL_WINDOWEVENT_CLOSE) {
    return !locked_;
  }
  if (locked_ && event.type == SDL_KEYDOWN) {
    // Alt+F4 and Alt+Tab reach us only when the grab holds; swallow them either way.
    const SDL_Keycode key = event.key.keysym.sym;
    if ((event.key.keysym.mod & KMOD_ALT) && (key == SDLK_F4 || key == SDLK_TAB)) return false;
  }
  ImGui_ImplSDL2_ProcessEvent(&event);
  return false;
}

// The panels' backgrounds (app/panel.hpp) as two rectangles each, a plus sign that leaves the
// rounded corners to Dear ImGui.
void Window::FillPanels(const std::vector<PanelFill>& panels, const ImVec2& scale) const {
  for (const PanelFill& p : panels) {
    SDL_SetRenderDrawColor(renderer_, static_cast<Uint8>(p.colour.x * 255 + 0.5f),
                           static_cast<Uint8>(p.colour.y * 255 + 0.5f),
                           static_cast<Uint8>(p.colour.z * 255 + 0.5f),
                           static_cast<Uint8>(p.colour.w * 255 + 0.5f));
    SDL_SetRenderDrawBlendMode(renderer_,
                               p.colour.w < 1 ? SDL_BLENDMODE_BLEND : SDL_BLENDMODE_NONE);
    const float r = p.rounding;
    const SDL_FRect rects[2] = {
        {(p.min.x + r) * scale.x, p.min.y * scale.y, (p.max.x - p.min.x - 2 * r) * scale.x,
         (p.max.y - p.min.y) * scale.y},
        {p.min.x * scale.x, (p.min.y + r) * scale.y, (p.max.x - p.min.x) * scale.x,
         (p.max.y - p.min.y - 2 * r) * scale.y}};
    SDL_RenderFillRectsF(renderer_, rects, 2);
  }
  SDL_SetRenderDrawBlendMode(renderer_, SDL_BLENDMODE_NONE);
}

void Window::BeginFrame() {
  TakePanels();  // none left over from a frame that was not drawn
  ImGui_ImplSDLRenderer_NewFrame();
  ImGui_ImplSDL2_NewFrame();
  // Dear ImGui repeats a key held down past KeyRepeatDelay (0.275 s) by adding up frame times,
  // so one slow frame between a key's press and its release (a loaded terminal) would count as
  // holding it: Enter in the number field would then also leave the PIN field, empty. A frame
  // counts as at most 50 ms of holding; a key held for real still repeats after a few frames.
  ImGuiIO& io = ImGui::GetIO();
  io.DeltaTime = std::min(io.DeltaTime, 0.05f);
  ImGui::NewFrame();
}

Status Window::EndFrame(const std::filesystem::path* screenshot) {
  ImGui::Render();
  const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  SDL_SetRenderDrawColor(renderer_, static_cast<Uint8>(bg.x * 255 + 0.5f),
                         static_cast<Uint8>(bg.y * 255 + 0.5f),
                         static_cast<Uint8>(bg.z * 255 + 0.5f), 255);
  SDL_RenderClear(renderer_);
  FillPanels(TakePanels(), ImGui::GetDrawData()->FramebufferScale);
  ImGui_ImplSDLRenderer_RenderDrawData(ImGui::GetDrawData());
  Status st = screenshot != nullptr ? SaveScreenshot(*screenshot) : Ok();
  SDL_RenderPresent(renderer_);
  return st;
}

Status Window::SaveScreenshot(const std::filesystem::path& path) const {
  auto [w, h] = Size();
  std::vector<unsigned char> pixels(static_cast<size_t>(w) * static_cast<size_t>(h) * 4);
  if (SDL_RenderReadPixels(renderer_, nullptr, SDL_PIXELFORMAT_ABGR8888, pixels.data(), w * 4) !=
      0) {
    return std::unexpected(
        Error::Internal(std::string("cannot read the screen: ") + SDL_GetError()));
  }
  if (stbi_write_png(path.c_str(), w, h, 4, pixels.data(), w * 4) == 0) {
    return std::unexpected(Error::Io("cannot write screenshot " + path.string()));
  }
  return Ok();
}

}  // namespace lontar::app

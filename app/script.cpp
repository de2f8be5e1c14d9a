#include "app/script.hpp"

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>

namespace lontar::app {
namespace {

void PushKey(Uint32 type, SDL_Keycode key, Uint16 mod = KMOD_NONE, bool repeat = false) {
  SDL_Event e{};
  e.type = type;
  e.key.repeat = repeat ? 1 : 0;
  e.key.keysym.mod = mod;
  e.key.state = type == SDL_KEYDOWN ? SDL_PRESSED : SDL_RELEASED;
  e.key.keysym.sym = key;
  e.key.keysym.scancode = SDL_GetScancodeFromKey(key);
  SDL_PushEvent(&e);
}

void PushButton(Uint32 type, int x, int y) {
  SDL_Event e{};
  e.type = type;
  e.button.button = SDL_BUTTON_LEFT;
  e.button.state = type == SDL_MOUSEBUTTONDOWN ? SDL_PRESSED : SDL_RELEASED;
  e.button.clicks = 1;
  e.button.x = x;
  e.button.y = y;
  SDL_PushEvent(&e);
}

}  // namespace

long PeakRssKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with("VmHWM:")) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

Result<Script> Script::Load(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) return std::unexpected(Error::NotFound("cannot read script " + path.string()));
  Script s;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.empty() || line[0] == '#') continue;
    auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!j.is_object() || j.size() != 1) {
      return std::unexpected(Error::Malformed(path.string() + ":" + std::to_string(n) +
                                              ": each line is an object with one step"));
    }
    s.steps_.push_back({std::move(j), n});
  }
  return s;
}

std::optional<std::filesystem::path> Script::ScreenshotDue() const {
  if (done() || frames_ + 1 < kSettleFrames) return std::nullopt;
  const auto& j = steps_[next_].json;
  if (!j.contains("screenshot")) return std::nullopt;
  return std::filesystem::path(j["screenshot"].get<std::string>());
}

std::optional<int> Script::AfterFrame(SDL_Window* window, const Targets& targets,
                                      const std::string& screen) {
  if (done() || ++frames_ < kSettleFrames) return std::nullopt;
  frames_ = 0;
  const Step& step = steps_[next_];
  const auto& j = step.json;
  const auto fail = [&](const std::string& why) {
    std::cerr << "lontar-kiosk: script line " << step.line << ": " << why << "\n";
    return 3;
  };
  bool finished = true;
  if (j.contains("key") || j.contains("tap") || j.contains("repeat")) {
    // "Ctrl+Alt+P": modifiers, then the key's SDL name.
    const std::string kind = j.contains("key") ? "key" : j.contains("tap") ? "tap" : "repeat";
    std::string name = j[kind].get<std::string>();
    Uint16 mod = KMOD_NONE;
    for (const auto& [prefix, bit] : {std::pair<std::string, Uint16>{"Ctrl+", KMOD_LCTRL},
                                      {"Alt+", KMOD_LALT},
                                      {"Shift+", KMOD_LSHIFT}}) {
      if (name.size() > prefix.size() && name.rfind(prefix, 0) == 0) {
        mod |= bit;
        name = name.substr(prefix.size());
      }
    }
    const SDL_Keycode key = SDL_GetKeyFromName(name.c_str());
    if (key == SDLK_UNKNOWN) return fail("unknown key " + j[kind].dump());
    if (kind == "tap") {
      PushKey(SDL_KEYDOWN, key, mod);
      PushKey(SDL_KEYUP, key, mod);
    } else if (kind == "repeat") {
      if (name.size() != 1) return fail("repeat takes a letter or digit, not " + j[kind].dump());
      PushKey(SDL_KEYDOWN, key, mod, /*repeat=*/true);
      SDL_Event e{};
      e.type = SDL_TEXTINPUT;
      e.text.text[0] = name[0];
      SDL_PushEvent(&e);
    } else {
      PushKey(phase_ == 0 ? SDL_KEYDOWN : SDL_KEYUP, key, mod);
      finished = phase_++ == 1;
    }
  } else if (j.contains("text")) {
    const std::string text = j["text"];
    for (std::size_t at = 0; at < text.size(); at += 16) {
      SDL_Event e{};
      e.type = SDL_TEXTINPUT;
      std::strncpy(e.text.text, text.substr(at, 16).c_str(), sizeof e.text.text - 1);
      SDL_PushEvent(&e);
    }
  } else if (j.contains("click")) {
    // The target is found before the press; the release goes where the press went, whatever
    // the click has since put on the screen.
    if (phase_ == 0) {
      const std::string name = j["click"];
      const auto it = targets.find(name);
      if (it == targets.end()) return fail("no control named '" + name + "' on screen " + screen);
      click_x_ = static_cast<int>((it->second.x0 + it->second.x1) / 2);
      click_y_ = static_cast<int>((it->second.y0 + it->second.y1) / 2);
      SDL_WarpMouseInWindow(window, click_x_, click_y_);  // hover first: ImGui presses the hovered
      SDL_Event e{};
      e.type = SDL_USEREVENT;  // wakes the loop
      SDL_PushEvent(&e);
    } else {
      PushButton(phase_ == 1 ? SDL_MOUSEBUTTONDOWN : SDL_MOUSEBUTTONUP, click_x_, click_y_);
    }
    finished = phase_++ == 2;
  } else if (j.contains("expect")) {
    // Dear ImGui spreads queued input over frames (a key's press and release land on different
    // frames), so on a loaded machine a screen change can come a few frames after the step that
    // caused it: wait for it, up to kExpectWaitMs, before calling it a failure.
    if (j["expect"] != screen) {
      const std::uint64_t now = SDL_GetTicks64();
      if (phase_++ == 0) sleep_until_ms_ = now + kExpectWaitMs;
      if (now < sleep_until_ms_) return std::nullopt;
      return fail("expected screen " + j["expect"].dump() + ", showing " + screen);
    }
  } else if (j.contains("sleep_ms")) {
    const std::uint64_t now = SDL_GetTicks64();
    if (phase_++ == 0) sleep_until_ms_ = now + j["sleep_ms"].get<std::uint64_t>();
    finished = now >= sleep_until_ms_;
  } else if (j.contains("reset_peak_rss")) {
    // Linux's clear_refs: "5" resets the peak resident set size (VmHWM) to the current one.
    peak_before_reset_kb_ = PeakRssKb();
    std::ofstream clear("/proc/self/clear_refs");
    if (!(clear << "5" << std::flush))
      return fail("cannot reset the peak RSS (/proc/self/clear_refs)");
  } else if (j.contains("exit")) {
    return j["exit"].get<int>();
  } else if (!j.contains("screenshot")) {
    return fail("unknown step " + j.dump());
  }
  if (finished) {
    ++next_;
    phase_ = 0;
  }
  return std::nullopt;
}

}  // namespace lontar::app

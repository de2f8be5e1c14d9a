// Test mode: a script of input the kiosk feeds itself as SDL events, one step per settled frame,
// so that tests drive the real screens the way a candidate does (keys, typed text, clicks).
//
// A script is JSON lines; blank lines and lines starting with # are skipped:
//   {"key": "Return"}          a key press and release (SDL key names: "1", "A", "Left", "F";
//                              with modifiers "Ctrl+", "Alt+", "Shift+" before the name)
//   {"tap": "Return"}          a key press and release within one frame, as a quick keystroke
//                              arrives while a slow frame is drawn (same names as "key")
//   {"repeat": "7"}            the key's auto-repeat: a repeated SDL_KEYDOWN and the text it
//                              types, as SDL delivers a held key (a letter or digit)
//   {"text": "DEMO-0001"}      typed text (SDL_TEXTINPUT), as an input method delivers it
//   {"click": "option.2"}      move the pointer to a named control's centre, press, release
//   {"expect": "item"}         stop with exit code 3 unless this screen is showing
//   {"screenshot": "a.png"}    write the frame to a PNG
//   {"sleep_ms": 1500}         let real time pass (the clock, checkpoints) while drawing
//   {"reset_peak_rss": true}   start the process's peak RSS afresh (the report's peak_rss_kb),
//                              so that a benchmark can measure a part of a sitting: after the
//                              login's PIN check (Argon2id, 64 MiB for 0.3 s), say
//   {"exit": 0}                stop with this exit code
// After the last step the kiosk carries on as usual. A step waits until the images of the item
// on screen have shown (or been found impossible to show).
#pragma once

#include <SDL.h>

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "app/screens/screen.hpp"
#include "core/util/error.hpp"

namespace lontar::app {

class Script {
 public:
  // kNotFound / kMalformed naming the file and line.
  [[nodiscard]] static Result<Script> Load(const std::filesystem::path& path);

  bool done() const { return next_ >= steps_.size(); }

  // The peak RSS (KiB) the last reset_peak_rss step cleared: the process's peak before it.
  long peak_rss_before_reset_kb() const { return peak_before_reset_kb_; }

  // Whether the frame being drawn is the settled one the next step acts on.
  bool Settled() const { return !done() && frames_ + 1 >= kSettleFrames; }

  // The screen is still changing (an image of the item on screen is being decoded): the next
  // step, its screenshot and the layout check wait for kSettleFrames frames after it shows. The
  // frame an image arrives in is a frame behind it in layout (ImGui adds the scrollbar the image
  // needs only on the next one).
  void Unsettle() { frames_ = 0; }

  // A PNG to write for this frame, when the next step is a screenshot and the screen has settled.
  std::optional<std::filesystem::path> ScreenshotDue() const;

  // Called after every frame: once the screen has settled, performs the next step (or the next
  // phase of a click). Returns an exit code when the script says to stop.
  std::optional<int> AfterFrame(SDL_Window* window, const Targets& targets,
                                const std::string& screen);

 private:
  struct Step {
    nlohmann::json json;
    int line = 0;
  };
  static constexpr int kSettleFrames = 3;
  std::vector<Step> steps_;
  std::size_t next_ = 0;
  int frames_ = 0;
  int phase_ = 0;                     // clicks and key presses take more than one frame
  std::uint64_t sleep_until_ms_ = 0;  // also: how long an "expect" waits for its screen
  // Generous: a PIN or code check (Argon2id) on a loaded test machine can take seconds, and a
  // slow machine must make a test slower, not failed.
  static constexpr std::uint64_t kExpectWaitMs = 30000;
  int click_x_ = 0, click_y_ = 0;
  long peak_before_reset_kb_ = 0;
};

// The process's peak resident memory (VmHWM in /proc/self/status), in KiB; 0 when it cannot be
// read. Linux's getrusage (GNU time's %M) reports the same figure, and a reset clears both.
long PeakRssKb();

}  // namespace lontar::app

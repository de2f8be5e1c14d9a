// How the kiosk takes its input from SDL, frame by frame. Two things SDL delivers would otherwise
// reach the screens wrongly:
//   - A key pressed and released within one frame. Dear ImGui 1.86 reads a key as held or not
//     once per frame, so such a tap was never seen as pressed: a quick Enter or Backspace while a
//     slow frame was drawn (software rendering on an old PC, a loaded machine) did nothing. The
//     release of a key pressed in the same frame therefore ends that frame's input, and it is
//     handed over, with everything after it, at the next frame.
//   - Key auto-repeat. Every field the kiosk has is a short code (participant number, PIN,
//     token, proctor and technician codes); a held or sticking key must not type into it twice.
//     Under Wayland, SDL 2.26 also times the repeat by the clock while it has not yet read the
//     key's release, so a slow frame turned one keystroke into several. Repeated key presses and
//     the text they type are dropped.
#pragma once

#include <SDL.h>

#include <functional>
#include <optional>

namespace lontar::app {

class InputPump {
 public:
  enum class Drained { kNothing, kInput, kQuit };

  // Hands this frame's events to `handle` (true from it: quit, and Drain returns kQuit at once).
  // With wait_ms > 0 and nothing held over from the last frame, first waits up to wait_ms for an
  // event. kNothing: no event came.
  Drained Drain(int wait_ms, const std::function<bool(const SDL_Event&)>& handle);

 private:
  // False for an event that is dropped (auto-repeat).
  bool Keep(const SDL_Event& event);

  std::optional<SDL_Event> held_;  // a release held over to the next frame
  bool repeat_text_ = false;       // the next text event is a repeated key's
};

}  // namespace lontar::app

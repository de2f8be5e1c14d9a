#include "app/input_pump.hpp"

#include <algorithm>
#include <vector>

namespace lontar::app {

bool InputPump::Keep(const SDL_Event& event) {
  if (event.type == SDL_KEYDOWN && event.key.repeat != 0) {
    // SDL sends a repeated key's text right after its key event.
    repeat_text_ = true;
    return false;
  }
  if (event.type == SDL_TEXTINPUT && repeat_text_) {
    repeat_text_ = false;
    return false;
  }
  if (event.type == SDL_KEYDOWN || event.type == SDL_KEYUP) repeat_text_ = false;
  return true;
}

InputPump::Drained InputPump::Drain(int wait_ms,
                                    const std::function<bool(const SDL_Event&)>& handle) {
  SDL_Event event;
  bool have = false;
  if (held_) {
    event = *held_;
    held_.reset();
    have = true;
  } else if (wait_ms > 0) {
    have = SDL_WaitEventTimeout(&event, wait_ms) != 0;
  } else {
    have = SDL_PollEvent(&event) != 0;
  }
  if (!have) return Drained::kNothing;
  std::vector<SDL_Scancode> pressed;  // keys that went down in this frame
  do {
    if (event.type == SDL_KEYUP &&
        std::find(pressed.begin(), pressed.end(), event.key.keysym.scancode) != pressed.end()) {
      held_ = event;
      break;
    }
    if (!Keep(event)) continue;
    if (event.type == SDL_KEYDOWN) pressed.push_back(event.key.keysym.scancode);
    if (handle(event)) return Drained::kQuit;
  } while (SDL_PollEvent(&event) != 0);
  return Drained::kInput;
}

}  // namespace lontar::app

// Login: participant number, PIN and session token, typed on the keyboard or on the on-screen
// keypad; the engine's refusals in plain words; a locked participant told to call the proctor.
// The typed text is the only state, and it lives in LoginForm, owned by the kiosk.
#pragma once

#include <array>
#include <optional>
#include <string>

#include "app/screens/screen.hpp"
#include "core/model/exam.hpp"

namespace lontar::app {

struct LoginForm {
  enum Field { kNumber, kPin, kToken, kFieldCount };
  std::array<std::array<char, 48>, kFieldCount> text{};
  int field = kNumber;  // the field the keyboard and keypad type into
  bool focus = true;    // give that field the keyboard on the next frame
  // Wipes what was typed (after every attempt: the PIN must not linger).
  void Clear();
};

struct LoginView {
  const model::Exam& exam;
  std::string token_shown;  // the session token, shown only when the kiosk opened the session
  std::string refusal;      // the last refusal, in the catalog's words; empty when none
  bool locked = false;      // the refusal is a locked participant
};

// Returns Intent::kLogin when the candidate asks to log in with what the form holds.
std::optional<Action> DrawLogin(const ScreenContext& ctx, const LoginView& view, LoginForm& form);

}  // namespace lontar::app

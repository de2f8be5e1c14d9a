// The masked field a code is typed into, with its submit button: the technician code, the
// proctor code, a session's release code. The code shows as dots; Enter in the field submits it
// as the button does.
#pragma once

#include <span>

#include "app/screens/screen.hpp"

namespace lontar::app {

struct CodeField {
  const char* prompt;         // the line above the field
  const char* id;             // the field's Dear ImGui id, e.g. "##code"
  std::span<char> code;       // what is typed, NUL-terminated within the span
  const char* target;         // the field's scripted-click target
  const char* button;         // the submit button's label
  const char* button_target;  // and its scripted-click target
  // A new value makes a new field, whose text Dear ImGui does not carry over from the last
  // attempt (the technician code counts attempts).
  int generation = 0;
};

// Draws the prompt, the field and the button. `focus`: when it points to true, the field takes
// the keyboard and it is cleared (TakeKeyboardFocus); null never takes it. Returns true when the
// code is submitted (Enter in the field, or the button), after WipeTypedCopies: the caller takes
// the code from `field.code` (and wipes that) before the next frame.
bool DrawCodeField(const ScreenContext& ctx, const CodeField& field, bool* focus);

// Dear ImGui edits a copy of an active field's text (and keeps an undo buffer): wipes those and
// lets go of the field, so that a code is nowhere in memory once it has been taken or the screen
// left. Call it when a code is submitted (DrawCodeField does) and when its screen closes.
void WipeTypedCopies();

}  // namespace lontar::app

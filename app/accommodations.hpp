// How the kiosk honours a sitting's accommodations (core/model/accommodations.hpp): the text
// size and contrast they ask for, from the first screen after login, and read-aloud (the
// current item on the candidate's key or button; of the clock, only the five-minute warning and
// the end). The time is the engine's (core/exam/sitting.hpp, invariant 6).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "app/read_aloud.hpp"
#include "app/theme.hpp"
#include "core/exam/sitting.hpp"
#include "core/model/accommodations.hpp"
#include "core/model/exam.hpp"

namespace lontar::app {

// The text size a TextSize asks for: normal 1.0, large 1.5, larger 2.0 (the A+ button's range).
float FontScaleFor(model::TextSize size);

// `current` with what `a` asks for: never smaller text or less contrast than the candidate (or
// the terminal's settings) already had. Pure.
Look AccommodatedLook(const model::Accommodations& a, Look current);

// The kiosk's side of one terminal's accommodations, across the sittings shown on it.
class SittingAids {
 public:
  // Call whenever the sitting may have changed (login, resume, the proctor's Accommodate):
  // updates `look` when the sitting's accommodations ask for more than it has (what the
  // candidate chose on the login screen stays; `base`, the terminal's own look, comes back when
  // the previous participant's accommodations had enlarged it). True when `look` changed, so
  // that the caller rebuilds fonts and theme.
  bool Follow(const exam::SittingState& s, const Look& base, Look& look);

  bool read_aloud() const { return applied_.read_aloud; }
  bool speaking() const { return player_.speaking(); }
  int volume() const { return player_.volume(); }
  const std::string& audio_error() const { return player_.error(); }

  // The read-aloud key or button: speaks the current item (about `shown`, the screen and item),
  // or stops if it is speaking. Nothing when read-aloud is off.
  void ToggleItem(const model::Exam& exam, const exam::SittingState& s, bool english,
                  const std::string& shown);
  void VolumeUp() { player_.VolumeUp(); }
  void VolumeDown() { player_.VolumeDown(); }
  // Each frame: speech about something no longer on screen (another item, another screen) stops.
  void Shown(const std::string& shown);
  // Each frame: the five-minute warning once when the clock reaches it, and "time is up" once
  // when the sitting ends by time; only with read-aloud on.
  void Announce(const exam::SittingState& s, std::int64_t remaining_ns, bool english,
                const std::string& shown);

  // For the kiosk's test report.
  nlohmann::json ReportJson() const;

 private:
  std::string participant_;
  model::Accommodations applied_;
  bool warned_ = false;
  bool ended_ = false;
  ReadAloud player_;
};

}  // namespace lontar::app

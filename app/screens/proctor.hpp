// The proctor panel, opened with Ctrl+Alt+P on any screen once a pack is released, or on the
// waiting screen once a pack is loaded: first the next session (when a loaded pack valid now is
// not released yet: which one, by title and time window when there are several, and its release
// code), then the proctor code, the session token and the proctor's actions (pause and resume the
// candidate or the room, add time, void, unlock a participant, hand the sitting over to a spare
// terminal).
// The panel only asks; the kiosk has the engine do it, which journals every action with its
// reason. What is typed lives in ProctorForm, owned by the kiosk, and is wiped when it closes.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "app/screens/screen.hpp"

namespace lontar::app {

struct ProctorForm {
  std::array<char, 64> code{};
  std::array<char, 200> reason{};
  std::array<char, 48> participant{};   // whom to unlock
  std::array<char, 64> release_code{};  // the next session's
  std::size_t next_session = 0;         // index into ProctorView::next_sessions, as clicked
  std::string message;                  // the last action's result, or its refusal
  bool message_bad = false;
  bool focus = true;
  // Wipes everything typed (the code above all).
  void Clear();
};

enum class ProctorAction {
  kAuthorise,  // with the code in the form
  kClose,
  kShowToken,
  kPauseCandidate,
  kResumeCandidate,
  kAddFiveMinutes,
  kAddTenMinutes,
  kVoid,
  kPauseRoom,
  kResumeRoom,
  kUnlock,
  kHandOff,
  kToggleReadAloud,  // the candidate's read-aloud on or off (journaled with the reason)
  kChooseSession,    // form.next_session is the session the proctor picked
  kReleaseSession,   // with the release code in the form
};

// A loaded pack valid now and not released yet: a session that may come next.
struct SessionChoice {
  std::string title;   // in the catalog's language
  std::string window;  // "Sabtu, 5 Desember 2026 13:00 - 15:30"
};

struct ProctorView {
  bool engine_open = true;      // false on the waiting screen: only the next session is offered
  std::string current_session;  // the released pack's title, "" before any
  std::vector<SessionChoice> next_sessions;  // empty: nothing to release
  std::optional<std::size_t> chosen;         // which of them (always 0 when there is one)
  bool authorised = false;
  std::string token;        // once shown
  std::string participant;  // the sitting on this terminal, if any
  bool in_progress = false;
  bool paused = false;
  bool room_paused = false;
  std::string handoff_dir;     // where hand-off records are written
  std::string accommodations;  // what the sitting has, "x1.3; large text"; "" for none
  bool read_aloud = false;
  // Images the kiosk could not show (journaled), one line each: participant, item, file, why.
  std::vector<std::string> image_faults;
};

std::optional<ProctorAction> DrawProctor(const ScreenContext& ctx, const ProctorView& view,
                                         ProctorForm& form);

}  // namespace lontar::app

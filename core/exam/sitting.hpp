// A candidate's sitting as a pure state machine: commands are decided against the current state
// into events, and the state is the fold of those events. The engine (which owns the journal and
// the clock) appends the events durably and applies them; resuming is folding the journal again.
// Nothing here does I/O or reads a clock.
//
//                      Start                     Submit / time out
//   kNotStarted ───────────────► kInProgress ───────────────────────► kSubmitted
//                                 │   ▲
//        Goto, Answer, Clear,     │   │  NextSection (the candidate moves on, or the section's
//        Flag, Tick (time)  ──────┘   │  time runs out): the previous section closes for good
//                                     └──────────────────────────────────────────────────────
//
// Invariants:
//  (1) Apply never fails: every event was validated by Decide before it was journaled, so a
//      replay reaches exactly the state the live engine had.
//  (2) Only the current section's items can be visited or answered; sections are taken in the
//      pack's order and a closed section does not reopen.
//  (3) Time is charged only through TimeCharged events carrying measured monotonic durations;
//      the wall clock never enters. When the whole-exam limit is reached the sitting is
//      submitted (reason kTimeUp); when a section's limit is reached the next section opens.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "core/authoring/exam.hpp"
#include "core/util/error.hpp"

namespace lontar::exam {

enum class Phase { kNotStarted, kInProgress, kSubmitted };
enum class SubmitReason { kCandidate, kTimeUp };

// ---- events (journal payloads: see ToJson) ----------------------------------------------------
struct Started {
  std::string participant;
  std::uint64_t seed = 0;  // for shuffling items and options; journaled so replays agree
};
struct Navigated {
  std::string item;
};
struct Answered {
  std::string item;
  std::vector<std::string> keys;  // empty: the answer was cleared
};
struct Flagged {
  std::string item;
  bool flagged = false;  // ragu-ragu
};
struct TimeCharged {
  std::int64_t ns = 0;  // measured on the monotonic clock since the previous charge
};
struct SectionOpened {
  std::size_t section = 0;
};
struct Submitted {
  SubmitReason reason = SubmitReason::kCandidate;
};
using Event =
    std::variant<Started, Navigated, Answered, Flagged, TimeCharged, SectionOpened, Submitted>;

// ---- commands ------------------------------------------------------------------------------
struct Start {
  std::string participant;
  std::uint64_t seed = 0;
};
struct Goto {
  std::string item;
};
struct Answer {
  std::string item;
  std::vector<std::string> keys;
};
struct Clear {
  std::string item;
};
struct Flag {
  std::string item;
  bool flagged = true;
};
struct Tick {
  std::int64_t elapsed_ns = 0;  // time since the previous tick, measured by the engine
};
struct NextSection {};
struct Submit {};
using Command = std::variant<Start, Goto, Answer, Clear, Flag, Tick, NextSection, Submit>;

struct SittingState {
  Phase phase = Phase::kNotStarted;
  std::string participant;
  std::uint64_t seed = 0;
  std::size_t section = 0;
  std::string current_item;
  std::map<std::string, std::vector<std::string>> answers;
  std::set<std::string> flagged;
  std::int64_t elapsed_ns = 0;                   // whole exam
  std::vector<std::int64_t> section_elapsed_ns;  // per section, in the pack's order
  SubmitReason reason = SubmitReason::kCandidate;

  bool operator==(const SittingState&) const = default;
};

// The items of section `index` in the order this participant sees them (shuffled with the
// sitting's seed when the exam allows; the same seed always gives the same order). Pure.
std::vector<std::string> ItemOrder(const authoring::Exam& exam, std::size_t section,
                                   std::uint64_t seed);

// The option keys of `item` in the order this participant sees them: shuffled with the sitting's
// seed when the exam allows it, except on Likert items, whose scale must read in order. Pure.
std::vector<std::string> OptionOrder(const authoring::Exam& exam, const authoring::Item& item,
                                     std::uint64_t seed);

// Remaining time, whole exam and current section (section limit 0: only the exam's applies).
std::int64_t RemainingNs(const authoring::Exam& exam, const SittingState& s);
std::int64_t SectionRemainingNs(const authoring::Exam& exam, const SittingState& s);

// Validates `command` against the state and returns the events it produces (possibly none).
// kInvalidArgument with a reason a candidate or proctor can act on ("item tiu-07 is not in the
// current section"). Pure.
[[nodiscard]] Result<std::vector<Event>> Decide(const authoring::Exam& exam,
                                                const SittingState& state, const Command& command);

// The state after `event`. Total for events Decide produced (invariant 1). Pure.
SittingState Apply(const authoring::Exam& exam, SittingState state, const Event& event);

// Journal encoding: type "sitting.<name>" and a JSON payload. FromJson is defensive (the journal
// is verified, but a bug must not crash a replay): kMalformed naming the field.
struct EncodedEvent {
  std::string type;
  std::string payload;
};
EncodedEvent ToJson(const Event& event);
[[nodiscard]] Result<Event> FromJson(std::string_view type, std::string_view payload);

}  // namespace lontar::exam

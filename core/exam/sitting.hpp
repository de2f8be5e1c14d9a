// A candidate's sitting as a pure state machine: commands are decided against the current state
// into events, and the state is the fold of those events. The engine (which owns the journal and
// the clock) appends the events durably and applies them; resuming is folding the journal again.
// Nothing here does I/O or reads a clock.
//
//              Start / Restore                       Submit / time out
//   kNotStarted ─────────────────► kInProgress ─────────────────────────► kSubmitted
//                                   │  ▲  │  │
//     Goto, Answer, Clear, Flag,    │  │  │  │ Void (proctor, reason)    ┌──────────┐
//     Tick, NextSection, AddTime ───┘  │  │  └──────────────────────────►│ kVoided  │
//                                      │  │ HandOff (proctor, to a       └──────────┘
//        Pause ──► paused ──► Resume ──┘  │ spare terminal)              ┌──────────┐
//        (a flag on kInProgress)          └─────────────────────────────►│kHandedOff│
//                                                                        └──────────┘
//   NextSection (the candidate moves on, or the section's time runs out) closes the previous
//   section for good. On the spare terminal, Restore starts the sitting from the handed-off state.
//
// Invariants:
//  (1) Apply never fails: every event was validated by Decide before it was journaled, so a
//      replay reaches exactly the state the live engine had.
//  (2) Only the current section's items can be visited or answered; sections are taken in the
//      pack's order and a closed section does not reopen.
//  (3) Time is charged only through TimeCharged events carrying measured monotonic durations;
//      the wall clock never enters. When the whole-exam limit (plus time the proctor added) is
//      reached the sitting is submitted (reason kTimeUp); when a section's limit is reached the
//      next section opens. A paused sitting is charged nothing and takes no candidate commands.
//  (4) kSubmitted, kVoided and kHandedOff are final: no command changes them.
//  (5) Proctor commands (ProctorCommand) carry a reason, which is journaled with their events.
//  (6) Accommodations (model/accommodations.hpp) are applied by Start, from the roster, in
//      an Accommodated event right after Started, and changed only by the proctor's Accommodate
//      (display and read-aloud; time only through AddTime). The exam's and each section's limit
//      are ScaledLimitNs of the authored minutes; the proctor's added time adds on top.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "core/journal/flat_payload.hpp"
#include "core/model/exam.hpp"
#include "core/util/error.hpp"

namespace lontar::exam {

enum class Phase { kNotStarted, kInProgress, kSubmitted, kVoided, kHandedOff };
enum class SubmitReason { kCandidate, kTimeUp };

// ---- events (journal payloads: see ToJson) ----------------------------------------------------
struct Started {
  std::string participant;
  std::uint64_t seed = 0;  // for shuffling items and options; journaled so replays agree
};
struct Accommodated {
  model::Accommodations accommodations{};  // everything now in force, not a difference
  std::string source{};  // where it came from: "roster.csv of <exam> version <n>", "proctor"
  std::string reason{};  // the proctor's; empty from the roster
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
struct Paused {
  std::string reason;
  bool room = false;  // part of pausing every sitting on the terminal
};
struct Resumed {
  std::string reason;
};
struct TimeAdded {
  std::int64_t ns = 0;  // added to the exam's limit and to the current section's, if it has one
  std::string reason;
};
struct Voided {
  std::string reason;
};
struct HandedOff {
  std::string handoff_id;  // names the signed hand-off record the spare terminal imports
  std::string reason;
};
struct Restored {  // the spare terminal's first event: the state the old terminal handed off
  std::string handoff_id;
  std::string from_terminal;
  std::string participant;
  std::uint64_t seed = 0;
  std::size_t section = 0;
  std::string current_item;
  std::map<std::string, std::vector<std::string>> answers;
  std::set<std::string> flagged;
  std::int64_t elapsed_ns = 0;
  std::vector<std::int64_t> section_elapsed_ns;
  std::int64_t extra_ns = 0;
  std::vector<std::int64_t> section_extra_ns;
  model::Accommodations accommodations{};
  std::string accommodations_source{};

  bool operator==(const Restored&) const = default;
};
using Event =
    std::variant<Started, Navigated, Answered, Flagged, TimeCharged, SectionOpened, Submitted,
                 Paused, Resumed, TimeAdded, Voided, HandedOff, Restored, Accommodated>;

// ---- commands ------------------------------------------------------------------------------
struct Start {
  std::string participant;
  std::uint64_t seed = 0;
  model::Accommodations accommodations{};  // the roster's, applied from the first second
  std::string source{};                    // which roster (Accommodated::source)
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

// ---- proctor commands (the engine takes them only with the proctor code) --------------------
struct Pause {
  std::string reason;
  bool room = false;
};
struct Resume {
  std::string reason;
};
struct AddTime {
  std::int64_t ns = 0;  // 1 second .. kMaxAddTimeNs
  std::string reason;
};
struct Void {
  std::string reason;
};
struct HandOff {
  std::string handoff_id;
  std::string reason;
};
struct Restore {
  Restored state;  // from a verified hand-off record; checked against the exam here
};
struct Accommodate {  // text size, high contrast and read-aloud; the time fields are ignored
  model::Accommodations accommodations{};
  std::string reason{};
};
using ProctorCommand = std::variant<Pause, Resume, AddTime, Void, HandOff, Restore, Accommodate>;
inline constexpr std::int64_t kMaxAddTimeNs = 4LL * 3600 * 1'000'000'000;
inline constexpr std::size_t kMaxReasonBytes = 500;

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
  std::int64_t extra_ns = 0;                     // time the proctor added, whole exam
  std::vector<std::int64_t> section_extra_ns;    // ... and per section
  SubmitReason reason = SubmitReason::kCandidate;
  bool paused = false;
  bool paused_by_room = false;
  std::string handoff_id;     // kHandedOff: the record written; restored: the record read
  std::string from_terminal;  // restored from this terminal's hand-off
  model::Accommodations accommodations;  // in force (invariant 6)
  std::string accommodations_source;     // the last Accommodated's source ("" if none)

  bool operator==(const SittingState&) const = default;
};

// The items of section `index` in the order this participant sees them (shuffled with the
// sitting's seed when the exam allows; the same seed always gives the same order). Pure.
std::vector<std::string> ItemOrder(const model::Exam& exam, std::size_t section,
                                   std::uint64_t seed);

// The option keys of `item` in the order this participant sees them: shuffled with the sitting's
// seed when the exam allows it, except on Likert items, whose scale must read in order. Pure.
std::vector<std::string> OptionOrder(const model::Exam& exam, const model::Item& item,
                                     std::uint64_t seed);

// The exam's limit and section `section`'s (0: none) under the sitting's accommodations,
// before the proctor's added time. Pure.
std::int64_t ExamLimitNs(const model::Exam& exam, const SittingState& s);
std::int64_t SectionLimitNs(const model::Exam& exam, const SittingState& s, std::size_t section);

// Remaining time, whole exam and current section (section limit 0: only the exam's applies).
std::int64_t RemainingNs(const model::Exam& exam, const SittingState& s);
std::int64_t SectionRemainingNs(const model::Exam& exam, const SittingState& s);

// Validates `command` against the state and returns the events it produces (possibly none).
// kInvalidArgument with a reason a candidate or proctor can act on ("item tiu-07 is not in the
// current section"). Pure.
[[nodiscard]] Result<std::vector<Event>> Decide(const model::Exam& exam, const SittingState& state,
                                                const Command& command);
[[nodiscard]] Result<std::vector<Event>> Decide(const model::Exam& exam, const SittingState& state,
                                                const ProctorCommand& command);

// The Restored event that carries `state` to a spare terminal. Pure.
Restored Snapshot(const SittingState& state, std::string handoff_id, std::string from_terminal);

// The state after `event`. Total for events Decide produced (invariant 1). Pure.
SittingState Apply(const model::Exam& exam, SittingState state, const Event& event);

// Journal encoding (sitting_json.cpp): type "sitting.<name>" and a JSON payload. FromJson is
// defensive (the journal is verified, and hand-off records are signed, but a bug must not crash a
// replay): kMalformed naming the field.
struct EncodedEvent {
  std::string type;
  std::string payload;
};
// ToJson writes the event's fields and those of `also` (the engine's participant and pack id;
// `also` wins on a shared name) as one JSON object, encoded once.
EncodedEvent ToJson(const Event& event, const nlohmann::json& also = nlohmann::json::object());
[[nodiscard]] Result<Event> FromJson(std::string_view type, std::string_view payload);
// The same from a payload already parsed (a replay parses each record once).
[[nodiscard]] Result<Event> FromParsedJson(std::string_view type, const nlohmann::json& payload);
// The same from a flat payload read without building a document (a replay's answers, flags and
// time). Whenever it succeeds it gives the event FromParsedJson gives for the same bytes; when
// it fails, the payload may still be a good event with a nested field (a hand-off, an
// accommodation) or a bad one: call FromParsedJson, whose answer and error are the ones to use.
[[nodiscard]] Result<Event> FromFlatJson(std::string_view type,
                                         const journal::FlatPayload& payload);

// Phase names as journaled and shown: "not-started", "in-progress", "submitted", "voided",
// "handed-off".
const char* PhaseName(Phase phase);

}  // namespace lontar::exam

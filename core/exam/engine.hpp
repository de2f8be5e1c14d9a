// The exam engine: the only thing that changes exam state. It decides commands with the pure
// sitting state machine (sitting.hpp), appends the resulting events to the terminal's journal
// in one durable transaction, applies them, and returns the new state. Opening the engine is
// folding the journal again, which is how a sitting resumes after a crash or power cut.
//
// Invariants:
//  (1) A state change is visible (returned) only after its events are durable in the journal.
//  (2) Time is charged from the monotonic clock: every command first charges the time measured
//      since the previous charge, in the same transaction; Checkpoint() does so on its own, and
//      the kiosk calls it at least every 5 seconds, so a crash loses at most that much time.
//  (3) Time while the engine was not running (terminal off, process restarting) is not charged,
//      unless the exam's charge_downtime policy says so; then the wall-clock gap since the last
//      journal record is charged (the only use of the wall clock, and never negative).
//
// Journal records: type "sitting.<event>" (sitting.hpp), payload = the event's JSON object plus
// "participant" and "pack_id".
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/authoring/exam.hpp"
#include "core/exam/sitting.hpp"
#include "core/terminal/terminal.hpp"
#include "core/util/clock.hpp"

namespace lontar::exam {

class Engine {
 public:
  // Opens the engine on the terminal's released pack (kNotFound when no pack is released) and
  // replays every sitting of that pack from the journal. Reads disk.
  [[nodiscard]] static Result<Engine> Open(terminal::Terminal& terminal, const Clock& clock);

  const authoring::Exam& exam() const { return *exam_; }
  const std::string& pack_id() const { return pack_id_; }

  // The participant's sitting (a fresh kNotStarted state if none).
  SittingState State(const std::string& participant) const;

  // Charges elapsed time, decides `command`, journals the events durably, applies them. On a
  // refusal nothing is journaled and the state is unchanged (time included). Touches disk.
  [[nodiscard]] Result<SittingState> Execute(const std::string& participant,
                                             const Command& command);

  // Charges the time elapsed for every sitting in progress (and submits those whose time is up).
  // Touches disk.
  [[nodiscard]] Status Checkpoint();

 private:
  Engine() = default;
  [[nodiscard]] Status Journal(const std::string& participant, const std::vector<Event>& events);

  terminal::Terminal* terminal_ = nullptr;
  const Clock* clock_ = nullptr;
  std::string pack_id_;
  std::unique_ptr<authoring::Exam> exam_;
  std::map<std::string, SittingState> sittings_;
  std::map<std::string, std::int64_t> charged_at_ns_;  // monotonic time of the last charge
};

}  // namespace lontar::exam

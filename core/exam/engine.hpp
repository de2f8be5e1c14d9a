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
// "participant" and "pack_id". Session records, also carrying "pack_id":
//   session.opened {token}                 the proctor opened the session (token for logins)
//   session.proctor_denied {}              a wrong proctor code
//   login.ok / login.failed {participant, reason, failures} / login.locked {participant}
// A participant is locked after kMaxLoginFailures wrong attempts (PIN or token) in a row.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "core/authoring/exam.hpp"
#include "core/exam/sitting.hpp"
#include "core/terminal/terminal.hpp"
#include "core/util/clock.hpp"

namespace lontar::exam {

inline constexpr int kMaxLoginFailures = 5;

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

  // Proctor: opens the session with the proctor code from the pack and returns the session token
  // the proctor shows the room. Opening again returns the same token. kWrongKey (journaled) for
  // a wrong code; kNotFound if the pack carries no proctor code. Touches disk.
  [[nodiscard]] Result<std::string> OpenSession(ByteView proctor_code);
  const std::string& session_token() const { return token_; }

  // Candidate login with participant number, personal PIN and the session token; starts the
  // sitting, or resumes it. Refusals say why: session not open, wrong token or PIN (journaled,
  // counted), unknown participant, locked, already finished. Touches disk.
  [[nodiscard]] Result<SittingState> Login(const std::string& participant, ByteView pin,
                                           std::string_view token);
  bool locked(const std::string& participant) const { return locked_.contains(participant); }
  // Wrong login attempts in a row for `participant` (0 after a good one).
  int login_failures(const std::string& participant) const {
    auto it = failures_.find(participant);
    return it == failures_.end() ? 0 : it->second;
  }
  // Participants whose sitting is in progress on this terminal, in number order: after a crash
  // the kiosk resumes the one sitting it finds here without a new login.
  std::vector<std::string> InProgress() const;

 private:
  Engine() = default;
  [[nodiscard]] Status Journal(const std::string& participant, const std::vector<Event>& events);
  // The events that charge the time measured since the participant's last charge (and submit
  // on time-up), applied to `state`. Pure apart from reading the stored charge time.
  [[nodiscard]] Result<std::vector<Event>> Charge(const std::string& participant,
                                                  SittingState& state, std::int64_t now) const;
  [[nodiscard]] Status Record(const std::string& type, nlohmann::json payload);
  void ApplySessionRecord(const std::string& type, const nlohmann::json& payload);

  terminal::Terminal* terminal_ = nullptr;
  const Clock* clock_ = nullptr;
  std::string pack_id_;
  std::unique_ptr<authoring::Exam> exam_;
  std::map<std::string, SittingState> sittings_;
  std::map<std::string, std::int64_t> charged_at_ns_;  // monotonic time of the last charge
  std::string token_;
  std::map<std::string, int> failures_;
  std::set<std::string> locked_;
};

}  // namespace lontar::exam

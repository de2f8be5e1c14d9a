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
//  (5) Another process may write to the same journal (the proctor's `lontar session ...` while
//      the kiosk runs): every entry point first replays what it has not seen (Refresh), and an
//      append that races with another process fails whole (the chain's next number is taken)
//      and changes nothing, so the caller sees an error, never a forked state.
//  (4) Proctor actions need a ProctorAuth, which only AuthorizeProctor makes, from the proctor
//      code in the pack. Every proctor action is journaled with its reason; so is a wrong code.
//
// Journal records: type "sitting.<event>" (sitting.hpp), payload = the event's JSON object plus
// "participant" and "pack_id" (and, for sitting.restored, the old terminal's signed hand-off
// record as "handoff_record"). Session records, also carrying "pack_id":
//   session.opened {token}                 the proctor opened the session (token for logins)
//   session.proctor_denied {}              a wrong proctor code
//   session.paused {reason} / session.resumed {reason}   the whole room (this terminal)
//   login.ok / login.failed {participant, reason, failures} / login.locked {participant}
//   login.unlocked {participant, reason}   the proctor unlocked a locked participant
// A participant is locked after kMaxLoginFailures wrong attempts (PIN or token) in a row.
//
// Results: when a sitting ends (submitted, by the candidate or at time-up, or voided) the engine
// seals a result bundle (core/bundle/bundle_format.hpp) to the pack's results key, signs it with
// the terminal's key and puts it in the outbox (core/bundle/outbox.hpp) before the call that
// ended the sitting returns; ReceiptCode() then gives the candidate's receipt. If that fails
// (disk full), the call reports it and the next call, or the next Open, tries again: a finished
// sitting without a "bundle.created" record in the journal is always sealed again.
//
// Hand-off to a spare terminal: HandOff() ends the sitting here (phase kHandedOff) and returns a
// hand-off record, a SignedEnvelope "lontar-handoff" signed by this terminal:
//   body {handoff_id, from_terminal, site, pack_id, exam_id, participant, reason,
//         journal {seq, hash}   the sitting.handed_off record in this terminal's journal,
//         state {...}}          the sitting as sitting.restored carries it
// The spare (ImportHandoff) accepts it only if the signer is one of the pack's target terminals
// (the authority signed that list), it is not the spare itself, the pack is the spare's released
// pack, the participant is on the roster and has no sitting on the spare yet. The record is
// rebuilt from the journal, so HandoffRecord() gives the same bytes again if a USB stick failed.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/exam/sitting.hpp"
#include "core/model/exam.hpp"
#include "core/scoring/score.hpp"
#include "core/terminal/terminal.hpp"
#include "core/util/clock.hpp"

namespace lontar::exam {

inline constexpr int kMaxLoginFailures = 5;
inline constexpr std::size_t kMaxHandoffBytes = 4 << 20;

// Proof that the proctor code was given to this engine. Only Engine::AuthorizeProctor makes one.
class ProctorAuth {
 private:
  friend class Engine;
  explicit ProctorAuth(const void* engine) : engine_(engine) {}
  const void* engine_;
};

// Why Engine::TryLogin refused a candidate: what a front-end branches on to tell them (the
// error's kind is no answer: a paused room and a locked participant are both kPermission).
enum class LoginRefusal {
  kSessionNotOpen,  // no session token yet: the proctor has not opened the session
  kRoomPaused,      // the proctor paused the room; logins wait for the resume
  kNotOnRoster,     // the number is not on this pack's roster (journaled)
  kLocked,          // locked after kMaxLoginFailures wrong attempts, before or by this one
  kWrongToken,      // wrong session token (journaled, counted)
  kWrongPin,        // wrong PIN (journaled, counted)
  kFinished,        // the sitting was submitted
  kVoided,          // the proctor voided the sitting
  kHandedOff,       // the sitting moved to another terminal
  kFailed,          // the terminal could not do it (journal, disk): see the error
};

struct LoginRefused {
  LoginRefusal why;
  Error error;       // the message Login() returns
  int failures = 0;  // wrong attempts in a row after this one (kWrongToken, kWrongPin, kLocked)
};

class Engine {
 public:
  // Opens the engine on the session this terminal runs: of several released packs (two
  // sessions in a day, two versions of one exam), the one released or chosen last
  // (pack::RunningPack); kNotFound when no pack is released. With `pack_id`, on that released
  // pack instead (kNotFound when it is not loaded, kInvalidArgument when it is not released):
  // OpenSession then makes it the session this terminal runs. Replays every sitting of the pack
  // from the journal. Reads disk.
  [[nodiscard]] static Result<Engine> Open(terminal::Terminal& terminal, const Clock& clock,
                                           std::string_view pack_id = {});

  // Whether this engine's pack is the session the terminal runs (false after Open with another
  // released pack's id, until OpenSession chooses it).
  bool running() const { return running_; }

  const model::Exam& exam() const { return *exam_; }
  const std::string& pack_id() const { return pack_id_; }
  std::uint64_t exam_version() const { return exam_version_; }

  // The participant's sitting (a fresh kNotStarted state if none).
  SittingState State(const std::string& participant) const;

  // Charges elapsed time, decides `command`, journals the events durably, applies them. On a
  // refusal nothing is journaled and the state is unchanged (time included). If another process
  // appended to the journal in between (the proctor's console, `lontar sync`), the engine folds
  // that in and decides again (RetryOnConflict). Touches disk.
  [[nodiscard]] Result<SittingState> Execute(const std::string& participant,
                                             const Command& command);

  // Charges the time elapsed for every sitting in progress (and submits those whose time is up).
  // Retries on a conflict as Execute does. Touches disk.
  [[nodiscard]] Status Checkpoint();

  // Checks the proctor code against the pack's. kWrongKey (journaled) for a wrong code; kNotFound
  // if the pack carries no proctor code. Touches disk on failure.
  [[nodiscard]] Result<ProctorAuth> AuthorizeProctor(ByteView proctor_code);

  // Proctor: opens the session and returns the session token the proctor shows the room. The
  // token is derived from the proctor code and the pack, so every terminal of the room shows the
  // same one, and opening again gives it again. On an engine opened on a released pack the
  // terminal does not run (Open with its id), the pack becomes the session the terminal runs
  // (pack::SelectPack), refused with kInvalidArgument naming them while a sitting of the pack
  // running now is in progress. Errors as AuthorizeProctor. Touches disk.
  [[nodiscard]] Result<std::string> OpenSession(ByteView proctor_code);
  const std::string& session_token() const { return token_; }

  // Proctor actions on one sitting (sitting.hpp's ProctorCommand: pause, resume, add time, void).
  // Charges the time up to now first. Refusals as Execute. Touches disk.
  [[nodiscard]] Result<SittingState> Proctor(const ProctorAuth& auth,
                                             const std::string& participant,
                                             const ProctorCommand& command);
  // Pauses (resumes) every sitting in progress on this terminal and, while paused, refuses
  // logins. Resuming the room resumes only the sittings the room pause paused. Touches disk.
  [[nodiscard]] Status PauseRoom(const ProctorAuth& auth, const std::string& reason);
  [[nodiscard]] Status ResumeRoom(const ProctorAuth& auth, const std::string& reason);
  bool room_paused() const { return room_paused_; }
  // Unlocks a participant locked after wrong login attempts. Touches disk.
  [[nodiscard]] Status Unlock(const ProctorAuth& auth, const std::string& participant,
                              const std::string& reason);

  // Ends the participant's sitting here and returns the signed hand-off record (see above).
  [[nodiscard]] Result<std::string> HandOff(const ProctorAuth& auth, const std::string& participant,
                                            const std::string& reason);
  // The hand-off record of a sitting already handed off (kNotFound otherwise). Pure.
  [[nodiscard]] Result<std::string> HandoffRecord(const std::string& participant) const;
  // Starts the sitting on this (spare) terminal from a hand-off record. Touches disk.
  [[nodiscard]] Result<SittingState> ImportHandoff(const ProctorAuth& auth, ByteView record);

  // The receipt code of the participant's result bundle, once the sitting has ended and its
  // bundle is durable in the outbox; empty before.
  std::string ReceiptCode(const std::string& participant) const;
  // The score this engine sealed into the participant's result bundle (what a finished screen
  // shows), scored with the roster's position and group; nullptr before sealing, when scoring
  // failed (the bundle says why), or when another process sealed it. Pure.
  const scoring::ScoreReport* SealedScore(const std::string& participant) const;

  // Every participant with a sitting on this terminal.
  std::vector<std::string> Participants() const;

  // Candidate login with participant number, personal PIN and the session token; starts the
  // sitting, or resumes it. Refusals say why: session not open, wrong token or PIN (journaled,
  // counted), unknown participant, locked, already finished. Retries on a conflict as Execute
  // does. Touches disk.
  [[nodiscard]] Result<SittingState> Login(const std::string& participant, ByteView pin,
                                           std::string_view token);
  // Login with the refusal typed (LoginRefusal above); the same checks, records and retries.
  [[nodiscard]] std::expected<SittingState, LoginRefused> TryLogin(const std::string& participant,
                                                                   ByteView pin,
                                                                   std::string_view token);
  bool locked(const std::string& participant) const { return locked_.contains(participant); }
  // Wrong login attempts in a row for `participant` (0 after a good one).
  int login_failures(const std::string& participant) const {
    auto it = failures_.find(participant);
    return it == failures_.end() ? 0 : it->second;
  }
  // An image the kiosk could not show to `participant` on `item` (damaged on disk, out of
  // memory): journaled as "session.image_unshown" with the file and the reason, once per
  // participant, item and file, so that the proctor is called and the result bundle records it.
  // Retries on a conflict as Execute does. Touches disk.
  struct ImageFault {
    std::string participant, item, media, reason;
  };
  [[nodiscard]] Status ReportImageUnshown(const ImageFault& fault);
  // Every image fault journaled for this pack, oldest first (what the proctor sees).
  const std::vector<ImageFault>& image_faults() const { return image_faults_; }

  // Participants whose sitting is in progress on this terminal, in number order: after a crash
  // the kiosk resumes the one sitting it finds here without a new login.
  std::vector<std::string> InProgress() const;

 private:
  Engine() = default;
  // Every engine append is Journal::Mode::kIfUnchanged: what it appends was decided from the
  // sittings as folded so far, so if another process appended meanwhile it gets kConflict and
  // nothing is written. These run `attempt` again (each attempt starts with Refresh) a few
  // times while that happens.
  template <class F>
  auto RetryOnConflict(F&& attempt) -> decltype(attempt()) {
    for (int i = 1;; ++i) {
      auto result = attempt();
      if (result || result.error().kind() != ErrorKind::kConflict || i == kConflictAttempts) {
        return result;
      }
    }
  }
  static constexpr int kConflictAttempts = 4;
  [[nodiscard]] Result<SittingState> ExecuteOnce(const std::string& participant,
                                                 const Command& command);
  [[nodiscard]] Status CheckpointOnce();
  [[nodiscard]] std::expected<SittingState, LoginRefused> LoginOnce(const std::string& participant,
                                                                    ByteView pin,
                                                                    std::string_view token);
  [[nodiscard]] Status Journal(const std::string& participant, const std::vector<Event>& events);
  // Records about to be journaled in one transaction, each with the participant it names (""
  // for none).
  struct Outgoing {
    std::vector<journal::Event> records;
    std::vector<std::string> participants;
    void Add(journal::Event record, std::string participant) {
      records.push_back(std::move(record));
      participants.push_back(std::move(participant));
    }
  };
  // Appends `out` (Journal::Mode::kIfUnchanged) and notes whose each record is (NoteRecord).
  // A failure other than kConflict may still have reached the disk (journal.hpp, invariant 2),
  // so it makes the next Refresh fold the journal again. Touches disk.
  [[nodiscard]] Result<journal::Head> Append(const Outgoing& out);
  // The events that charge the time measured since the participant's last charge (and submit
  // on time-up), applied to `state`. Pure apart from reading the stored charge time.
  [[nodiscard]] Result<std::vector<Event>> Charge(const std::string& participant,
                                                  SittingState& state, std::int64_t now) const;
  // Folds the journal into the sittings and session state, from scratch. Reads disk.
  [[nodiscard]] Status Replay(std::map<std::string, std::int64_t>& last_wall_ms);
  // Replays again if another process appended to the journal since this engine last did (the
  // proctor's console while the kiosk runs). Every entry point calls it first. Reads disk.
  [[nodiscard]] Status Refresh();
  [[nodiscard]] Status Record(const std::string& type, nlohmann::json payload);
  void ApplySessionRecord(const std::string& type, const nlohmann::json& payload);
  // Folds a sitting record whose payload is flat (core/journal/flat_payload.hpp) without
  // building a JSON document, exactly as ApplyRecord would; false when it is not one such (the
  // caller parses it and calls ApplyRecord, which also gives any error). Pure.
  bool ApplyFlatRecord(const journal::Record& record,
                       std::map<std::string, std::int64_t>& last_wall_ms);
  // Folds one record of this pack (payload already parsed) into the sittings and session state.
  [[nodiscard]] Status ApplyRecord(const journal::Record& record, const nlohmann::json& payload,
                                   std::map<std::string, std::int64_t>& last_wall_ms);
  // Checks `auth` was made by this engine, and refreshes (see Refresh).
  [[nodiscard]] Status CheckAuth(const ProctorAuth& auth);
  // Charges time, decides and journals a proctor command for each participant in one
  // transaction, with an optional session record. Touches disk.
  [[nodiscard]] Status ProctorAll(const std::vector<std::pair<std::string, ProctorCommand>>& work,
                                  const std::string& session_type, const std::string& reason);
  // Journal encoding of one sitting event for `participant`: the event's fields, `extra`'s,
  // "participant" and "pack_id", encoded once.
  journal::Event Encode(const std::string& participant, const Event& event,
                        nlohmann::json extra = nlohmann::json::object()) const;
  // Remembers what a hand-off record needs, as the sitting.handed_off record is applied.
  void NoteHandoff(const std::string& participant, const SittingState& before,
                   const nlohmann::json& payload, const journal::Record& record);

  // Seals a result bundle for every ended sitting that has none yet. Touches disk.
  [[nodiscard]] Status SealFinished();
  [[nodiscard]] Status Seal(const std::string& participant, const SittingState& state);
  void NoteBundle(const nlohmann::json& bundle_created);
  // Notes that journal record `seq` (of this pack) names `participant`: the records a bundle
  // carries, so that sealing reads those and no others. Seqs arrive in increasing order.
  void NoteRecord(const std::string& participant, std::uint64_t seq);

  // OpenSession on a pack the terminal does not run: makes it the one it runs.
  [[nodiscard]] Status Choose();

  struct HandoffNote {
    Restored state;
    std::string reason;
    std::uint64_t seq = 0;
    crypto::Hash256 hash{};
  };

  terminal::Terminal* terminal_ = nullptr;
  const Clock* clock_ = nullptr;
  std::string pack_id_;
  bool running_ = true;  // the pack is the session the terminal runs (running())
  std::unique_ptr<model::Exam> exam_;
  std::map<std::string, SittingState> sittings_;
  std::map<std::string, std::int64_t> charged_at_ns_;  // monotonic time of the last charge
  std::string token_;
  std::map<std::string, int> failures_;
  std::set<std::string> locked_;
  bool room_paused_ = false;
  std::map<std::string, HandoffNote> handoffs_;
  crypto::BoxPublicKey results_key_{};
  std::uint64_t exam_version_ = 0;
  std::map<std::string, std::string> receipts_;         // participant -> receipt code
  std::map<std::string, scoring::ScoreReport> scores_;  // participant -> score sealed here
  // participant -> the journal records of this pack that name it, as runs [first, last] of
  // consecutive seqs (a terminal usually holds one sitting at a time, so a few runs each)
  std::map<std::string, std::vector<std::pair<std::uint64_t, std::uint64_t>>> records_;
  bool refold_ = false;  // an append failed in a way that may have reached the disk
  std::vector<ImageFault> image_faults_;
};

}  // namespace lontar::exam

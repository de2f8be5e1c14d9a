// A terminal's heartbeat: what `lontar sync` tells its site relay on every pass about the
// terminal and the sitting on it, for the proctor's room view (core/server/room.hpp). It carries
// no answer and no item content: counts, phase, times.
//
// Format: a SignedEnvelope (core/format/signed_envelope.hpp) with format "lontar-heartbeat",
// version 1, signed by the terminal's own Ed25519 key, at most kMaxHeartbeatBytes. Body (one
// JSON object; every field present, "" / 0 where there is nothing to say):
//   terminal_id      "T-" + key id of the signer (must equal the envelope's signer)
//   site, name       the terminal's, as enrolled
//   seat             seat label the proctor reads on the room plan ("A-07"); 1..32 characters
//   seq              u64, strictly increasing per terminal across restarts (terminal_heartbeat.hpp)
//   sent_ms          the terminal's wall clock when it was signed (may be wrong: see below)
//   clock_offset_ms  terminal clock minus the relay's, measured at the previous exchange; null
//                    when the terminal has not measured it yet
//   pack_id, exam_id, title   the released session pack ("" when none is released)
//   participant      the sitting shown: the one in progress, else the last one that changed
//   phase            one of kSeatPhases
//   section          1-based number of the current section (0: none), section_title its title
//   answered, items  items answered so far of the exam's total
//   time_left_s      seconds left on the whole exam (0 when not in progress)
//   last_answer_ms   the terminal's wall clock at the last durable answer (0: none)
//   outbox           result bundles waiting for delivery on the terminal
//
// Time: the relay never orders or ages by sent_ms; it uses its own receipt time. sent_ms only
// tells how far the terminal's clock is off (and, against last_answer_ms, how long ago the last
// answer was, which needs no correct clock).
//
// A torn or truncated heartbeat is not valid JSON (or fails its signature) and is refused whole.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "core/crypto/sign.hpp"
#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::sync {

inline constexpr char kHeartbeatFormat[] = "lontar-heartbeat";
inline constexpr std::size_t kMaxHeartbeatBytes = 8 * 1024;
inline constexpr std::size_t kMaxSeatBytes = 32;

// The phases a seat can be in, as sent and shown: "not-started" (no sitting yet, or no session
// released), "in-progress", "paused", "finished" (submitted), "voided", "handed-off".
inline constexpr const char* kSeatPhases[] = {"not-started", "in-progress", "paused",
                                              "finished",    "voided",      "handed-off"};

struct Heartbeat {
  std::string terminal_id, site, name, seat;
  std::uint64_t seq = 0;
  std::int64_t sent_ms = 0;
  std::optional<std::int64_t> clock_offset_ms;
  std::string pack_id, exam_id, title;
  std::string participant;
  std::string phase = "not-started";
  std::uint64_t section = 0;
  std::string section_title;
  std::uint64_t answered = 0, items = 0;
  std::int64_t time_left_s = 0;
  std::int64_t last_answer_ms = 0;
  std::uint64_t outbox = 0;
};

// A heartbeat that verified, with the key that signed it. The caller decides whether it trusts
// that key (the relay: an enrolled terminal's).
struct SignedHeartbeat {
  Heartbeat heartbeat;
  crypto::VerifyKey signer;
};

// kInvalidArgument unless `seat` is 1..kMaxSeatBytes printable characters (no control bytes).
[[nodiscard]] Status ValidateSeat(std::string_view seat);

// The sitting's progress (participant, phase, section, section_title, answered, items,
// time_left_s) added to `j` in that order, named as in the body: the heartbeat's and the room
// view's (core/server/room_page.cpp) JSON.
void AddSittingProgress(nlohmann::ordered_json& j, const Heartbeat& hb);

// The signed heartbeat, signed with `key` (whose terminal id should be hb.terminal_id). Pure.
std::string WriteHeartbeat(const Heartbeat& hb, const crypto::SigningKey& key);

// Verifies the envelope's signature before reading the body, then reads every field. Errors:
// kMalformed (not a heartbeat, oversized, a field missing or of the wrong type or range, naming
// it), kTooNew (a newer version), kBadSignature (altered or forged), kUntrusted when the body's
// terminal_id is not the signer's (a terminal speaking for another). Pure.
[[nodiscard]] Result<SignedHeartbeat> ReadHeartbeat(ByteView data);

}  // namespace lontar::sync

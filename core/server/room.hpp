// The site relay's room view: the latest heartbeat (core/sync/heartbeat.hpp) of every enrolled
// terminal, kept in memory, and what the proctor sees of it (room_page.hpp renders it).
//
// Invariants:
//  (1) Verify before keep: a heartbeat is taken only when its signature checks, its signer is an
//      enrolled terminal (the key in that terminal's enrollment record), it names that terminal
//      and its enrolled site. A refused heartbeat changes nothing but a counter: forged (bad
//      signature, or a terminal speaking for another), unenrolled (a valid signature by a key
//      not enrolled here), malformed (unreadable, or naming another site).
//  (2) Newest wins, by the terminal's signed seq: a heartbeat whose seq is not above the one
//      kept for its terminal (a replay, or one delayed past a newer one) changes nothing and is
//      counted as stale.
//  (3) Time on the board is the relay's: a tile's age (and "silent" after
//      RoomOptions::silent_after_ms without a heartbeat) is measured from the relay's clock at
//      receipt, never from the terminal's sent_ms, so a terminal with its clock far off ages
//      like any other; the difference sent_ms minus receipt time is shown, and terminals where
//      it exceeds RoomOptions::clock_off_ms are listed for the technician. Terminals that sync
//      without heartbeats are listed by the same rule from their uploads (NoteUploadClock): per
//      terminal, whichever of its last heartbeat and its last upload came later tells its clock.
//  (4) At most one tile per enrolled terminal: memory is bounded by the enrollment directory,
//      whatever terminals send.
//
// Memory, not disk: a relay restarted comes up with an empty board, and every terminal's next
// heartbeat (5 s apart under `lontar sync --watch`) puts its tile back, so writing each of 40
// heartbeats a second to disk would buy nothing the proctor could see. The seq kept for replay
// checks is lost with it; a heartbeat replayed after a restart can show a tile's old state only
// until that terminal's next heartbeat, which supersedes it.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "core/sync/heartbeat.hpp"
#include "core/terminal/enrollment.hpp"
#include "core/util/error.hpp"
#include "core/util/time_zone.hpp"

namespace lontar::server {

struct RoomOptions {
  std::int64_t silent_after_ms = 60'000;  // no heartbeat for this long: the tile says "silent"
  std::int64_t clock_off_ms = 120'000;    // terminals whose clock is off by more are listed
  TimeZone zone{"UTC", 0};                // the site's: the page's times are written in it
};

struct SeatTile {
  sync::Heartbeat heartbeat;       // the latest taken
  std::int64_t received_ms = 0;    // the relay's clock when it arrived
  std::int64_t clock_skew_ms = 0;  // heartbeat.sent_ms - received_ms
  std::string state;               // heartbeat.phase, or "silent"
  std::int64_t silent_ms = 0;      // now - received_ms
  // In RoomView::clock_off only: the reading came with an upload (NoteUploadClock), not a
  // heartbeat; then heartbeat holds only terminal_id, site and name (and seat, if one came
  // earlier), and received_ms is the upload's arrival.
  bool clock_from_upload = false;
};

struct RoomSession {
  std::string pack_id, exam_id, title;        // all "" for terminals with no session released
  std::vector<SeatTile> seats;                // by seat label (numbers in it compared as numbers)
  std::map<std::string, std::size_t> counts;  // by state, every state present (0 included)
};

struct RoomCounters {
  std::uint64_t stored = 0;      // heartbeats taken (first from a terminal, or newer)
  std::uint64_t superseded = 0;  // of those, how many replaced an older one
  std::uint64_t stale = 0;       // not newer than the one kept: nothing changed
  std::uint64_t forged = 0;      // bad signature, or a terminal speaking for another
  std::uint64_t unenrolled = 0;  // signed by a terminal not enrolled here
  std::uint64_t malformed = 0;   // unreadable, or naming a site not the terminal's
};

struct RoomView {
  std::int64_t now_ms = 0;
  RoomOptions options;
  std::vector<RoomSession> sessions;  // by title and pack; terminals with no session last
  std::vector<SeatTile> clock_off;    // |clock_skew_ms| > options.clock_off_ms, by seat
  RoomCounters counters;
};

// The states a tile can show, in the order the page counts them.
inline constexpr const char* kTileStates[] = {"not-started", "in-progress", "paused", "finished",
                                              "voided",      "handed-off",  "silent"};

class RoomBoard {
 public:
  RoomBoard(const std::vector<terminal::Enrollment>& enrolled, RoomOptions options);

  // Takes one heartbeat per invariants (1) and (2), received at the relay's `now_ms`. Returns
  // whether it superseded an earlier tile. Errors (each counted): ReadHeartbeat's kMalformed,
  // kTooNew, kBadSignature, kUntrusted; kUntrusted for a key not enrolled or a site not the
  // enrolled one; kConflict for a heartbeat not newer than the one kept (stale). Thread-safe.
  [[nodiscard]] Result<bool> Accept(ByteView heartbeat, std::int64_t now_ms);

  // Notes the wall clock `terminal_ms` that `terminal_id` sent with an upload the store
  // accepted (sync::kTerminalClockHeader), arriving at the relay's `now_ms`, for invariant (3)'s
  // list; a terminal not enrolled here is ignored (invariant 4). Thread-safe.
  void NoteUploadClock(const std::string& terminal_id, std::int64_t terminal_ms,
                       std::int64_t now_ms);

  // The board at the relay's `now_ms`. Thread-safe.
  RoomView View(std::int64_t now_ms) const;

  const RoomOptions& options() const { return options_; }

 private:
  RoomOptions options_;
  std::map<std::string, terminal::Enrollment> enrolled_;  // by terminal id
  mutable std::mutex mu_;
  std::map<std::string, SeatTile> tiles_;  // by terminal id; guarded by mu_
  struct UploadClock {
    std::int64_t skew_ms = 0, received_ms = 0;
  };
  std::map<std::string, UploadClock> upload_clocks_;  // by terminal id; guarded by mu_
  RoomCounters counters_;                             // guarded by mu_
};

// Orders seat labels as people read them: "A-2" before "A-10" (runs of digits compared as
// numbers), then byte order. Pure.
bool SeatLess(std::string_view a, std::string_view b);

}  // namespace lontar::server

// The terminal side of the room view: what a heartbeat (heartbeat.hpp) says is read from the
// terminal's vault the way `lontar session status` reads it (the exam engine folding the
// journal), numbered, signed and handed to an injected transport (`lontar sync` passes libcurl).
//
// Numbering. A relay keeps only heartbeats newer than the last it accepted from a terminal (by
// seq), so seq must grow across restarts of `lontar sync` and across a wall clock set back:
//   seq = max(previous seq + 1, wall clock in ms)
// with the previous seq kept in HOME/heartbeat.state (JSON {"seq": N, "clock_offset_ms": X or
// null}), written whole (WriteFileAtomic) before the heartbeat leaves. A torn write leaves the
// old file (or none: seq then restarts from the wall clock, which a relay that has not been
// restarted may refuse as old until the clock passes the last seq it took; the tile then goes
// silent, which the proctor sees). The file is the terminal's own bookkeeping, not trusted input:
// an unreadable one counts as absent.
//
// Clock offset. Each exchange measures terminal clock minus relay clock as
//   (sent + answered) / 2 - relay_ms
// (the relay's clock from its answer); it travels in the next heartbeat and is kept in the state
// file between runs.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

#include "core/sync/heartbeat.hpp"
#include "core/terminal/terminal.hpp"
#include "core/util/clock.hpp"

namespace lontar::sync {

inline constexpr char kHeartbeatStateFile[] = "heartbeat.state";

// Posts one signed heartbeat; returns the relay's clock (ms since the epoch) from its answer.
// Errors are the transport's or the relay's refusal, with its message.
using HeartbeatPoster = std::function<Result<std::int64_t>(std::string_view heartbeat)>;

// What the terminal is doing, as a heartbeat without seq, sent_ms and clock offset: the released
// pack's sitting in progress (else the sitting that changed last), its phase, section, answered
// count, time left and last durable answer, and the outbox's pending bundles. With no released
// pack: phase "not-started" and no pack. Errors: the vault's, the journal's, the pack's. Reads
// disk (the whole journal, as opening the engine does).
[[nodiscard]] Result<Heartbeat> ObserveTerminal(terminal::Terminal& terminal, std::string_view seat,
                                                const Clock& clock);

struct HeartbeatSent {
  Heartbeat heartbeat;               // as sent
  std::int64_t clock_offset_ms = 0;  // measured in this exchange
};

// Observes, numbers (HOME/heartbeat.state, see above), signs with the terminal's key and posts
// one heartbeat; records the measured offset. kInvalidArgument for a bad seat label; otherwise
// ObserveTerminal's errors, the state file's write errors, or the poster's. Touches disk.
[[nodiscard]] Result<HeartbeatSent> SendHeartbeat(terminal::Terminal& terminal,
                                                  const std::filesystem::path& home,
                                                  std::string_view seat,
                                                  const HeartbeatPoster& post, const Clock& clock);

}  // namespace lontar::sync

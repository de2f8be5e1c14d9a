// The room view (room.hpp) for people and for scripts: the HTML section the relay's status page
// shows (GET / and /status) and the JSON of GET /v1/room.json.
//
// The HTML section is self-contained: its own style, and one inline script of ours that fetches
// the page it sits in every kRoomRefreshSeconds and swaps the page's body for the new one, so
// the proctor's screen stays current without a full reload (no script from outside; the page
// works without scripting too, it just stays as loaded). Every string from a heartbeat is
// escaped (MarkupEscape). A tile says its state in words as well as in colour.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "core/server/room.hpp"

namespace lontar::server {

inline constexpr int kRoomRefreshSeconds = 5;

// The words a tile shows for a state of kTileStates ("in-progress" -> "in progress").
const char* TileStateLabel(std::string_view state);

// {now_ms, silent_after_s, clock_off_limit_s, counters {...}, sessions [{pack_id, exam_id,
// title, counts {state: n}, seats [{seat, terminal_id, name, state, participant, phase,
// section, section_title, answered, items, time_left_s, last_answer_age_s (null: none),
// outbox, last_heard_s, clock_skew_ms, clock_offset_ms (null: not measured)}]}], clock_off
// [{seat, terminal_id, name, clock_skew_ms, from: "heartbeat" | "upload"}]}. Pure.
nlohmann::ordered_json RoomJson(const RoomView& view);

// The <section id="room"> for the status page. Pure.
std::string RoomHtml(const RoomView& view);

}  // namespace lontar::server

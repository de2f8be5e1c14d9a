#include "core/server/room_page.hpp"

#include <cstdlib>

#include "core/util/markup_escape.hpp"

namespace lontar::server {
namespace {

using Json = nlohmann::ordered_json;

// "45 s", "3 min", "2 h 05 min": how long, for people.
std::string Span(std::int64_t ms) {
  const std::int64_t s = std::llabs(ms) / 1000;
  if (s < 120) return std::to_string(s) + " s";
  if (s < 3600) return std::to_string(s / 60) + " min";
  const std::int64_t m = (s / 60) % 60;
  return std::to_string(s / 3600) + " h " + (m < 10 ? "0" : "") + std::to_string(m) + " min";
}

// "47:05" (minutes and seconds) or "1:47:05".
std::string Clock(std::int64_t seconds) {
  if (seconds < 0) seconds = 0;
  auto two = [](std::int64_t v) { return (v < 10 ? "0" : "") + std::to_string(v); };
  const std::int64_t h = seconds / 3600, m = (seconds / 60) % 60, s = seconds % 60;
  return h > 0 ? std::to_string(h) + ":" + two(m) + ":" + two(s) : std::to_string(m) + ":" + two(s);
}

// How long before the heartbeat was signed the last answer was made: both on the terminal's
// clock, so a clock that is off does not matter.
std::optional<std::int64_t> LastAnswerAgeMs(const sync::Heartbeat& hb) {
  if (hb.last_answer_ms == 0) return std::nullopt;
  return std::max<std::int64_t>(0, hb.sent_ms - hb.last_answer_ms);
}

std::string SkewText(std::int64_t skew_ms) {
  return Span(skew_ms) + (skew_ms > 0 ? " ahead of" : " behind") + " the relay";
}

// Style of the room section. Each state has its colour; a silent tile is dark, whatever it was.
constexpr char kRoomStyle[] =
    "<style>"
    "#room .tiles{display:flex;flex-wrap:wrap;gap:.5em;margin-bottom:1em}"
    "#room .tile{width:12em;border:2px solid #777;border-radius:.3em;padding:.4em .5em;"
    "font-size:.9em;line-height:1.35}"
    "#room .seat{font-size:1.5em;font-weight:bold}"
    "#room .state{font-weight:bold;text-transform:uppercase;letter-spacing:.03em}"
    "#room .small{font-size:.8em;color:#333;overflow-wrap:anywhere}"
    "#room .counts span{display:inline-block;border:1px solid #777;border-radius:.3em;"
    "padding:.1em .5em;margin:0 .3em .3em 0}"
    ".st-not-started{background:#e6e6e6}"
    ".st-in-progress{background:#cfe6ff}"
    ".st-paused{background:#ffe08a}"
    ".st-finished{background:#c9efc9}"
    ".st-voided{background:#f5b3b3}"
    ".st-handed-off{background:#dfcdf7}"
    ".st-silent{background:#444;color:#fff;border-style:dashed}"
    "#room .st-silent .small{color:#eee}"
    "</style>\n";

// Fetches this page again every few seconds and swaps in its body: no full reload, no outside
// script. A body parsed by DOMParser does not run its scripts, and the guard keeps one timer.
constexpr char kRoomScript[] =
    "<script>(function(){if(window.lontarRoom)return;window.lontarRoom=1;var n=0;"
    "setInterval(function(){fetch(location.href,{cache:'no-store'}).then(function(r){"
    "if(!r.ok)throw new Error('HTTP '+r.status);return r.text();}).then(function(t){"
    "var d=new DOMParser().parseFromString(t,'text/html');"
    "document.body.replaceWith(document.adoptNode(d.body));n++;"
    "document.documentElement.setAttribute('data-refreshed',String(n));"
    "}).catch(function(){var e=document.getElementById('room-updated');"
    "if(e)e.textContent='the relay is not answering: this is the last view it gave';});"
    "},";

std::string TileHtml(const SeatTile& t) {
  const sync::Heartbeat& hb = t.heartbeat;
  std::string h = "<div class=\"tile st-" + t.state + "\" data-terminal=\"" +
                  MarkupEscape(hb.terminal_id) + "\" data-state=\"" + t.state + "\">";
  h += "<div class=\"seat\">" + MarkupEscape(hb.seat) + "</div>";
  h += "<div class=\"state\">" + std::string(TileStateLabel(t.state));
  if (t.state == "silent") h += " " + Span(t.silent_ms);
  h += "</div>";
  if (t.state == "silent") {
    h += "<div>last said: " + std::string(TileStateLabel(hb.phase)) + "</div>";
  }
  if (!hb.participant.empty()) h += "<div>" + MarkupEscape(hb.participant) + "</div>";
  if (hb.section > 0) {
    h += "<div>section " + std::to_string(hb.section) +
         (hb.section_title.empty() ? "" : ": " + MarkupEscape(hb.section_title)) + "</div>";
  }
  if (hb.items > 0 && !hb.participant.empty()) {
    h += "<div>" + std::to_string(hb.answered) + " of " + std::to_string(hb.items) +
         " answered</div>";
  }
  if (hb.phase == "in-progress" || hb.phase == "paused") {
    h += "<div>" + Clock(hb.time_left_s) + " left</div>";
  }
  if (auto age = LastAnswerAgeMs(hb)) h += "<div>last answer " + Span(*age) + " ago</div>";
  if (hb.outbox > 0) {
    h += "<div>" + std::to_string(hb.outbox) + " result bundle" + (hb.outbox > 1 ? "s" : "") +
         " not yet delivered</div>";
  }
  h += "<div class=\"small\">" + MarkupEscape(hb.name.empty() ? hb.terminal_id : hb.name) +
       " &middot; heard " + Span(t.silent_ms) + " ago</div>";
  return h + "</div>";
}

Json TileJson(const SeatTile& t) {
  const sync::Heartbeat& hb = t.heartbeat;
  Json j;
  j["seat"] = hb.seat;
  j["terminal_id"] = hb.terminal_id;
  j["name"] = hb.name;
  j["state"] = t.state;
  sync::AddSittingProgress(j, hb);
  auto age = LastAnswerAgeMs(hb);
  j["last_answer_age_s"] = age ? Json(*age / 1000) : Json();
  j["outbox"] = hb.outbox;
  j["last_heard_s"] = t.silent_ms / 1000;
  j["clock_skew_ms"] = t.clock_skew_ms;
  j["clock_offset_ms"] = hb.clock_offset_ms ? Json(*hb.clock_offset_ms) : Json();
  j["seq"] = hb.seq;
  return j;
}

}  // namespace

const char* TileStateLabel(std::string_view state) {
  if (state == "not-started") return "not started";
  if (state == "in-progress") return "in progress";
  if (state == "paused") return "paused";
  if (state == "finished") return "finished";
  if (state == "voided") return "voided";
  if (state == "handed-off") return "handed off";
  if (state == "silent") return "silent";
  return "unknown";
}

Json RoomJson(const RoomView& v) {
  Json out;
  out["now_ms"] = v.now_ms;
  out["silent_after_s"] = v.options.silent_after_ms / 1000;
  out["clock_off_limit_s"] = v.options.clock_off_ms / 1000;
  const RoomCounters& c = v.counters;
  out["counters"] = {{"stored", c.stored},         {"superseded", c.superseded},
                     {"stale", c.stale},           {"forged", c.forged},
                     {"unenrolled", c.unenrolled}, {"malformed", c.malformed}};
  out["sessions"] = Json::array();
  for (const auto& s : v.sessions) {
    Json j;
    j["pack_id"] = s.pack_id;
    j["exam_id"] = s.exam_id;
    j["title"] = s.title;
    j["counts"] = Json::object();
    for (const char* state : kTileStates) j["counts"][state] = s.counts.at(state);
    j["seats"] = Json::array();
    for (const auto& t : s.seats) j["seats"].push_back(TileJson(t));
    out["sessions"].push_back(std::move(j));
  }
  out["clock_off"] = Json::array();
  for (const auto& t : v.clock_off) {
    out["clock_off"].push_back({{"seat", t.heartbeat.seat},
                                {"terminal_id", t.heartbeat.terminal_id},
                                {"name", t.heartbeat.name},
                                {"clock_skew_ms", t.clock_skew_ms},
                                {"from", t.clock_from_upload ? "upload" : "heartbeat"}});
  }
  return out;
}

std::string RoomHtml(const RoomView& v) {
  std::string h = kRoomStyle;
  h += std::string(kRoomScript) + std::to_string(kRoomRefreshSeconds * 1000) + ");})();</script>\n";
  h += "<section id=\"room\">\n<h2>Room</h2>\n<p id=\"room-updated\">As of " +
       MarkupEscape(FormatZonedTime(v.now_ms, v.options.zone)) +
       " (the relay's clock; this page refreshes itself every " +
       std::to_string(kRoomRefreshSeconds) + " s). A seat is silent after " +
       Span(v.options.silent_after_ms) + " without a heartbeat.</p>\n";
  const RoomCounters& c = v.counters;
  h += "<p class=\"heartbeats\">Heartbeats: <span id=\"hb-stored\">" + std::to_string(c.stored) +
       "</span> taken (" + std::to_string(c.superseded) + " replacing an older one), " +
       std::to_string(c.stale) + " old or replayed (nothing changed); refused: <span " +
       "id=\"hb-forged\">" + std::to_string(c.forged) + "</span> forged, <span " +
       "id=\"hb-unenrolled\">" + std::to_string(c.unenrolled) +
       "</span> from terminals not enrolled here, " + std::to_string(c.malformed) +
       " malformed.</p>\n";
  if (!v.clock_off.empty()) {
    h += "<p>Terminals whose clock is off by more than " + Span(v.options.clock_off_ms) +
         " (set their clock; the room view goes by the relay's):</p>\n"
         "<table class=\"clock-off\"><tr><th>seat</th><th>terminal</th><th>name</th>"
         "<th>clock</th></tr>\n";
    for (const auto& t : v.clock_off) {
      h += "<tr class=\"gap\" data-terminal=\"" + MarkupEscape(t.heartbeat.terminal_id) +
           "\"><td>" + MarkupEscape(t.heartbeat.seat) + "</td><td>" +
           MarkupEscape(t.heartbeat.terminal_id) + "</td><td>" + MarkupEscape(t.heartbeat.name) +
           "</td><td>" + SkewText(t.clock_skew_ms) +
           (t.clock_from_upload ? " (by its last upload)" : "") + "</td></tr>\n";
    }
    h += "</table>\n";
  }
  if (v.sessions.empty()) {
    h += "<p>No terminal has sent a heartbeat yet (terminals send one with every "
         "<code>lontar sync</code> pass).</p>\n";
  }
  for (const auto& s : v.sessions) {
    const std::string what =
        s.pack_id.empty() ? std::string("Terminals with no session released")
                          : "Session " + MarkupEscape(s.title.empty() ? s.exam_id : s.title) +
                                " <small>(" + MarkupEscape(s.exam_id) + ", pack " +
                                MarkupEscape(s.pack_id.substr(0, 12)) + ")</small>";
    h +=
        "<h3 data-pack=\"" + MarkupEscape(s.pack_id) + "\">" + what + "</h3>\n<p class=\"counts\">";
    h += "<span>" + std::to_string(s.seats.size()) + " seats</span>";
    for (const char* state : kTileStates) {
      const std::size_t n = s.counts.at(state);
      if (n == 0) continue;
      h += "<span class=\"st-" + std::string(state) + "\">" + std::to_string(n) + " " +
           TileStateLabel(state) + "</span>";
    }
    h += "</p>\n<div class=\"tiles\">\n";
    for (const auto& t : s.seats) h += TileHtml(t) + "\n";
    h += "</div>\n";
  }
  return h + "</section>\n";
}

}  // namespace lontar::server

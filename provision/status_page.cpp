#include "provision/status_page.hpp"

#include <algorithm>
#include <map>

#include "core/pack/pack_format.hpp"
#include "core/util/markup_escape.hpp"

namespace lontar::cli {
namespace {

using Json = nlohmann::ordered_json;

std::string Time(std::int64_t ms) { return pack::FormatTime(ms); }
// For people: in the site's zone, named ("2026-12-06 08:15 WITA").
std::string LocalTime(std::int64_t ms, const TimeZone& zone) { return FormatZonedTime(ms, zone); }

std::string JoinNumbers(const std::vector<std::uint64_t>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
  return out;
}

// A terminal's missing numbers as listed, and how many more when the list was cut
// (TerminalStatus::missing).
std::string GapsText(const server::TerminalStatus& t) {
  std::string out = JoinNumbers(t.gaps);
  if (t.missing > t.gaps.size()) {
    out += " and " + std::to_string(t.missing - t.gaps.size()) + " more";
  }
  return out;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out;
}

// Bundles the terminal's last sync said it holds beyond the highest number that arrived here.
std::uint64_t HeldOnTerminal(const server::TerminalStatus& t, const OutboxReportMap& outboxes) {
  auto it = outboxes.find(t.terminal_id);
  if (it == outboxes.end() || it->second.highest <= t.highest_seq) return 0;
  return it->second.highest - t.highest_seq;
}

// A terminal row's class: "gap" (red: something is missing or flagged), "none" (grey: nothing
// has arrived from it yet), "ok" (green).
std::string RowClass(const server::TerminalStatus& t, const OutboxReportMap& outboxes) {
  if (!t.gaps.empty() || !t.flags.empty() || HeldOnTerminal(t, outboxes) > 0) return "gap";
  return t.bundles == 0 ? "none" : "ok";
}

// A session at one site, with what the terminals' bundles and reports tell.
struct SessionView {
  bool complete = false;                 // every sitting that happened has arrived
  std::uint64_t still_on_terminals = 0;  // bundles reported held on its terminals, not yet here
  std::uint64_t not_here = 0;  // roster candidates with no bundle here (absent when complete)
};

SessionView ViewOf(const server::SessionRow& r, const server::StoreStatus& st,
                   const OutboxReportMap& outboxes) {
  SessionView v;
  bool gaps = false;
  for (const auto& id : r.terminals_reporting) {
    for (const auto& t : st.terminals) {
      if (t.terminal_id != id) continue;
      gaps = gaps || !t.gaps.empty();
      v.still_on_terminals += HeldOnTerminal(t, outboxes);
    }
  }
  v.complete = r.expected && r.terminals_silent.empty() && !gaps && v.still_on_terminals == 0;
  const std::uint64_t known = r.candidates_delivered_all_sites + v.still_on_terminals;
  v.not_here = r.candidates_expected > known ? r.candidates_expected - known : 0;
  return v;
}

Json SessionJson(const server::SessionRow& r, const SessionView& v) {
  Json j;
  j["exam_id"] = r.exam_id;
  j["pack_id"] = r.pack_id;
  j["expected"] = r.expected;
  if (r.expected) {
    j["title"] = r.title;
    j["exam_version"] = r.exam_version;
    j["valid_from"] = Time(r.valid_from_ms);
    j["valid_until"] = Time(r.valid_until_ms);
  }
  j["terminals_expected"] = r.terminals_expected;
  j["terminals_reporting"] = r.terminals_reporting;
  j["terminals_silent"] = r.terminals_silent;
  j["candidates_expected"] = r.candidates_expected;
  j["pack_sites"] = r.pack_sites;
  j["candidates_delivered"] = r.candidates_delivered;
  j["candidates_delivered_all_sites"] = r.candidates_delivered_all_sites;
  j["bundles"] = r.bundles;
  j["held_on_terminals"] = v.still_on_terminals;
  // Absent once complete; before that, not (yet) here.
  j[v.complete ? "absent" : "not_yet_here"] = v.not_here;
  j["complete"] = v.complete;
  return j;
}

std::string SessionsHtml(const std::vector<server::SessionRow>& sessions,
                         const server::StoreStatus& st, const OutboxReportMap& outboxes,
                         const std::string& site, const TimeZone& zone) {
  std::string h =
      "<table class=\"sessions\"><tr><th>session (exam, window)</th><th>terminals "
      "reporting</th><th>silent terminals</th><th>candidates delivered here</th>"
      "<th>still on terminals</th><th>delivered / absent / roster (whole pack)</th></tr>\n";
  for (const auto& r : sessions) {
    if (r.site != site) continue;
    const SessionView v = ViewOf(r, st, outboxes);
    const std::string what = r.expected
                                 ? MarkupEscape(r.title) + " <small>(" + MarkupEscape(r.exam_id) +
                                       " v" + std::to_string(r.exam_version) + ", " +
                                       MarkupEscape(LocalTime(r.valid_from_ms, zone)) + " to " +
                                       MarkupEscape(LocalTime(r.valid_until_ms, zone)) + ")</small>"
                                 : MarkupEscape(r.exam_id) + " <small>(pack " +
                                       MarkupEscape(r.pack_id.substr(0, 12)) +
                                       ", not among the packs this server was given)</small>";
    const std::string expected_terminals =
        r.expected ? " of " + std::to_string(r.terminals_expected.size()) : "";
    const std::string whole =
        r.expected ? std::to_string(r.candidates_delivered_all_sites) + " delivered, " +
                         std::to_string(v.not_here) + (v.complete ? " absent" : " not (yet) here") +
                         ", " + std::to_string(r.candidates_expected) + " on the roster" +
                         (r.pack_sites > 1 ? " (" + std::to_string(r.pack_sites) + " sites)" : "")
                   : "";
    // A pack this server was not given is shown for what arrived, never as missing anything.
    const std::string row_class = !r.expected ? "none" : v.complete ? "ok" : "gap";
    h += "<tr class=\"" + row_class + "\" data-pack=\"" + MarkupEscape(r.pack_id) + "\"><td>" +
         what + "</td><td>" + std::to_string(r.terminals_reporting.size()) + expected_terminals +
         "</td><td class=\"silent\">" + MarkupEscape(Join(r.terminals_silent)) + "</td><td>" +
         std::to_string(r.candidates_delivered) + "</td><td class=\"held\">" +
         std::to_string(v.still_on_terminals) + "</td><td>" + whole + "</td></tr>\n";
  }
  return h + "</table>\n";
}

}  // namespace

Json StatusJson(const server::StoreStatus& st, const crypto::VerifyKey& key,
                const std::vector<server::SessionRow>& sessions,
                const std::optional<RelayView>& relay, const OutboxReportMap& outboxes) {
  Json out;
  out["server_key_id"] = key.id().ToString();
  out["bundles"] = st.bundles;
  std::map<std::string, Json> sites;
  // `item` at the end of site `name`'s `list` ("terminals", "exams", "sessions").
  auto add_to_site = [&](const std::string& name, const char* list, Json item) {
    Json& site = sites[name];
    site["site"] = name;
    site[list].push_back(std::move(item));
  };
  for (const auto& t : st.terminals) {
    Json j;
    j["terminal_id"] = t.terminal_id;
    j["name"] = t.name;
    j["enrolled"] = t.enrolled;
    j["bundles"] = t.bundles;
    j["highest_seq"] = t.highest_seq;
    j["gaps"] = t.gaps;
    if (t.missing > t.gaps.size()) j["missing"] = t.missing;  // the list holds the first ones
    j["last_seen_ms"] = t.last_seen_ms;
    j["last_seen"] = t.last_seen_ms ? Time(t.last_seen_ms) : "";
    j["flags"] = t.flags;
    if (auto it = outboxes.find(t.terminal_id); it != outboxes.end()) {
      j["outbox_highest"] = it->second.highest;  // as the terminal's last sync reported it
    }
    j["held_on_terminal"] = HeldOnTerminal(t, outboxes);
    j["state"] = RowClass(t, outboxes);
    add_to_site(t.site, "terminals", std::move(j));
  }
  for (const auto& e : st.exams) {
    Json j;
    j["exam_id"] = e.exam_id;
    j["bundles"] = e.bundles;
    j["participants"] = e.participants;
    j["terminals"] = e.terminals;
    add_to_site(e.site, "exams", std::move(j));
  }
  for (const auto& r : sessions) {
    add_to_site(r.site, "sessions", SessionJson(r, ViewOf(r, st, outboxes)));
  }
  out["sites"] = Json::array();
  for (auto& [name, site] : sites) {
    for (const char* list : {"sessions", "terminals", "exams"}) {
      if (!site.contains(list)) site[list] = Json::array();
    }
    out["sites"].push_back(std::move(site));
  }
  if (relay) {
    const server::RelayStats& r = relay->stats;
    out["relay"] = {{"upstream", relay->upstream},
                    {"queued", r.queued},
                    {"forwarded", r.forwarded},
                    {"pending", r.queued - r.forwarded},
                    {"oldest_pending", r.oldest_pending_ms ? Time(r.oldest_pending_ms) : ""},
                    {"last_forwarded", r.last_forwarded_ms ? Time(r.last_forwarded_ms) : ""},
                    {"last_error", r.last_error}};
  }
  return out;
}

std::string StatusHtml(const server::StoreStatus& st, const crypto::VerifyKey& key,
                       const std::vector<server::SessionRow>& sessions,
                       const std::optional<RelayView>& relay, const OutboxReportMap& outboxes,
                       const std::string& room_section, const TimeZone& zone) {
  const std::string title = relay ? "Lontar site relay" : "Lontar collection server";
  // Long cells (a relay's last error, a flag) wrap instead of running off the page; headings
  // break only between words, and a terminal's id never.
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>" +
      title +
      "</title><style>"
      "body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;margin-bottom:1em}"
      "td,th{border:1px solid #999;padding:.3em .6em;text-align:left;max-width:40em}"
      "td{overflow-wrap:anywhere}td:first-child{white-space:nowrap}"
      ".gap{background:#fdd;font-weight:bold}.ok{background:#dfd}.none{background:#eee}"
      "</style></head><body>\n"
      "<h1>" +
      title + "</h1>\n<p>" + (relay ? "Relay" : "Server") + " key <code>" +
      MarkupEscape(key.id().ToString()) + "</code>; <span id=\"total\">" +
      std::to_string(st.bundles) + "</span> bundles stored.</p>\n";
  if (relay) {
    const server::RelayStats& r = relay->stats;
    const std::uint64_t pending = r.queued - r.forwarded;
    h += "<h2>Relay</h2>\n<table class=\"relay\"><tr><th>upstream</th><th>forwarded</th>"
         "<th>waiting</th><th>waiting since</th><th>last forwarded</th>"
         "<th>last error</th></tr>\n<tr class=\"" +
         std::string(pending ? "gap" : "ok") + "\"><td>" + MarkupEscape(relay->upstream) +
         "</td><td id=\"forwarded\">" + std::to_string(r.forwarded) + "</td><td id=\"waiting\">" +
         std::to_string(pending) + "</td><td>" +
         MarkupEscape(r.oldest_pending_ms ? LocalTime(r.oldest_pending_ms, zone) : "") +
         "</td><td>" +
         MarkupEscape(r.last_forwarded_ms ? LocalTime(r.last_forwarded_ms, zone) : "never") +
         "</td><td>" + MarkupEscape(r.last_error) + "</td></tr>\n</table>\n";
  }
  h += room_section;
  std::vector<std::string> sites;
  for (const auto& t : st.terminals) {
    if (std::find(sites.begin(), sites.end(), t.site) == sites.end()) sites.push_back(t.site);
  }
  for (const auto& r : sessions) {
    if (std::find(sites.begin(), sites.end(), r.site) == sites.end()) sites.push_back(r.site);
  }
  const bool any_expected =
      std::any_of(sessions.begin(), sessions.end(), [](const auto& r) { return r.expected; });
  for (const auto& site : sites) {
    h += "<h2>Site " + MarkupEscape(site) + "</h2>\n";
    // Without --packs the exams table says what arrived; a sessions table would only repeat it.
    if (any_expected) h += SessionsHtml(sessions, st, outboxes, site, zone);
    h += "<table class=\"exams\"><tr><th>exam</th>"
         "<th>bundles delivered</th><th>candidates</th><th>terminals</th></tr>\n";
    for (const auto& e : st.exams) {
      if (e.site != site) continue;
      h += "<tr><td>" + MarkupEscape(e.exam_id) + "</td><td>" + std::to_string(e.bundles) +
           "</td><td>" + std::to_string(e.participants) + "</td><td>" +
           std::to_string(e.terminals.size()) + "</td></tr>\n";
    }
    h += "</table>\n<table class=\"terminals\"><tr><th>terminal</th><th>name</th>"
         "<th>bundles</th><th>highest #</th><th>missing #</th><th>held on the terminal, not "
         "yet here</th><th>last seen</th><th>flags</th></tr>\n";
    for (const auto& t : st.terminals) {
      if (t.site != site) continue;
      std::string flags;
      for (const auto& f : t.flags) flags += MarkupEscape(f) + "<br>";
      const std::uint64_t held = HeldOnTerminal(t, outboxes);
      const std::string held_text =
          held == 0 ? ""
                    : "#" + std::to_string(t.highest_seq + 1) +
                          (held > 1 ? "&ndash;#" + std::to_string(t.highest_seq + held) : "");
      h += "<tr class=\"" + RowClass(t, outboxes) + "\" data-terminal=\"" +
           MarkupEscape(t.terminal_id) + "\"><td>" + MarkupEscape(t.terminal_id) + "</td><td>" +
           MarkupEscape(t.name) + "</td><td>" + std::to_string(t.bundles) + "</td><td>" +
           std::to_string(t.highest_seq) + "</td><td class=\"gaps\">" + MarkupEscape(GapsText(t)) +
           "</td><td class=\"held\">" + held_text + "</td><td>" +
           MarkupEscape(t.last_seen_ms ? LocalTime(t.last_seen_ms, zone) : "never") + "</td><td>" +
           flags + "</td></tr>\n";
    }
    h += "</table>\n";
  }
  h += "</body></html>\n";
  return h;
}

}  // namespace lontar::cli

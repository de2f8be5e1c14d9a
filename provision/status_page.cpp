#include "provision/status_page.hpp"

#include <algorithm>
#include <map>

#include "core/pack/pack_format.hpp"

namespace lontar::cli {
namespace {

using Json = nlohmann::ordered_json;

std::string Time(std::int64_t ms) { return pack::FormatTime(ms); }

std::string HtmlEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string JoinNumbers(const std::vector<std::uint64_t>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + std::to_string(v[i]);
  return out;
}

std::string Join(const std::vector<std::string>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out;
}

// Complete: every expected terminal reported and the pack's whole roster delivered somewhere.
bool Complete(const server::SessionRow& r) {
  return r.expected && r.terminals_silent.empty() &&
         r.candidates_delivered_all_sites >= r.candidates_expected;
}

Json SessionJson(const server::SessionRow& r) {
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
  j["complete"] = Complete(r);
  return j;
}

std::string SessionsHtml(const std::vector<server::SessionRow>& sessions, const std::string& site) {
  std::string h =
      "<table class=\"sessions\"><tr><th>session (exam, window UTC)</th><th>terminals "
      "reporting</th><th>silent terminals</th><th>candidates delivered here</th>"
      "<th>candidates delivered / expected (whole pack)</th></tr>\n";
  for (const auto& r : sessions) {
    if (r.site != site) continue;
    const std::string what =
        r.expected
            ? HtmlEscape(r.title) + " <small>(" + HtmlEscape(r.exam_id) + " v" +
                  std::to_string(r.exam_version) + ", " + HtmlEscape(Time(r.valid_from_ms)) +
                  " to " + HtmlEscape(Time(r.valid_until_ms)) + ")</small>"
            : HtmlEscape(r.exam_id) + " <small>(pack " + HtmlEscape(r.pack_id.substr(0, 12)) +
                  ", not among the packs this server was given)</small>";
    const std::string expected_terminals =
        r.expected ? " of " + std::to_string(r.terminals_expected.size()) : "";
    const std::string whole =
        r.expected ? std::to_string(r.candidates_delivered_all_sites) + " / " +
                         std::to_string(r.candidates_expected) +
                         (r.pack_sites > 1 ? " (" + std::to_string(r.pack_sites) + " sites)" : "")
                   : "";
    h += "<tr class=\"" + std::string(Complete(r) ? "ok" : "gap") + "\" data-pack=\"" +
         HtmlEscape(r.pack_id) + "\"><td>" + what + "</td><td>" +
         std::to_string(r.terminals_reporting.size()) + expected_terminals +
         "</td><td class=\"silent\">" + HtmlEscape(Join(r.terminals_silent)) + "</td><td>" +
         std::to_string(r.candidates_delivered) + "</td><td>" + whole + "</td></tr>\n";
  }
  return h + "</table>\n";
}

}  // namespace

Json StatusJson(const server::StoreStatus& st, const crypto::VerifyKey& key,
                const std::vector<server::SessionRow>& sessions,
                const std::optional<RelayView>& relay) {
  Json out;
  out["server_key_id"] = key.id().ToString();
  out["bundles"] = st.bundles;
  std::map<std::string, Json> sites;
  for (const auto& t : st.terminals) {
    Json& site = sites[t.site];
    site["site"] = t.site;
    Json j;
    j["terminal_id"] = t.terminal_id;
    j["name"] = t.name;
    j["enrolled"] = t.enrolled;
    j["bundles"] = t.bundles;
    j["highest_seq"] = t.highest_seq;
    j["gaps"] = t.gaps;
    j["last_seen_ms"] = t.last_seen_ms;
    j["last_seen"] = t.last_seen_ms ? Time(t.last_seen_ms) : "";
    j["flags"] = t.flags;
    site["terminals"].push_back(std::move(j));
  }
  for (const auto& e : st.exams) {
    Json& site = sites[e.site];
    site["site"] = e.site;
    Json j;
    j["exam_id"] = e.exam_id;
    j["bundles"] = e.bundles;
    j["participants"] = e.participants;
    j["terminals"] = e.terminals;
    site["exams"].push_back(std::move(j));
  }
  for (const auto& r : sessions) {
    Json& site = sites[r.site];
    site["site"] = r.site;
    site["sessions"].push_back(SessionJson(r));
  }
  out["sites"] = Json::array();
  for (auto& [name, site] : sites) {
    if (!site.contains("sessions")) site["sessions"] = Json::array();
    if (!site.contains("terminals")) site["terminals"] = Json::array();
    if (!site.contains("exams")) site["exams"] = Json::array();
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
                       const std::optional<RelayView>& relay) {
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<title>Lontar collection server</title><style>"
      "body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;margin-bottom:1em}"
      "td,th{border:1px solid #999;padding:.3em .6em;text-align:left}"
      ".gap{background:#fdd;font-weight:bold}.ok{background:#dfd}</style></head><body>\n"
      "<h1>Lontar collection server</h1>\n<p>Server key <code>" +
      HtmlEscape(key.id().ToString()) + "</code>; <span id=\"total\">" +
      std::to_string(st.bundles) + "</span> bundles stored.</p>\n";
  if (relay) {
    const server::RelayStats& r = relay->stats;
    const std::uint64_t pending = r.queued - r.forwarded;
    h += "<h2>Relay</h2>\n<table class=\"relay\"><tr><th>upstream</th><th>forwarded</th>"
         "<th>waiting</th><th>waiting since (UTC)</th><th>last forwarded (UTC)</th>"
         "<th>last error</th></tr>\n<tr class=\"" +
         std::string(pending ? "gap" : "ok") + "\"><td>" + HtmlEscape(relay->upstream) +
         "</td><td id=\"forwarded\">" + std::to_string(r.forwarded) + "</td><td id=\"waiting\">" +
         std::to_string(pending) + "</td><td>" +
         HtmlEscape(r.oldest_pending_ms ? Time(r.oldest_pending_ms) : "") + "</td><td>" +
         HtmlEscape(r.last_forwarded_ms ? Time(r.last_forwarded_ms) : "never") + "</td><td>" +
         HtmlEscape(r.last_error) + "</td></tr>\n</table>\n";
  }
  std::vector<std::string> sites;
  for (const auto& t : st.terminals) {
    if (std::find(sites.begin(), sites.end(), t.site) == sites.end()) sites.push_back(t.site);
  }
  for (const auto& r : sessions) {
    if (std::find(sites.begin(), sites.end(), r.site) == sites.end()) sites.push_back(r.site);
  }
  for (const auto& site : sites) {
    h += "<h2>Site " + HtmlEscape(site) + "</h2>\n";
    if (!sessions.empty()) h += SessionsHtml(sessions, site);
    h += "<table class=\"exams\"><tr><th>exam</th>"
         "<th>bundles delivered</th><th>candidates</th><th>terminals</th></tr>\n";
    for (const auto& e : st.exams) {
      if (e.site != site) continue;
      h += "<tr><td>" + HtmlEscape(e.exam_id) + "</td><td>" + std::to_string(e.bundles) +
           "</td><td>" + std::to_string(e.participants) + "</td><td>" +
           std::to_string(e.terminals.size()) + "</td></tr>\n";
    }
    h += "</table>\n<table class=\"terminals\"><tr><th>terminal</th><th>name</th>"
         "<th>bundles</th><th>highest #</th><th>missing #</th><th>last seen (UTC)</th>"
         "<th>flags</th></tr>\n";
    for (const auto& t : st.terminals) {
      if (t.site != site) continue;
      const bool bad = !t.gaps.empty() || !t.flags.empty();
      std::string flags;
      for (const auto& f : t.flags) flags += HtmlEscape(f) + "<br>";
      h += "<tr class=\"" + std::string(bad ? "gap" : "ok") + "\" data-terminal=\"" +
           HtmlEscape(t.terminal_id) + "\"><td>" + HtmlEscape(t.terminal_id) + "</td><td>" +
           HtmlEscape(t.name) + "</td><td>" + std::to_string(t.bundles) + "</td><td>" +
           std::to_string(t.highest_seq) + "</td><td class=\"gaps\">" +
           HtmlEscape(JoinNumbers(t.gaps)) + "</td><td>" +
           HtmlEscape(t.last_seen_ms ? Time(t.last_seen_ms) : "never") + "</td><td>" + flags +
           "</td></tr>\n";
    }
    h += "</table>\n";
  }
  h += "</body></html>\n";
  return h;
}

}  // namespace lontar::cli

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

}  // namespace

Json StatusJson(const server::StoreStatus& st, const crypto::VerifyKey& key,
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
  out["sites"] = Json::array();
  for (auto& [name, site] : sites) {
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
  for (const auto& site : sites) {
    h += "<h2>Site " + HtmlEscape(site) +
         "</h2>\n<table class=\"exams\"><tr><th>exam</th>"
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

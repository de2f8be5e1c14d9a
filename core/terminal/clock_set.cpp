#include "core/terminal/clock_set.hpp"

#include <sodium.h>

#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/util/fs.hpp"

namespace lontar::terminal {
namespace {

constexpr std::array<ZoneInfo, 3> kZones = {{
    {Zone::kWib, "WIB", "Asia/Jakarta", 7},
    {Zone::kWita, "WITA", "Asia/Makassar", 8},
    {Zone::kWit, "WIT", "Asia/Jayapura", 9},
}};

constexpr int kFirstYear = 2024, kLastYear = 2099;

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// The digits of s[at, at + n) as a number, or -1 when any is not a digit.
int Digits(std::string_view s, std::size_t at, std::size_t n) {
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

const ZoneInfo& Describe(Zone zone) {
  for (const auto& z : kZones) {
    if (z.zone == zone) return z;
  }
  return kZones[0];
}

std::optional<Zone> ParseZone(std::string_view name) {
  std::string s = Trim(name);
  for (const auto& z : kZones) {
    if (s == z.iana) return z.zone;
  }
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const auto& z : kZones) {
    if (s == z.abbreviation) return z.zone;
  }
  return std::nullopt;
}

std::string ReadSystemZone(const std::filesystem::path& localtime) {
  std::error_code ec;
  const std::filesystem::path target = std::filesystem::read_symlink(localtime, ec);
  if (ec) return "";
  const std::string t = target.string();
  const std::string marker = "zoneinfo/";
  const auto at = t.rfind(marker);
  if (at == std::string::npos) return "";
  const std::string name = t.substr(at + marker.size());
  return name == "UTC" || name == "Etc/UTC" ? "" : name;
}

std::string ZoneLabel(std::string_view iana) {
  if (iana.empty()) return "UTC";
  if (auto z = ParseZone(iana); z && iana.find('/') != std::string_view::npos) {
    const ZoneInfo& info = Describe(*z);
    return std::string(info.abbreviation) + " (UTC+" + std::to_string(info.utc_offset_hours) + ")";
  }
  return std::string(iana);
}

Result<std::int64_t> LocalToUtc(std::string_view date_typed, std::string_view time_typed,
                                Zone zone) {
  using namespace std::chrono;
  const std::string date = Trim(date_typed), time = Trim(time_typed);
  const int y = Digits(date, 0, 4), mo = Digits(date, 5, 2), d = Digits(date, 8, 2);
  if (date.size() != 10 || date[4] != '-' || date[7] != '-' || y < 0 || mo < 0 || d < 0) {
    return std::unexpected(Error::InvalidArgument("date '" + date +
                                                  "' is not in the form YYYY-MM-DD "
                                                  "(e.g. 2026-12-06)"));
  }
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) {
    return std::unexpected(Error::InvalidArgument("date '" + date + "' does not exist"));
  }
  if (y < kFirstYear || y > kLastYear) {
    return std::unexpected(Error::InvalidArgument("date '" + date + "': the year must be between " +
                                                  std::to_string(kFirstYear) + " and " +
                                                  std::to_string(kLastYear)));
  }
  // "14:05" or, as times are written in Indonesia, "14.05" (typed without Shift, too).
  const bool seconds = time.size() == 8;
  const auto separator = [](char c) { return c == ':' || c == '.'; };
  const int h = Digits(time, 0, 2), mi = Digits(time, 3, 2), s = seconds ? Digits(time, 6, 2) : 0;
  if ((time.size() != 5 && !seconds) || !separator(time[2]) || (seconds && !separator(time[5])) ||
      h < 0 || mi < 0 || s < 0 || h > 23 || mi > 59 || s > 59) {
    return std::unexpected(Error::InvalidArgument("time '" + time +
                                                  "' is not in the form HH:MM, 24-hour "
                                                  "(e.g. 07:30 or 14:05)"));
  }
  const std::int64_t days = sys_days(ymd).time_since_epoch().count();
  return days * 86400 + h * 3600 + mi * 60 + s -
         static_cast<std::int64_t>(Describe(zone).utc_offset_hours) * 3600;
}

LocalDateTime UtcToLocal(std::int64_t utc, int offset_hours) {
  using namespace std::chrono;
  const std::int64_t local = utc + static_cast<std::int64_t>(offset_hours) * 3600;
  std::int64_t days = local / 86400, rest = local % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  const year_month_day ymd{sys_days{std::chrono::days{days}}};
  char date[16], time[8];
  std::snprintf(date, sizeof date, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  std::snprintf(time, sizeof time, "%02d:%02d", static_cast<int>(rest / 3600),
                static_cast<int>(rest % 3600 / 60));
  return {date, time};
}

ClockRequest NewClockRequest(std::int64_t utc, Zone zone) {
  std::array<unsigned char, 8> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::string id;
  for (unsigned char b : bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  return {id, utc, zone};
}

std::string ClockRequestLine(const ClockRequest& r) {
  // Written by hand rather than by a JSON library: the root service matches this exact form.
  return "{\"id\":\"" + r.id + "\",\"utc\":" + std::to_string(r.utc) + ",\"zone\":\"" +
         Describe(r.zone).iana + "\"}\n";
}

ClockSetter ClockSetter::Service(std::filesystem::path dir) { return {std::move(dir), false}; }

ClockSetter ClockSetter::RecordOnly(std::filesystem::path record) {
  return {std::move(record), true};
}

Status ClockSetter::Send(const ClockRequest& request) {
  const std::string line = ClockRequestLine(request);
  if (record_only_) {
    std::ofstream out(path_, std::ios::app);
    out << line;
    out.flush();
    if (!out) return std::unexpected(Error::Io(path_.string() + ": cannot append the request"));
  } else {
    LONTAR_TRY(WriteFileAtomic(path_ / "request", AsBytes(line), 0600, Overwrite::kReplace));
  }
  sent_id_ = request.id;
  return Ok();
}

std::optional<ClockAnswer> ClockSetter::Poll() {
  if (sent_id_.empty()) return std::nullopt;
  if (record_only_) {
    sent_id_.clear();
    return ClockAnswer{true, "test hook: the request was recorded in " + path_.string() +
                                 "; the host's clock was not changed"};
  }
  auto bytes = ReadFile(path_ / "state", 4096);
  if (!bytes) return std::nullopt;
  const auto j = nlohmann::json::parse(bytes->begin(), bytes->end(), nullptr, false);
  if (!j.is_object() || !j.contains("id") || !j["id"].is_string() || j["id"] != sent_id_ ||
      !j.contains("state") || !j["state"].is_string()) {
    return std::nullopt;
  }
  ClockAnswer answer;
  answer.applied = j["state"] == "done";
  if (j.contains("message") && j["message"].is_string()) answer.message = j["message"];
  sent_id_.clear();
  return answer;
}

Status JournalClockSet(Terminal& terminal, const ClockChange& c) {
  const nlohmann::json payload = {{"old_utc_ms", c.old_utc_ms},
                                  {"old_zone", c.old_zone},
                                  {"new_utc_ms", c.new_utc_ms},
                                  {"new_zone", c.new_zone},
                                  {"by", c.by},
                                  {"applied", c.applied},
                                  {"message", c.message}};
  const journal::Event event{
      "terminal.clock_set", payload.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
  LONTAR_TRY(terminal.journal().Append(std::span<const journal::Event>(&event, 1)));
  return Ok();
}

}  // namespace lontar::terminal

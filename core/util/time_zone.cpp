#include "core/util/time_zone.hpp"

#include <cctype>
#include <chrono>
#include <cstdio>

namespace lontar {
namespace {

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Result<TimeZone> ParseTimeZone(std::string_view text) {
  const std::string t = Upper(text);
  if (t == "WIB") return TimeZone{"WIB", 7 * 60};
  if (t == "WITA") return TimeZone{"WITA", 8 * 60};
  if (t == "WIT") return TimeZone{"WIT", 9 * 60};
  if (t == "UTC") return TimeZone{"UTC", 0};
  // UTC+HH:MM or UTC-HH:MM.
  int hours = 0, minutes = 0;
  char sign = 0;
  char rest = 0;
  if (t.size() == 9 && t.rfind("UTC", 0) == 0 &&
      std::sscanf(t.c_str() + 3, "%c%2d:%2d%c", &sign, &hours, &minutes, &rest) == 3 &&
      (sign == '+' || sign == '-') && std::isdigit(static_cast<unsigned char>(t[4])) &&
      std::isdigit(static_cast<unsigned char>(t[5])) && t[6] == ':' && hours <= 14 &&
      minutes < 60 && hours * 60 + minutes <= 14 * 60) {
    const int offset = (sign == '-' ? -1 : 1) * (hours * 60 + minutes);
    return TimeZone{"UTC" + std::string(text.substr(3)), offset};
  }
  return std::unexpected(Error::InvalidArgument(
      "time zone '" + std::string(text) +
      "': give WIB, WITA or WIT (Indonesia's zones), UTC, or an offset such as UTC+08:00"));
}

LocalMinute ToLocalMinute(std::int64_t unix_ms, const TimeZone& zone) {
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds{unix_ms}};
  const auto local = floor<minutes>(t) + minutes{zone.offset_minutes};
  const auto day = floor<days>(local);
  const year_month_day ymd{day};
  const hh_mm_ss hms{local - day};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
          static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
          static_cast<int>(hms.minutes().count())};
}

std::string FormatZonedTime(std::int64_t unix_ms, const TimeZone& zone) {
  const LocalMinute m = ToLocalMinute(unix_ms, zone);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d %s", m.year, m.month, m.day, m.hour,
                m.minute, zone.name.c_str());
  return buf;
}

}  // namespace lontar

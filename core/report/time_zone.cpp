#include "core/report/time_zone.hpp"

#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>

namespace lontar::report {
namespace {

constexpr std::array<std::string_view, 12> kMonthsId = {
    "Januari", "Februari", "Maret",     "April",   "Mei",      "Juni",
    "Juli",    "Agustus",  "September", "Oktober", "November", "Desember"};
constexpr std::array<std::string_view, 12> kMonthsEn = {
    "January", "February", "March",     "April",   "May",      "June",
    "July",    "August",   "September", "October", "November", "December"};

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

std::string FormatDateTime(std::int64_t unix_ms, const TimeZone& zone, Language language) {
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds{unix_ms}};
  const auto local = floor<minutes>(t) + minutes{zone.offset_minutes};
  const auto day = floor<days>(local);
  const year_month_day ymd{day};
  const hh_mm_ss hms{local - day};
  const auto month = static_cast<unsigned>(ymd.month()) - 1;
  const std::string_view month_name =
      language == Language::kEnglish ? kMonthsEn[month % 12] : kMonthsId[month % 12];
  char buf[96];
  std::snprintf(buf, sizeof buf, "%u %.*s %d %02ld%c%02ld %s", static_cast<unsigned>(ymd.day()),
                static_cast<int>(month_name.size()), month_name.data(),
                static_cast<int>(ymd.year()), static_cast<long>(hms.hours().count()),
                language == Language::kEnglish ? ':' : '.',
                static_cast<long>(hms.minutes().count()), zone.name.c_str());
  return buf;
}

}  // namespace lontar::report

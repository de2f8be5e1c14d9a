#include "core/report/time_zone.hpp"

#include <array>
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

}  // namespace

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

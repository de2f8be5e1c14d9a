#include "core/report/time_zone.hpp"

#include <array>
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
  const LocalMinute m = ToLocalMinute(unix_ms, zone);
  const std::string_view month_name = language == Language::kEnglish
                                          ? kMonthsEn[(m.month - 1) % 12]
                                          : kMonthsId[(m.month - 1) % 12];
  char buf[96];
  std::snprintf(buf, sizeof buf, "%u %.*s %d %02d%c%02d %s", m.day,
                static_cast<int>(month_name.size()), month_name.data(), m.year, m.hour,
                language == Language::kEnglish ? ':' : '.', m.minute, zone.name.c_str());
  return buf;
}

}  // namespace lontar::report

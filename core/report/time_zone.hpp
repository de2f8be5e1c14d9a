// Dates and times on reports, in the time zone of the site where the sitting took place.
//
// Indonesia keeps three zones and no daylight saving: WIB (UTC+7), WITA (UTC+8) and WIT (UTC+9).
// A fixed offset per zone is therefore exact for every date a report can print, and needs no
// time-zone database on the machine that prints (nor the process-wide TZ variable, which is not
// safe to change while threads draw). Other places are written as UTC offsets.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/report/labels.hpp"
#include "core/util/error.hpp"

namespace lontar::report {

struct TimeZone {
  std::string name = "WIB";  // printed after the time
  int offset_minutes = 7 * 60;
};

// "WIB", "WITA", "WIT" (any case), "UTC", or "UTC+08:00" / "UTC-03:30" (offsets within ±14 h).
// kInvalidArgument naming the accepted forms otherwise. Pure.
[[nodiscard]] Result<TimeZone> ParseTimeZone(std::string_view text);

// "12 Mei 2026 09.40 WITA" (Indonesian: month names and a dot between hours and minutes) or
// "12 May 2026 09:40 WITA" (English). `unix_ms` is milliseconds since the epoch, UTC. Pure.
std::string FormatDateTime(std::int64_t unix_ms, const TimeZone& zone, Language language);

}  // namespace lontar::report

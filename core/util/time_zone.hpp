// Time zones for people: a site's zone, in which reports, the status page and the terminal's
// health show times, named after the time ("08:15 WITA"). What is stored and signed stays UTC
// (milliseconds since the epoch); a zone only changes how a time is written.
//
// Indonesia keeps three zones and no daylight saving: WIB (Asia/Jakarta, UTC+7), WITA
// (Asia/Makassar, UTC+8) and WIT (Asia/Jayapura, UTC+9). A fixed offset per zone is therefore
// exact for every date Lontar can print, and needs no time-zone database on the machine (a
// stripped appliance has none), nor the process-wide TZ variable, which is not safe to change
// while other threads format times. Other places are written as UTC offsets.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/util/error.hpp"

namespace lontar {

struct TimeZone {
  std::string name = "WIB";  // printed after the time
  int offset_minutes = 7 * 60;
};

// The zones a technician or coordinator picks from, in the order they are offered.
inline constexpr const char* kIndonesianZones[] = {"WIB", "WITA", "WIT"};

// "WIB", "WITA", "WIT" (any case), "UTC", or "UTC+08:00" / "UTC-03:30" (offsets within ±14 h).
// kInvalidArgument naming the accepted forms otherwise. Pure.
[[nodiscard]] Result<TimeZone> ParseTimeZone(std::string_view text);

// A moment as a person in `zone` reads it off a calendar and a clock, to the minute.
struct LocalMinute {
  int year = 1970;
  unsigned month = 1;  // 1 to 12
  unsigned day = 1;    // 1 to 31
  int hour = 0;
  int minute = 0;
};

// `unix_ms` (UTC) in `zone`, seconds dropped. Pure.
LocalMinute ToLocalMinute(std::int64_t unix_ms, const TimeZone& zone);

// "2026-12-06 08:15 WITA": the local date and time in `zone` with the zone named, to the minute
// (the form of the status page and the terminal's health). `unix_ms` is UTC. Pure.
std::string FormatZonedTime(std::int64_t unix_ms, const TimeZone& zone);

}  // namespace lontar

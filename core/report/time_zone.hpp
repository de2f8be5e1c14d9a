// Dates and times on reports, in the time zone of the site where the sitting took place.
//
// The zone itself (WIB, WITA, WIT as fixed offsets, no time-zone database) is core/util's, shared
// with the status page and the terminal; reports add the written-out date in their language.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/report/labels.hpp"
#include "core/util/error.hpp"
#include "core/util/time_zone.hpp"

namespace lontar::report {

using lontar::ParseTimeZone;
using lontar::TimeZone;

// "12 Mei 2026 09.40 WITA" (Indonesian: month names and a dot between hours and minutes) or
// "12 May 2026 09:40 WITA" (English). `unix_ms` is milliseconds since the epoch, UTC. Pure.
std::string FormatDateTime(std::int64_t unix_ms, const TimeZone& zone, Language language);

}  // namespace lontar::report

// Setting a terminal's date, time and time zone from technician mode: Indonesia's three zones,
// the date and time a technician types, the request to the root service that sets the clock on
// the appliance (image/scripts/clock-set), and the journal record of each change.
//
// Why a terminal needs it: a PC whose CMOS battery is dead boots with its clock years off, and
// every item pack is then refused as "not valid yet" or "expired" (packs carry a validity
// window, checked at load with 10 minutes' grace). Exam time does not depend on the wall clock
// (core/util/clock.hpp: measured on the monotonic clock), so setting it never charges or gives
// a candidate time.
//
// The protocol with the root service (the kiosk runs as an unprivileged user whose unit has
// ProtectClock=yes; docs/technician.md and image/README.md say why a root service and not polkit):
//   DIR (/run/lontar/clock, root:lontar 1770)
//   DIR/request  written by the kiosk atomically (temporary file + rename), mode 0600, one line:
//                {"id":"<16 lowercase hex>","utc":SECONDS,"zone":"Asia/Jakarta"}
//                keys in that order, no spaces; zone one of the three below. lontar-clock.path
//                starts lontar-clock.service, which moves the request away before reading it.
//   DIR/state    written by the service (root, 0640, atomically):
//                {"id":"<the request's id>","state":"done"|"error","message":"..."}
// The service sets the clock only while the USB gate is open, i.e. within 30 minutes of the
// root service itself having checked the technician code, and writes the hardware clock (RTC)
// in UTC too, so that the time survives a power cut (as far as the CMOS battery lets it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/terminal/terminal.hpp"
#include "core/util/error.hpp"

namespace lontar::terminal {

// Indonesia's time zones, west to east.
enum class Zone { kWib, kWita, kWit };

struct ZoneInfo {
  Zone zone;
  const char* abbreviation;  // "WIB", "WITA", "WIT"
  const char* iana;          // "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"
  int utc_offset_hours;      // 7, 8, 9 (no daylight saving time)
};

// The zone's names and offset. Pure.
const ZoneInfo& Describe(Zone zone);
// The zone named by its abbreviation (case-insensitive, surrounding spaces ignored) or its IANA
// name; none for anything else. Pure.
std::optional<Zone> ParseZone(std::string_view name);

// The IANA name the system's zone file is a link to ("Asia/Makassar" for a link to
// .../zoneinfo/Asia/Makassar), "" when `localtime` is missing or not such a link (the system
// then runs on UTC). Reads disk (readlink).
std::string ReadSystemZone(const std::filesystem::path& localtime = "/etc/localtime");
// "WITA (UTC+8)" for the three zones, the IANA name itself for any other, "UTC" for "". Pure.
std::string ZoneLabel(std::string_view iana);

// The instant a technician means by `date` ("YYYY-MM-DD") and `time` ("HH:MM", "HH.MM" as
// Indonesian writes it, or with ":SS")
// on a clock in `zone`, as seconds since the Unix epoch. kInvalidArgument naming the field and
// the form wanted for anything else, for a day the month does not have, and for a year outside
// 2024..2099 (a clock set to before Lontar existed is a typing error). Pure.
[[nodiscard]] Result<std::int64_t> LocalToUtc(std::string_view date, std::string_view time,
                                              Zone zone);
// `utc` seconds on a clock `offset_hours` east of UTC, as {"YYYY-MM-DD", "HH:MM"}. Pure.
struct LocalDateTime {
  std::string date, time;
};
LocalDateTime UtcToLocal(std::int64_t utc, int offset_hours);

// What the root service is asked to do.
struct ClockRequest {
  std::string id;  // 16 lowercase hex digits, new for every request
  std::int64_t utc = 0;
  Zone zone = Zone::kWib;
};
// A request with a fresh random id. Pure but for the random bytes.
ClockRequest NewClockRequest(std::int64_t utc, Zone zone);
// The request's one line, as the protocol above has it. Pure.
std::string ClockRequestLine(const ClockRequest& request);

struct ClockAnswer {
  bool applied = false;
  std::string message;  // the service's words: what was set, or why not
};

// The kiosk's side of setting the clock.
class ClockSetter {
 public:
  // Through the root service's directory (the appliance).
  static ClockSetter Service(std::filesystem::path dir);
  // TEST HOOK (tests, a developer's machine): the host's clock is never changed. Each request
  // is appended as its line to `record` and answered at once as applied, with a message saying
  // it was only recorded.
  static ClockSetter RecordOnly(std::filesystem::path record);

  // Sends `request`. Service: writes DIR/request atomically (kIo and the like when it cannot).
  // RecordOnly: appends the line to the record file. Touches disk.
  [[nodiscard]] Status Send(const ClockRequest& request);
  // The answer to the request last sent, once there is one: Service reads DIR/state and answers
  // only when its id is that request's (an unreadable or malformed state is no answer yet).
  // RecordOnly answers at once. Reads disk.
  std::optional<ClockAnswer> Poll();
  bool record_only() const { return record_only_; }

 private:
  ClockSetter(std::filesystem::path path, bool record_only)
      : path_(std::move(path)), record_only_(record_only) {}
  std::filesystem::path path_;
  bool record_only_;
  std::string sent_id_;
};

// One change of the clock, for the journal.
struct ClockChange {
  std::int64_t old_utc_ms = 0;  // the terminal's clock when the technician pressed Set
  std::string old_zone;         // IANA name, "" for UTC
  std::int64_t new_utc_ms = 0;
  std::string new_zone;
  std::string by = "technician";
  bool applied = false;
  std::string message;
};
// Appends "terminal.clock_set"
//   {"old_utc_ms":N,"old_zone":IANA,"new_utc_ms":N,"new_zone":IANA,"by":"technician",
//    "applied":bool,"message":TEXT}
// to the terminal's journal (Mode::kOnHead: it depends on no exam state; the engine's replay
// skips it, and readers that do not know the type show it as it is). The record's own time is
// the clock's after the change. Journal errors. Touches disk.
[[nodiscard]] Status JournalClockSet(Terminal& terminal, const ClockChange& change);

}  // namespace lontar::terminal

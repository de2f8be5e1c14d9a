#include "core/sync/clock_offset.hpp"

#include <cstdlib>
#include <nlohmann/json.hpp>

namespace lontar::sync {
namespace {

using OrderedJson = nlohmann::ordered_json;

OrderedJson ToJson(const ClockOffset& r) {
  return {{"offset_ms", r.offset_ms},
          {"uncertainty_ms", r.uncertainty_ms},
          {"measured_ms", r.measured_ms},
          {"signer_key_id", r.signer_key_id},
          {"relay", r.relay}};
}

}  // namespace

bool ClockOffset::Off() const { return std::llabs(offset_ms) > kClockWarnMs; }

ClockOffset MeasureClockOffset(std::int64_t signed_ms, const UploadTiming& timing) {
  // A monotonic clock never goes back; a negative span would be a caller's bug, read as 0.
  const std::int64_t round_trip_ns =
      std::max<std::int64_t>(0, timing.answered_mono_ns - timing.sent_mono_ns);
  const std::int64_t half_ms = (round_trip_ns + 1'999'999) / 2'000'000;  // half, rounded up
  ClockOffset r;
  r.offset_ms = signed_ms - (timing.answered_wall_ms - round_trip_ns / 2'000'000);
  r.uncertainty_ms = half_ms;
  r.measured_ms = timing.answered_wall_ms;
  return r;
}

Result<std::optional<ClockOffset>> ReadClockOffset(vault::Vault& vault) {
  LONTAR_ASSIGN_OR_RETURN(std::optional<std::string> text, vault.GetMeta(kClockOffsetMeta));
  if (!text) return std::optional<ClockOffset>();
  const auto j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::optional<ClockOffset>();
  auto integer = [&](const char* name) -> std::optional<std::int64_t> {
    auto it = j.find(name);
    if (it == j.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<std::int64_t>();
  };
  const auto offset = integer("offset_ms"), uncertainty = integer("uncertainty_ms"),
             measured = integer("measured_ms");
  const auto signer = j.find("signer_key_id");
  const auto relay = j.find("relay");
  if (!offset || !uncertainty || !measured || signer == j.end() || !signer->is_string() ||
      relay == j.end() || !relay->is_boolean()) {
    return std::optional<ClockOffset>();
  }
  return std::optional<ClockOffset>(ClockOffset{*offset, *uncertainty, *measured,
                                                signer->get<std::string>(), relay->get<bool>()});
}

Status RecordClockOffset(terminal::Terminal& terminal, const ClockOffset& reading) {
  vault::Vault& v = terminal.vault();
  LONTAR_ASSIGN_OR_RETURN(std::optional<ClockOffset> previous, ReadClockOffset(v));
  const std::string text = ToJson(reading).dump();
  const std::int64_t before = previous ? previous->offset_ms : 0;
  if (std::llabs(reading.offset_ms - before) <= kClockWarnMs) {
    return v.SetMeta(kClockOffsetMeta, text);
  }
  OrderedJson payload = {
      {"offset_ms", reading.offset_ms},
      {"uncertainty_ms", reading.uncertainty_ms},
      {"previous_offset_ms", previous ? OrderedJson(previous->offset_ms) : OrderedJson()},
      {"signer_key_id", reading.signer_key_id},
      {"relay", reading.relay}};
  const journal::Event event{"clock.offset", payload.dump()};
  LONTAR_TRY(terminal.journal().Append(std::span<const journal::Event>(&event, 1),
                                       [&] { return v.SetMeta(kClockOffsetMeta, text); }));
  return Ok();
}

std::string DescribeClockOffset(std::int64_t offset_ms) {
  const std::int64_t a = std::llabs(offset_ms);
  std::string size;
  if (a < 60'000) {
    // Tenths of a second below a minute: "0.4 s", "12.0 s".
    size = std::to_string(a / 1000) + "." + std::to_string((a % 1000) / 100) + " s";
  } else if (a < 3'600'000) {
    size = std::to_string(a / 60'000) + " min " + std::to_string((a % 60'000) / 1000) + " s";
  } else if (a < 2 * 86'400'000LL) {
    size =
        std::to_string(a / 3'600'000) + " h " + std::to_string((a % 3'600'000) / 60'000) + " min";
  } else {
    size = std::to_string(a / 86'400'000) + " days";
  }
  return size + (offset_ms > 0 ? " behind" : offset_ms < 0 ? " ahead of" : " level with");
}

std::string ClockAdvice(const ClockOffset& reading) {
  if (!reading.Off()) return {};
  return "this terminal's clock is " + DescribeClockOffset(reading.offset_ms) + " the " +
         (reading.relay ? "site relay's" : "collection server's") +
         " (by its signed receipt at the last sync): set the date and time in technician mode "
         "(Ctrl+Alt+T) or as root with `date -s`, then run `lontar sync` again to check. Packs are "
         "refused outside their validity window and times in the journal and "
         "result bundles are the terminal's";
}

}  // namespace lontar::sync

// What a participant's sitting is given beyond the standard: more time, larger text, high
// contrast, items read aloud. Written in the roster (docs/authoring.md: the optional columns
// extra_time, text_size, high_contrast, read_aloud), carried in the pack's roster.json, applied by
// the engine at login (journaled as sitting.accommodated), shown to the proctor, sealed into the
// result bundle and printed in the results.
//
// Time: either a factor (time_permille, 1300 = x1.3) applied to the exam's limit and to each
// section's, or extra minutes on the exam, with each timed section lengthened in the same
// proportion (so that a section limit never eats the extra time). Never both: the roster cell is
// one or the other. Integers, so that every terminal and every replay computes the same
// nanosecond.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/util/error.hpp"

namespace lontar::model {

enum class TextSize { kNormal, kLarge, kLarger };

inline constexpr int kMaxTimePermille = 3000;  // x3.0
inline constexpr int kMaxExtraMinutes = 240;   // four hours

struct Accommodations {
  int time_permille = 1000;  // 1000: no factor
  int extra_minutes = 0;
  TextSize text_size = TextSize::kNormal;
  bool high_contrast = false;
  bool read_aloud = false;

  bool operator==(const Accommodations&) const = default;
  // Anything beyond the standard sitting.
  bool any() const { return *this != Accommodations{}; }
  bool extra_time() const { return time_permille != 1000 || extra_minutes != 0; }
};

// "normal", "large", "larger". Pure.
const char* TextSizeName(TextSize size);

// The time granted as the roster writes it: "x1.3", "+30 min", or "" for none. Pure.
std::string DescribeExtraTime(const Accommodations& a);

// A short list for people ("x1.3; large text; high contrast; read-aloud"), "" for none. Pure.
std::string DescribeAccommodations(const Accommodations& a);

// Roster cells (docs/authoring.md). Each returns kInvalidArgument with a message that says what
// the cell may hold; the caller adds file and line. Empty cells mean "none". Pure.
//   extra_time:    whole minutes 1..240 ("30"), or a factor with a decimal point, 1.05..3.0 with
//                  at most three decimals ("1.3", "x1.5")
//   text_size:     normal | large | larger
//   high_contrast, read_aloud: yes | no (ya | tidak)
[[nodiscard]] Status ParseExtraTime(std::string_view cell, Accommodations& a);
[[nodiscard]] Status ParseTextSize(std::string_view cell, Accommodations& a);
[[nodiscard]] Result<bool> ParseYesNo(std::string_view cell);

// A limit of `minutes` under `a`, in nanoseconds, for an exam of `exam_minutes` (extra minutes are
// spread in proportion to it). ScaledLimitNs(a, m, m) is the exam's own limit. Pure.
std::int64_t ScaledLimitNs(const Accommodations& a, int minutes, int exam_minutes);

// JSON as roster.json, the journal and the result bundle carry it:
//   {"time_permille":1300,"extra_minutes":0,"text_size":"large","high_contrast":true,
//    "read_aloud":false}
// FromJson refuses (kMalformed, naming the field) anything out of the ranges above; a missing
// field keeps its default. Pure.
nlohmann::json AccommodationsToJson(const Accommodations& a);
[[nodiscard]] Result<Accommodations> AccommodationsFromJson(const nlohmann::json& j);

}  // namespace lontar::model

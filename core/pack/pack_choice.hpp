// Which loaded pack an operator means. With more than one pack loaded (a corrected version 2
// beside version 1, or two exams on one day), `session release` and `session open` take --pack
// as any of:
//   the full pack id (32 hex digits);
//   a unique prefix of it, at least kMinPackPrefix hex digits (what `terminal status` shows);
//   EXAM_ID@VERSION, e.g. SKD-2026@2.
// Without --pack, the pack valid now is meant; when several versions of one exam are valid now,
// the newest, and the caller says so.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/pack/terminal_packs.hpp"

namespace lontar::pack {

inline constexpr std::size_t kMinPackPrefix = 8;

struct PackChoice {
  const LoadedPack* pack = nullptr;  // points into the vector given
  // Set when the newest of several valid versions of one exam was taken: what the operator
  // should be told (the older versions' ids, and how to name one with --pack).
  std::string note;
};

// Resolves `spec` among `packs`. Errors: kInvalidArgument for a prefix shorter than
// kMinPackPrefix, a bad EXAM@VERSION or a prefix more than one pack has (naming them);
// kNotFound naming the loaded packs when none matches. Pure.
[[nodiscard]] Result<PackChoice> FindPack(const std::vector<LoadedPack>& packs,
                                          std::string_view spec);

// The pack meant when none is named: the one valid at `now_ms`; of several valid versions of one
// exam the newest (with a note); kInvalidArgument listing them when valid packs are of different
// exams; kNotFound when none is valid. Pure.
[[nodiscard]] Result<PackChoice> DefaultPack(const std::vector<LoadedPack>& packs,
                                             std::int64_t now_ms);

// The packs valid at `now_ms` (within their validity window), in the order given: the sessions a
// proctor may choose from. Pure.
std::vector<const LoadedPack*> ValidPacks(const std::vector<LoadedPack>& packs,
                                          std::int64_t now_ms);

// "SKD-2026@2 (pack 0123abcd…)": how a pack is named to an operator. Pure.
std::string DescribePack(const PackHeader& h);

}  // namespace lontar::pack

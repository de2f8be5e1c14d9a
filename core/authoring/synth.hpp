// Generates large, valid authoring sources for benchmarks and load tests (`lontar pack synth`).
// The content is filler, clearly synthetic; media are real PNGs of varied sizes (chart-like).
//
// Two shapes:
//   default   one section "main" of `items` weighted items (options weighted 1..5);
//   skd       CAT SKD's: TWK 30 and TIU 35 single-answer items (5 points right, 0 wrong; the
//             right key varies), TKP 45 weighted items (each weight 1..5 once, in varying order),
//             BKN's thresholds 65/80/166, the 2024 pass rules by group (cum laude: total 311 and
//             TIU 85; disabilities and Papua: total 286 and TIU 60), ranked by total, TKP, TIU,
//             TWK; every 20th participant in the roster is "cumlaude", every 50th
//             "disabilitas". `items` is ignored (SKD has 110).
#pragma once

#include <cstdint>
#include <filesystem>

#include "core/util/error.hpp"

namespace lontar::authoring {

struct SynthOptions {
  std::uint64_t items = 100;
  std::uint64_t media_bytes = 0;  // in total, spread over files of at most 8 MiB
  std::uint64_t participants = 40;
  std::uint32_t seed = 1;
  bool skd = false;  // the SKD shape above
};

// Writes an authoring directory at `dir` (which must not exist). Touches disk.
[[nodiscard]] Status WriteSynthSource(const std::filesystem::path& dir, const SynthOptions& o);

}  // namespace lontar::authoring

// Generates large, valid authoring sources for benchmarks and load tests (`lontar pack synth`).
// The content is filler, clearly synthetic; media are PNG-signed random bytes.
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
};

// Writes an authoring directory at `dir` (which must not exist). Touches disk.
[[nodiscard]] Status WriteSynthSource(const std::filesystem::path& dir, const SynthOptions& o);

}  // namespace lontar::authoring

// Paths every UI test shares.
#pragma once

#include <filesystem>

namespace lontar::testing {

// The demo exams (assets/demo), whose packs most UI tests build.
inline const std::filesystem::path kDemo = std::filesystem::path(LONTAR_SOURCE_DIR) / "assets/demo";

}  // namespace lontar::testing

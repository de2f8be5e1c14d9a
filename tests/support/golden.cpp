// Tolerant comparison of a screenshot with its reviewed golden image (golden.hpp).
#include "tests/support/golden.hpp"

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/test_support.hpp"

namespace lontar::testing {
namespace {

struct Rgb {
  int width = 0, height = 0;
  std::vector<unsigned char> px;  // 3 bytes a pixel
  unsigned char* at(int x, int y) { return &px[(static_cast<size_t>(y) * width + x) * 3]; }
  const unsigned char* at(int x, int y) const {
    return &px[(static_cast<size_t>(y) * width + x) * 3];
  }
};

bool IsMask(const unsigned char* p) { return p[0] == 255 && p[1] == 0 && p[2] == 255; }

std::optional<Rgb> LoadRgb(const std::filesystem::path& path) {
  Rgb img;
  int channels = 0;
  unsigned char* data = stbi_load(path.c_str(), &img.width, &img.height, &channels, 3);
  if (data == nullptr) return std::nullopt;
  img.px.assign(data, data + static_cast<size_t>(img.width) * img.height * 3);
  stbi_image_free(data);
  return img;
}

// The screenshot at 1/kGoldenScale, its volatile regions (padded by a pixel) painted magenta.
Rgb Reduce(const Rgb& full, const std::filesystem::path& regions_file) {
  Rgb small;
  small.width = full.width / kGoldenScale;
  small.height = full.height / kGoldenScale;
  small.px.resize(static_cast<size_t>(small.width) * small.height * 3);
  for (int y = 0; y < small.height; ++y) {
    for (int x = 0; x < small.width; ++x) {
      for (int c = 0; c < 3; ++c) {
        int sum = 0;
        for (int dy = 0; dy < kGoldenScale; ++dy) {
          for (int dx = 0; dx < kGoldenScale; ++dx) {
            sum += full.at(x * kGoldenScale + dx, y * kGoldenScale + dy)[c];
          }
        }
        // In steps of 16 (rounded): within the tolerance, and a third the file size.
        const int mean = sum / (kGoldenScale * kGoldenScale);
        small.at(x, y)[c] = static_cast<unsigned char>(std::min(255, (mean + 8) / 16 * 16));
      }
    }
  }
  if (!std::filesystem::exists(regions_file)) return small;
  const auto j = nlohmann::json::parse(ReadText(regions_file), nullptr, false);
  if (!j.is_object() || !j.contains("volatile")) return small;
  for (const auto& [name, r] : j["volatile"].items()) {
    const int x0 = std::max(0, static_cast<int>(r[0].get<float>()) / kGoldenScale - 1);
    const int y0 = std::max(0, static_cast<int>(r[1].get<float>()) / kGoldenScale - 1);
    const int x1 = std::min(small.width, static_cast<int>(r[2].get<float>()) / kGoldenScale + 2);
    const int y1 = std::min(small.height, static_cast<int>(r[3].get<float>()) / kGoldenScale + 2);
    for (int y = y0; y < y1; ++y) {
      for (int x = x0; x < x1; ++x) {
        unsigned char* p = small.at(x, y);
        p[0] = 255;
        p[1] = 0;
        p[2] = 255;
      }
    }
  }
  return small;
}

bool WritePng(const std::filesystem::path& path, const Rgb& img) {
  stbi_write_png_compression_level = 9;
  return stbi_write_png(path.c_str(), img.width, img.height, 3, img.px.data(), img.width * 3) != 0;
}

}  // namespace

::testing::AssertionResult MatchesGolden(const std::filesystem::path& shot,
                                         const std::filesystem::path& golden_dir) {
  const auto full = LoadRgb(shot);
  if (!full) return ::testing::AssertionFailure() << "cannot read screenshot " << shot;
  std::filesystem::path regions = shot;
  regions.replace_extension(".regions.json");
  const Rgb actual = Reduce(*full, regions);
  const std::filesystem::path golden_path = golden_dir / shot.filename();
  const char* update = std::getenv("LONTAR_UPDATE_GOLDEN");
  if (update != nullptr && std::string(update) == "1") {
    std::filesystem::create_directories(golden_dir);
    if (!WritePng(golden_path, actual)) {
      return ::testing::AssertionFailure() << "cannot write golden " << golden_path;
    }
    return ::testing::AssertionSuccess() << "wrote golden " << golden_path;
  }
  const auto golden = LoadRgb(golden_path);
  if (!golden) {
    return ::testing::AssertionFailure()
           << "no golden image " << golden_path << " for " << shot
           << "; look at the screenshot, then make the golden with LONTAR_UPDATE_GOLDEN=1";
  }
  if (golden->width != actual.width || golden->height != actual.height) {
    return ::testing::AssertionFailure()
           << shot << " is " << actual.width << "x" << actual.height << " at 1/" << kGoldenScale
           << ", golden " << golden_path << " is " << golden->width << "x" << golden->height;
  }
  Rgb diff = actual;
  long compared = 0, differing = 0;
  for (int y = 0; y < actual.height; ++y) {
    for (int x = 0; x < actual.width; ++x) {
      const unsigned char* a = actual.at(x, y);
      const unsigned char* g = golden->at(x, y);
      unsigned char* d = diff.at(x, y);
      if (IsMask(a) || IsMask(g)) continue;
      ++compared;
      bool differs = false;
      for (int c = 0; c < 3; ++c) differs |= std::abs(a[c] - g[c]) > kChannelTolerance;
      const int grey = (a[0] + a[1] + a[2]) / 3;
      d[0] = d[1] = d[2] = static_cast<unsigned char>(160 + grey * 95 / 255);
      if (differs) {
        ++differing;
        d[0] = 230;
        d[1] = d[2] = 0;
      }
    }
  }
  const double fraction = compared > 0 ? static_cast<double>(differing) / compared : 1.0;
  if (fraction <= kMaxDifferingFraction) {
    return ::testing::AssertionSuccess() << differing << " of " << compared << " pixels differ";
  }
  std::filesystem::path diff_path = shot;
  diff_path.replace_extension(".diff.png");
  WritePng(diff_path, diff);
  return ::testing::AssertionFailure()
         << shot << " differs from golden " << golden_path << ": " << differing << " of "
         << compared << " pixels (" << 100.0 * fraction << "%, at most "
         << 100.0 * kMaxDifferingFraction << "% allowed) by more than " << kChannelTolerance
         << " in a channel; diff image " << diff_path;
}

}  // namespace lontar::testing

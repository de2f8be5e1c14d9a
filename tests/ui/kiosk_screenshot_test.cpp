// Runs the real kiosk under Xvfb against a real terminal home and checks what it drew.
#include <gtest/gtest.h>
#include <stb/stb_image.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "tests/support/test_support.hpp"
#include "tests/ui/golden.hpp"
#include "tests/ui/xvfb.hpp"

namespace lontar {
namespace {

using testing::RunLontar;
using testing::RunProgram;
using testing::TempDir;

using testing::kXvfbRun;
using testing::XvfbArgs;

struct Image {
  int width = 0, height = 0;
  std::vector<unsigned char> rgba;
  // Pixels within `tolerance` of the colour, per channel.
  int Count(int r, int g, int b, int tolerance = 12) const {
    int n = 0;
    for (size_t i = 0; i + 3 < rgba.size(); i += 4) {
      if (std::abs(rgba[i] - r) <= tolerance && std::abs(rgba[i + 1] - g) <= tolerance &&
          std::abs(rgba[i + 2] - b) <= tolerance) {
        ++n;
      }
    }
    return n;
  }
  size_t DistinctColours() const {
    std::set<unsigned> seen;
    for (size_t i = 0; i + 3 < rgba.size(); i += 4) {
      seen.insert(rgba[i] << 16 | rgba[i + 1] << 8 | rgba[i + 2]);
    }
    return seen.size();
  }
};

Image Load(const std::filesystem::path& path) {
  Image img;
  int channels = 0;
  unsigned char* data = stbi_load(path.c_str(), &img.width, &img.height, &channels, 4);
  if (data != nullptr) {
    img.rgba.assign(data, data + static_cast<size_t>(img.width) * img.height * 4);
    stbi_image_free(data);
  }
  return img;
}

class KioskScreens : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { std::filesystem::create_directories(LONTAR_UI_ARTIFACTS); }
  void SetUp() override {
    if (!std::filesystem::exists(kXvfbRun)) GTEST_SKIP() << "xvfb-run is not installed";
    auto keys = RunLontar({"keys", "new", "authority", "--out", (dir_ / "keys").string()});
    ASSERT_EQ(keys.exit_code, 0) << keys.err;
    auto init =
        RunLontar({"terminal", "init", "--home", (dir_ / "home").string(), "--site", "KANREG-IV-01",
                   "--trust", (dir_ / "keys/authority.pub").string(), "--name", "Ruang 2 / PC 14"});
    ASSERT_EQ(init.exit_code, 0) << init.err;
  }

  // Renders the kiosk on a WxH screen and returns the screenshot, kept as an artifact and, when
  // `golden`, compared with its golden image (golden.hpp).
  Image Shot(const std::string& name, int w, int h, std::vector<std::string> extra,
             const std::string& home = "", bool golden = true) {
    const std::filesystem::path out = std::filesystem::path(LONTAR_UI_ARTIFACTS) / (name + ".png");
    std::filesystem::remove(out);
    std::vector<std::string> args =
        XvfbArgs(w, h,
                 {std::string(LONTAR_BIN_DIR) + "/lontar-kiosk", "--home",
                  home.empty() ? (dir_ / "home").string() : home, "--screenshot", out.string()});
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = RunProgram(kXvfbRun, args);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    Image img = Load(out);
    EXPECT_EQ(img.width, w) << name;
    EXPECT_EQ(img.height, h) << name;
    EXPECT_GT(img.DistinctColours(), 20u) << name << " looks blank";
    if (golden) {
      EXPECT_TRUE(testing::MatchesGolden(out));
    }
    return img;
  }

  TempDir dir_;
};

// The calm theme's "ready" green and "attention" red (app/theme.cpp).
constexpr int kGreen[3] = {20, 110, 50};
constexpr int kRed[3] = {170, 30, 30};

TEST_F(KioskScreens, HealthScreenSaysReadyInBothLanguagesAndSizes) {
  for (auto [w, h] : {std::pair{1024, 768}, std::pair{1920, 1080}}) {
    const std::string size = std::to_string(w) + "x" + std::to_string(h);
    Image id = Shot("health-id-" + size, w, h, {"--lang", "id"});
    Image en = Shot("health-en-" + size, w, h, {"--lang", "en"});
    EXPECT_GT(id.Count(kGreen[0], kGreen[1], kGreen[2]), 200) << "no 'ready' status drawn";
    EXPECT_EQ(id.Count(kRed[0], kRed[1], kRed[2], 6), 0) << "an error colour on a healthy terminal";
    EXPECT_NE(id.rgba, en.rgba) << "Bahasa Indonesia and English render the same";
  }
}

TEST_F(KioskScreens, LargeTextAndHighContrastRender) {
  Image big = Shot("health-id-1024x768-200", 1024, 768, {"--font-scale", "2"});
  Image normal = Shot("health-id-1024x768-100", 1024, 768, {});
  EXPECT_NE(big.rgba, normal.rgba);
  Image hc = Shot("health-en-1920x1080-contrast", 1920, 1080, {"--lang", "en", "--high-contrast"});
  // High contrast is white on black: most of the screen is black.
  EXPECT_GT(hc.Count(0, 0, 0, 4), hc.width * hc.height / 2);
  EXPECT_GT(hc.Count(255, 255, 255, 30), 1000);
}

TEST_F(KioskScreens, MissingTerminalShowsTheErrorScreenInBothLanguagesAndSizes) {
  const std::string nowhere = (dir_ / "nowhere").string();
  for (auto [w, h] : {std::pair{1024, 768}, std::pair{1920, 1080}}) {
    const std::string size = std::to_string(w) + "x" + std::to_string(h);
    Image id = Shot("error-id-" + size, w, h, {"--lang", "id"}, nowhere);
    Image en = Shot("error-en-" + size, w, h, {"--lang", "en"}, nowhere);
    for (const Image* img : {&id, &en}) {
      EXPECT_GT(img->Count(kRed[0], kRed[1], kRed[2]), 200) << "no error title drawn";
      EXPECT_EQ(img->Count(kGreen[0], kGreen[1], kGreen[2], 6), 0) << "'ready' colour on an error";
    }
    EXPECT_NE(id.rgba, en.rgba) << "Bahasa Indonesia and English render the same";
  }
  // Large text on the smallest screen: the bottom bar wraps instead of running off the edge.
  Shot("error-id-1024x768-200-contrast", 1024, 768, {"--font-scale", "2", "--high-contrast"},
       nowhere);
}

TEST_F(KioskScreens, BrokenJournalIsShownAsNeedingATechnician) {
  // Damage the journal the way someone with the vault key could; the kiosk must not say ready.
  auto status = RunLontar({"terminal", "status", "--home", (dir_ / "home").string()});
  ASSERT_EQ(status.exit_code, 0);
  // The vault key file lets the sqlcipher shell edit the journal, as an attacker with it would.
  const std::string key = testing::ReadText(dir_ / "home" / "vault.key");
  std::string hex;
  for (unsigned char c : key) {
    static const char* d = "0123456789abcdef";
    hex += d[c >> 4];
    hex += d[c & 15];
  }
  auto edit = RunProgram("/usr/bin/sqlcipher",
                         {(dir_ / "home" / "vault.db").string(),
                          "PRAGMA key=\"x'" + hex + "'\"; UPDATE journal SET payload = X'7b7d';"});
  ASSERT_EQ(edit.exit_code, 0) << edit.err;
  // Not compared with a golden: the problem it names differs from run to run.
  Image img = Shot("health-id-1024x768-broken", 1024, 768, {}, "", /*golden=*/false);
  EXPECT_GT(img.Count(kRed[0], kRed[1], kRed[2]), 200) << "a broken journal is not flagged";
}

}  // namespace
}  // namespace lontar

namespace lontar {
namespace {

std::map<std::string, std::string> Catalog(const std::string& lang) {
  const auto path = std::filesystem::path(LONTAR_SOURCE_DIR) / "assets/i18n" / (lang + ".json");
  return nlohmann::json::parse(testing::ReadText(path)).get<std::map<std::string, std::string>>();
}

// Every string the kiosk shows comes from the catalogs, so both must have every key the code
// names; a missing key would show up on screen as the key itself.
TEST(KioskCatalogs, BothLanguagesHaveEveryKeyTheKioskUses) {
  const auto id = Catalog("id"), en = Catalog("en");
  for (const auto& [key, text] : id) {
    EXPECT_TRUE(en.contains(key)) << key << " is in id.json but not in en.json";
    EXPECT_FALSE(text.empty()) << key;
  }
  for (const auto& [key, text] : en) {
    EXPECT_TRUE(id.contains(key)) << key << " is in en.json but not in id.json";
  }
  // Keys written as literals in app/: "<section>.<name>" for every section the catalogs use.
  std::set<std::string> sections;
  for (const auto& [key, text] : id) sections.insert(key.substr(0, key.find('.')));
  std::string alternatives;
  for (const auto& section : sections) alternatives += (alternatives.empty() ? "" : "|") + section;
  const std::regex literal("\"((?:" + alternatives + ")\\.[a-z0-9_.]+)\"");
  size_t used = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(
           std::filesystem::path(LONTAR_SOURCE_DIR) / "app")) {
    if (entry.path().extension() != ".cpp") continue;
    const std::string code = testing::ReadText(entry.path());
    for (std::sregex_iterator it(code.begin(), code.end(), literal), end; it != end; ++it) {
      const std::string key = (*it)[1];
      ++used;
      EXPECT_TRUE(id.contains(key)) << key << " (" << entry.path().filename().string() << ")";
    }
  }
  EXPECT_GT(used, 30u) << "the scan of app/ found too few keys to be looking in the right place";
  // Keys built at run time: the names of days and months.
  for (int d = 0; d < 7; ++d) EXPECT_TRUE(id.contains("day." + std::to_string(d)));
  for (int m = 1; m <= 12; ++m) EXPECT_TRUE(id.contains("month." + std::to_string(m)));
}

}  // namespace
}  // namespace lontar

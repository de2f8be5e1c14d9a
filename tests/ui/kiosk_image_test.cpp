// Images through the real kiosk under Xvfb: a pack build refuses an image that decodes only in
// part; a terminal whose stored image is damaged after load shows the placeholder in place of
// the figure (never the item silently without it), journals the fault with the item, and the
// proctor sees it in the panel and in `lontar session status`. Screenshots land in
// <build>/test-artifacts/ui/images/.
#include <gtest/gtest.h>
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "core/authoring/synth.hpp"
#include "tests/support/flip_byte.hpp"
#include "tests/support/pack_build.hpp"
#include "tests/support/test_support.hpp"
#include "tests/ui/golden.hpp"
#include "tests/ui/kiosk_script.hpp"
#include "tests/ui/mini_session.hpp"
#include "tests/ui/xvfb.hpp"

namespace lontar {
namespace {

using Json = nlohmann::json;
using testing::KioskScript;
using testing::RunLontar;
using testing::TempDir;

using testing::kXvfbRun;
using testing::XvfbArgs;
const std::filesystem::path kSource = LONTAR_SOURCE_DIR;
using testing::kMini;
const std::filesystem::path kImageArtifacts = std::filesystem::path(LONTAR_UI_ARTIFACTS) / "images";

// stb_image_write's output: appended to the std::string at `to`.
void AppendTo(void* to, void* data, int size) {
  static_cast<std::string*>(to)->append(static_cast<const char*>(data), size);
}

// `rgb` (w x h, 3 bytes a pixel) as a PNG file's bytes.
std::string Png(int w, int h, const std::vector<std::uint8_t>& rgb) {
  std::string out;
  stbi_write_png_to_func(AppendTo, &out, w, h, 3, rgb.data(), w * 3);
  return out;
}

// A 300 x 300 PNG of noise: about 270 KB, so that it spans several 64 KiB chunks of the pack's
// payload, after the exam and roster (which must stay readable when the image is damaged).
std::string NoisePng() {
  std::vector<std::uint8_t> rgb(300 * 300 * 3);
  std::mt19937 rng(7);
  for (auto& b : rgb) b = static_cast<std::uint8_t>(rng());
  return Png(300, 300, rgb);
}

void Must(const testing::CommandResult& r) { ASSERT_EQ(r.exit_code, 0) << r.out << r.err; }

// The demo's authority and results keys in dir/keys, the authority's private key owner-only (as
// `lontar pack build` requires), for testing::MiniSession and its steps.
void DemoKeysIn(const std::filesystem::path& dir) {
  const auto demo = kSource / "assets/demo/keys";
  std::filesystem::create_directories(dir / "keys");
  for (const char* name : {"authority.key", "authority.pub", "results.pub"}) {
    std::filesystem::copy_file(demo / name, dir / "keys" / name);
  }
  std::filesystem::permissions(dir / "keys/authority.key", std::filesystem::perms::owner_read |
                                                               std::filesystem::perms::owner_write);
}

// A terminal at dir/t with the exam source dir/src built into dir/PACK for it, loaded and
// released, and its session opened: the session's token ("" with the test failed when a step
// fails).
std::string TerminalWithSourcePack(const std::filesystem::path& dir, const std::string& pack) {
  DemoKeysIn(dir);
  return testing::MiniSession(dir, "SITE-01", pack);
}

// Counts the pixels of `png` near `rgb` (the theme's red of faults).
int PixelsNear(const std::filesystem::path& png, int r, int g, int b) {
  int w = 0, h = 0, c = 0;
  unsigned char* p = stbi_load(png.c_str(), &w, &h, &c, 3);
  if (p == nullptr) return -1;
  int n = 0;
  for (int i = 0; i < w * h; ++i) {
    n += std::abs(p[i * 3] - r) < 40 && std::abs(p[i * 3 + 1] - g) < 40 &&
         std::abs(p[i * 3 + 2] - b) < 40;
  }
  stbi_image_free(p);
  return n;
}

TEST(KioskImages, DamagedStoredImageShowsThePlaceholderIsJournaledAndTheProctorSeesIt) {
  if (!std::filesystem::exists(kXvfbRun)) GTEST_SKIP() << "xvfb-run is not installed";
  std::filesystem::create_directories(kImageArtifacts);
  TempDir dir;
  std::filesystem::copy(kMini, dir / "src", std::filesystem::copy_options::recursive);
  testing::WriteText(dir / "src/media/boxes.png", NoisePng());
  DemoKeysIn(dir.path());
  testing::EnrolMiniTerminal(dir.path(), "SITE-01");
  testing::PackBuildArgs build = testing::MiniSourceBuild(dir.path(), "cut.lpk");

  // First the same image cut short (an interrupted copy): the build refuses it and says which.
  const std::string png = NoisePng();
  testing::WriteText(dir / "src/media/boxes.png", png.substr(0, png.size() / 2));
  auto refused = RunLontar(testing::PackBuildCommand(build));
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("media/boxes.png (item tiu-02): cut short"), std::string::npos)
      << refused.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "cut.lpk"));

  // The whole image builds, loads and releases.
  testing::WriteText(dir / "src/media/boxes.png", png);
  build.out = dir / "mini.lpk";
  Must(RunLontar(testing::PackBuildCommand(build)));
  const std::string token = testing::LoadAndOpenMiniSession(dir.path(), "mini.lpk");

  // Then the disk damages it: one byte of the stored pack, near its end (inside the image).
  std::filesystem::path stored;
  for (const auto& e : std::filesystem::directory_iterator(dir / "t/packs")) {
    if (e.path().extension() == ".lpk") stored = e.path();
  }
  ASSERT_FALSE(stored.empty());
  testing::FlipByteFromEnd(stored, 100, 0x01);

  // The candidate logs in and sees both TIU items (in a shuffled order), then the proctor opens
  // the panel.
  KioskScript script;
  script.LogIn("TEST-0001", "111111", token).Expect("instructions").Key("Return");
  for (const char* shot : {"item-1.png", "item-2.png"}) {
    script.Expect("item").Shot(kImageArtifacts / shot).Key("Right");
  }
  script.Key("Left").Key("Ctrl+Alt+P").Expect("proctor").Shot(kImageArtifacts / "proctor.png");
  script.Step("exit", 0).Write(dir / "script.jsonl");
  auto kiosk = testing::RunProgram(
      kXvfbRun, XvfbArgs(1024, 768,
                         {std::string(LONTAR_BIN_DIR) + "/lontar-kiosk", "--home",
                          (dir / "t").string(), "--script", (dir / "script.jsonl").string(),
                          "--report", (dir / "report.json").string()}));
  ASSERT_EQ(kiosk.exit_code, 0) << kiosk.err;
  EXPECT_NE(kiosk.err.find("item tiu-02: image not shown: "), std::string::npos) << kiosk.err;
  EXPECT_NE(kiosk.err.find("media/boxes.png is damaged in the stored pack"), std::string::npos)
      << kiosk.err;

  // Journaled, once, with the item: what `session status` shows the proctor.
  auto status = RunLontar({"session", "status", "--home", (dir / "t").string(), "--json"});
  Must(status);
  const Json unshown = Json::parse(status.out)["images_unshown"];
  ASSERT_EQ(unshown.size(), 1u) << status.out;
  EXPECT_EQ(unshown[0]["participant"], "TEST-0001");
  EXPECT_EQ(unshown[0]["item"], "tiu-02");
  EXPECT_EQ(unshown[0]["media"], "media/boxes.png");
  EXPECT_NE(unshown[0]["reason"].get<std::string>().find("damaged"), std::string::npos);

  // On screen: one of the two item shots carries the red frame of the placeholder, and the
  // proctor panel lists the fault in red. (The theme's fault red, Colours(look).bad, is 170/30/30.)
  const int red1 = PixelsNear(kImageArtifacts / "item-1.png", 170, 30, 30);
  const int red2 = PixelsNear(kImageArtifacts / "item-2.png", 170, 30, 30);
  EXPECT_TRUE((red1 > 500) != (red2 > 500)) << red1 << " " << red2;
  EXPECT_GT(PixelsNear(kImageArtifacts / "proctor.png", 170, 30, 30), 100);
}

// A w x h picture (3 bytes a pixel) of smooth bands of colour, red fading down it and green
// across it, under a grey grid of lines 4 pixels wide every `cell` pixels.
std::vector<std::uint8_t> BandsAndGrid(int w, int h, int cell) {
  std::vector<std::uint8_t> rgb(static_cast<std::size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      std::uint8_t* p = &rgb[(static_cast<std::size_t>(y) * w + x) * 3];
      p[0] = static_cast<std::uint8_t>(235 - y * 40 / h);
      p[1] = static_cast<std::uint8_t>(240 - x * 30 / w);
      p[2] = 250;
      if (x % cell < 4 || y % cell < 4) p[0] = p[1] = p[2] = 120;
    }
  }
  return rgb;
}

// A figure as large as a scanned chart, 2400 x 1600: bands of colour, a grid and bars, so that
// scaling it down to the screen and then to the column shows in the golden as blur or aliasing.
std::string LargeChartPng() {
  constexpr int kW = 2400, kH = 1600;
  std::vector<std::uint8_t> rgb = BandsAndGrid(kW, kH, 200);
  for (int y = 0; y < kH; ++y) {
    for (int x = 0; x < kW; ++x) {
      std::uint8_t* p = &rgb[(static_cast<std::size_t>(y) * kW + x) * 3];
      const int bar = x / 300;  // eight bars, heights 1/8 .. 8/8 of the chart
      if (x % 300 >= 60 && x % 300 < 240 && kH - y < (bar + 1) * kH / 9) {
        p[0] = static_cast<std::uint8_t>(40 + bar * 25);
        p[1] = 90;
        p[2] = static_cast<std::uint8_t>(200 - bar * 20);
      }
    }
  }
  return Png(kW, kH, rgb);
}

// The first item of a two-item synthetic exam (fixed order) carries the large chart: the item
// screen with it, after the image has shown, at both resolutions and at 200% text.
TEST(KioskImages, ItemWithALargeImageAtBothResolutionsAndLargeText) {
  if (!std::filesystem::exists(kXvfbRun)) GTEST_SKIP() << "xvfb-run is not installed";
  TempDir dir;
  authoring::SynthOptions synth;
  synth.items = 2;
  synth.participants = 1;
  ASSERT_TRUE(authoring::WriteSynthSource(dir / "src", synth));
  testing::WriteText(dir / "src/media/chart.png", LargeChartPng());
  const auto item = dir / "src/items/s-0.yaml";
  testing::WriteText(item, testing::ReadText(item) + "media: [media/chart.png]\n");
  const std::string token = TerminalWithSourcePack(dir.path(), "chart.lpk");
  std::filesystem::create_directories(kImageArtifacts);
  struct Look {
    std::string name;
    int width, height;
    std::vector<std::string> args;
  };
  for (const Look& look :
       {Look{"1366x768-100", 1366, 768, {}}, Look{"1920x1080-100", 1920, 1080, {}},
        Look{"1366x768-200", 1366, 768, {"--font-scale", "2"}}}) {
    // Each look logs in afresh on its own copy of the terminal.
    const auto home = dir / ("t-" + look.name);
    std::filesystem::copy(dir / "t", home, std::filesystem::copy_options::recursive);
    const auto shot = kImageArtifacts / ("item-large-image-" + look.name + ".png");
    KioskScript script;
    script.LogIn("SYNTH-0", "000000", token, /*tap=*/true).Expect("instructions").Tap("Return");
    script.Expect("item").Shot(shot);  // the kiosk waits for the item's image first
    script.Step("exit", 0).Write(dir / "script.jsonl");
    std::vector<std::string> command = {std::string(LONTAR_BIN_DIR) + "/lontar-kiosk",
                                        "--home",
                                        home.string(),
                                        "--script",
                                        (dir / "script.jsonl").string(),
                                        "--report",
                                        (dir / "report.json").string()};
    command.insert(command.end(), look.args.begin(), look.args.end());
    auto run = testing::RunProgram(kXvfbRun, XvfbArgs(look.width, look.height, command));
    ASSERT_EQ(run.exit_code, 0) << look.name << ": " << run.err;
    const Json report = Json::parse(testing::ReadText(dir / "report.json"));
    EXPECT_EQ(report["current_item"], "s-0");
    EXPECT_EQ(report["layout_problems"], Json::array()) << look.name;
    EXPECT_EQ(run.err.find("image not shown"), std::string::npos) << run.err;
    EXPECT_TRUE(testing::MatchesGolden(shot)) << look.name;
  }
}

// A photograph as a camera saves it, 4096 x 3072 (12.6 megapixels): smooth bands and a grid, as
// a baseline JPEG (stb_image_write makes one in well under a second; a PNG this size would take
// it several).
std::string LargePhotoJpeg() {
  constexpr int kW = 4096, kH = 3072;
  const std::vector<std::uint8_t> rgb = BandsAndGrid(kW, kH, 256);
  std::string out;
  stbi_write_jpg_to_func(AppendTo, &out, kW, kH, 3, rgb.data(), 85);
  return out;
}

// Peak RSS of a kiosk visiting 500 items with an image each stays under a cap. What sets the
// figures (1024x768): the kiosk at its login screen, about 29 MiB; the images (41 MB of files,
// 96 MB of textures if all were kept) cost what the image cache keeps (at most its budget of
// textures) plus one decode. Every 100th item's image is the 12.6-megapixel photograph: a
// decoder that holds an image at its own size (stb_image did, 48 MiB of RGBA before scaling)
// goes over the cap there; the row-by-row decoder holds a few rows and the screen-sized result.
// The kiosk that read and decoded every image at start went to 222 MiB. The cap says nothing of
// speed, and the script waits for each item's images (test mode), so no timing can fail it.
// LONTAR_KIOSK_UNDER_TEST runs another kiosk binary (an older build, to see it fail).
TEST(KioskImages, PeakMemoryAfterVisiting500ImageItemsStaysUnderTheCap) {
  if (!std::filesystem::exists(kXvfbRun)) GTEST_SKIP() << "xvfb-run is not installed";
  constexpr int kItems = 500;
  // The cap, on the sitting from its first item to its last (the script starts the
  // peak afresh there). Before it, the login's PIN check held Argon2id's 64 MiB for 0.3 s (the
  // roster hash's cost; libsodium maps it apart and unmaps it after): the report says how much.
  constexpr long kCapKb = 40 * 1024;
  TempDir dir;
  authoring::SynthOptions synth;
  synth.items = kItems;
  synth.participants = 2;
  ASSERT_TRUE(authoring::WriteSynthSource(dir / "src", synth));
  // 495 distinct 240 x 160 noise images (about 80 KB each), one per item, and the photograph
  // on items 50, 150, ... 450 (five names, one file: each is decoded on its own).
  std::mt19937 rng(11);
  std::vector<std::uint8_t> rgb(240 * 160 * 3);
  const std::string photo = LargePhotoJpeg();
  for (int i = 0; i < kItems; ++i) {
    if (i % 100 == 50) {
      const std::string name = "media/photo-" + std::to_string(i) + ".jpg";
      testing::WriteText(dir / "src" / name, photo);
      const auto item = dir / "src/items" / ("s-" + std::to_string(i) + ".yaml");
      testing::WriteText(item, testing::ReadText(item) + "media: [" + name + "]\n");
      continue;
    }
    for (auto& b : rgb) b = static_cast<std::uint8_t>(rng());
    const std::string name = "media/m-" + std::to_string(i) + ".png";
    testing::WriteText(dir / "src" / name, Png(240, 160, rgb));
    const auto item = dir / "src/items" / ("s-" + std::to_string(i) + ".yaml");
    testing::WriteText(item, testing::ReadText(item) + "media: [" + name + "]\n");
  }
  const std::string token = TerminalWithSourcePack(dir.path(), "synth.lpk");
  KioskScript script;
  script.LogIn("SYNTH-0", "000000", token).Expect("instructions");
  script.Step("reset_peak_rss", true).Key("Return");
  // A tap (press and release in one frame) takes half the frames of a key: the kiosk still
  // shows every item, with its image, before the next step.
  for (int i = 1; i < kItems; ++i) {
    if (i % 100 == 0) script.Expect("item");
    script.Tap("Right");
  }
  script.Expect("item").Step("exit", 0).Write(dir / "script.jsonl");
  const char* other = std::getenv("LONTAR_KIOSK_UNDER_TEST");
  const std::string kiosk_bin =
      other != nullptr ? other : std::string(LONTAR_BIN_DIR) + "/lontar-kiosk";
  auto run = testing::RunProgram(kXvfbRun, XvfbArgs(1024, 768,
                                                    {kiosk_bin, "--home", (dir / "t").string(),
                                                     "--script", (dir / "script.jsonl").string(),
                                                     "--report", (dir / "report.json").string()}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const Json report = Json::parse(testing::ReadText(dir / "report.json"));
  EXPECT_EQ(report["current_item"], "s-" + std::to_string(kItems - 1));
  ASSERT_TRUE(report.contains("peak_rss_kb")) << report.dump();
  const long sitting_kb = report["peak_rss_kb"].get<long>();
  std::cout << "kiosk peak RSS over " << kItems << " image items: " << sitting_kb / 1024
            << " MiB (cap " << kCapKb / 1024 << " MiB); before them, with the login: "
            << report.value("peak_rss_kb_before_reset", 0L) / 1024 << " MiB\n";
  EXPECT_LT(sitting_kb, kCapKb);
}

}  // namespace
}  // namespace lontar

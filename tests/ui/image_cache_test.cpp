// The kiosk's image cache (app/image_cache.hpp) on a real released pack of synthetic images,
// with SDL's software renderer drawing into a surface (no display needed). Its worker thread and
// the UI thread share the cache: this binary is also the one built with ThreadSanitizer
// (LONTAR_IMAGE_CACHE_TEST_FLAGS=-fsanitize=thread, tests/ui/CMakeLists.txt).
//
// Waiting for the worker is waiting for its wake-up event (SDL_WaitEventTimeout), never a sleep:
// a slow machine makes these tests slower, not failed.
#include <SDL.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "app/image_cache.hpp"
#include "core/authoring/source.hpp"
#include "core/authoring/synth.hpp"
#include "core/pack/build.hpp"
#include "core/pack/terminal_packs.hpp"
#include "core/terminal/enrollment.hpp"
#include "tests/support/authority_test.hpp"
#include "tests/support/mini_exam.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::app {
namespace {

using lontar::testing::TempDir;

using testing::kNov24;
constexpr int kFit = 160;  // the "screen": every image is scaled to fit 160 x 160

// One released pack for the whole suite (building it is most of a test's time); an SDL software
// renderer of its own for each test.
class ImageCacheTest : public ::testing::Test {
 protected:
  struct Pack {
    TempDir dir;
    ManualClock clock;
    std::optional<terminal::Terminal> terminal;
    std::optional<crypto::SecretBytes> key;
    std::filesystem::path file;
    std::vector<std::string> names;
  };

  static void SetUpTestSuite() {
    pack_ = new Pack;
    Pack& p = *pack_;
    p.clock.SetWallMs(kNov24);
    auto authority = crypto::SigningKey::Generate().value();
    auto results = crypto::BoxSecretKey::Generate().value();
    terminal::InitOptions init{.site = "SITE-01", .name = "t1", .trusted = {}};
    init.trusted.push_back({authority.public_key(), "authority.pub"});
    auto t = terminal::Terminal::Init(p.dir / "t1", init, p.clock);
    ASSERT_TRUE(t) << t.error().message();
    p.terminal.emplace(std::move(*t));
    authoring::SynthOptions synth;
    synth.items = 10;
    synth.media_bytes = 2u << 20;  // images of varied sizes, one per item from s-0
    synth.participants = 1;
    ASSERT_TRUE(authoring::WriteSynthSource(p.dir / "src", synth));
    auto source = authoring::LoadSource(p.dir / "src");
    ASSERT_TRUE(source) << source.error().front().ToString();
    auto code = crypto::SecretBytes::CopyOf(AsBytes(testing::kMiniReleaseCode)).value();
    auto enrollment =
        terminal::ReadEnrollment(AsBytes(terminal::WriteEnrollment(*p.terminal, kNov24)));
    auto built =
        pack::BuildPack(*source, testing::DayPackOptions(authority, results.public_key(), code,
                                                         {*enrollment}, p.dir / "synth.lpk"));
    ASSERT_TRUE(built) << built.error().message();
    ASSERT_TRUE(pack::LoadPack(*p.terminal, p.dir / "synth.lpk", p.clock));
    ASSERT_TRUE(pack::ReleasePack(*p.terminal, "", AsBytes(testing::kMiniReleaseCode), p.clock));
    auto key = pack::ContentKey(*p.terminal, built->pack_id);
    ASSERT_TRUE(key) << key.error().message();
    p.key.emplace(std::move(*key));
    p.file = pack::StoredPackFile(*p.terminal, built->pack_id);
    for (const auto& m : source->media) p.names.push_back(m.name);
  }

  static void TearDownTestSuite() {
    delete pack_;
    pack_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(pack_ != nullptr && pack_->key.has_value()) << "the suite's pack was not built";
    names_ = pack_->names;
    ASSERT_GE(names_.size(), 5u);
    ASSERT_EQ(SDL_Init(SDL_INIT_EVENTS), 0) << SDL_GetError();
    surface_ = SDL_CreateRGBSurfaceWithFormat(0, 64, 64, 32, SDL_PIXELFORMAT_ARGB8888);
    ASSERT_NE(surface_, nullptr) << SDL_GetError();
    renderer_ = SDL_CreateSoftwareRenderer(surface_);
    ASSERT_NE(renderer_, nullptr) << SDL_GetError();
  }

  void TearDown() override {
    if (renderer_ != nullptr) SDL_DestroyRenderer(renderer_);
    if (surface_ != nullptr) SDL_FreeSurface(surface_);
    SDL_Quit();
  }

  std::unique_ptr<ImageCache> Open(std::size_t budget = 8u << 20, std::size_t unwanted = 12) {
    return std::make_unique<ImageCache>(renderer_,
                                        ImageCache::Options{.pack_file = pack_->file,
                                                            .fit_width = kFit,
                                                            .fit_height = kFit,
                                                            .budget_bytes = budget,
                                                            .max_unwanted = unwanted},
                                        *pack_->key);
  }

  // Pumps, waiting for the worker's wake-up between pumps, until `name` is no longer loading
  // (at most 30 s of wake-ups: a worker that never answers fails the test instead of hanging).
  static ShownImage PumpUntilSettled(ImageCache& cache, const std::string& name) {
    for (int i = 0; i < 3000; ++i) {
      cache.Pump();
      const ShownImage shown = cache.Find(name);
      if (shown.state != ShownImage::State::kLoading) return shown;
      SDL_Event e;
      SDL_WaitEventTimeout(&e, 10);
    }
    return {};
  }

  static Pack* pack_;
  SDL_Surface* surface_ = nullptr;
  SDL_Renderer* renderer_ = nullptr;
  std::vector<std::string> names_;
};

ImageCacheTest::Pack* ImageCacheTest::pack_ = nullptr;

// Items a..e in the candidate's order; c names two images, one also named by e.
//   MediaAround(index 2 = c, reach 1): c's own at 0, then d's (+1), then b's (-1); e is out of
//   reach. Reach 2 adds e's only new image (x.png; c.png is already there at 0), and a's.
TEST(MediaAround, NearestFirstEachImageOnceAtItsNearestDistance) {
  model::Exam exam;
  auto item = [&](const std::string& id, std::vector<std::string> media) {
    model::Item it;
    it.id = id;
    it.media = std::move(media);
    exam.items[id] = it;
  };
  item("a", {"a.png"});
  item("b", {"b.png"});
  item("c", {"c.png", "c2.png"});
  item("d", {});
  item("e", {"c.png", "x.png"});
  const std::vector<std::string> order = {"a", "b", "c", "d", "e"};
  using Wanted = std::vector<std::pair<std::string, int>>;
  EXPECT_EQ(MediaAround(exam, order, 2, 1), (Wanted{{"c.png", 0}, {"c2.png", 0}, {"b.png", 1}}));
  EXPECT_EQ(MediaAround(exam, order, 2, 2),
            (Wanted{{"c.png", 0}, {"c2.png", 0}, {"b.png", 1}, {"x.png", 2}, {"a.png", 2}}));
  EXPECT_EQ(MediaAround(exam, order, 0, 1), (Wanted{{"a.png", 0}, {"b.png", 1}}));
}

TEST_F(ImageCacheTest, PumpNeverWaitsAndTheWantedImageArrivesScaledToFit) {
  auto cache = Open();
  // Before the worker has decoded anything, the image is loading and Pump returns at once.
  cache->Want({{names_[0], 0}});
  EXPECT_EQ(cache->Find(names_[0]).state, ShownImage::State::kLoading);
  const ShownImage shown = PumpUntilSettled(*cache, names_[0]);
  ASSERT_EQ(shown.state, ShownImage::State::kReady);
  ASSERT_NE(shown.image.texture, nullptr);
  EXPECT_LE(shown.image.width, kFit);
  EXPECT_LE(shown.image.height, kFit);
  EXPECT_EQ(cache->texture_bytes(),
            static_cast<std::size_t>(shown.image.width) * shown.image.height * 4);
  EXPECT_TRUE(cache->TakeFailures().empty());
}

TEST_F(ImageCacheTest, OneNeighbourIsUploadedPerPumpAndTheCurrentImagesAllAtOnce) {
  auto cache = Open();
  const auto ready = [&] {
    int n = 0;
    for (const std::string& name : names_)
      n += cache->Find(name).state == ShownImage::State::kReady;
    return n;
  };
  // Three neighbours, decoded while nobody pumps: the worker wakes the UI once for each.
  cache->Want({{names_[0], 1}, {names_[1], 1}, {names_[2], 2}});
  int woken = 0;
  for (int i = 0; i < 3000 && woken < 3; ++i) {
    SDL_Event e;
    if (SDL_WaitEventTimeout(&e, 10) == 1 && e.type >= SDL_USEREVENT) ++woken;
  }
  ASSERT_EQ(woken, 3);
  cache->Pump();
  EXPECT_EQ(ready(), 1);
  EXPECT_TRUE(cache->backlog());
  cache->Pump();
  EXPECT_EQ(ready(), 2);
  cache->Pump();
  EXPECT_EQ(ready(), 3);
  EXPECT_FALSE(cache->backlog());
  // The candidate moves on: the item's two images are both uploaded by the first Pump after
  // their decoding.
  cache->Want({{names_[3], 0}, {names_[4], 0}});
  woken = 0;
  for (int i = 0; i < 3000 && woken < 2; ++i) {
    SDL_Event e;
    if (SDL_WaitEventTimeout(&e, 10) == 1 && e.type >= SDL_USEREVENT) ++woken;
  }
  ASSERT_EQ(woken, 2);
  cache->Pump();
  EXPECT_EQ(cache->Find(names_[3]).state, ShownImage::State::kReady);
  EXPECT_EQ(cache->Find(names_[4]).state, ShownImage::State::kReady);
}

TEST_F(ImageCacheTest, AnImageThePackDoesNotHoldFailsOnceWithItsName) {
  auto cache = Open();
  cache->Want({{"media/none.png", 0}});
  EXPECT_EQ(PumpUntilSettled(*cache, "media/none.png").state, ShownImage::State::kFailed);
  const auto failures = cache->TakeFailures();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].first, "media/none.png");
  EXPECT_NE(failures[0].second.find("media/none.png"), std::string::npos) << failures[0].second;
  // Wanted again: still failed, not decoded again, not reported twice (invariant 3).
  cache->Want({{"media/none.png", 0}});
  cache->Pump();
  EXPECT_EQ(cache->Find("media/none.png").state, ShownImage::State::kFailed);
  EXPECT_TRUE(cache->TakeFailures().empty());
}

TEST_F(ImageCacheTest, TexturesNoLongerWantedAreEvictedBeyondTheBudgetOldestFirst) {
  // A budget of one byte and no unwanted texture kept: only what is wanted stays.
  auto cache = Open(/*budget=*/1, /*unwanted=*/0);
  cache->Want({{names_[0], 0}});
  ASSERT_EQ(PumpUntilSettled(*cache, names_[0]).state, ShownImage::State::kReady);
  cache->Want({{names_[1], 0}});
  ASSERT_EQ(PumpUntilSettled(*cache, names_[1]).state, ShownImage::State::kReady);
  EXPECT_EQ(cache->Find(names_[0]).state, ShownImage::State::kLoading);  // evicted
  const ShownImage kept = cache->Find(names_[1]);
  EXPECT_EQ(cache->texture_bytes(),
            static_cast<std::size_t>(kept.image.width) * kept.image.height * 4);
  // Wanted again after eviction, it is decoded again.
  cache->Want({{names_[0], 0}});
  EXPECT_EQ(PumpUntilSettled(*cache, names_[0]).state, ShownImage::State::kReady);
}

TEST_F(ImageCacheTest, WantsChangingWhileTheWorkerDecodesLeaveNothingBehind) {
  // The candidate holding the arrow key: every wish replaced before the worker finishes the last.
  auto cache = Open();
  for (int round = 0; round < 3; ++round) {
    for (std::size_t i = 0; i < names_.size(); ++i) {
      cache->Want({{names_[i], 0}, {names_[(i + 1) % names_.size()], 1}});
      cache->Pump();
    }
  }
  const std::string& last = names_.back();
  EXPECT_EQ(PumpUntilSettled(*cache, last).state, ShownImage::State::kReady);
  cache.reset();  // stops the worker with work possibly under way
}

}  // namespace
}  // namespace lontar::app

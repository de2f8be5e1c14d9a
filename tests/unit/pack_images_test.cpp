// Images in packs: `pack build` decodes every image once and refuses one a terminal could not
// show, naming the file and its items; release refuses a pack whose items name an image it does
// not hold; `pack synth` writes images that pass the same check.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/authoring/source.hpp"
#include "core/authoring/synth.hpp"
#include "core/pack/build.hpp"
#include "core/pack/image_check.hpp"
#include "core/pack/media_reader.hpp"
#include "core/pack/terminal_packs.hpp"
#include "core/terminal/enrollment.hpp"
#include "core/util/fs.hpp"
#include "tests/support/authority_test.hpp"
#include "tests/support/exam_terminals.hpp"
#include "tests/support/flip_byte.hpp"
#include "tests/support/mini_exam.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::pack {
namespace {

using testing::kMini;
using testing::kNov24;

class PackImagesTest : public testing::AuthorityTest {
 protected:
  void SetUp() override {
    AuthorityTest::SetUp();
    clock_.SetWallMs(kNov24);
    auto t = testing::InitTerminal(dir_ / "t1", authority_->public_key(), clock_);
    ASSERT_TRUE(t);
    terminal_.emplace(std::move(*t));
    std::filesystem::copy(kMini, dir_ / "src", std::filesystem::copy_options::recursive);
  }

  Result<PackHeader> Build(const authoring::Source& source, const std::string& name) {
    auto code = crypto::SecretBytes::CopyOf(AsBytes(testing::kMiniReleaseCode)).value();
    auto enrollment =
        terminal::ReadEnrollment(AsBytes(terminal::WriteEnrollment(*terminal_, kNov24)));
    return BuildPack(source, DayPackOptions(name, code, {*enrollment}));
  }

  authoring::Source Source() {
    auto source = authoring::LoadSource(dir_ / "src");
    EXPECT_TRUE(source) << source.error().front().ToString();
    return std::move(*source);
  }

  std::optional<terminal::Terminal> terminal_;
};

TEST_F(PackImagesTest, BuildRefusesAnImageCutShortNamingTheFileAndItsItem) {
  const auto png = dir_ / "src/media/boxes.png";
  // boxes.png is 148 bytes: signature 8, IHDR 25, IDAT (91 bytes of data) at byte 33, IEND 12.
  ASSERT_EQ(std::filesystem::file_size(png), 148u);
  std::filesystem::resize_file(png, 128);
  auto built = Build(Source(), "exam.lpk");
  ASSERT_FALSE(built);
  EXPECT_EQ(built.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(built.error().message(),
            "1 image(s) cannot be shown on a terminal; fix or replace them, nothing was built:\n"
            "  media/boxes.png (item tiu-02): cut short: PNG chunk IDAT at byte 33 needs 91 "
            "bytes, the file has 83");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "exam.lpk"));
}

TEST_F(PackImagesTest, BuildRefusesAnImageWithAbsurdDimensions) {
  // A valid PNG header claiming 100000 x 1 pixels (IHDR's checksum made right).
  std::string text = lontar::testing::ReadText(dir_ / "src/media/boxes.png");
  Bytes png(text.begin(), text.end());
  png[16] = 0x00, png[17] = 0x01, png[18] = 0x86, png[19] = 0xa0;  // width 100000
  png[20] = 0, png[21] = 0, png[22] = 0, png[23] = 1;              // height 1
  std::uint32_t c = 0xffffffffu;
  for (std::size_t i = 12; i < 29; ++i) {
    c ^= png[i];
    for (int k = 0; k < 8; ++k) c = (c & 1) != 0 ? 0xedb88320u ^ (c >> 1) : c >> 1;
  }
  c = ~c;
  for (int i = 0; i < 4; ++i) png[29 + i] = static_cast<std::uint8_t>(c >> (24 - 8 * i));
  ASSERT_TRUE(WriteFileAtomic(dir_ / "src/media/boxes.png", png, 0644, Overwrite::kReplace));
  auto built = Build(Source(), "exam.lpk");
  ASSERT_FALSE(built);
  EXPECT_NE(built.error().message().find(
                "media/boxes.png (item tiu-02): absurd dimensions 100000x1: at most 8192 pixels "
                "a side"),
            std::string::npos)
      << built.error().message();
}

TEST_F(PackImagesTest, BuildRefusesAFileThatIsNoImage) {
  // Authoring accepts anything with a PNG signature; the build decodes it.
  lontar::testing::WriteText(dir_ / "src/media/boxes.png",
                             std::string("\x89PNG\r\n\x1a\n", 8) + std::string(400, 'x'));
  auto built = Build(Source(), "exam.lpk");
  ASSERT_FALSE(built);
  EXPECT_NE(built.error().message().find("media/boxes.png (item tiu-02): cut short: PNG chunk"),
            std::string::npos)
      << built.error().message();
}

TEST_F(PackImagesTest, BuildNamesEveryBadImageInTheSourcesOrderWhicheverThreadCheckedIt) {
  // Two threads take images from one queue (build.cpp's ImageChecks); the verdict still lists
  // the bad ones in the source's order. Six images: the good boxes.png and five copies, of which
  // the 2nd, 4th and 5th (x1, x3, x4) are cut short.
  authoring::Source source = Source();
  const auto good = dir_ / "src/media/boxes.png";
  for (int i = 0; i < 5; ++i) {
    const std::string name = "media/x" + std::to_string(i) + ".png";
    std::filesystem::copy_file(good, dir_ / "src" / name);
    const bool bad = i == 1 || i == 3 || i == 4;
    if (bad) std::filesystem::resize_file(dir_ / "src" / name, 128);
    source.media.push_back({name, dir_ / "src" / name, bad ? 128u : 148u});
  }
  auto built = Build(source, "exam.lpk");
  ASSERT_FALSE(built);
  const std::string cut = ": cut short: PNG chunk IDAT at byte 33 needs 91 bytes, the file has 83";
  EXPECT_EQ(built.error().message(),
            "3 image(s) cannot be shown on a terminal; fix or replace them, nothing was built:\n"
            "  media/x1.png (no item)" +
                cut + "\n  media/x3.png (no item)" + cut + "\n  media/x4.png (no item)" + cut);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "exam.lpk"));
}

TEST_F(PackImagesTest, ReleaseRefusesAPackMissingAnImageItsItemNames) {
  // A builder that left the image out (the source lists no media file, the item still names it).
  authoring::Source source = Source();
  source.media.clear();
  auto built = Build(source, "exam.lpk");
  ASSERT_TRUE(built) << built.error().message();
  ASSERT_TRUE(LoadPack(*terminal_, dir_ / "exam.lpk", clock_));
  auto released = ReleasePack(*terminal_, "", AsBytes(testing::kMiniReleaseCode), clock_);
  ASSERT_FALSE(released);
  EXPECT_EQ(released.error().kind(), ErrorKind::kCorruption);
  EXPECT_NE(released.error().message().find(
                "item tiu-02 shows media/boxes.png, which is not in the pack: a candidate would "
                "see the item without its image"),
            std::string::npos)
      << released.error().message();
  EXPECT_EQ(ContentKey(*terminal_, built->pack_id).error().kind(), ErrorKind::kNotFound);
}

TEST_F(PackImagesTest, SynthWritesDecodableImagesOfVariedSizes) {
  authoring::SynthOptions o;
  o.items = 30;
  o.media_bytes = 4ull << 20;
  ASSERT_TRUE(authoring::WriteSynthSource(dir_ / "synth", o));
  auto source = authoring::LoadSource(dir_ / "synth");
  ASSERT_TRUE(source) << source.error().front().ToString();
  ASSERT_GE(source->media.size(), 5u);
  std::uint64_t total = 0;
  std::set<int> widths;
  for (const authoring::MediaFile& m : source->media) {
    auto bytes = ReadFile(m.path, 10ull << 20);
    ASSERT_TRUE(bytes);
    auto image = DecodeImage(*bytes);
    ASSERT_TRUE(image) << m.name << ": " << image.error().message();
    widths.insert(image->width);
    total += m.bytes;
  }
  EXPECT_GE(widths.size(), 5u);
  EXPECT_GE(total, 3ull << 20);  // near what was asked (the last image ends it)
  EXPECT_EQ(source->exam.items.at("s-0").media, std::vector<std::string>{"media/synth-0.png"});
  // And the build accepts every one of them.
  auto built = Build(*source, "synth.lpk");
  EXPECT_TRUE(built) << built.error().message();
}

TEST_F(PackImagesTest, MediaAreReadOnDemandAndDamageIsRefusedNotReturned) {
  authoring::SynthOptions o;
  o.items = 12;
  o.media_bytes = 3ull << 20;  // several 64 KiB chunks per image
  ASSERT_TRUE(authoring::WriteSynthSource(dir_ / "synth", o));
  auto source = authoring::LoadSource(dir_ / "synth");
  ASSERT_TRUE(source) << source.error().front().ToString();
  auto built = Build(*source, "synth.lpk");
  ASSERT_TRUE(built) << built.error().message();
  ASSERT_TRUE(LoadPack(*terminal_, dir_ / "synth.lpk", clock_));
  ASSERT_TRUE(ReleasePack(*terminal_, "", AsBytes(testing::kMiniReleaseCode), clock_));
  auto key = ContentKey(*terminal_, built->pack_id);
  ASSERT_TRUE(key);
  const auto stored = StoredPackFile(*terminal_, built->pack_id);
  auto reader = MediaReader::Open(stored, *key);
  ASSERT_TRUE(reader) << reader.error().message();
  EXPECT_FALSE((*reader)->pass_error());
  ASSERT_EQ((*reader)->Names().size(), source->media.size());
  // Every image comes back byte for byte, read in any order.
  for (auto m = source->media.rbegin(); m != source->media.rend(); ++m) {
    auto bytes = (*reader)->Read(m->name);
    ASSERT_TRUE(bytes) << m->name << ": " << bytes.error().message();
    EXPECT_EQ(*bytes, ReadFile(m->path, 10ull << 20).value()) << m->name;
  }
  EXPECT_EQ((*reader)->Read("media/none.png").error().kind(), ErrorKind::kNotFound);
  // Streamed a chunk at a time (what the kiosk decodes from), an image decodes to the pixels of
  // its file, read twice by the decoder.
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& m = source->media[i];
    auto stream = (*reader)->Stream(m.name);
    ASSERT_TRUE(stream) << stream.error().message();
    EXPECT_EQ((*stream)->size(), std::filesystem::file_size(m.path));
    auto streamed = DecodeImage(**stream, {}, 200, 200);
    ASSERT_TRUE(streamed) << m.name << ": " << streamed.error().message();
    auto whole = DecodeImage(ReadFile(m.path, 10ull << 20).value(), {}, 200, 200);
    ASSERT_TRUE(whole);
    EXPECT_EQ(streamed->rgba, whole->rgba) << m.name;
  }
  EXPECT_EQ((*reader)->Stream("media/none.png").error().kind(), ErrorKind::kNotFound);

  // A byte of the stored pack flipped inside the last image, after the reader indexed it: that
  // image is refused, the others still read.
  const std::string last = source->media.back().name;
  testing::FlipByteFromEnd(stored, 100, 0x40);
  auto damaged = (*reader)->Read(last);
  ASSERT_FALSE(damaged);
  EXPECT_EQ(damaged.error().kind(), ErrorKind::kCorruption);
  EXPECT_NE(damaged.error().message().find(last + " is damaged in the stored pack"),
            std::string::npos)
      << damaged.error().message();
  EXPECT_TRUE((*reader)->Read(source->media.front().name));
  // Decoded from its stream, the damaged image is the pack's fault, not the image's.
  auto stream = (*reader)->Stream(last);
  ASSERT_TRUE(stream);
  auto decoded = DecodeImage(**stream);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error().kind(), ErrorKind::kCorruption) << decoded.error().message();
  EXPECT_NE(decoded.error().message().find(last + " is damaged in the stored pack"),
            std::string::npos)
      << decoded.error().message();
  // A reader opened on the damaged file indexes up to the damage and names it for the rest.
  auto again = MediaReader::Open(stored, *key);
  ASSERT_TRUE(again) << again.error().message();
  ASSERT_TRUE((*again)->pass_error());
  EXPECT_NE((*again)->pass_error()->message().find("the stored pack is damaged at chunk"),
            std::string::npos);
  EXPECT_TRUE((*again)->Read(source->media.front().name));
  EXPECT_FALSE((*again)->Read(last));
  // The exam still reads: it comes before the media.
  EXPECT_TRUE(ReadReleasedExam(*terminal_, built->pack_id));
}

}  // namespace
}  // namespace lontar::pack

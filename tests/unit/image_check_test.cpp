// The image check (core/pack/image_check.hpp): what `pack build` refuses and the kiosk decodes.
// One test per refusal, each checking its message; images are made here with stb_image_write or
// taken from the mini fixture, then cut or damaged.
#include "core/pack/image_check.hpp"

#include <gtest/gtest.h>
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include "tests/support/test_support.hpp"

namespace lontar::pack {
namespace {

const std::filesystem::path kBoxes =
    std::filesystem::path(LONTAR_SOURCE_DIR) / "tests/fixtures/mini-exam/media/boxes.png";

Bytes Boxes() {
  const std::string text = lontar::testing::ReadText(kBoxes);
  return Bytes(text.begin(), text.end());
}

std::uint32_t LoadBigEndian(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

void AppendTo(void* to, void* data, int size) {
  auto* out = static_cast<Bytes*>(to);
  const auto* b = static_cast<const std::uint8_t*>(data);
  out->insert(out->end(), b, b + size);
}

// A w x h image, red left half and blue right half, green varying so that JPEG has data to code.
std::vector<std::uint8_t> HalfAndHalf(int w, int h) {
  std::vector<std::uint8_t> rgb(static_cast<std::size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      std::uint8_t* p = &rgb[(static_cast<std::size_t>(y) * w + x) * 3];
      p[0] = x < w / 2 ? 255 : 0;
      p[2] = x < w / 2 ? 0 : 255;
      p[1] = static_cast<std::uint8_t>((x ^ y) * 37);
    }
  }
  return rgb;
}

Bytes Png(int w, int h) {
  Bytes out;
  const auto rgb = HalfAndHalf(w, h);
  EXPECT_NE(stbi_write_png_to_func(AppendTo, &out, w, h, 3, rgb.data(), w * 3), 0);
  return out;
}

Bytes Jpeg(int w, int h) {
  Bytes out;
  const auto rgb = HalfAndHalf(w, h);
  EXPECT_NE(stbi_write_jpg_to_func(AppendTo, &out, w, h, 3, rgb.data(), 90), 0);
  return out;
}

// CRC-32 of PNG chunks, written again here so that the test does not trust the code under test.
std::uint32_t Crc(ByteView b) {
  std::uint32_t c = 0xffffffffu;
  for (std::uint8_t byte : b) {
    c ^= byte;
    for (int k = 0; k < 8; ++k) c = (c & 1) != 0 ? 0xedb88320u ^ (c >> 1) : c >> 1;
  }
  return ~c;
}

std::string Message(const Status& st) { return st ? "ok" : st.error().message(); }

TEST(ImageCheck, CrcOfTheTestMatchesPngsKnownIendChecksum) {
  // Every PNG ends with IEND and the checksum AE 42 60 82 over the four letters "IEND".
  EXPECT_EQ(Crc(AsBytes("IEND")), 0xae426082u);
}

TEST(ImageCheck, PngAndJpegDecodeToTheirPixels) {
  auto png = DecodeImage(Png(40, 10));
  ASSERT_TRUE(png) << png.error().message();
  EXPECT_EQ(png->width, 40);
  EXPECT_EQ(png->height, 10);
  ASSERT_EQ(png->rgba.size(), 40u * 10 * 4);
  // Pixel (0, 0) is red, (39, 9) blue, both opaque.
  EXPECT_EQ(png->rgba[0], 255);
  EXPECT_EQ(png->rgba[2], 0);
  EXPECT_EQ(png->rgba[3], 255);
  EXPECT_EQ(png->rgba[(9 * 40 + 39) * 4 + 2], 255);
  auto jpeg = DecodeImage(Jpeg(64, 32));
  ASSERT_TRUE(jpeg) << jpeg.error().message();
  EXPECT_EQ(jpeg->width, 64);
  EXPECT_GT(jpeg->rgba[0], 200);  // red, give or take JPEG's loss
  EXPECT_TRUE(CheckImage(Boxes()));
  auto info = InspectImage(Jpeg(8, 8));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->format, ImageFormat::kJpeg);
}

TEST(ImageCheck, LargerThanTheScreenIsScaledDownOnceKeepingProportions) {
  // 400 x 100 into a 100 x 100 box: the width binds, 100 x 25.
  auto image = DecodeImage(Png(400, 100), {}, 100, 100);
  ASSERT_TRUE(image) << image.error().message();
  EXPECT_EQ(image->width, 100);
  EXPECT_EQ(image->height, 25);
  EXPECT_EQ(image->rgba.size(), 100u * 25 * 4);
  // Smaller than the box: untouched, never enlarged.
  image = DecodeImage(Png(40, 10), {}, 100, 100);
  ASSERT_TRUE(image);
  EXPECT_EQ(image->width, 40);
}

TEST(ImageCheck, NotAnImageIsNamed) {
  EXPECT_EQ(Message(CheckImage(AsBytes("GIF89a not what we take"))), "not a PNG or JPEG image");
  EXPECT_EQ(Message(CheckImage({})), "not a PNG or JPEG image");
}

TEST(ImageCheck, PngCutShortIsRefusedWhereverItIsCut) {
  const Bytes png = Boxes();
  for (std::size_t keep = 8; keep < png.size(); ++keep) {
    const std::string m = Message(CheckImage(ByteView(png).first(keep)));
    EXPECT_TRUE(m.starts_with("cut short: ")) << keep << ": " << m;
  }
  EXPECT_EQ(Message(CheckImage(ByteView(png).first(png.size() - 12))),
            "cut short: the PNG ends at byte " + std::to_string(png.size() - 12) +
                " before its IEND chunk");
}

TEST(ImageCheck, PngWithAFlippedByteFailsItsChecksum) {
  Bytes png = Boxes();
  png[8 + 8 + 3] ^= 0x01;  // inside IHDR's data (signature 8, length and type 8)
  EXPECT_EQ(Message(CheckImage(png)), "damaged: PNG chunk IHDR at byte 8 fails its checksum");
}

TEST(ImageCheck, PngWhosePixelsDoNotDecodeIsRefused) {
  // IDAT's compressed bytes replaced by garbage under a correct checksum: the structure is whole,
  // the decoder refuses the data.
  Bytes png = Png(16, 16);
  std::size_t at = 8;
  while (std::string(AsChars(ByteView(png).subspan(at + 4, 4))) != "IDAT") {
    at += 12 + LoadBigEndian(&png[at]);
  }
  const std::uint32_t length = LoadBigEndian(&png[at]);
  for (std::uint32_t i = 0; i < length; ++i) png[at + 8 + i] = static_cast<std::uint8_t>(0xa5 + i);
  const std::uint32_t crc = Crc(ByteView(png).subspan(at + 4, 4 + length));
  for (int i = 0; i < 4; ++i)
    png[at + 8 + length + i] = static_cast<std::uint8_t>(crc >> (24 - 8 * i));
  const std::string m = Message(CheckImage(png));
  EXPECT_TRUE(m.starts_with("does not decode: ")) << m;
}

TEST(ImageCheck, JpegCutShortIsRefused) {
  // stb_image alone would decode a cut JPEG, filling the rest with grey: the structure check
  // refuses it first.
  const Bytes jpeg = Jpeg(256, 256);
  ASSERT_EQ(jpeg[jpeg.size() - 2], 0xff);
  ASSERT_EQ(jpeg[jpeg.size() - 1], 0xd9);
  const ByteView half = ByteView(jpeg).first(jpeg.size() / 2);
  int w = 0, h = 0, comp = 0;
  // (What the decoder makes of it on its own: an image, silently incomplete.)
  unsigned char* pixels =
      stbi_load_from_memory(half.data(), static_cast<int>(half.size()), &w, &h, &comp, 4);
  if (pixels != nullptr) stbi_image_free(pixels);
  EXPECT_EQ(Message(CheckImage(half)), "cut short: the JPEG ends inside image data at byte " +
                                           std::to_string(half.size()) +
                                           ", before its end marker (FFD9)");
  const std::string m = Message(CheckImage(ByteView(jpeg).first(jpeg.size() - 1)));
  EXPECT_TRUE(m.starts_with("cut short: the JPEG ends")) << m;
}

TEST(ImageCheck, LargerThanTheLimitIsRefused) {
  const Bytes png = Boxes();
  EXPECT_EQ(Message(CheckImage(png, {.max_bytes = 100})),
            "larger than the limit: " + std::to_string(png.size()) +
                " bytes, at most 100; save it smaller (JPEG for photographs)");
}

TEST(ImageCheck, AbsurdDimensionsAreRefusedBeforeDecoding) {
  EXPECT_EQ(Message(CheckImage(Png(9000, 1))),
            "absurd dimensions 9000x1: at most 8192 pixels a side and 16777216 in all");
  EXPECT_EQ(Message(CheckImage(Png(40, 10), {.max_pixels = 399})),
            "absurd dimensions 40x10: at most 8192 pixels a side and 399 in all");
}

}  // namespace
}  // namespace lontar::pack

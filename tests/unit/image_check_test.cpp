// The image check (core/pack/image_check.hpp): what `pack build` refuses and the kiosk decodes.
// One test per refusal, each checking its message; images are made here with stb_image_write,
// written chunk by chunk (RawPng), or taken from the mini fixture, then cut or damaged.
#include "core/pack/image_check.hpp"

#include <gtest/gtest.h>

#include <stb/stb_image.h>
#include <stb/stb_image_write.h>
#include <cstdlib>

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

}  // namespace
}  // namespace lontar::pack

// libstb's zlib deflate (exported by the library, declared only inside its implementation).
extern "C" unsigned char* stbi_zlib_compress(unsigned char* data, int data_len, int* out_len,
                                             int quality);

namespace lontar::pack {
namespace {

void AppendChunk(Bytes& png, const char* type, const Bytes& data) {
  for (int i = 0; i < 4; ++i) png.push_back(static_cast<std::uint8_t>(data.size() >> (24 - 8 * i)));
  Bytes body(type, type + 4);
  body.insert(body.end(), data.begin(), data.end());
  png.insert(png.end(), body.begin(), body.end());
  const std::uint32_t crc = Crc(body);
  for (int i = 0; i < 4; ++i) png.push_back(static_cast<std::uint8_t>(crc >> (24 - 8 * i)));
}

// An 8-bit RGB PNG of w x h whose IDAT holds `raw` (filter bytes and pixels, as PNG lays them
// out: a row, or an interlaced pass's row, is a filter byte then its pixels) deflated: every
// chunk whole, its checksum right, so that only the decoder can refuse what `raw` lacks.
Bytes RawPng(int w, int h, bool interlaced, Bytes raw) {
  Bytes png = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  Bytes ihdr;
  for (int v : {w, h}) {
    for (int i = 0; i < 4; ++i) ihdr.push_back(static_cast<std::uint8_t>(v >> (24 - 8 * i)));
  }
  ihdr.insert(ihdr.end(), {8, 2, 0, 0, static_cast<std::uint8_t>(interlaced ? 1 : 0)});
  AppendChunk(png, "IHDR", ihdr);
  int length = 0;
  unsigned char* z = stbi_zlib_compress(raw.data(), static_cast<int>(raw.size()), &length, 8);
  AppendChunk(png, "IDAT", Bytes(z, z + length));
  std::free(z);
  AppendChunk(png, "IEND", {});
  return png;
}

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

TEST(ImageCheck, ScalingDownAveragesEachBoxOfPixels) {
  // 4 x 2 into 2 x 1: each output pixel is the mean of a 2 x 2 box (rows 0-1, columns 0-1 and
  // 2-3). Left box red 0, 100, 2, 98: mean 50. Right box R 10, 30, 50, 70: 40; G 20, 40, 60, 80:
  // 50; B 30, 50, 70, 90: 60. No alpha in the file: 255.
  const Bytes raw = {0, 0, 0, 0, 100, 0, 0, 10, 20, 30, 30, 40, 50,
                     0, 2, 0, 0, 98,  0, 0, 50, 60, 70, 70, 80, 90};
  auto image = DecodeImage(RawPng(4, 2, false, raw), {}, 2, 1);
  ASSERT_TRUE(image) << image.error().message();
  EXPECT_EQ(image->rgba, (Bytes{50, 0, 0, 255, 40, 50, 60, 255}));
}

TEST(ImageCheck, InterlacedPngDecodesAllItsPasses) {
  // 2 x 2 in Adam7: pass 1 holds (0,0), pass 6 (1,0), pass 7 the second row (0,1) (1,1); passes
  // 2-5 are empty at this size. Each pass row: filter byte 0, then its pixels.
  const Bytes raw = {0, 10, 20, 30, 0, 40, 50, 60, 0, 70, 80, 90, 100, 110, 120};
  const Bytes png = RawPng(2, 2, true, raw);
  auto image = DecodeImage(png);
  ASSERT_TRUE(image) << image.error().message();
  EXPECT_EQ(image->rgba, (Bytes{10, 20, 30, 255, 40, 50, 60, 255,  //
                                70, 80, 90, 255, 100, 110, 120, 255}));
  // Scaled to one pixel: the four averaged, (10+40+70+100)/4 = 55, 65, 75.
  image = DecodeImage(png, {}, 1, 1);
  ASSERT_TRUE(image);
  EXPECT_EQ(image->rgba, (Bytes{55, 65, 75, 255}));
}

TEST(ImageCheck, TheCheckDecodesEveryPassOfAnInterlacedPng) {
  // The 2 x 2 image above: CheckImage reads its passes into one row it drops (CheckPng), and
  // still refuses the image when its last pass (the second row: filter byte and 6 bytes) is
  // missing from the deflated data.
  const Bytes raw = {0, 10, 20, 30, 0, 40, 50, 60, 0, 70, 80, 90, 100, 110, 120};
  EXPECT_EQ(Message(CheckImage(RawPng(2, 2, true, raw))), "ok");
  const Bytes short_raw(raw.begin(), raw.end() - 7);
  EXPECT_EQ(Message(CheckImage(RawPng(2, 2, true, short_raw))),
            "does not decode: Not enough image data");
}

TEST(ImageCheck, PngWhoseDataEndsBeforeItsLastRowIsRefused) {
  // 4 x 4, but the deflated data holds two rows: every chunk is whole and its checksum right,
  // and a lenient decoder would show the lower half blank. The decoder refuses it.
  Bytes raw;
  for (int y = 0; y < 2; ++y) {
    raw.push_back(0);
    for (int i = 0; i < 12; ++i) raw.push_back(static_cast<std::uint8_t>(200));
  }
  EXPECT_EQ(Message(CheckImage(RawPng(4, 4, false, raw))),
            "does not decode: Not enough image data");
}

TEST(ImageCheck, JpegWhoseScanEndsEarlyIsRefused) {
  // Half the scan, then the end marker: the structure is whole (the walk reaches FFD9), the
  // pixels are not; libjpeg on its own would fill the rest with grey.
  const Bytes jpeg = Jpeg(256, 256);
  Bytes cut(jpeg.begin(), jpeg.begin() + static_cast<std::ptrdiff_t>(jpeg.size() / 2));
  while (cut.back() == 0xff) cut.pop_back();  // not inside a marker
  cut.insert(cut.end(), {0xff, 0xd9});
  const std::string m = Message(CheckImage(cut));
  EXPECT_TRUE(m.starts_with("does not decode: Corrupt JPEG data")) << m;
}

TEST(ImageCheck, JpegLargerThanTheScreenIsDecodedSmallerAndKeepsItsHalves) {
  // 512 x 256 into 32 x 32: libjpeg decodes at 1/8 (64 x 32), the box filter halves that.
  auto image = DecodeImage(Jpeg(512, 256), {}, 32, 32);
  ASSERT_TRUE(image) << image.error().message();
  EXPECT_EQ(image->width, 32);
  EXPECT_EQ(image->height, 16);
  const auto at = [&](int x, int y, int c) { return image->rgba[(y * 32 + x) * 4 + c]; };
  EXPECT_GT(at(2, 8, 0), 200);  // red on the left
  EXPECT_LT(at(2, 8, 2), 60);
  EXPECT_GT(at(29, 8, 2), 200);  // blue on the right
  EXPECT_LT(at(29, 8, 0), 60);
}

TEST(ImageCheck, InterlacedPngOverTheWholeDecodeLimitIsRefused) {
  const Bytes raw = {0, 10, 20, 30, 0, 40, 50, 60, 0, 70, 80, 90, 100, 110, 120};
  EXPECT_EQ(Message(CheckImage(RawPng(2, 2, true, raw), {.max_whole_pixels = 3})),
            "interlaced PNG of 2x2: such an image is decoded whole, so it may have at most 3 "
            "pixels; save it without interlacing or smaller");
  EXPECT_TRUE(CheckImage(RawPng(2, 2, true, raw), {.max_whole_pixels = 4}));
}

TEST(ImageCheck, ProgressiveJpegOverTheWholeDecodeLimitIsRefused) {
  // A baseline JPEG whose frame header is marked progressive (SOF0 to SOF2): refused on its
  // header, before any decoding.
  Bytes jpeg = Jpeg(16, 8);
  std::size_t at = 2;
  while (!(jpeg[at] == 0xff && jpeg[at + 1] == 0xc0)) at += 2 + (jpeg[at + 2] << 8 | jpeg[at + 3]);
  jpeg[at + 1] = 0xc2;
  EXPECT_EQ(Message(CheckImage(jpeg, {.max_whole_pixels = 100})),
            "progressive JPEG of 16x8: such an image is decoded whole, so it may have at most "
            "100 pixels; save it as a baseline (not progressive) JPEG or smaller");
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
  // A lenient decoder (stb_image here) would decode a cut JPEG, filling the rest with grey: the
  // structure check refuses it first.
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

// A file read one byte per call, as a source may give it (the decoder must not care where its
// pieces end); on pass `fail_on_pass` (1: the structure walk, 2: the pixels), after `fail_after`
// bytes, a source error instead (a stored pack's chunk that no longer authenticates).
class Trickle final : public ByteSource {
 public:
  explicit Trickle(ByteView bytes, std::uint64_t fail_after = ~std::uint64_t{0},
                   int fail_on_pass = 1)
      : bytes_(bytes), fail_after_(fail_after), fail_on_pass_(fail_on_pass) {}
  std::uint64_t size() const override { return bytes_.size(); }
  Result<std::size_t> Read(std::uint8_t* out, std::size_t n) override {
    if (rewinds == fail_on_pass_ && at_ >= fail_after_) {
      return std::unexpected(Error::Corruption("chunk 3 is damaged"));
    }
    if (n == 0 || at_ == bytes_.size()) return 0;
    *out = bytes_[at_++];
    return 1;
  }
  Status Rewind() override {
    at_ = 0;
    ++rewinds;
    return Ok();
  }
  int rewinds = 0;

 private:
  ByteView bytes_;
  std::size_t at_ = 0;
  std::uint64_t fail_after_;
  int fail_on_pass_;
};

std::string DecodeMessage(ByteSource& source) {
  auto decoded = DecodeImage(source);
  return decoded ? "ok" : decoded.error().message();
}

TEST(ImageCheck, ImagesReadAPieceAtATimeDecodeToTheSamePixels) {
  for (const Bytes& file : {Png(300, 200), Jpeg(300, 200), Boxes()}) {
    auto whole = DecodeImage(file, {}, 120, 120);
    ASSERT_TRUE(whole) << whole.error().message();
    Trickle source(file);
    auto pieces = DecodeImage(source, {}, 120, 120);
    ASSERT_TRUE(pieces) << pieces.error().message();
    EXPECT_EQ(pieces->width, whole->width);
    EXPECT_EQ(pieces->height, whole->height);
    EXPECT_EQ(pieces->rgba, whole->rgba);
    EXPECT_EQ(source.rewinds, 2);  // the structure walk, then the pixels
  }
}

TEST(ImageCheck, ImagesReadAPieceAtATimeAreRefusedWithTheSameMessages) {
  const Bytes png = Boxes();
  Trickle cut_png(ByteView(png).first(png.size() - 12));
  EXPECT_EQ(DecodeMessage(cut_png), "cut short: the PNG ends at byte " +
                                        std::to_string(png.size() - 12) + " before its IEND chunk");
  const Bytes jpeg = Jpeg(256, 256);
  const ByteView half = ByteView(jpeg).first(jpeg.size() / 2);
  Trickle cut_jpeg(half);
  EXPECT_EQ(DecodeMessage(cut_jpeg), "cut short: the JPEG ends inside image data at byte " +
                                         std::to_string(half.size()) +
                                         ", before its end marker (FFD9)");
  Bytes flipped = png;
  flipped[8 + 8 + 3] ^= 0x01;
  Trickle damaged(flipped);
  EXPECT_EQ(DecodeMessage(damaged), "damaged: PNG chunk IHDR at byte 8 fails its checksum");
}

TEST(ImageCheck, ASourceThatFailsIsItsOwnErrorNotAnImageThatDoesNotDecode) {
  // Failing in the walk, and in the pixels (a disk going bad between the two passes).
  for (const Bytes& file : {Png(64, 64), Jpeg(64, 64)}) {
    Trickle early(file, file.size() / 2);
    auto walk = DecodeImage(early);
    ASSERT_FALSE(walk);
    EXPECT_EQ(walk.error().kind(), ErrorKind::kCorruption);
    EXPECT_EQ(walk.error().message(), "chunk 3 is damaged");
  }
  class SecondPassFails final : public ByteSource {
   public:
    explicit SecondPassFails(ByteView b) : inner_(b) {}
    std::uint64_t size() const override { return inner_.size(); }
    Result<std::size_t> Read(std::uint8_t* out, std::size_t n) override {
      if (passes_ == 2 && read_ > 40) {
        return std::unexpected(Error::Corruption("chunk 3 is damaged"));
      }
      auto got = inner_.Read(out, n);
      if (got) read_ += *got;
      return got;
    }
    Status Rewind() override {
      ++passes_;
      read_ = 0;
      return inner_.Rewind();
    }

   private:
    MemorySource inner_;
    int passes_ = 0;
    std::uint64_t read_ = 0;
  };
  for (const Bytes& file : {Png(64, 64), Jpeg(64, 64)}) {
    Trickle source(file, 40, 2);
    auto decoded = DecodeImage(source);
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error().kind(), ErrorKind::kCorruption) << decoded.error().message();
    EXPECT_EQ(decoded.error().message(), "chunk 3 is damaged");
  }
}

}  // namespace
}  // namespace lontar::pack

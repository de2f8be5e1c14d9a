// The one image decoder of Lontar: `pack build` checks every image with it, and the kiosk decodes
// with it, so that an image the build accepted is an image a terminal can show.
//
// Images are PNG or JPEG (docs/authoring.md). The pixels are decoded by libpng and libjpeg-turbo
// row by row, scaled down as they come (core/pack/image_decode.hpp), so that a terminal holds a
// row or two and the screen-sized result, never a 16-megapixel image at its own size; both are
// made strict there (what they would fill in with grey refuses the image). Before decoding, the
// file's own structure is walked too, and an image that would decode only partially is refused:
//   PNG   signature | chunks: length u32 BE | type (4) | data | CRC-32 u32 BE. The first chunk is
//         IHDR, every CRC matches, and the walk reaches IEND inside the file. A cut file ends
//         before IEND; a flipped byte fails its chunk's CRC.
//   JPEG  SOI FFD8 | segments FFxx + length u16 BE (the length counts itself) | after each SOS,
//         entropy-coded data up to the next marker that is not FF00 or a restart FFD0..FFD7 |
//         EOI FFD9. A cut file ends before EOI.
// Bytes after IEND / EOI are allowed (some tools pad files); they are never decoded. The walk also
// takes the dimensions (PNG's IHDR, JPEG's first frame header SOFn) and whether the image is
// interlaced (PNG) or progressive (JPEG): those are decoded whole, and so are held to a smaller
// size (ImageLimits::max_whole_pixels).
#pragma once

#include <cstdint>
#include <string>

#include "core/pack/byte_source.hpp"
#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::pack {

// What an image may be. The defaults are what `pack build` enforces and a terminal expects. An
// image decoded row by row costs a row or two whatever its size; one decoded whole (interlaced
// PNG: 4 bytes a pixel; progressive JPEG: its coefficients, 3 to 6 bytes a pixel) is held to 2
// megapixels (1920x1080 fits), 8 to 12 MiB for a moment.
struct ImageLimits {
  std::uint64_t max_bytes = 10ull << 20;        // the file (authoring's kMaxMediaBytes)
  int max_side = 8192;                          // width and height, pixels
  std::uint64_t max_pixels = 16ull << 20;       // width x height
  std::uint64_t max_whole_pixels = 2ull << 20;  // width x height, interlaced or progressive
};

enum class ImageFormat { kPng, kJpeg };

struct ImageInfo {
  ImageFormat format = ImageFormat::kPng;
  int width = 0, height = 0;
  bool whole = false;  // interlaced PNG or progressive JPEG: decoded whole, not row by row
};

struct DecodedImage {
  int width = 0, height = 0;
  Bytes rgba;  // width * height * 4 bytes, rows top to bottom
};

// Checks the file's structure (above), size and dimensions without decoding its pixels.
// kMalformed "not a PNG or JPEG image" / "cut short: ..." / "damaged: ..." / kInvalidArgument
// "larger than ..." / "absurd dimensions ..." / "interlaced PNG ..." / "progressive JPEG ...".
// Pure.
[[nodiscard]] Result<ImageInfo> InspectImage(ByteView bytes, const ImageLimits& limits = {});
// The same for an image read from `source` from its first byte (rewound first), a piece at a
// time; the source's own errors are returned as they are. Reads what the source reads.
[[nodiscard]] Result<ImageInfo> InspectImage(ByteSource& source, const ImageLimits& limits = {});

// InspectImage, then decodes to RGBA. When the image is larger than `fit_width` x `fit_height`
// (either 0: no bound) it is scaled down while it is decoded, proportions kept, to fit (a box
// filter: core/pack/image_scale.hpp). Memory: the result, plus a row or two (or, for an image
// decoded whole, max_whole_pixels' worth). kMalformed "does not decode: <the decoder's
// reason>"; kIo "not enough memory" when the pixels cannot be had. Pure.
[[nodiscard]] Result<DecodedImage> DecodeImage(ByteView bytes, const ImageLimits& limits = {},
                                               int fit_width = 0, int fit_height = 0);
// The same for an image read from `source`, twice (the structure walk, then the pixels), a piece
// at a time: memory is the result, a row or two and the reading buffers, never the file. The
// source's own errors (a damaged stored pack) are returned as they are, not as "does not
// decode". Reads what the source reads.
[[nodiscard]] Result<DecodedImage> DecodeImage(ByteSource& source, const ImageLimits& limits = {},
                                               int fit_width = 0, int fit_height = 0);

// DecodeImage for its verdict only (what `pack build` runs on every image): every row of every
// pass or scan is decoded by the same decoder as on a terminal, with the same errors, but a PNG's
// rows are dropped as they come (not scaled) and a JPEG is kept no larger than 64x64, so a check
// costs little memory whatever the image. Pure.
[[nodiscard]] Status CheckImage(ByteView bytes, const ImageLimits& limits = {});

}  // namespace lontar::pack

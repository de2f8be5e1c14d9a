// The one image decoder of Lontar: `pack build` checks every image with it, and the kiosk decodes
// with it, so that an image the build accepted is an image a terminal can show.
//
// Images are PNG or JPEG (docs/authoring.md). The pixel decoder is stb_image, which is lenient: it
// fills a JPEG cut short with grey and ignores PNG checksums. So before decoding, the file's own
// structure is walked, and an image that would decode only partially is refused:
//   PNG   signature | chunks: length u32 BE | type (4) | data | CRC-32 u32 BE. The first chunk is
//         IHDR, every CRC matches, and the walk reaches IEND inside the file. A cut file ends
//         before IEND; a flipped byte fails its chunk's CRC.
//   JPEG  SOI FFD8 | segments FFxx + length u16 BE (the length counts itself) | after each SOS,
//         entropy-coded data up to the next marker that is not FF00 or a restart FFD0..FFD7 |
//         EOI FFD9. A cut file ends before EOI.
// Bytes after IEND / EOI are allowed (some tools pad files); they are never decoded.
#pragma once

#include <cstdint>
#include <string>

#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::pack {

// What an image may be. The defaults are what `pack build` enforces and a terminal expects: a
// decoded image of at most 16 megapixels is 64 MiB of RGBA for a moment, once, before scaling.
struct ImageLimits {
  std::uint64_t max_bytes = 10ull << 20;   // the file (authoring's kMaxMediaBytes)
  int max_side = 8192;                     // width and height, pixels
  std::uint64_t max_pixels = 16ull << 20;  // width x height
};

enum class ImageFormat { kPng, kJpeg };

struct ImageInfo {
  ImageFormat format = ImageFormat::kPng;
  int width = 0, height = 0;
};

struct DecodedImage {
  int width = 0, height = 0;
  Bytes rgba;  // width * height * 4 bytes, rows top to bottom
};

// Checks the file's structure (above), size and dimensions without decoding its pixels.
// kMalformed "not a PNG or JPEG image" / "cut short: ..." / "damaged: ..." / kInvalidArgument
// "larger than ..." / "absurd dimensions ...". Pure.
[[nodiscard]] Result<ImageInfo> InspectImage(ByteView bytes, const ImageLimits& limits = {});

// InspectImage, then decodes to RGBA. When the image is larger than `fit_width` x `fit_height`
// (either 0: no bound) it is scaled down, proportions kept, to fit. kMalformed "does not decode:
// <the decoder's reason>"; kIo "not enough memory" when the pixels cannot be had. Pure.
[[nodiscard]] Result<DecodedImage> DecodeImage(ByteView bytes, const ImageLimits& limits = {},
                                               int fit_width = 0, int fit_height = 0);

// DecodeImage for its verdict only (what `pack build` runs on every image). Pure.
[[nodiscard]] Status CheckImage(ByteView bytes, const ImageLimits& limits = {});

}  // namespace lontar::pack

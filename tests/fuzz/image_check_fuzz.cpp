// Images arrive in authoring sources from anyone and are read back from a terminal's disk: the
// structure walk (PNG chunks, JPEG markers) and the decoders behind it (libpng and libjpeg-turbo
// row by row into the box filter, core/pack/image_decode.cpp; the fit of 16x16 makes every
// image larger than it take the scaled paths, JPEG's 1/2 to 1/8 among them) must refuse anything
// malformed without crashing, and whatever decodes must have the dimensions it claims.
#include <cstdint>
#include <cstdlib>

#include "core/pack/image_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace lontar;
  const ByteView bytes(data, size);
  auto info = pack::InspectImage(bytes);
  auto image = pack::DecodeImage(bytes, {}, 16, 16);
  if (image) {
    if (!info || image->width > 16 || image->height > 16 ||
        image->rgba.size() != static_cast<std::size_t>(image->width) * image->height * 4) {
      std::abort();
    }
  }
  return 0;
}

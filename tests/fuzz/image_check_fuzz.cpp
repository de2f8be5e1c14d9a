// Images arrive in authoring sources from anyone and are read back from a terminal's disk: the
// structure walk (PNG chunks, JPEG markers) and the decoders behind it (libpng and libjpeg-turbo
// row by row into the box filter, core/pack/image_decode.cpp; the fit of 16x16 makes every
// image larger than it take the scaled paths, JPEG's 1/2 to 1/8 among them) must refuse anything
// malformed without crashing, and whatever decodes must have the dimensions it claims. The same
// bytes read from a source that gives them in small uneven pieces (as a stored pack's chunks
// reach the kiosk's decoder) must get the same verdict and the same pixels.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "core/pack/image_check.hpp"

namespace {

class Pieces final : public lontar::pack::ByteSource {
 public:
  explicit Pieces(lontar::ByteView bytes) : bytes_(bytes) {}
  std::uint64_t size() const override { return bytes_.size(); }
  lontar::Result<std::size_t> Read(std::uint8_t* out, std::size_t n) override {
    n = std::min({n, bytes_.size() - at_, std::size_t{1} + at_ % 7});
    if (n > 0) std::memcpy(out, bytes_.data() + at_, n);
    at_ += n;
    return n;
  }
  lontar::Status Rewind() override {
    at_ = 0;
    return {};
  }

 private:
  lontar::ByteView bytes_;
  std::size_t at_ = 0;
};

}  // namespace

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
  Pieces source(bytes);
  auto streamed = pack::DecodeImage(source, {}, 16, 16);
  if (streamed.has_value() != image.has_value() || (image && streamed->rgba != image->rgba) ||
      (!image && streamed.error().message() != image.error().message())) {
    std::abort();
  }
  return 0;
}

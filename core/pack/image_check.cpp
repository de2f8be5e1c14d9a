#include "core/pack/image_check.hpp"

#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>

#include <array>
#include <memory>

namespace lontar::pack {
namespace {

constexpr std::uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

std::uint32_t BigEndian32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

// CRC-32 as PNG defines it (ISO 3309, polynomial 0xEDB88320 reflected), over type and data.
std::uint32_t Crc32(ByteView data) {
  static const std::array<std::uint32_t, 256> table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t n = 0; n < 256; ++n) {
      std::uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) != 0 ? 0xedb88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xffffffffu;
  for (std::uint8_t b : data) c = table[(c ^ b) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

std::string ChunkName(const std::uint8_t* type) {
  std::string name;
  for (int i = 0; i < 4; ++i) {
    const char c = static_cast<char>(type[i]);
    name += (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ? c : '?';
  }
  return name;
}

Status WalkPng(ByteView b) {
  std::size_t at = 8;
  bool first = true;
  for (;;) {
    if (b.size() - at < 12) {
      return std::unexpected(Error::Malformed("cut short: the PNG ends at byte " +
                                              std::to_string(b.size()) + " before its IEND chunk"));
    }
    const std::uint32_t length = BigEndian32(&b[at]);
    const std::uint8_t* type = &b[at + 4];
    if (length > b.size() - at - 12) {
      return std::unexpected(Error::Malformed(
          "cut short: PNG chunk " + ChunkName(type) + " at byte " + std::to_string(at) + " needs " +
          std::to_string(length) + " bytes, the file has " + std::to_string(b.size() - at - 12)));
    }
    const std::string name = ChunkName(type);
    if (first && name != "IHDR") {
      return std::unexpected(Error::Malformed("damaged: the PNG does not start with IHDR"));
    }
    first = false;
    const std::uint32_t stored = BigEndian32(&b[at + 8 + length]);
    if (Crc32(b.subspan(at + 4, 4 + std::size_t{length})) != stored) {
      return std::unexpected(Error::Malformed("damaged: PNG chunk " + name + " at byte " +
                                              std::to_string(at) + " fails its checksum"));
    }
    at += 12 + std::size_t{length};
    if (name == "IEND") return Ok();
  }
}

Status WalkJpeg(ByteView b) {
  auto cut = [&](const std::string& where) {
    return std::unexpected(Error::Malformed("cut short: the JPEG ends " + where + " at byte " +
                                            std::to_string(b.size()) +
                                            ", before its end marker (FFD9)"));
  };
  std::size_t at = 2;  // after SOI
  for (;;) {
    // Fill bytes (FF FF ...) may precede a marker.
    if (at >= b.size()) return cut("between segments");
    if (b[at] != 0xff) {
      return std::unexpected(
          Error::Malformed("damaged: no JPEG marker at byte " + std::to_string(at)));
    }
    while (at < b.size() && b[at] == 0xff) ++at;
    if (at >= b.size()) return cut("in a marker");
    const std::uint8_t marker = b[at++];
    if (marker == 0xd9) return Ok();                                     // EOI
    if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;  // no length
    if (marker == 0x00 || marker == 0xd8) {
      return std::unexpected(
          Error::Malformed("damaged: stray JPEG marker at byte " + std::to_string(at - 1)));
    }
    if (b.size() - at < 2) return cut("in a segment's length");
    const std::size_t length = std::size_t{b[at]} << 8 | b[at + 1];
    if (length < 2) {
      return std::unexpected(Error::Malformed("damaged: JPEG segment at byte " +
                                              std::to_string(at) + " has length " +
                                              std::to_string(length)));
    }
    if (b.size() - at < length) return cut("inside a segment");
    at += length;
    if (marker != 0xda) continue;  // not SOS
    // Entropy-coded data: runs to the next marker other than a stuffed FF00 or a restart.
    for (;;) {
      while (at < b.size() && b[at] != 0xff) ++at;
      if (b.size() - at < 2) return cut("inside image data");
      const std::uint8_t next = b[at + 1];
      if (next == 0x00 || (next >= 0xd0 && next <= 0xd7) || next == 0xff) {
        at += next == 0xff ? 1 : 2;
        continue;
      }
      break;
    }
  }
}

struct StbFree {
  void operator()(unsigned char* p) const { stbi_image_free(p); }
};

}  // namespace

Result<ImageInfo> InspectImage(ByteView b, const ImageLimits& limits) {
  if (b.size() > limits.max_bytes) {
    return std::unexpected(Error::InvalidArgument(
        "larger than the limit: " + std::to_string(b.size()) + " bytes, at most " +
        std::to_string(limits.max_bytes) + "; save it smaller (JPEG for photographs)"));
  }
  ImageInfo info;
  if (b.size() >= 8 && std::equal(kPngSignature, kPngSignature + 8, b.begin())) {
    info.format = ImageFormat::kPng;
    LONTAR_TRY(WalkPng(b));
  } else if (b.size() >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff) {
    info.format = ImageFormat::kJpeg;
    LONTAR_TRY(WalkJpeg(b));
  } else {
    return std::unexpected(Error::Malformed("not a PNG or JPEG image"));
  }
  int comp = 0;
  if (stbi_info_from_memory(b.data(), static_cast<int>(b.size()), &info.width, &info.height,
                            &comp) == 0) {
    return std::unexpected(
        Error::Malformed(std::string("does not decode: ") + stbi_failure_reason()));
  }
  const std::uint64_t pixels =
      static_cast<std::uint64_t>(info.width) * static_cast<std::uint64_t>(info.height);
  if (info.width < 1 || info.height < 1 || info.width > limits.max_side ||
      info.height > limits.max_side || pixels > limits.max_pixels) {
    return std::unexpected(Error::InvalidArgument(
        "absurd dimensions " + std::to_string(info.width) + "x" + std::to_string(info.height) +
        ": at most " + std::to_string(limits.max_side) + " pixels a side and " +
        std::to_string(limits.max_pixels) + " in all"));
  }
  return info;
}

Result<DecodedImage> DecodeImage(ByteView b, const ImageLimits& limits, int fit_width,
                                 int fit_height) {
  LONTAR_ASSIGN_OR_RETURN(ImageInfo info, InspectImage(b, limits));
  int w = 0, h = 0, comp = 0;
  std::unique_ptr<unsigned char, StbFree> pixels(
      stbi_load_from_memory(b.data(), static_cast<int>(b.size()), &w, &h, &comp, 4));
  if (pixels == nullptr) {
    const std::string why = stbi_failure_reason() != nullptr ? stbi_failure_reason() : "unknown";
    if (why == "outofmem") {
      return std::unexpected(Error::Io("not enough memory to decode a " +
                                       std::to_string(info.width) + "x" +
                                       std::to_string(info.height) + " image"));
    }
    return std::unexpected(Error::Malformed("does not decode: " + why));
  }
  if (w != info.width || h != info.height) {
    return std::unexpected(Error::Malformed("does not decode: its header says " +
                                            std::to_string(info.width) + "x" +
                                            std::to_string(info.height) + ", its pixels " +
                                            std::to_string(w) + "x" + std::to_string(h)));
  }
  DecodedImage out;
  double scale = 1.0;
  if (fit_width > 0 && w > fit_width) scale = std::min(scale, double(fit_width) / w);
  if (fit_height > 0 && h > fit_height) scale = std::min(scale, double(fit_height) / h);
  if (scale < 1.0) {
    out.width = std::max(1, static_cast<int>(w * scale));
    out.height = std::max(1, static_cast<int>(h * scale));
    out.rgba.resize(static_cast<std::size_t>(out.width) * out.height * 4);
    if (stbir_resize_uint8(pixels.get(), w, h, 0, out.rgba.data(), out.width, out.height, 0, 4) ==
        0) {
      return std::unexpected(Error::Io("not enough memory to scale a " + std::to_string(w) + "x" +
                                       std::to_string(h) + " image"));
    }
  } else {
    out.width = w;
    out.height = h;
    out.rgba.assign(pixels.get(), pixels.get() + static_cast<std::size_t>(w) * h * 4);
  }
  return out;
}

Status CheckImage(ByteView bytes, const ImageLimits& limits) {
  LONTAR_ASSIGN_OR_RETURN(DecodedImage image, DecodeImage(bytes, limits));
  (void)image;
  return Ok();
}

}  // namespace lontar::pack

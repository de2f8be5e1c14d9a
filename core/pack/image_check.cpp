#include "core/pack/image_check.hpp"

#include <algorithm>
#include <array>

#include <zlib.h>

#include "core/pack/image_decode.hpp"
#include "core/pack/image_scale.hpp"

namespace lontar::pack {
namespace {

constexpr std::uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

std::uint32_t BigEndian32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

// CRC-32 as PNG defines it (ISO 3309, the polynomial zlib's crc32 computes), over type and data.
// zlib's, not a byte-at-a-time table of our own: the walk runs over every byte of every image
// `pack build` checks, and the table was a tenth of the check's CPU.
std::uint32_t Crc32(ByteView data) {
  uLong c = crc32_z(0L, Z_NULL, 0);
  return static_cast<std::uint32_t>(crc32_z(c, data.data(), data.size()));
}

std::string ChunkName(const std::uint8_t* type) {
  std::string name;
  for (int i = 0; i < 4; ++i) {
    const char c = static_cast<char>(type[i]);
    name += (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ? c : '?';
  }
  return name;
}

std::uint32_t BigEndian16(const std::uint8_t* p) { return std::uint32_t{p[0]} << 8 | p[1]; }

// What the walks take from the headers: dimensions as stored (up to 2^32 - 1) and the mode.
struct Header {
  std::uint32_t width = 0, height = 0;
  bool whole = false;
};

Status WalkPng(ByteView b, Header& header) {
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
    if (first && length != 13) {
      return std::unexpected(Error::Malformed("damaged: the PNG's IHDR chunk has " +
                                              std::to_string(length) + " bytes, not 13"));
    }
    if (first) {
      header.width = BigEndian32(&b[at + 8]);
      header.height = BigEndian32(&b[at + 12]);
      header.whole = b[at + 8 + 12] != 0;  // interlace method: 1 is Adam7
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

Status WalkJpeg(ByteView b, Header& header) {
  bool frame = false;
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
    if (marker == 0xd9) {  // EOI
      if (!frame) return std::unexpected(Error::Malformed("damaged: the JPEG has no frame header"));
      return Ok();
    }
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
    // SOF0..SOF15 but DHT (C4), JPG (C8), DAC (CC): precision u8, height u16, width u16, ...
    const bool sof =
        marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
    if (sof && !frame) {
      if (length < 8) {
        return std::unexpected(Error::Malformed("damaged: JPEG frame header at byte " +
                                                std::to_string(at) + " is too short"));
      }
      frame = true;
      header.height = BigEndian16(&b[at + 3]);
      header.width = BigEndian16(&b[at + 5]);
      header.whole = (marker & 0x03) == 0x02;  // C2, C6, CA, CE: progressive
    }
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

}  // namespace

Result<ImageInfo> InspectImage(ByteView b, const ImageLimits& limits) {
  if (b.size() > limits.max_bytes) {
    return std::unexpected(Error::InvalidArgument(
        "larger than the limit: " + std::to_string(b.size()) + " bytes, at most " +
        std::to_string(limits.max_bytes) + "; save it smaller (JPEG for photographs)"));
  }
  ImageInfo info;
  Header header;
  if (b.size() >= 8 && std::equal(kPngSignature, kPngSignature + 8, b.begin())) {
    info.format = ImageFormat::kPng;
    LONTAR_TRY(WalkPng(b, header));
  } else if (b.size() >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff) {
    info.format = ImageFormat::kJpeg;
    LONTAR_TRY(WalkJpeg(b, header));
  } else {
    return std::unexpected(Error::Malformed("not a PNG or JPEG image"));
  }
  const std::uint64_t pixels = std::uint64_t{header.width} * header.height;
  const auto side = static_cast<std::uint32_t>(limits.max_side);
  if (header.width < 1 || header.height < 1 || header.width > side || header.height > side ||
      pixels > limits.max_pixels) {
    return std::unexpected(Error::InvalidArgument(
        "absurd dimensions " + std::to_string(header.width) + "x" + std::to_string(header.height) +
        ": at most " + std::to_string(limits.max_side) + " pixels a side and " +
        std::to_string(limits.max_pixels) + " in all"));
  }
  if (header.whole && pixels > limits.max_whole_pixels) {
    const bool png = info.format == ImageFormat::kPng;
    return std::unexpected(Error::InvalidArgument(
        std::string(png ? "interlaced PNG" : "progressive JPEG") + " of " +
        std::to_string(header.width) + "x" + std::to_string(header.height) +
        ": such an image is decoded whole, so it may have at most " +
        std::to_string(limits.max_whole_pixels) + " pixels; save it " +
        (png ? "without interlacing" : "as a baseline (not progressive) JPEG") + " or smaller"));
  }
  info.width = static_cast<int>(header.width);
  info.height = static_cast<int>(header.height);
  info.whole = header.whole;
  return info;
}

Result<DecodedImage> DecodeImage(ByteView b, const ImageLimits& limits, int fit_width,
                                 int fit_height) {
  LONTAR_ASSIGN_OR_RETURN(ImageInfo info, InspectImage(b, limits));
  int out_w = 0, out_h = 0;
  FitInside(info.width, info.height, fit_width, fit_height, out_w, out_h);
  return info.format == ImageFormat::kPng ? detail::DecodePng(b, info, out_w, out_h)
                                          : detail::DecodeJpeg(b, info, out_w, out_h);
}

Status CheckImage(ByteView bytes, const ImageLimits& limits) {
  LONTAR_ASSIGN_OR_RETURN(ImageInfo info, InspectImage(bytes, limits));
  if (info.format == ImageFormat::kPng) return detail::CheckPng(bytes, info);
  // libjpeg decodes a JPEG this small at 1/8 of its size (the DC coefficients only), reading
  // every entropy-coded block as a full decode does.
  int out_w = 0, out_h = 0;
  FitInside(info.width, info.height, 64, 64, out_w, out_h);
  LONTAR_ASSIGN_OR_RETURN(DecodedImage image, detail::DecodeJpeg(bytes, info, out_w, out_h));
  (void)image;
  return Ok();
}

}  // namespace lontar::pack

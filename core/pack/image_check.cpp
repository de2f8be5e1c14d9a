#include "core/pack/image_check.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#include <zlib.h>

#include "core/pack/image_decode.hpp"
#include "core/pack/image_scale.hpp"

namespace lontar::pack {
namespace {

constexpr std::uint8_t kPngSignature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

std::uint32_t BigEndian32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} << 24 | std::uint32_t{p[1]} << 16 | std::uint32_t{p[2]} << 8 | p[3];
}

// CRC-32 as PNG defines it (ISO 3309, the polynomial zlib's crc32 computes), over type and data,
// a piece at a time: start with Crc32(0, first piece), feed every piece; the result is the CRC.
// zlib's, not a byte-at-a-time table of our own: the walk runs over every byte of every image
// `pack build` checks, and the table was a tenth of the check's CPU.
std::uint32_t Crc32(std::uint32_t c, ByteView data) {
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

// The walks read the file through `r`, positioned after the signature, and take the file's size
// from the source (`size`): a source that ends sooner counts as cut short there.

Status WalkPng(BufferedReader& r, std::uint64_t size, Header& header) {
  bool first = true;
  for (;;) {
    const std::uint64_t at = r.position();
    std::uint8_t head[8];  // length, type
    LONTAR_ASSIGN_OR_RETURN(std::size_t got, r.Read(head, sizeof head));
    if (got < sizeof head || size - at < 12) {
      return std::unexpected(Error::Malformed("cut short: the PNG ends at byte " +
                                              std::to_string(size) + " before its IEND chunk"));
    }
    const std::uint32_t length = BigEndian32(head);
    const std::uint8_t* type = head + 4;
    if (length > size - at - 12) {
      return std::unexpected(Error::Malformed(
          "cut short: PNG chunk " + ChunkName(type) + " at byte " + std::to_string(at) + " needs " +
          std::to_string(length) + " bytes, the file has " + std::to_string(size - at - 12)));
    }
    const std::string name = ChunkName(type);
    if (first && name != "IHDR") {
      return std::unexpected(Error::Malformed("damaged: the PNG does not start with IHDR"));
    }
    if (first && length != 13) {
      return std::unexpected(Error::Malformed("damaged: the PNG's IHDR chunk has " +
                                              std::to_string(length) + " bytes, not 13"));
    }
    std::uint32_t crc = Crc32(0, ByteView(type, 4));
    std::uint64_t left = length;
    if (first) {
      // IHDR: width u32 | height u32 | bit depth | colour type | compression | filter |
      // interlace method (1 is Adam7)
      std::uint8_t ihdr[13] = {};
      LONTAR_ASSIGN_OR_RETURN(got, r.Read(ihdr, sizeof ihdr));
      crc = Crc32(crc, ByteView(ihdr, got));
      left -= got;
      header.width = BigEndian32(ihdr);
      header.height = BigEndian32(ihdr + 4);
      header.whole = ihdr[12] != 0;
    }
    while (left > 0) {
      LONTAR_ASSIGN_OR_RETURN(
          ByteView piece,
          r.Next(static_cast<std::size_t>(std::min<std::uint64_t>(left, 1u << 16))));
      if (piece.empty()) break;  // the source ended before its size: the CRC read says so
      crc = Crc32(crc, piece);
      left -= piece.size();
    }
    first = false;
    std::uint8_t stored[4];
    LONTAR_ASSIGN_OR_RETURN(got, r.Read(stored, sizeof stored));
    if (got < sizeof stored) {
      return std::unexpected(Error::Malformed("cut short: the PNG ends at byte " +
                                              std::to_string(size) + " before its IEND chunk"));
    }
    if (crc != BigEndian32(stored)) {
      return std::unexpected(Error::Malformed("damaged: PNG chunk " + name + " at byte " +
                                              std::to_string(at) + " fails its checksum"));
    }
    if (name == "IEND") return Ok();
  }
}

Status WalkJpeg(BufferedReader& r, std::uint64_t size, Header& header) {
  bool frame = false;
  auto cut = [&](const std::string& where) {
    return std::unexpected(Error::Malformed("cut short: the JPEG ends " + where + " at byte " +
                                            std::to_string(size) +
                                            ", before its end marker (FFD9)"));
  };
  bool marker_next = false;  // the entropy-coded data ended at a marker; its FF is taken
  for (;;) {
    // Fill bytes (FF FF ...) may precede a marker.
    LONTAR_ASSIGN_OR_RETURN(int c, r.Peek());
    if (!marker_next) {
      if (c < 0) return cut("between segments");
      if (c != 0xff) {
        return std::unexpected(
            Error::Malformed("damaged: no JPEG marker at byte " + std::to_string(r.position())));
      }
    }
    marker_next = false;
    while (c == 0xff) {
      LONTAR_TRY(r.Next(1));
      LONTAR_ASSIGN_OR_RETURN(c, r.Peek());
    }
    if (c < 0) return cut("in a marker");
    LONTAR_TRY(r.Next(1));
    const std::uint8_t marker = static_cast<std::uint8_t>(c);
    if (marker == 0xd9) {  // EOI
      if (!frame) return std::unexpected(Error::Malformed("damaged: the JPEG has no frame header"));
      return Ok();
    }
    if (marker == 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue;  // no length
    if (marker == 0x00 || marker == 0xd8) {
      return std::unexpected(Error::Malformed("damaged: stray JPEG marker at byte " +
                                              std::to_string(r.position() - 1)));
    }
    const std::uint64_t at = r.position();
    // Length u16 | for SOFn: precision u8 | height u16 | width u16 | ...
    std::uint8_t head[7] = {};
    const bool sof_marker =
        marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
    LONTAR_ASSIGN_OR_RETURN(std::size_t got, r.Read(head, 2));
    if (got < 2 || size - at < 2) return cut("in a segment's length");
    const std::size_t length = std::size_t{head[0]} << 8 | head[1];
    if (length < 2) {
      return std::unexpected(Error::Malformed("damaged: JPEG segment at byte " +
                                              std::to_string(at) + " has length " +
                                              std::to_string(length)));
    }
    if (size - at < length) return cut("inside a segment");
    // SOF0..SOF15 but DHT (C4), JPG (C8), DAC (CC).
    const bool sof = sof_marker && !frame;
    if (sof && length < 8) {
      return std::unexpected(Error::Malformed("damaged: JPEG frame header at byte " +
                                              std::to_string(at) + " is too short"));
    }
    std::size_t left = length - 2;
    if (sof) {
      LONTAR_ASSIGN_OR_RETURN(got, r.Read(head + 2, 5));
      if (got < 5) return cut("inside a segment");
      left -= 5;
      frame = true;
      header.height = BigEndian16(&head[3]);
      header.width = BigEndian16(&head[5]);
      header.whole = (marker & 0x03) == 0x02;  // C2, C6, CA, CE: progressive
    }
    while (left > 0) {
      LONTAR_ASSIGN_OR_RETURN(ByteView piece, r.Next(left));
      if (piece.empty()) return cut("inside a segment");
      left -= piece.size();
    }
    if (marker != 0xda) continue;  // not SOS
    // Entropy-coded data: runs to the next marker other than a stuffed FF00 or a restart.
    for (;;) {
      for (;;) {
        LONTAR_ASSIGN_OR_RETURN(ByteView piece, r.Next(1 << 16));
        if (piece.empty()) return cut("inside image data");
        const void* ff = std::memchr(piece.data(), 0xff, piece.size());
        if (ff == nullptr) continue;
        // Put back what follows the FF: the reader's next bytes are the ones after it.
        const std::size_t after =
            piece.size() - 1 -
            static_cast<std::size_t>(static_cast<const std::uint8_t*>(ff) - piece.data());
        r.Unread(after);
        break;
      }
      LONTAR_ASSIGN_OR_RETURN(int next, r.Peek());
      if (next < 0) return cut("inside image data");
      if (next == 0x00 || (next >= 0xd0 && next <= 0xd7)) {
        LONTAR_TRY(r.Next(1));
        continue;
      }
      if (next == 0xff) continue;  // fill: the next FF is looked at again
      marker_next = true;
      break;
    }
  }
}

}  // namespace

Result<ImageInfo> InspectImage(ByteSource& source, const ImageLimits& limits) {
  const std::uint64_t size = source.size();
  if (size > limits.max_bytes) {
    return std::unexpected(Error::InvalidArgument(
        "larger than the limit: " + std::to_string(size) + " bytes, at most " +
        std::to_string(limits.max_bytes) + "; save it smaller (JPEG for photographs)"));
  }
  LONTAR_TRY(source.Rewind());
  BufferedReader r(source);
  std::uint8_t magic[8] = {};
  LONTAR_ASSIGN_OR_RETURN(std::size_t got, r.Read(magic, 2));
  ImageInfo info;
  Header header;
  LONTAR_ASSIGN_OR_RETURN(const int third, r.Peek());
  if (got == 2 && magic[0] == 0xff && magic[1] == 0xd8 && third == 0xff) {
    info.format = ImageFormat::kJpeg;
    LONTAR_TRY(WalkJpeg(r, size, header));  // after SOI
  } else {
    LONTAR_ASSIGN_OR_RETURN(const std::size_t more, r.Read(magic + 2, 6));
    if (got + more != 8 || !std::equal(kPngSignature, kPngSignature + 8, magic)) {
      return std::unexpected(Error::Malformed("not a PNG or JPEG image"));
    }
    info.format = ImageFormat::kPng;
    LONTAR_TRY(WalkPng(r, size, header));
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

Result<ImageInfo> InspectImage(ByteView bytes, const ImageLimits& limits) {
  MemorySource source(bytes);
  return InspectImage(source, limits);
}

Result<DecodedImage> DecodeImage(ByteSource& source, const ImageLimits& limits, int fit_width,
                                 int fit_height) {
  LONTAR_ASSIGN_OR_RETURN(ImageInfo info, InspectImage(source, limits));
  int out_w = 0, out_h = 0;
  FitInside(info.width, info.height, fit_width, fit_height, out_w, out_h);
  LONTAR_TRY(source.Rewind());
  return info.format == ImageFormat::kPng ? detail::DecodePng(source, info, out_w, out_h)
                                          : detail::DecodeJpeg(source, info, out_w, out_h);
}

Result<DecodedImage> DecodeImage(ByteView bytes, const ImageLimits& limits, int fit_width,
                                 int fit_height) {
  MemorySource source(bytes);
  return DecodeImage(source, limits, fit_width, fit_height);
}

Status CheckImage(ByteView bytes, const ImageLimits& limits) {
  MemorySource source(bytes);
  LONTAR_ASSIGN_OR_RETURN(ImageInfo info, InspectImage(source, limits));
  LONTAR_TRY(source.Rewind());
  if (info.format == ImageFormat::kPng) return detail::CheckPng(source, info);
  // libjpeg decodes a JPEG this small at 1/8 of its size (the DC coefficients only), reading
  // every entropy-coded block as a full decode does.
  int out_w = 0, out_h = 0;
  FitInside(info.width, info.height, 64, 64, out_w, out_h);
  LONTAR_ASSIGN_OR_RETURN(DecodedImage image, detail::DecodeJpeg(source, info, out_w, out_h));
  (void)image;
  return Ok();
}

}  // namespace lontar::pack

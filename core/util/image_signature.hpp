// Whether a file starts as an image Lontar takes (PNG or JPEG): the authoring and import checks
// that a media file is one before it is copied. Only the first bytes are read; `pack build`
// decodes the whole image later (core/pack/image_check.hpp).
#pragma once

#include <cstring>
#include <filesystem>
#include <fstream>

namespace lontar {

// PNG's 8-byte signature or JPEG's start of image (FF D8 FF). False for a file that cannot be
// read. Touches disk.
inline bool StartsAsPngOrJpeg(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  unsigned char head[8] = {};
  in.read(reinterpret_cast<char*>(head), sizeof head);
  static const unsigned char kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  const bool png = std::memcmp(head, kPng, 8) == 0;
  const bool jpeg = head[0] == 0xff && head[1] == 0xd8 && head[2] == 0xff;
  return png || jpeg;
}

}  // namespace lontar

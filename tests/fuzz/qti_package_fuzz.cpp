// A QTI package is a zip from outside (package.hpp): the input is written to a file, opened as a
// zip, and every entry read with a small limit. libzip does the parsing; this checks that what
// Package adds (name checks, bomb checks, bounded reads) holds for any bytes.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "core/interop/package.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/lontar_qti_package_fuzz." + std::to_string(::getpid());
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  if (auto pkg = lontar::interop::Package::Open(path)) {
    for (const std::string& entry : pkg->entries()) (void)pkg->Read(entry, 64 * 1024);
  }
  std::remove(path.c_str());
  return 0;
}

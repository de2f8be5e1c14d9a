// imsmanifest.xml comes from an item bank's package: untrusted XML (qti_manifest.hpp).
#include <cstdint>
#include <string_view>

#include "core/interop/qti_manifest.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)lontar::interop::ParseManifest(text, "imsmanifest.xml");
  return 0;
}

// The signed envelope is the outer layer of every signed record people carry between machines.
#include <cstdint>

#include "core/format/signed_envelope.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)lontar::format::ReadSignedEnvelope(lontar::ByteView(data, size), "lontar-enrollment", 1,
                                           64 * 1024);
  return 0;
}

// A receipt arrives from the network and is parsed by every terminal that syncs.
#include <cstdint>

#include "core/bundle/receipt.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)lontar::bundle::ParseReceipt(lontar::ByteView(data, size));
  return 0;
}

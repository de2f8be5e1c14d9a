// A receipt arrives from the network and is parsed by every terminal that syncs.
#include <cstdint>

#include "core/server/receipt.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)lontar::server::ParseReceipt(lontar::ByteView(data, size));
  return 0;
}

// A request head arrives from any client on the network and is checked by the collection server
// before cpp-httplib parses it (core/sync/request_head.hpp).
#include <cstdint>
#include <string_view>

#include "core/sync/request_head.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view head(reinterpret_cast<const char*>(data), size);
  (void)lontar::sync::CheckRequestHead(head, {.max_body_bytes = 1 << 20, .max_header_lines = 8});
  return 0;
}

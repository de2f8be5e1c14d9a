// A QTI item or test comes from an item bank's package: untrusted XML. The same input is read as
// an item (qti_item.hpp) and as a test (qti_test.hpp); neither may crash, leak or read out of
// bounds, whatever the bytes.
#include <cstdint>
#include <string_view>

#include "core/interop/qti_item.hpp"
#include "core/interop/qti_test.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)lontar::interop::ReadQtiItem(text, "items/q.xml", {5});
  (void)lontar::interop::ReadQtiTest(text, "test.xml");
  return 0;
}

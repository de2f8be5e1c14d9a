// Sitting events as the journal and hand-off records carry them ("type\npayload"): the decoder
// must refuse anything malformed with an error, never crash, and whatever it accepts must
// encode and decode again.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/exam/sitting.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = input.find('\n');
  if (nl == std::string_view::npos) return 0;
  auto event = lontar::exam::FromJson(input.substr(0, nl), input.substr(nl + 1));
  if (!event) return 0;
  const lontar::exam::EncodedEvent again = lontar::exam::ToJson(*event);
  if (!lontar::exam::FromJson(again.type, again.payload)) std::abort();
  return 0;
}

// Enrollment records arrive from terminals on USB sticks: parse defensively, never crash, and
// never accept a record whose signature does not cover what was parsed.
#include <cstdint>
#include <cstdlib>

#include "core/terminal/enrollment.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto record = lontar::terminal::ReadEnrollment(lontar::ByteView(data, size));
  if (record && record->terminal_id.rfind("T-", 0) != 0) std::abort();
  return 0;
}

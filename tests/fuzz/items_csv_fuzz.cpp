// The items spreadsheet comes from an exam author's spreadsheet program (items_csv.hpp): any
// bytes must end in items or in "FILE:ROW:COLUMN" problems, never in a crash.
#include <cstdint>
#include <string_view>

#include "core/interop/items_csv_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)lontar::interop::ReadItemsCsv(text, "items.csv", {"integritas"}, nullptr);
  return 0;
}

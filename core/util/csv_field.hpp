// Writing CSV (RFC 4180) fields: the one quoting rule every CSV Lontar writes follows.
#pragma once

#include <string>
#include <string_view>

namespace lontar {

// `s` as one CSV field: as it is when it holds no comma, quote, CR or LF; otherwise in double
// quotes with each quote doubled. Pure.
std::string CsvField(std::string_view s);

}  // namespace lontar

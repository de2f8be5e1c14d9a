// libzip's words for an error code that zip_open gave back (it has no zip_t to ask).
#pragma once

#include <zip.h>

#include <string>

namespace lontar::interop {

inline std::string ZipErrorText(int code) {
  zip_error_t ze;
  zip_error_init_with_code(&ze, code);
  std::string why = zip_error_strerror(&ze);
  zip_error_fini(&ze);
  return why;
}

}  // namespace lontar::interop

// The collection server's check of one HTTP request head (request line and header lines, as
// read from the socket up to and including the blank line), before any body byte is read:
// the part of request parsing that Lontar does itself, in front of cpp-httplib's parser
// (provision/http_limits.hpp says why), and so the part with a fuzz target
// (tests/fuzz/request_head_fuzz.cpp).
//
// Refusals, each with a message for the client's operator:
//   431 more than max_header_lines header lines
//   411 any Transfer-Encoding (chunked), and a PUT/POST/PATCH without Content-Length
//   413 a Content-Length above max_body_bytes
//   400 a malformed or repeated-and-different Content-Length, a header name that is empty or
//       holds white space, a head that does not end in the blank line
// Lines without a colon are passed over (the library skips them too). The size of the whole head
// (max_head_bytes) is the reader's to bound, before it calls this.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

namespace lontar::sync {

struct HeadLimits {
  std::uint64_t max_body_bytes = 16 << 20;
  std::size_t max_header_lines = 64;
};

struct HeadRefusal {
  int status;
  std::string message;
};

// The request's Content-Length (0 when it has none and needs none), or why it is refused. Pure.
[[nodiscard]] std::variant<std::uint64_t, HeadRefusal> CheckRequestHead(std::string_view head,
                                                                        const HeadLimits& limits);

}  // namespace lontar::sync

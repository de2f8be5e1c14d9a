// The server's own check of a request head (core/sync/request_head.hpp), one case per answer;
// server_limits_test.cpp sends the same heads to a real `lontar serve`.
#include "core/sync/request_head.hpp"

#include <gtest/gtest.h>

namespace lontar::sync {
namespace {

const HeadLimits kLimits{.max_body_bytes = 1000, .max_header_lines = 4};

HeadRefusal Refused(std::string_view head) {
  auto r = CheckRequestHead(head, kLimits);
  EXPECT_TRUE(std::holds_alternative<HeadRefusal>(r)) << head;
  return std::holds_alternative<HeadRefusal>(r) ? std::get<HeadRefusal>(r) : HeadRefusal{0, ""};
}

TEST(RequestHead, GivesTheContentLength) {
  auto r =
      CheckRequestHead("PUT /v1/bundles/a HTTP/1.1\r\ncontent-LENGTH:  1000 \r\n\r\n", kLimits);
  ASSERT_TRUE(std::holds_alternative<std::uint64_t>(r));
  EXPECT_EQ(std::get<std::uint64_t>(r), 1000u);
  // A GET needs none; a line without a colon is passed over; the same length twice is fine.
  r = CheckRequestHead("GET / HTTP/1.1\r\nno colon\r\n\r\n", kLimits);
  EXPECT_EQ(std::get<std::uint64_t>(r), 0u);
  r = CheckRequestHead("PUT / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", kLimits);
  EXPECT_EQ(std::get<std::uint64_t>(r), 5u);
}

TEST(RequestHead, EachRefusalHasItsStatusAndMessage) {
  struct Case {
    std::string head;
    int status;
    std::string message;
  };
  const Case cases[] = {
      {"GET / HTTP/1.1\r\n", 400, "does not end in a blank line"},
      {"GET / HTTP/1.1\r\na: 1\r\nb: 2\r\nc: 3\r\nd: 4\r\ne: 5\r\n\r\n", 431,
       "more than 4 header lines"},
      {"PUT / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 411,
       "Transfer-Encoding 'chunked' is refused"},
      {"PUT / HTTP/1.1\r\nHost: a\r\n\r\n", 411, "a PUT needs a Content-Length"},
      {"PUT / HTTP/1.1\r\nContent-Length: 1001\r\n\r\n", 413,
       "bundle oversized: Content-Length 1001 exceeds this server's size cap of 1000 bytes"},
      {"PUT / HTTP/1.1\r\nContent-Length: 1e3\r\n\r\n", 400, "malformed Content-Length '1e3'"},
      {"PUT / HTTP/1.1\r\nContent-Length:\r\n\r\n", 400, "malformed Content-Length ''"},
      {"PUT / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", 400,
       "malformed Content-Length"},
      {"PUT / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400,
       "two different Content-Length headers"},
      {"PUT / HTTP/1.1\r\n: 5\r\n\r\n", 400, "a header name is empty"},
      {"PUT / HTTP/1.1\r\nContent Length: 5\r\n\r\n", 400, "contains white space"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.head);
    const HeadRefusal r = Refused(c.head);
    EXPECT_EQ(r.status, c.status);
    EXPECT_NE(r.message.find(c.message), std::string::npos) << r.message;
  }
}

}  // namespace
}  // namespace lontar::sync

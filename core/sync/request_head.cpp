#include "core/sync/request_head.hpp"

#include <optional>

namespace lontar::sync {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::variant<std::uint64_t, HeadRefusal> CheckRequestHead(std::string_view head,
                                                          const HeadLimits& limits) {
  if (!head.ends_with("\r\n\r\n")) {
    return HeadRefusal{400, "malformed request: the head does not end in a blank line"};
  }
  std::string_view rest = head;
  rest.remove_suffix(4);  // the blank line
  const auto eol = rest.find("\r\n");
  const std::string_view request_line = rest.substr(0, eol);
  const std::string method(request_line.substr(0, request_line.find(' ')));
  rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 2);
  std::size_t lines = 0;
  std::optional<std::uint64_t> length;
  while (!rest.empty()) {
    const auto end = rest.find("\r\n");
    const std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 2);
    if (++lines > limits.max_header_lines) {
      return HeadRefusal{431, "more than " + std::to_string(limits.max_header_lines) +
                                  " header lines: this server takes at most that many"};
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;  // the library skips such lines too
    const std::string_view name = line.substr(0, colon);
    if (name.empty() || name.find_first_of(" \t") != std::string_view::npos) {
      return HeadRefusal{400,
                         "malformed header line: a header name is empty or contains white space"};
    }
    const std::string lower = Lower(name);
    const std::string_view value = Trim(line.substr(colon + 1));
    if (lower == "transfer-encoding") {
      return HeadRefusal{411, "Transfer-Encoding '" + std::string(value.substr(0, 40)) +
                                  "' is refused: send the body with a Content-Length"};
    }
    if (lower != "content-length") continue;
    if (value.empty() || value.size() > 19 ||
        value.find_first_not_of("0123456789") != std::string_view::npos) {
      return HeadRefusal{400,
                         "malformed Content-Length '" + std::string(value.substr(0, 40)) + "'"};
    }
    const std::uint64_t n = std::stoull(std::string(value));
    if (length && *length != n) {
      return HeadRefusal{400, "two different Content-Length headers"};
    }
    length = n;
  }
  if (!length && (method == "PUT" || method == "POST" || method == "PATCH")) {
    return HeadRefusal{411, "a " + method + " needs a Content-Length: send the body with its size"};
  }
  if (length && *length > limits.max_body_bytes) {
    return HeadRefusal{413, "bundle oversized: Content-Length " + std::to_string(*length) +
                                " exceeds this server's size cap of " +
                                std::to_string(limits.max_body_bytes) + " bytes (--max-bundle-mb)"};
  }
  return length.value_or(0);
}

}  // namespace lontar::sync

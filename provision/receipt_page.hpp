// The page a candidate or proctor opens to ask whether a result arrived: GET /receipt shows a
// form for the receipt code; GET /receipt?code=CODE answers in plain words, in Indonesian and
// English: arrived or not, when, at which server, and on a site relay whether the collection
// server has confirmed it. It never shows a score, a participant number or any other content of
// the bundle. Every string is escaped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace lontar::cli {

struct ReceiptLookup {
  std::string code;  // as typed (empty: show the form only)
  bool found = false;
  std::string error;  // when not found: why (a mistyped code, or not here)
  std::int64_t stored_ms = 0;
  std::string server_key_id;
  bool is_relay = false;
  // On a relay: when the collection server confirmed it (nullopt: not yet).
  std::optional<std::int64_t> confirmed_ms;
};

// The whole HTML page. Pure.
std::string ReceiptHtml(const ReceiptLookup& lookup);

}  // namespace lontar::cli

// The facts that name one result bundle to people and scripts, as one JSON object: what
// `lontar bundles verify --json` prints for each bundle it checked and what a collection server's
// GET /v1/receipts/CODE answers. One builder, so that a field reads the same in both.
//
// Object (keys in this order):
//   receipt_code   the candidate's code (receipt_code.hpp)
//   bundle_id      64 lower-case hex digits
//   terminal_id    "T-" + key id of the terminal that signed it
//   site           the terminal's site code
//   exam_id        the exam the sitting was for
//   seq            the bundle's per-terminal number
//   kind           "submitted" | "voided"
// Callers add their own fields after these (a verified file's participant and journal_seq; a
// stored bundle's stored time and receipt). The participant is not among them: the receipts
// endpoint answers anyone who holds a code.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/bundle/bundle_format.hpp"

namespace lontar::bundle {

struct BundleFacts {
  std::string receipt_code;
  std::string bundle_id;  // hex
  std::string terminal_id, site, exam_id;
  std::uint64_t seq = 0;
  std::string kind;  // KindName
};

// The facts of a verified header. Pure.
BundleFacts FactsOf(const BundleHeader& header);

// The object described above. Pure.
nlohmann::ordered_json BundleFactsJson(const BundleFacts& facts);

}  // namespace lontar::bundle

#include "core/bundle/bundle_json.hpp"

#include "core/bundle/receipt_code.hpp"
#include "core/util/bytes.hpp"

namespace lontar::bundle {

BundleFacts FactsOf(const BundleHeader& h) {
  return BundleFacts{.receipt_code = ReceiptCodeFor(h.bundle_id),
                     .bundle_id = HexEncode(h.bundle_id),
                     .terminal_id = h.terminal_id,
                     .site = h.site,
                     .exam_id = h.exam_id,
                     .seq = h.seq,
                     .kind = std::string(KindName(h.kind))};
}

nlohmann::ordered_json BundleFactsJson(const BundleFacts& f) {
  nlohmann::ordered_json j;
  j["receipt_code"] = f.receipt_code;
  j["bundle_id"] = f.bundle_id;
  j["terminal_id"] = f.terminal_id;
  j["site"] = f.site;
  j["exam_id"] = f.exam_id;
  j["seq"] = f.seq;
  j["kind"] = f.kind;
  return j;
}

}  // namespace lontar::bundle

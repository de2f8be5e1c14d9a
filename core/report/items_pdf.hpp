// items.pdf: the item analysis as a printable A4 report for the exam authority, drawn with the
// report Document layer (document.hpp). One heading per section with its summary (items, mean,
// SD, KR-20 or alpha), then a table of its items: type, p (dichotomous) or mean/max
// (polytomous), discrimination, point-biserial, the share choosing each option (columns A.. up to
// the most options an item has) and blank in percent, and the flags in words; rows with negative
// discrimination are drawn in red. The last part explains each figure. Definitions are those of
// item_analysis.hpp; figures are rounded to two decimals (items.csv has four).
#pragma once

#include <filesystem>
#include <string>

#include "core/report/document.hpp"
#include "core/report/item_analysis.hpp"
#include "core/util/error.hpp"

namespace lontar::report {

struct ItemsPdfOptions {
  std::string lang = "id";  // "id" (Bahasa Indonesia) or "en"
  std::string exam;         // the exam's title and version, printed under the title
  std::string header_left;  // running header, e.g. the agency
};

// Writes `path` (through PATH.tmp, as Document does). kInvalidArgument for a language other
// than id or en; otherwise the Document's errors, naming the file. Touches disk.
[[nodiscard]] Status WriteItemsPdf(const std::filesystem::path& path, Fonts& fonts,
                                   const ItemAnalysis& analysis, const ItemsPdfOptions& options);

}  // namespace lontar::report

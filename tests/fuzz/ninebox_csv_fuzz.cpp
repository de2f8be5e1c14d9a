// The two CSVs of `lontar results ninebox` come from outside: the agency's kinerja ratings (a
// spreadsheet export) and a results CSV that may have been edited. The input is split at the
// first NUL byte: before it the results CSV, after it the performance CSV (no NUL: both are the
// same text). Each is parsed on its own by the CSV reader, then both together into a map, whose
// CSV is written; the same input is also read as competency potential with numeric cut-offs.
#include <cstdint>
#include <string_view>

#include "core/report/csv_reader.hpp"
#include "core/report/ninebox.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto nul = text.find('\0');
  const std::string_view results = text.substr(0, nul);
  const std::string_view performance = nul == std::string_view::npos ? text : text.substr(nul + 1);
  (void)lontar::report::ParseCsv(text, "input.csv");
  for (const auto source :
       {lontar::report::PotentialSource::kJpm, lontar::report::PotentialSource::kCompetency}) {
    lontar::report::NineBoxOptions options;
    options.potential = source;
    if (source == lontar::report::PotentialSource::kCompetency) {
      options.performance_cuts = lontar::report::Cuts{60, 80};
      options.exam_id = "CACT-2026";
    }
    auto map =
        lontar::report::BuildNineBox(results, "cohort.csv", performance, "kinerja.csv", options);
    if (map) (void)lontar::report::NineBoxCsv(*map);
  }
  return 0;
}

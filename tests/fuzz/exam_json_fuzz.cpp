// A pack's exam.json and roster.json ("exam\nroster", the roster on the last line) as a terminal
// and `results open` read them: ExamFromJson must refuse anything malformed with an error, never
// crash, and whatever it accepts must encode and decode again, and score an empty sitting of
// every participant (the scorer looks up pass rules, sections and positions by id).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/model/exam.hpp"
#include "core/scoring/score.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = input.rfind('\n');
  if (nl == std::string_view::npos) return 0;
  auto exam = lontar::model::ExamFromJson(input.substr(0, nl), input.substr(nl + 1));
  if (!exam) return 0;
  const std::string again = lontar::model::ExamToJson(*exam);
  if (!lontar::model::ExamFromJson(again, lontar::model::RosterToJson(exam->roster))) {
    std::abort();
  }
  for (const auto& p : exam->roster) {
    // An unknown position is an error to return; an accepted group always has its rule.
    auto score = lontar::scoring::Score(*exam, {}, "", p.group);
    if (!score) std::abort();
  }
  return 0;
}

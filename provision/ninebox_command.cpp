// `lontar results ninebox`: the agency's talent-management staff place each candidate of a
// competency exam in the nine-box grid, potential (from the results) against performance (their
// own kinerja ratings). The placing is core/report/ninebox.hpp, the drawing ninebox_pdf.hpp;
// this file reads the two files, writes ninebox.csv and ninebox.pdf and says what was left out.
#include <charconv>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/report/ninebox.hpp"
#include "core/report/ninebox_pdf.hpp"
#include "core/util/fs.hpp"
#include "provision/cli.hpp"

namespace lontar::cli {
namespace {

using Json = nlohmann::ordered_json;

// Both inputs are small (a province's cohort is some megabytes); the limit only keeps a wrong
// file (a disk image, a video) from being read whole.
constexpr std::uint64_t kMaxInputBytes = 256ull << 20;

struct NineBoxArgs {
  std::filesystem::path results, performance, out;
  std::string potential = "jpm", potential_cuts, performance_cuts, exam;
  bool json = false;
};

// "78,90" -> {78, 90}.
Result<report::Cuts> ParseCuts(const std::string& text, std::string_view option) {
  const auto comma = text.find(',');
  const auto bad = [&] {
    return std::unexpected(Error::InvalidArgument(
        std::string(option) + " '" + text +
        "': give two numbers, MIDDLE,TOP: where the middle class starts and where the top "
        "class starts (e.g. 78,90)"));
  };
  if (comma == std::string::npos) return bad();
  const auto number = [](std::string_view s, double& v) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return !s.empty() && ec == std::errc() && end == s.data() + s.size();
  };
  report::Cuts cuts;
  if (!number(std::string_view(text).substr(0, comma), cuts.medium) ||
      !number(std::string_view(text).substr(comma + 1), cuts.high)) {
    return bad();
  }
  LONTAR_TRY(report::CheckCuts(cuts, option));
  return cuts;
}

std::string Participants(const report::NineBoxMap& map, const std::vector<std::size_t>& which) {
  std::string out;
  for (std::size_t i = 0; i < which.size(); ++i) {
    if (i == 20) return out + ", ... (" + std::to_string(which.size() - 20) + " more)";
    out += (i ? ", " : "") + map.entries[which[i]].participant;
  }
  return out;
}

Status NineBox(const NineBoxArgs& a) {
  report::NineBoxOptions options;
  options.potential = a.potential == "competency" ? report::PotentialSource::kCompetency
                                                  : report::PotentialSource::kJpm;
  if (!a.potential_cuts.empty()) {
    LONTAR_ASSIGN_OR_RETURN(options.potential_cuts,
                            ParseCuts(a.potential_cuts, "--potential-cuts"));
  }
  if (!a.performance_cuts.empty()) {
    LONTAR_ASSIGN_OR_RETURN(options.performance_cuts,
                            ParseCuts(a.performance_cuts, "--performance-cuts"));
  }
  options.exam_id = a.exam;
  LONTAR_ASSIGN_OR_RETURN(const Bytes results, ReadFile(a.results, kMaxInputBytes));
  LONTAR_ASSIGN_OR_RETURN(const Bytes performance, ReadFile(a.performance, kMaxInputBytes));
  LONTAR_ASSIGN_OR_RETURN(
      const report::NineBoxMap map,
      report::BuildNineBox(AsChars(results), a.results.string(), AsChars(performance),
                           a.performance.string(), options));
  const std::string csv = report::NineBoxCsv(map);
  LONTAR_ASSIGN_OR_RETURN(std::unique_ptr<report::Fonts> fonts, report::Fonts::Create());

  // Everything is validated: only now is anything written. The PDF first: it is the one that
  // can fail for want of space, and a ninebox.csv alone would look like a finished run.
  LONTAR_TRY(EnsureDir(a.out, 0750));
  const auto csv_path = a.out / "ninebox.csv";
  const auto pdf_path = a.out / "ninebox.pdf";
  LONTAR_TRY(report::WriteNineBoxPdf(map, pdf_path, *fonts));
  LONTAR_TRY(WriteFileAtomic(csv_path, AsBytes(csv), 0640, Overwrite::kReplace));

  std::size_t placed = 0;
  for (int b = 1; b <= 9; ++b) placed += map.box[b].size();
  if (a.json) {
    Json j;
    j["exam_id"] = map.exam_id;
    j["potential"] = report::PotentialSourceName(map.potential_source);
    j["potential_cuts"] = {map.potential_cuts.medium, map.potential_cuts.high};
    if (map.performance_cuts) {
      j["performance_cuts"] = {map.performance_cuts->medium, map.performance_cuts->high};
    }
    j["placed"] = placed;
    Json boxes = Json::object();
    for (int b = 1; b <= 9; ++b) boxes[std::to_string(b)] = map.box[b].size();
    j["boxes"] = std::move(boxes);
    const auto ids = [&](const std::vector<std::size_t>& which) {
      Json list = Json::array();
      for (std::size_t i : which) list.push_back(map.entries[i].participant);
      return list;
    };
    j["without_rating"] = ids(map.without_rating);
    j["without_potential"] = ids(map.without_potential);
    j["csv"] = csv_path.string();
    j["pdf"] = pdf_path.string();
    std::cout << j.dump(2) << "\n";
    return Ok();
  }
  std::cout << "nine-box" << (map.exam_id.empty() ? "" : " of " + map.exam_id) << ": " << placed
            << " of " << map.entries.size() << " participants placed (box 1..9:";
  for (int b = 1; b <= 9; ++b) std::cout << " " << map.box[b].size();
  std::cout << ")\n";
  if (!map.without_rating.empty()) {
    std::cout << map.without_rating.size() << " participant"
              << (map.without_rating.size() == 1 ? "" : "s")
              << " without a performance rating: " << Participants(map, map.without_rating) << "\n";
  }
  if (!map.without_potential.empty()) {
    std::cout << map.without_potential.size() << " participant"
              << (map.without_potential.size() == 1 ? "" : "s")
              << " without a potential value (not scored or voided): "
              << Participants(map, map.without_potential) << "\n";
  }
  std::cout << "written " << csv_path.string() << " and " << pdf_path.string() << "\n";
  return Ok();
}

}  // namespace

void RegisterNineBoxCommand(CLI::App& results, Runner& runner) {
  auto args = std::make_shared<NineBoxArgs>();
  auto* cmd = results.add_subcommand(
      "ninebox", "place candidates in the nine-box talent map: potential x performance (kinerja)");
  cmd->add_option("--results", args->results,
                  "the results CSV: cohort.csv of `results report`, or the CSV of `results open`")
      ->required();
  cmd->add_option("--performance", args->performance,
                  "the agency's ratings, CSV participant,rating (di bawah|sesuai|di atas "
                  "ekspektasi, or a number)")
      ->required();
  cmd->add_option("--out", args->out, "directory to write ninebox.csv and ninebox.pdf into")
      ->required();
  cmd->add_option("--potential", args->potential,
                  "potential from the JPM percentage (jpm, default) or the mean competency "
                  "level (competency)")
      ->check(CLI::IsMember({"jpm", "competency"}));
  cmd->add_option("--potential-cuts", args->potential_cuts,
                  "MIDDLE,TOP: where potential menengah and tinggi start (default 78,90 for jpm, "
                  "3,4 for competency)");
  cmd->add_option("--performance-cuts", args->performance_cuts,
                  "MIDDLE,TOP: for numeric ratings, where sesuai and di atas ekspektasi start");
  cmd->add_option("--exam", args->exam, "refuse results rows of any other exam id");
  cmd->add_flag("--json", args->json, "machine-readable summary");
  runner.RunOnCall(*cmd, [args] { return NineBox(*args); });
}

}  // namespace lontar::cli

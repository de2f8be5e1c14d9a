// `lontar results open`: the exam authority opens a collection store with the results key,
// re-scores every sitting from its raw answers and writes one CSV row per bundle (then one per
// roster participant who never sat, marked absent), and a second
// CSV of every candidate's chosen options per item (core/server/results.hpp has both formats).
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/crypto/key_file.hpp"
#include "core/server/results.hpp"
#include "core/util/fs.hpp"
#include "provision/cli.hpp"
#include "provision/results_inputs.hpp"

namespace lontar::cli {
namespace {

using Json = nlohmann::ordered_json;

struct ResultsArgs {
  ResultsInputs in;
  std::filesystem::path out;
  std::filesystem::path responses;  // default: beside --out, <stem>.responses.csv
  bool json = false;
};

Status Open(const ResultsArgs& a) {
  LONTAR_ASSIGN_OR_RETURN(crypto::BoxSecretKey key, crypto::ReadBoxSecretKeyFile(a.in.key));
  LONTAR_ASSIGN_OR_RETURN(const model::Exam exam, LoadResultsExam(a.in, key));
  LONTAR_ASSIGN_OR_RETURN(const std::vector<crypto::VerifyKey> enrolled, ReadEnrolledKeys(a.in));
  LONTAR_ASSIGN_OR_RETURN(std::unique_ptr<server::StoreBackend> store, OpenResultsStore(a.in));
  // Streamed: each row's answers go to the responses CSV as the bundle is opened and are then
  // dropped, so what stays in memory for the ranking is the compact rows.
  const std::filesystem::path responses_path =
      !a.responses.empty() ? a.responses
                           : a.out.parent_path() / (a.out.stem().string() + ".responses.csv");
  if (std::filesystem::absolute(responses_path) == std::filesystem::absolute(a.out)) {
    return std::unexpected(
        Error::InvalidArgument("--responses " + responses_path.string() +
                               " is the --out file: give the per-item responses CSV another name"));
  }
  server::ResultsReport report;
  std::string responses = server::ResponsesCsvHeader(exam);
  LONTAR_ASSIGN_OR_RETURN(
      server::ResultsWalk walk,
      server::ForEachResult(*store, key, exam, enrolled, [&](server::ResultRow&& row) {
        responses += server::ResponsesCsvLine(row, exam);
        row.answers.clear();
        report.rows.push_back(std::move(row));
        return Ok();
      }));
  report.other_exams = walk.other_exams;
  server::RankResults(report.rows, exam);
  report.absent = server::AbsentParticipants(exam, report.rows);
  const std::string csv = server::ResultsCsv(report, exam);
  LONTAR_TRY(WriteFileAtomic(a.out, AsBytes(csv), 0640, Overwrite::kReplace));
  LONTAR_TRY(WriteFileAtomic(responses_path, AsBytes(responses), 0640, Overwrite::kReplace));
  std::size_t flagged = 0, mismatches = 0, unopenable = 0;
  for (const auto& r : report.rows) {
    flagged += r.flags.empty() ? 0 : 1;
    for (const auto& f : r.flags) {
      mismatches += f == "score-mismatch" ? 1 : 0;
      unopenable += f.rfind("unopenable", 0) == 0 ? 1 : 0;
    }
  }
  if (a.json) {
    Json j;
    j["exam_id"] = exam.id;
    j["rows"] = report.rows.size();
    j["flagged"] = flagged;
    j["score_mismatches"] = mismatches;
    j["unopenable"] = unopenable;
    j["other_exams"] = report.other_exams;
    j["absent"] = report.absent.size();
    Json absent = Json::array();
    for (const auto& r : report.absent) absent.push_back(r.participant);
    j["absent_participants"] = std::move(absent);
    j["out"] = a.out.string();
    j["responses"] = responses_path.string();
    Json rows = Json::array();
    for (const auto& r : report.rows) {
      rows.push_back({{"participant", r.participant},
                      {"terminal_id", r.terminal_id},
                      {"seq", r.seq},
                      {"scored", r.scored},
                      {"total", r.total},
                      {"passed", r.passed},
                      {"ended", std::string(server::EndingName(r.ending))},
                      {"group", r.group},
                      {"rank", r.rank ? Json(*r.rank) : Json(nullptr)},
                      {"flags", r.flags}});
    }
    j["results"] = std::move(rows);
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "results of " << exam.id << ": " << report.rows.size() << " sittings and "
              << report.absent.size() << " absent (on the roster, no bundle) written to "
              << a.out.string() << " (responses per item: " << responses_path.string() << "); "
              << flagged << " flagged (" << mismatches << " score mismatches, " << unopenable
              << " unopenable)";
    if (report.other_exams > 0) std::cout << "; " << report.other_exams << " of other exams";
    std::cout << "\n";
  }
  return Ok();
}

}  // namespace

void RegisterResultsCommands(CLI::App& app, Runner& runner) {
  auto* results = AddCommandGroup(app, "results", "open result bundles with the results key");
  auto args = std::make_shared<ResultsArgs>();
  auto* open = results->add_subcommand(
      "open", "decrypt every bundle in a collection store, re-score from raw answers, write CSV");
  AddResultsInputOptions(*open, args->in);
  open->add_option("--out", args->out, "CSV file to write")->required();
  open->add_option("--responses", args->responses,
                   "per-item responses CSV to write (default: beside --out, "
                   "<stem>.responses.csv)");
  open->add_flag("--json", args->json, "machine-readable summary");
  runner.RunOnCall(*open, [args] { return Open(*args); });
  RegisterResultsReportCommand(*results, runner);
  RegisterNineBoxCommand(*results, runner);
}

}  // namespace lontar::cli

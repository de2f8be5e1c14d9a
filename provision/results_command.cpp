// `lontar results open`: the exam authority opens a collection store with the results key,
// re-scores every sitting from its raw answers and writes one CSV row per bundle (then one per
// roster participant who never sat, marked absent), and a second
// CSV of every candidate's chosen options per item (core/server/results.hpp has both formats).
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

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

// Output written through a buffer to a file being made beside its final name (util/fs.hpp
// TempFile): published only by Publish, removed if the run stops before.
class BufferedTempFile {
 public:
  explicit BufferedTempFile(TempFile file) : file_(std::move(file)) {}
  Status Write(std::string_view text) {
    buffer_ += text;
    return buffer_.size() >= kFlushAt ? Flush() : Ok();
  }
  Status Publish() {
    LONTAR_TRY(Flush());
    return file_.Publish(0640, Overwrite::kReplace);
  }

 private:
  static constexpr std::size_t kFlushAt = 1 << 16;
  Status Flush() {
    LONTAR_TRY(file_.WriteAll(AsBytes(buffer_)));
    buffer_.clear();
    return Ok();
  }
  TempFile file_;
  std::string buffer_;
};

// What --json lists of a sitting: kept per row only when asked for.
struct JsonRow {
  std::string participant, terminal_id, group;
  std::uint64_t seq = 0;
  bool scored = false, passed = false;
  double total = 0;
  server::Ending ending = server::Ending::kUnknown;
  std::vector<std::string> flags;
};

Status Open(const ResultsArgs& a) {
  LONTAR_ASSIGN_OR_RETURN(crypto::BoxSecretKey key, crypto::ReadBoxSecretKeyFile(a.in.key));
  LONTAR_ASSIGN_OR_RETURN(const model::Exam exam, LoadResultsExam(a.in, key));
  LONTAR_ASSIGN_OR_RETURN(const std::vector<crypto::VerifyKey> enrolled, ReadEnrolledKeys(a.in));
  LONTAR_ASSIGN_OR_RETURN(std::unique_ptr<server::StoreBackend> store, OpenResultsStore(a.in));
  const std::filesystem::path responses_path =
      !a.responses.empty() ? a.responses
                           : a.out.parent_path() / (a.out.stem().string() + ".responses.csv");
  if (std::filesystem::absolute(responses_path) == std::filesystem::absolute(a.out)) {
    return std::unexpected(
        Error::InvalidArgument("--responses " + responses_path.string() +
                               " is the --out file: give the per-item responses CSV another name"));
  }
  // Both files are written beside their names and replace them only once the whole run has
  // succeeded: an error leaves the files of an earlier run as they were. Streamed: each row's
  // answers go to the responses file as the bundle is opened; what stays in memory per row for
  // the ranking is its ranking key and its results line without the rank (and, for --json, a few
  // fields), not the row.
  LONTAR_ASSIGN_OR_RETURN(TempFile responses_file, TempFile::Beside(responses_path));
  LONTAR_ASSIGN_OR_RETURN(TempFile out_file, TempFile::Beside(a.out));
  BufferedTempFile responses(std::move(responses_file));
  BufferedTempFile out(std::move(out_file));
  LONTAR_TRY(responses.Write(server::ResponsesCsvHeader(exam)));
  std::vector<scoring::RankEntry> entries;
  std::vector<server::UnrankedCsvLine> lines;
  std::vector<JsonRow> json_rows;
  std::set<std::string, std::less<>> sat;
  std::size_t flagged = 0, mismatches = 0, unopenable = 0;
  LONTAR_ASSIGN_OR_RETURN(
      server::ResultsWalk walk,
      server::ForEachResult(*store, key, exam, enrolled, [&](server::ResultRow&& row) -> Status {
        LONTAR_TRY(responses.Write(server::ResponsesCsvLine(row, exam)));
        entries.push_back(server::RankEntryOf(row, exam));
        lines.push_back(server::ResultsCsvLineUnranked(row, exam));
        sat.insert(row.participant);
        flagged += row.flags.empty() ? 0 : 1;
        for (const auto& f : row.flags) {
          mismatches += f == "score-mismatch" ? 1 : 0;
          unopenable += f.rfind("unopenable", 0) == 0 ? 1 : 0;
        }
        if (a.json) {
          json_rows.push_back({.participant = std::move(row.participant),
                               .terminal_id = std::move(row.terminal_id),
                               .group = std::move(row.group),
                               .seq = row.seq,
                               .scored = row.scored,
                               .passed = row.passed,
                               .total = row.total,
                               .ending = row.ending,
                               .flags = std::move(row.flags)});
        }
        return Ok();
      }));
  const std::vector<std::optional<int>> ranks = scoring::Rank(entries);
  entries = {};
  const std::vector<server::ResultRow> absent = server::AbsentParticipantsNotIn(exam, sat);
  sat = {};
  LONTAR_TRY(out.Write(server::ResultsCsvHeader(exam)));
  for (std::size_t i = 0; i < lines.size(); ++i) {
    LONTAR_TRY(out.Write(server::RankedCsvLine(lines[i], ranks[i])));
  }
  for (const server::ResultRow& r : absent) LONTAR_TRY(out.Write(server::ResultsCsvLine(r, exam)));
  const std::size_t row_count = lines.size();
  lines = {};
  // The responses first: if its name cannot be replaced (say a directory is in the way), the
  // results CSV of an earlier run is still untouched.
  LONTAR_TRY(responses.Publish());
  LONTAR_TRY(out.Publish());
  if (a.json) {
    Json j;
    j["exam_id"] = exam.id;
    j["rows"] = row_count;
    j["flagged"] = flagged;
    j["score_mismatches"] = mismatches;
    j["unopenable"] = unopenable;
    j["other_exams"] = walk.other_exams;
    j["absent"] = absent.size();
    Json absent_participants = Json::array();
    for (const auto& r : absent) absent_participants.push_back(r.participant);
    j["absent_participants"] = std::move(absent_participants);
    j["out"] = a.out.string();
    j["responses"] = responses_path.string();
    Json rows = Json::array();
    for (std::size_t i = 0; i < json_rows.size(); ++i) {
      const JsonRow& r = json_rows[i];
      rows.push_back({{"participant", r.participant},
                      {"terminal_id", r.terminal_id},
                      {"seq", r.seq},
                      {"scored", r.scored},
                      {"total", r.total},
                      {"passed", r.passed},
                      {"ended", std::string(server::EndingName(r.ending))},
                      {"group", r.group},
                      {"rank", ranks[i] ? Json(*ranks[i]) : Json(nullptr)},
                      {"flags", r.flags}});
    }
    j["results"] = std::move(rows);
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "results of " << exam.id << ": " << row_count << " sittings and " << absent.size()
              << " absent (on the roster, no bundle) written to " << a.out.string()
              << " (responses per item: " << responses_path.string() << "); " << flagged
              << " flagged (" << mismatches << " score mismatches, " << unopenable
              << " unopenable)";
    if (walk.other_exams > 0) std::cout << "; " << walk.other_exams << " of other exams";
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

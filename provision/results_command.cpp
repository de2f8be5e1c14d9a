// `lontar results open`: the exam authority opens a collection store with the results key,
// re-scores every sitting from its raw answers and writes one CSV row per bundle.
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/authoring/source.hpp"
#include "core/crypto/key_file.hpp"
#include "core/server/results.hpp"
#include "core/terminal/enrollment.hpp"
#include "core/util/fs.hpp"
#include "provision/cli.hpp"

namespace lontar::cli {
namespace {

using Json = nlohmann::ordered_json;

struct ResultsArgs {
  std::filesystem::path store, key, exam, out, enrolled;
  std::string db;  // postgresql://... instead of --store
  bool json = false;
};

Status Open(const ResultsArgs& a) {
  LONTAR_ASSIGN_OR_RETURN(crypto::BoxSecretKey key, crypto::ReadBoxSecretKeyFile(a.key));
  auto source = authoring::LoadSource(a.exam);
  if (!source) {
    return std::unexpected(Error::Malformed(a.exam.string() + ": the exam source has " +
                                            std::to_string(source.error().size()) +
                                            " problems; check it with `lontar pack build`"));
  }
  std::vector<crypto::VerifyKey> enrolled;
  if (!a.enrolled.empty()) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(a.enrolled, ec)) {
      if (e.path().extension() != ".enroll") continue;
      LONTAR_ASSIGN_OR_RETURN(terminal::Enrollment en, terminal::ReadEnrollmentFile(e.path()));
      enrolled.push_back(en.signing_key);
    }
    if (ec) return std::unexpected(Error::FromErrno(a.enrolled.string(), ec.value()));
  }
  const authoring::Exam& exam = source->exam;
  LONTAR_ASSIGN_OR_RETURN(
      std::unique_ptr<server::StoreBackend> store,
      server::OpenStoreBackend({a.store, a.db}, server::StoreAccess::kReadOnly));
  LONTAR_ASSIGN_OR_RETURN(server::ResultsReport report,
                          server::OpenResults(*store, key, exam, enrolled));
  const std::string csv = server::ResultsCsv(report, exam);
  LONTAR_TRY(WriteFileAtomic(a.out, AsBytes(csv), 0640, Overwrite::kReplace));
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
    j["out"] = a.out.string();
    Json rows = Json::array();
    for (const auto& r : report.rows) {
      rows.push_back({{"participant", r.participant},
                      {"terminal_id", r.terminal_id},
                      {"seq", r.seq},
                      {"scored", r.scored},
                      {"total", r.total},
                      {"passed", r.passed},
                      {"flags", r.flags}});
    }
    j["results"] = std::move(rows);
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << "results of " << exam.id << ": " << report.rows.size() << " rows written to "
              << a.out.string() << "; " << flagged << " flagged (" << mismatches
              << " score mismatches, " << unopenable << " unopenable)";
    if (report.other_exams > 0) std::cout << "; " << report.other_exams << " of other exams";
    std::cout << "\n";
  }
  return Ok();
}

}  // namespace

void RegisterResultsCommands(CLI::App& app, Runner& runner) {
  auto* results = app.add_subcommand("results", "open result bundles with the results key");
  results->require_subcommand(1);
  auto args = std::make_shared<ResultsArgs>();
  auto* open = results->add_subcommand(
      "open", "decrypt every bundle in a collection store, re-score from raw answers, write CSV");
  open->add_option("--store", args->store, "the collection server's store directory");
  open->add_option("--db", args->db, "or its PostgreSQL database: postgresql://USER@HOST/DB");
  open->add_option("--key", args->key, "the results secret key (results.key)")->required();
  open->add_option("--exam", args->exam, "the exam source directory the pack was built from")
      ->required();
  open->add_option("--out", args->out, "CSV file to write")->required();
  open->add_option("--enrolled", args->enrolled,
                   "also re-verify each bundle's terminal signature against these records");
  open->add_flag("--json", args->json, "machine-readable summary");
  open->callback([&runner, args] { runner.Run([&] { return Open(*args); }); });
}

}  // namespace lontar::cli

// `lontar results open`: the exam authority opens a collection store with the results key,
// re-scores every sitting from its raw answers and writes one CSV row per bundle, and a second
// CSV of every candidate's chosen options per item (core/server/results.hpp has both formats).
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/authoring/source.hpp"
#include "core/crypto/key_file.hpp"
#include "core/pack/results_access.hpp"
#include "core/server/results.hpp"
#include "core/terminal/enrollment.hpp"
#include "core/util/fs.hpp"
#include "provision/cli.hpp"

namespace lontar::cli {
namespace {

using Json = nlohmann::ordered_json;

struct ResultsArgs {
  std::filesystem::path store, key, pack, exam, out, enrolled;
  std::filesystem::path responses;  // default: beside --out, <stem>.responses.csv
  std::vector<std::filesystem::path> trust;
  std::string db;  // postgresql://... instead of --store
  bool json = false;
};

// The exam to score against: from the pack (opened with the results key, its signature checked
// against the authority's public key) or from the authoring source.
Result<authoring::Exam> LoadExam(const ResultsArgs& a, const crypto::BoxSecretKey& key) {
  if (!a.pack.empty() == !a.exam.empty()) {
    return std::unexpected(
        Error::InvalidArgument("give the exam as exactly one of --pack exam.lpk or --exam SRC"));
  }
  if (!a.exam.empty()) {
    auto source = authoring::LoadSource(a.exam);
    if (!source) {
      return std::unexpected(Error::Malformed(a.exam.string() + ": the exam source has " +
                                              std::to_string(source.error().size()) +
                                              " problems; check it with `lontar pack build`"));
    }
    return std::move(source->exam);
  }
  std::vector<std::filesystem::path> trust = a.trust;
  if (trust.empty()) {
    // The authority's keys are made side by side (`lontar keys new ... --out DIR`).
    const auto beside = a.key.parent_path() / "authority.pub";
    std::error_code ec;
    if (!std::filesystem::exists(beside, ec)) {
      return std::unexpected(Error::NotFound(
          "no authority public key to check the pack's signature with: give --trust "
          "authority.pub (looked for " +
          beside.string() + ")"));
    }
    trust.push_back(beside);
  }
  std::vector<crypto::VerifyKey> trusted;
  for (const auto& t : trust) {
    LONTAR_ASSIGN_OR_RETURN(crypto::VerifyKey k, crypto::ReadSigningPublicKeyFile(t));
    trusted.push_back(k);
  }
  LONTAR_ASSIGN_OR_RETURN(pack::AuthorityView view, pack::OpenPackForResults(a.pack, trusted, key));
  return std::move(view.exam);
}

Status Open(const ResultsArgs& a) {
  LONTAR_ASSIGN_OR_RETURN(crypto::BoxSecretKey key, crypto::ReadBoxSecretKeyFile(a.key));
  LONTAR_ASSIGN_OR_RETURN(const authoring::Exam exam, LoadExam(a, key));
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
  LONTAR_ASSIGN_OR_RETURN(
      std::unique_ptr<server::StoreBackend> store,
      server::OpenStoreBackend({a.store, a.db}, server::StoreAccess::kReadOnly));
  if (!a.store.empty()) LONTAR_TRY(server::CheckSqliteIndexIsCurrent(a.store));
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
    std::cout << "results of " << exam.id << ": " << report.rows.size() << " rows written to "
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
  auto* results = app.add_subcommand("results", "open result bundles with the results key");
  results->require_subcommand(1);
  auto args = std::make_shared<ResultsArgs>();
  auto* open = results->add_subcommand(
      "open", "decrypt every bundle in a collection store, re-score from raw answers, write CSV");
  open->add_option("--store", args->store, "the collection server's store directory");
  open->add_option("--db", args->db, "or its PostgreSQL database: postgresql://USER@HOST/DB");
  open->add_option("--key", args->key, "the results secret key (results.key)")->required();
  open->add_option("--pack", args->pack,
                   "the exam's pack (.lpk); opened with --key, its signature checked with --trust");
  open->add_option("--exam", args->exam,
                   "instead of --pack: the exam source directory the pack was built from");
  open->add_option("--trust", args->trust,
                   "authority public key(s) the pack must be signed by (default: authority.pub "
                   "beside --key)");
  open->add_option("--out", args->out, "CSV file to write")->required();
  open->add_option("--responses", args->responses,
                   "per-item responses CSV to write (default: beside --out, "
                   "<stem>.responses.csv)");
  open->add_option("--enrolled", args->enrolled,
                   "also re-verify each bundle's terminal signature against these records");
  open->add_flag("--json", args->json, "machine-readable summary");
  open->callback([&runner, args] { runner.Run([&] { return Open(*args); }); });
}

}  // namespace lontar::cli

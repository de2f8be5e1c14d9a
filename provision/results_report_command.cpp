// `lontar results report`: the exam authority turns a collection store into the documents people
// act on: a PDF per candidate, the cohort report, and the item analysis (core/report/).
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/crypto/key_file.hpp"
#include "core/report/document.hpp"
#include "core/report/results_report.hpp"
#include "provision/cli.hpp"
#include "provision/results_inputs.hpp"

namespace lontar::cli {
namespace {

using Json = nlohmann::ordered_json;

struct ReportArgs {
  ResultsInputs in;
  std::filesystem::path out;
  std::string lang = "id";
  std::string agency;
  std::string time_zone = "WIB";
  std::vector<std::string> site_time_zones;  // SITE=ZONE
  unsigned threads = 0;
  bool no_candidates = false;
  bool no_items = false;
  bool json = false;
};

Result<report::ReportContext> Context(const ReportArgs& a, const model::Exam& exam) {
  report::ReportContext c;
  c.exam = &exam;
  if (a.lang == "id") {
    c.language = report::Language::kIndonesian;
  } else if (a.lang == "en") {
    c.language = report::Language::kEnglish;
  } else {
    return std::unexpected(
        Error::InvalidArgument("--lang " + a.lang + ": give id (Bahasa Indonesia) or en"));
  }
  c.agency = a.agency;
  LONTAR_ASSIGN_OR_RETURN(c.zone, report::ParseTimeZone(a.time_zone));
  for (const std::string& s : a.site_time_zones) {
    const auto eq = s.rfind('=');
    if (eq == std::string::npos || eq == 0) {
      return std::unexpected(Error::InvalidArgument(
          "--site-time-zone " + s + ": give SITE=ZONE, e.g. --site-time-zone SMD-01=WITA"));
    }
    LONTAR_ASSIGN_OR_RETURN(c.site_zones[s.substr(0, eq)],
                            report::ParseTimeZone(std::string_view(s).substr(eq + 1)));
  }
  return c;
}

Status Report(const ReportArgs& a) {
  LONTAR_ASSIGN_OR_RETURN(crypto::BoxSecretKey key, crypto::ReadBoxSecretKeyFile(a.in.key));
  LONTAR_ASSIGN_OR_RETURN(const model::Exam exam, LoadResultsExam(a.in, key));
  LONTAR_ASSIGN_OR_RETURN(const std::vector<crypto::VerifyKey> enrolled, ReadEnrolledKeys(a.in));
  LONTAR_ASSIGN_OR_RETURN(std::unique_ptr<server::StoreBackend> store, OpenResultsStore(a.in));
  report::ReportOptions options;
  LONTAR_ASSIGN_OR_RETURN(options.context, Context(a, exam));
  options.out_dir = a.out;
  options.generated_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  options.threads = a.threads;
  options.candidate_pdfs = !a.no_candidates;
  options.item_analysis = !a.no_items;
  report::KeepFreedMemoryForReports();  // before the drawing threads start (document.hpp)
  LONTAR_ASSIGN_OR_RETURN(const report::ReportSummary s,
                          report::WriteResultsReport(*store, key, enrolled, options));
  if (a.json) {
    Json j;
    j["exam_id"] = exam.id;
    j["sittings"] = s.sittings;
    j["opened"] = s.opened;
    j["voided"] = s.voided;
    j["ranked"] = s.ranked;
    j["candidate_pdfs"] = s.candidate_pdfs;
    j["other_exams"] = s.other_exams;
    j["unopenable"] = s.unopenable;
    j["not_analysed"] = s.not_analysed;
    Json files = Json::array();
    for (const auto& f : s.files) files.push_back(f.string());
    j["files"] = std::move(files);
    std::cout << j.dump(2) << "\n";
    return Ok();
  }
  std::cout << "report of " << exam.id << " in " << a.out.string() << ": " << s.opened << " of "
            << s.sittings << " sittings opened (" << s.voided << " voided), " << s.ranked
            << " ranked, " << s.candidate_pdfs << " candidate PDFs\n";
  for (const auto& f : s.files) std::cout << "  " << f.string() << "\n";
  if (!s.unopenable.empty()) {
    std::cout << s.unopenable.size()
              << " bundles could not be opened and have no page (check the results key and "
                 "`lontar results open`'s flags):\n";
    for (const auto& u : s.unopenable) std::cout << "  " << u << "\n";
  }
  if (!s.not_analysed.empty()) {
    std::cout << s.not_analysed.size() << " sittings left out of the item analysis:\n";
    for (const auto& u : s.not_analysed) std::cout << "  " << u << "\n";
  }
  if (s.other_exams > 0) std::cout << s.other_exams << " bundles of other exams skipped\n";
  return Ok();
}

}  // namespace

void RegisterResultsReportCommand(CLI::App& results, Runner& runner) {
  auto args = std::make_shared<ReportArgs>();
  auto* report = results.add_subcommand(
      "report",
      "candidate PDFs, the cohort report and the item analysis of a collection store's results");
  AddResultsInputOptions(*report, args->in);
  report->add_option("--out", args->out, "directory to write the reports to")->required();
  report->add_option("--lang", args->lang, "id (Bahasa Indonesia) or en")->capture_default_str();
  report->add_option("--agency", args->agency,
                     "the agency's name, printed atop every page (e.g. \"BKD Provinsi "
                     "Kalimantan Timur\")");
  report
      ->add_option("--time-zone", args->time_zone,
                   "the sites' time zone: WIB, WITA, WIT, UTC or UTC+HH:MM")
      ->capture_default_str();
  report->add_option("--site-time-zone", args->site_time_zones,
                     "a site in another zone: SITE=ZONE (repeatable)");
  report->add_option("--threads", args->threads,
                     "threads drawing candidate PDFs (default: one per core)");
  report->add_flag("--no-candidates", args->no_candidates, "skip the candidate PDFs");
  report->add_flag("--no-items", args->no_items, "skip the item analysis");
  report->add_flag("--json", args->json, "machine-readable summary");
  runner.RunOnCall(*report, [args] { return Report(*args); });
}

}  // namespace lontar::cli

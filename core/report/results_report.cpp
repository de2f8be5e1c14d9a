#include "core/report/results_report.hpp"

#include <atomic>
#include <memory>
#include <mutex>
#include <thread>

#include "core/report/bounded_queue.hpp"
#include "core/report/candidate_page.hpp"
#include "core/report/cohort_model.hpp"
#include "core/report/cohort_pages.hpp"
#include "core/report/item_analysis.hpp"
#include "core/report/items_csv.hpp"
#include "core/report/items_pdf.hpp"
#include "core/report/report_pdf.hpp"
#include "core/report/response_matrix.hpp"
#include "core/server/results.hpp"
#include "core/util/fs.hpp"

namespace lontar::report {
namespace {

// Pages waiting per queue: enough to keep every drawing thread busy, few enough to stay small.
constexpr std::size_t kQueueCapacity = 32;

struct PageJob {
  std::filesystem::path path;
  std::shared_ptr<const CandidatePage> page;
};

// The first error any thread meets; later ones are dropped.
class FirstError {
 public:
  void Set(const Error& e) {
    std::lock_guard lock(mu_);
    if (!error_) error_ = e;
    failed_ = true;
  }
  bool failed() const { return failed_; }
  std::optional<Error> Take() {
    std::lock_guard lock(mu_);
    return error_;
  }

 private:
  std::mutex mu_;
  std::optional<Error> error_;
  std::atomic<bool> failed_{false};
};

// Draws candidate PDFs: `workers` threads for the files under candidates/, one for
// candidates.pdf. Close() waits for them.
class CandidateDrawing {
 public:
  CandidateDrawing(unsigned workers, const std::filesystem::path& combined, Language language,
                   FirstError& error)
      : singles_(kQueueCapacity), combined_(kQueueCapacity), error_(error) {
    for (unsigned i = 0; i < workers; ++i) threads_.emplace_back([this] { DrawSingles(); });
    threads_.emplace_back([this, combined, language] { DrawCombined(combined, language); });
  }
  ~CandidateDrawing() { Close(); }

  void Add(PageJob job) {
    combined_.Push(job.page);
    singles_.Push(std::move(job));
  }

  void Close() {
    singles_.Close();
    combined_.Close();
    for (std::thread& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

  std::size_t written() const { return written_; }

 private:
  void DrawSingles() {
    auto fonts = Fonts::Create();
    if (!fonts) error_.Set(fonts.error());
    while (auto job = singles_.Pop()) {
      if (!fonts || error_.failed()) continue;  // drain so that the producer never blocks
      if (Status s = WriteCandidatePdf(job->path, **fonts, *job->page); !s) {
        error_.Set(s.error());
      } else {
        ++written_;
      }
    }
  }

  void DrawCombined(const std::filesystem::path& path, Language language) {
    auto fonts = Fonts::Create();
    std::optional<Document> doc;
    if (!fonts) {
      error_.Set(fonts.error());
    } else {
      auto created =
          Document::Create(path, **fonts, ReportSetup(path.filename().string(), language));
      if (created) {
        doc.emplace(std::move(*created));
      } else {
        error_.Set(created.error());
      }
    }
    bool any = false;
    while (auto page = combined_.Pop()) {
      if (!doc || error_.failed()) continue;
      DrawCandidatePage(*doc, **page);
      any = true;
    }
    if (doc && !error_.failed() && any) {
      if (Status s = doc->Finish(); !s) error_.Set(s.error());
    }
  }

  BoundedQueue<PageJob> singles_;
  BoundedQueue<std::shared_ptr<const CandidatePage>> combined_;
  FirstError& error_;
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> written_{0};
};

Status MakeDirectory(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec) && !std::filesystem::is_directory(dir, ec)) {
    return std::unexpected(Error::InvalidArgument(
        dir.string() + " exists and is not a directory: give --out a directory"));
  }
  std::filesystem::create_directory(dir, ec);
  if (ec) return std::unexpected(Error::FromErrno(dir.string(), ec.value()));
  if (!std::filesystem::is_directory(dir, ec)) {
    return std::unexpected(Error::InvalidArgument(
        dir.string() + " exists and is not a directory: give --out a directory"));
  }
  return Ok();
}

Status WriteText(const std::filesystem::path& path, const std::string& text,
                 std::vector<std::filesystem::path>& files) {
  LONTAR_TRY(WriteFileAtomic(path, AsBytes(text), 0640, Overwrite::kReplace));
  files.push_back(path);
  return Ok();
}

std::string Where(const server::ResultRow& row) {
  return row.participant + " (" + row.terminal_id + " #" + std::to_string(row.seq) + ")";
}

}  // namespace

Result<ReportSummary> WriteResultsReport(server::StoreBackend& store,
                                         const crypto::BoxSecretKey& results_key,
                                         std::span<const crypto::VerifyKey> enrolled,
                                         const ReportOptions& options) {
  const ReportContext& context = options.context;
  const model::Exam& exam = *context.exam;
  LONTAR_TRY(MakeDirectory(options.out_dir));
  const std::filesystem::path candidates_dir = options.out_dir / "candidates";
  if (options.candidate_pdfs) LONTAR_TRY(MakeDirectory(candidates_dir));
  // Fail on missing fonts before a single bundle is opened.
  LONTAR_ASSIGN_OR_RETURN(std::unique_ptr<Fonts> fonts, Fonts::Create());

  ReportSummary summary;
  CohortBuilder cohort(context);
  LONTAR_ASSIGN_OR_RETURN(ResponseMatrix matrix, ResponseMatrix::ForExam(exam));
  FirstError drawing_error;
  std::optional<CandidateDrawing> drawing;
  if (options.candidate_pdfs) {
    const unsigned workers =
        options.threads != 0 ? options.threads : std::max(1u, std::thread::hardware_concurrency());
    drawing.emplace(workers, options.out_dir / "candidates.pdf", context.language, drawing_error);
  }

  auto walked = server::ForEachResult(
      store, results_key, exam, enrolled, [&](server::ResultRow&& row) -> Status {
        if (drawing_error.failed()) return std::unexpected(*drawing_error.Take());
        ++summary.sittings;
        if (!row.scored) {
          // The flag that kept it from being scored: unopenable, or a header that disagrees
          // with the sealed payload (results.hpp).
          std::string why = "not scored";
          for (const std::string& f : row.flags) {
            if (f.rfind("unopenable", 0) == 0 || f.rfind(server::kHeaderMismatchFlag, 0) == 0) {
              why = f;
            }
          }
          summary.unopenable.push_back(Where(row) + ": " + why);
          return Ok();
        }
        ++summary.opened;
        const bool voided = server::IsVoided(row);
        if (voided) {
          ++summary.voided;
        } else if (options.item_analysis) {
          if (Status s = matrix.AddCandidate(row.participant, row.answers); !s) {
            summary.not_analysed.push_back(Where(row) + ": " + s.error().message());
          }
        }
        if (drawing) {
          bool several = false;
          for (const std::string& f : row.flags) several = several || f == "several-bundles";
          drawing->Add(
              PageJob{candidates_dir / CandidateFileName(row, several),
                      std::make_shared<const CandidatePage>(CandidatePageFor(row, context))});
        }
        cohort.Add(row);
        return Ok();
      });
  if (drawing) drawing->Close();
  if (auto e = drawing_error.Take()) return std::unexpected(*e);
  if (!walked) return std::unexpected(walked.error());
  summary.other_exams = walked->other_exams;
  if (drawing) {
    summary.candidate_pdfs = drawing->written();
    if (summary.opened > 0) summary.files.push_back(options.out_dir / "candidates.pdf");
  }

  cohort.Rank();
  // cohort.csv first, so that its text and the report's ranking lines are not in memory at once.
  LONTAR_TRY(WriteText(options.out_dir / "cohort.csv", cohort.Csv(), summary.files));
  const CohortReport report =
      cohort.Report(FormatDateTime(options.generated_ms, context.zone, context.language));
  for (const RankLine& line : report.ranking) summary.ranked += line.rank.empty() ? 0 : 1;
  LONTAR_TRY(WriteCohortPdf(options.out_dir / "cohort.pdf", *fonts, report));
  summary.files.push_back(options.out_dir / "cohort.pdf");

  if (options.item_analysis && matrix.candidate_count() > 0) {
    LONTAR_ASSIGN_OR_RETURN(const ItemAnalysis analysis, AnalyseItems(matrix));
    LONTAR_TRY(WriteText(options.out_dir / "items.csv", ItemsCsv(analysis), summary.files));
    LONTAR_TRY(
        WriteText(options.out_dir / "item_sections.csv", ItemSectionsCsv(analysis), summary.files));
    ItemsPdfOptions pdf;
    pdf.lang = context.language == Language::kEnglish ? "en" : "id";
    pdf.exam = report.exam_title + (report.exam_version.empty()
                                        ? ""
                                        : " (" + std::string(LabelsFor(context.language).version) +
                                              " " + report.exam_version + ")");
    pdf.header_left = context.agency;
    LONTAR_TRY(WriteItemsPdf(options.out_dir / "items.pdf", *fonts, analysis, pdf));
    summary.files.push_back(options.out_dir / "items.pdf");
  }
  return summary;
}

}  // namespace lontar::report

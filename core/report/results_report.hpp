// `lontar results report`: from a collection store to the documents people act on, in one pass
// over the store.
//
// Files written under the output directory (each through a temporary name and a rename, so a
// crash leaves either the previous file or the new one, never half of one):
//   candidates/<participant>.pdf   one per sitting that opened (report_model.hpp names them)
//   candidates.pdf                 the same pages in one file, in the store's order
//   cohort.pdf, cohort.csv         cohort_model.hpp
//   items.csv, item_sections.csv   items_csv.hpp; items.pdf   item analysis
//
// The pass (invariants):
//   (1) Bundles are opened and scored by server::ForEachResult's worker threads, a few ahead,
//       and reach this pass in the store's order on the calling thread; a row's candidate page
//       is made as soon as it arrives and handed to the drawing threads through bounded queues,
//       so at most a few dozen bundles and pages wait in memory whatever the cohort's size.
//   (2) What stays for the end is what the end needs: a compact row per opened sitting (for the
//       ranking and the cohort report: cohort_model.hpp) and one byte per item per candidate
//       (the response matrix for item analysis). At the end the ranking's lines and cohort.csv
//       are made whole before they are written. Nothing else grows with the cohort.
//   (3) Candidate PDFs are drawn by `threads` workers, each with its own fonts (Pango is
//       thread-confined); candidates.pdf by one more thread, in order. A worker's error stops
//       the pass and is returned; files already renamed into place stay.
//   (4) Voided sittings get a page (it says the sitting was voided) but count in no histogram,
//       ranking or item statistic; bundles that could not be opened get no page and are
//       counted in the summary with the reason, as `results open` flags them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "core/crypto/box.hpp"
#include "core/crypto/sign.hpp"
#include "core/report/report_model.hpp"
#include "core/server/store_backend.hpp"
#include "core/util/error.hpp"

namespace lontar::report {

struct ReportOptions {
  std::filesystem::path out_dir;  // created when missing (its parent must exist)
  ReportContext context;          // the exam, language, agency and time zones
  std::int64_t generated_ms = 0;  // printed as the cohort report's date
  unsigned threads = 0;           // candidate PDF workers; 0: one per core
  bool candidate_pdfs = true;
  bool item_analysis = true;
};

struct ReportSummary {
  std::size_t sittings = 0;  // bundles of the exam in the store
  std::size_t opened = 0;    // of which opened and scored
  std::size_t voided = 0;    // of the opened, voided by a proctor
  std::size_t ranked = 0;
  std::size_t candidate_pdfs = 0;            // files under candidates/
  std::size_t other_exams = 0;               // bundles of other exams in the store, skipped
  std::vector<std::string> unopenable;       // "participant (terminal #seq): why"
  std::vector<std::string> not_analysed;     // answers the item analysis could not take, and why
  std::vector<std::filesystem::path> files;  // written, besides the candidate PDFs
};

// Writes every report of the store's sittings of `options.context.exam`. Errors: the output
// directory cannot be made or written (naming it), the store cannot be read, Noto Sans is
// missing; per-bundle problems are in the summary instead. Reads the store; writes files.
[[nodiscard]] Result<ReportSummary> WriteResultsReport(server::StoreBackend& store,
                                                       const crypto::BoxSecretKey& results_key,
                                                       std::span<const crypto::VerifyKey> enrolled,
                                                       const ReportOptions& options);

}  // namespace lontar::report

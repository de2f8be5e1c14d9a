// Opening the results in a collection store: decrypting every bundle with the results key,
// re-scoring each sitting from its raw answers against the exam, and flagging what does not add
// up. Needs the results secret key and the exam: read from the pack with the results key
// (core/pack/results_access.hpp) or loaded from the authoring source it was built from.
//
// Per bundle, in order: read its bytes from the store (a bundle file, or the database row); if
// enrolled keys are given, verify the terminal signature again (the store did on arrival; this
// catches a store altered since); OpenBundle (the stream authenticates, each journal record's hash
// is recomputed); then score. Flags on a row:
//   score-mismatch     the terminal's local score differs from the re-computed one
//   voided             the sitting was voided by a proctor
//   seq-gap            this terminal has bundle numbers missing from the store
//   rollback           the store flagged this terminal (seq-reused / journal-rollback)
//   several-bundles    this participant has more than one bundle for this exam
//   unopenable: why    the bundle did not verify or decrypt (row has no scores)
//   not-in-roster      the participant number is not in the exam's roster
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "core/authoring/exam.hpp"
#include "core/crypto/box.hpp"
#include "core/crypto/sign.hpp"
#include "core/server/store_backend.hpp"
#include "core/util/error.hpp"

namespace lontar::server {

struct ResultRow {
  std::string participant, name, site, terminal_id, exam_id, kind, receipt_code;
  std::uint64_t seq = 0;
  bool scored = false;
  double total = 0, max = 0;
  bool passed = false;
  std::vector<std::pair<std::string, std::string>> sections;      // id, "total (pass|fail)"
  std::vector<std::pair<std::string, std::string>> competencies;  // id, level
  std::string jpm_percent, jpm_category;
  std::vector<std::string> flags;
};

struct ResultsReport {
  std::vector<ResultRow> rows;  // by site, terminal, seq
  std::size_t other_exams = 0;  // bundles of other exams, skipped
};

// Opens every bundle of `exam` in `store` (any backend, opened read-only is enough). Per-bundle
// problems become flags; errors are for a store that cannot be read. Reads disk or the database.
[[nodiscard]] Result<ResultsReport> OpenResults(StoreBackend& store,
                                                const crypto::BoxSecretKey& results_key,
                                                const authoring::Exam& exam,
                                                std::span<const crypto::VerifyKey> enrolled);

// The report as CSV (RFC 4180: fields with a comma, quote or line break are quoted), one header
// line, one line per row; section and competency columns are the exam's. Pure.
std::string ResultsCsv(const ResultsReport& report, const authoring::Exam& exam);

}  // namespace lontar::server

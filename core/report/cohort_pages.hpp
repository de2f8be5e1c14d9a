// The cohort report: how many sat where, in which session and group, how many passed; the
// ranking; the score distribution per section; for competency exams the level distribution per
// competency and the JPM categories per position.
//
// Drawn from CohortReport, plain display-ready values that the results report command fills
// from the scored rows (the ranking already ordered and ranked, the histograms already binned).
// Pass rates are computed here from the counts; nothing else is.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/report/document.hpp"
#include "core/report/labels.hpp"
#include "core/util/error.hpp"

namespace lontar::report {

// One line of a count table: a site, a session (pack) or an applicant group.
struct CountLine {
  std::string name;
  long candidates = 0;
  std::optional<long> passed;  // nullopt when the exam has no pass rule
};

struct RankLine {
  std::string rank;         // "1"; ties share a rank ("3", "3", "5")
  std::string participant;  // participant number
  std::string name;
  std::string group;  // applicant group's display name
  std::string total;
  std::vector<std::string> sections;  // one per CohortReport::section_names
  std::optional<bool> passed;         // nullopt: no pass rule, or voided
};

// A section's score distribution, already binned.
struct SectionHistogram {
  std::string section;                  // "TWK"
  std::vector<std::string> bin_labels;  // "60–69"
  std::vector<long> counts;
  int threshold_bin = -1;  // the first bin at or above the threshold; -1 for none
  std::string threshold;   // "65"
};

// How many candidates reached each level of one competency (index 0 is level 1).
struct CompetencyLevels {
  std::string competency;
  std::vector<long> per_level;
};

// How many candidates of one position fell in each JPM category (in jpm_categories' order).
struct PositionJpm {
  std::string position;
  std::vector<long> per_category;
};

struct CohortReport {
  Language language = Language::kIndonesian;
  std::string agency;  // running header; "" for none
  std::string exam_title;
  std::string exam_version;
  std::string generated_at;  // "12 Mei 2026 17.05 WITA"

  CountLine overall;  // everyone (its name is ignored)
  std::vector<CountLine> by_site;
  std::vector<CountLine> by_session;
  std::vector<CountLine> by_group;

  std::vector<std::string> section_names;  // ranking columns, e.g. TWK, TIU, TKP
  std::vector<RankLine> ranking;           // in rank order
  std::vector<SectionHistogram> histograms;

  // Competency exams; empty leaves those parts out.
  std::vector<CompetencyLevels> levels;  // level 1..N per competency
  std::vector<std::string> jpm_categories;
  std::vector<PositionJpm> jpm_by_position;
};

// Draws the report into `doc` from a fresh page. Never fails (errors surface at doc.Finish()).
// An 18,000-row ranking is ~450 pages; memory stays flat (Cairo writes each page as it ends).
void DrawCohortReport(Document& doc, const CohortReport& report);

// Writes the report as its own PDF at `path` (through PATH.tmp, see Document).
[[nodiscard]] Status WriteCohortPdf(const std::filesystem::path& path, Fonts& fonts,
                                    const CohortReport& report);

}  // namespace lontar::report

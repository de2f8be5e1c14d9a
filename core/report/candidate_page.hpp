// A candidate's result page: who sat what, where and when, how the sitting ended, section
// scores against their thresholds, the verdict with the rule that applied, and for competency
// exams the profile against the position's standard with the JPM; a footer to check the paper
// against the results store (bundle id and receipt code).
//
// The page draws from CandidatePage, plain display-ready values: the caller (the results
// report command) maps a results row into it, formatting scores, dates and percentages
// (FormatNumber and FormatPercent in labels.hpp use the language's decimal comma or point).
// Nothing here computes a score or decides a pass.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/report/document.hpp"
#include "core/report/labels.hpp"
#include "core/util/error.hpp"

namespace lontar::report {

enum class SittingEnd { kSubmitted, kTimeUp, kVoided, kHandedOff };

// One line of the section table (also the total line).
struct SectionLine {
  std::string name;           // "TWK"; ignored for the total line (the label "Total" is used)
  std::string score;          // "95"
  std::string maximum;        // "150"; "" leaves the cell blank
  std::string threshold;      // "65"; "" when the rule sets no minimum for this line
  std::optional<bool> meets;  // whether score >= threshold; nullopt without a threshold
};

struct CompetencyLine {
  std::string name;     // "Integritas"
  double level = 0;     // achieved, 0..5 (fractions allowed)
  double standard = 0;  // the position's standard level; 0 when it sets none
};

struct CandidatePage {
  Language language = Language::kIndonesian;
  std::string agency;  // running header, e.g. "BKD Provinsi Kalimantan Timur"; "" for none

  std::string participant_number;
  std::string name;
  std::string position;  // "" when the exam has none (SKD)
  std::string group;     // applicant group's display name ("Umum"); "" for the default
  std::string exam_title;
  std::string exam_version;
  std::string site;
  std::string terminal;
  std::string sitting_time;  // formatted with the site's time zone: "12 Mei 2026 08.00–09.40 WITA"
  SittingEnd ended = SittingEnd::kSubmitted;
  std::string receipt_code;
  std::string bundle_id;
  std::string accommodations;  // "waktu ×1,3; kontras tinggi"; "" leaves the line out

  std::vector<SectionLine> sections;
  std::optional<SectionLine> total;

  // The verdict: nullopt when the exam has no pass rule (ranking only) or the sitting was
  // voided; `rule` says which rule set applied and what it asks ("Umum: TWK ≥ 65, TIU ≥ 80,
  // TKP ≥ 166").
  std::optional<bool> passed;
  std::string rule;

  // Competency exams (CACT): empty `competencies` leaves the profile out.
  std::vector<CompetencyLine> competencies;
  std::string jpm_percent;   // "86,4%"
  std::string jpm_category;  // "Cukup optimal"
};

// Draws `page` into `doc` starting on a fresh page numbered 1, with its own running header and
// footer; for many candidates in one file, call it once per candidate on the same Document.
// Never fails (errors surface at doc.Finish()).
void DrawCandidatePage(Document& doc, const CandidatePage& page);

// Writes `page` as its own PDF at `path` (through PATH.tmp, see Document). Fails naming the
// file when it cannot be written. `fonts` belongs to the calling thread.
[[nodiscard]] Status WriteCandidatePdf(const std::filesystem::path& path, Fonts& fonts,
                                       const CandidatePage& page);

}  // namespace lontar::report

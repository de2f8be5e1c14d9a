// From scored result rows (core/server/results.hpp) to what the report pages draw: the mapping
// that decides which words and figures a candidate's page and the cohort report print. Every
// number comes from the row as re-scored from the raw answers; nothing here scores.
//
// Words taken from the exam are in the report's language, falling back to Indonesian where the
// pack has no English text. Sections are named by SectionName.
#pragma once

#include <map>
#include <string>

#include "core/model/exam.hpp"
#include "core/report/candidate_page.hpp"
#include "core/report/labels.hpp"
#include "core/report/time_zone.hpp"
#include "core/server/results.hpp"

namespace lontar::report {

struct ReportContext {
  const model::Exam* exam = nullptr;
  Language language = Language::kIndonesian;
  std::string agency;  // running header; "" for none
  TimeZone zone;       // for sites without their own entry in site_zones
  std::map<std::string, TimeZone> site_zones;

  const TimeZone& ZoneOf(const std::string& site) const;
};

// The exam's text in the context's language (Indonesian when the English is missing).
const std::string& Pick(const model::Text& text, Language language);

// A section as printed: a short id in capitals ("TWK"), as BKN's rules name them; a longer id by
// the section's title in `language`. Pure.
std::string SectionName(const model::Exam& exam, std::string_view section_id, Language language);

// Whether the exam decides pass or fail at all (a threshold, a total minimum or a group rule);
// a ranking-only exam (PPPK, CACT) has none and its pages print no verdict. Pure.
bool HasPassRule(const model::Exam& exam);

// The applicant group's name as printed: the pass rule's name, or "Umum" / "General" for the
// default group. Pure.
std::string GroupName(const model::Exam& exam, const std::string& group, Language language);

// "Umum: TWK ≥ 65, TIU ≥ 80, TKP ≥ 166", "Cumlaude: total ≥ 311, TIU ≥ 85". Pure.
std::string RuleText(const model::Exam& exam, const server::ResultRow& row, Language language);

// The candidate page of a scored (or voided) row. Pure.
// A sitting's accommodations in the report's language: "waktu \u00d71,3; kontras tinggi",
// "time \u00d71.3; high contrast"; "" for none. Pure.
std::string AccommodationsText(const model::Accommodations& a, Language language);

CandidatePage CandidatePageFor(const server::ResultRow& row, const ReportContext& context);

// The file name of a candidate's PDF: "<participant>.pdf", or with the terminal and bundle
// number ("<participant>_<terminal>_<seq>.pdf") when the participant has several bundles. Any
// character other than letters, digits, '-', '_' and '.' becomes '_', and a name that would
// start with '.' gets a '_' in front: the participant number comes from a bundle header. Pure.
std::string CandidateFileName(const server::ResultRow& row, bool several);

}  // namespace lontar::report

// The words printed on Lontar's reports, in Indonesian (the default) and English.
//
// One struct of strings per language, so that a missing translation is a compile error rather
// than an empty cell. Pages take a `const Labels&` from LabelsFor() and never spell a word
// themselves; figures (scores, dates, codes) come to the pages already formatted.
#pragma once

#include <string>
#include <string_view>

namespace lontar::report {

enum class Language { kIndonesian, kEnglish };

struct Labels {
  // Running footer: "Halaman 3" / "Page 3".
  std::string_view page;

  // Candidate page.
  std::string_view candidate_title;  // "Laporan Hasil Peserta"
  std::string_view participant_number;
  std::string_view name;
  std::string_view position;
  std::string_view group;
  std::string_view exam;
  std::string_view version;
  std::string_view site;
  std::string_view terminal;
  std::string_view sitting_time;
  std::string_view ended;
  std::string_view ended_submitted;
  std::string_view ended_time_up;
  std::string_view ended_voided;
  std::string_view ended_handed_off;
  std::string_view receipt_code;
  std::string_view accommodations;  // what the sitting was given: more time, large text, ...
  std::string_view section_scores;
  std::string_view section;
  std::string_view score;
  std::string_view maximum;
  std::string_view threshold;
  std::string_view status;
  std::string_view total;
  std::string_view meets;  // a section at or above its threshold
  std::string_view below;  // a section under its threshold
  std::string_view no_threshold;
  std::string_view result;
  std::string_view passed;
  std::string_view failed;
  std::string_view rule_applied;
  std::string_view voided_note;  // why a voided sitting has no result
  std::string_view competency_profile;
  std::string_view competency;
  std::string_view level;
  std::string_view standard;
  std::string_view gap;
  std::string_view achieved;
  std::string_view jpm;
  std::string_view category;
  std::string_view verify_line;  // "Periksa dokumen ini terhadap penyimpanan hasil:"
  std::string_view bundle_id;
  std::string_view signature_place;  // signature block caption

  // Cohort report.
  std::string_view cohort_title;
  std::string_view summary;
  std::string_view candidates;
  std::string_view counts_by_site;
  std::string_view counts_by_session;
  std::string_view counts_by_group;
  std::string_view session;
  std::string_view count;
  std::string_view pass_count;
  std::string_view pass_rate;
  std::string_view ranking;
  std::string_view rank;
  std::string_view participant;
  std::string_view pass_short;  // column header "Lulus" / "Pass"
  std::string_view yes;
  std::string_view no;
  std::string_view score_distribution;
  std::string_view level_distribution;
  std::string_view jpm_by_position;
  std::string_view generated;
};

// The labels for `language`; static storage, valid for the life of the program.
const Labels& LabelsFor(Language language);

// `value` with `decimals` digits after the decimal comma (Indonesian: "86,4") or point
// (English: "86.4"); no thousands separators.
std::string FormatNumber(double value, int decimals, Language language);
// FormatNumber followed by "%": "86,4%".
std::string FormatPercent(double value, int decimals, Language language);

}  // namespace lontar::report

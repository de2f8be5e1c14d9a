// The cohort: every scored sitting of one exam gathered as the results stream by, then ranked
// and summed up into the cohort report (cohort_pages.hpp) and cohort.csv.
//
// What counts (docs/results.md says the same for readers of the report):
//   candidates   every sitting whose bundle opened, voided ones included;
//   passed       sittings scored, not voided, and passed under the rule of their group;
//   ranking      scoring::Rank over the rows (server::RankResults): ranked sittings in rank
//                order, per position for competency exams; voided and unscored ones unranked;
//   histograms   per section, the totals of the sittings that are not voided, in bins of equal
//                width whose edges include the section's threshold under the default rule, so
//                the dashed line falls between bars;
//   levels, JPM  per competency the count of each level 1..5; per position the count of each of
//                the pack's JPM categories.
//
// cohort.csv (RFC 4180, one line per sitting that opened: ranked ones in rank order, then the
// rest in the store's order; `lontar results ninebox --results` reads it by column name):
//   rank,participant,name,group,position,site,terminal,exam_id,exam_version,kind,total,max,
//   passed,section:<id>...,level:<competency>...,jpm_percent,jpm_category,receipt_code,bundle_id
//   kind        how the sitting ended: submitted | time-up | voided | handed-off
//   passed      pass | fail, empty when voided or the exam has no pass rule
//   numbers     plain decimals with a '.' point; empty where not applicable
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/report/cohort_pages.hpp"
#include "core/report/report_model.hpp"
#include "core/server/results.hpp"

namespace lontar::report {

class CohortBuilder {
 public:
  // `context` (and the exam it points to) must outlive the builder.
  explicit CohortBuilder(const ReportContext& context) : context_(context) {}

  // Keeps what the report needs of a row that opened (row.scored): not its answers, flags or
  // texts the report does not print. Memory only.
  void Add(const server::ResultRow& row);

  // Ranks the kept rows. Call once, after the last Add and before Report / Csv.
  void Rank();

  std::size_t size() const { return rows_.size(); }

  // The cohort report's figures. `generated_at` is printed in its header. Pure.
  CohortReport Report(std::string generated_at) const;

  // cohort.csv, as described above. Pure.
  std::string Csv() const;

 private:
  // What the cohort keeps of one sitting: only what the report and cohort.csv print or count
  // (a ResultRow without its answers was ~1.6 KB; this is a fraction of it). Section and
  // competency scores in the row's order, each with the index of its exam section or
  // competency (-1 for an id the exam does not have).
  struct SectionKept {
    int index = -1;
    double total = 0, max = 0;
  };
  struct LevelKept {
    int index = -1;
    int level = 0;
  };
  struct Kept {
    std::string participant, name, group, position, site, terminal_id, receipt_code, bundle_id;
    std::string pack_prefix;   // the pack id's first 8 characters: what a session is named by
    std::string jpm_category;  // the category's Indonesian name (its id in cohort.csv)
    std::optional<std::uint64_t> exam_version;
    std::optional<double> jpm_percent;
    std::optional<int> rank;
    server::Ending ending = server::Ending::kUnknown;
    bool voided = false, passed = false;
    double total = 0, max = 0;
    std::vector<SectionKept> sections;
    std::vector<LevelKept> levels;
  };

  // Indices into rows_ in the order the ranking prints them.
  std::vector<std::size_t> RankOrder() const;

  const ReportContext& context_;
  std::vector<Kept> rows_;
  std::vector<scoring::RankEntry> entries_;  // one per row until Rank
};

}  // namespace lontar::report

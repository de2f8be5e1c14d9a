// The cohort report (cohort_pages.hpp).
#include "core/report/cohort_pages.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "core/report/report_pdf.hpp"

namespace lontar::report {
namespace {

std::string Rate(const CountLine& c, Language lang) {
  if (!c.passed.has_value() || c.candidates == 0) return "\u2014";
  return FormatPercent(100.0 * static_cast<double>(*c.passed) / static_cast<double>(c.candidates),
                       1, lang);
}

void CountTable(Document& doc, const Labels& l, Language lang, std::string_view title,
                std::string_view first_column, const std::vector<CountLine>& lines) {
  if (lines.empty()) return;
  doc.Subheading(title);
  std::vector<Row> rows;
  for (const CountLine& c : lines) {
    rows.push_back({{c.name, std::to_string(c.candidates),
                     c.passed ? std::to_string(*c.passed) : "\u2014", Rate(c, lang)}});
  }
  doc.Table({{std::string(first_column), 0.46},
             {std::string(l.count), 0.16, Align::kRight},
             {std::string(l.pass_count), 0.16, Align::kRight},
             {std::string(l.pass_rate), 0.22, Align::kRight}},
            rows);
}

void Ranking(Document& doc, const Labels& l, const CohortReport& r) {
  if (r.ranking.empty()) return;
  doc.KeepTogether(90);  // the heading, the table's header row and a few rows stay together
  doc.Heading(l.ranking);
  const bool with_pass = std::any_of(r.ranking.begin(), r.ranking.end(),
                                     [](const RankLine& k) { return k.passed.has_value(); });
  // Fixed columns take 0.64 of the width; the sections share what the pass column leaves.
  const std::size_t n = r.section_names.size();
  const double section_w = n == 0 ? 0 : std::min(0.09, 0.28 / static_cast<double>(n));
  const double pass_w = with_pass ? 0.08 : 0;
  const double name_w = 0.92 - 0.07 - 0.15 - 0.14 - 0.09 - section_w * n + (0.08 - pass_w);
  // A competency exam ranks by JPM within each position: the group column names the position
  // and the total column is the JPM.
  std::vector<Column> cols{
      {std::string(l.rank), 0.07, Align::kRight},
      {std::string(l.participant), 0.15},
      {std::string(l.name), name_w},
      {std::string(r.rank_by_jpm ? l.position : l.group), 0.14},
      {r.rank_by_jpm ? std::string("JPM") : std::string(l.total), 0.09, Align::kRight}};
  for (const std::string& s : r.section_names) cols.push_back({s, section_w, Align::kRight});
  if (with_pass) cols.push_back({std::string(l.pass_short), pass_w, Align::kCenter});
  // Each row made as it is drawn: an 18,000-line ranking is not copied into a second table.
  doc.Table(cols, r.ranking.size(), [&](std::size_t index) {
    const RankLine& k = r.ranking[index];
    Row row{{k.rank, k.participant, k.name, k.group, k.total}};
    for (std::size_t i = 0; i < n; ++i)
      row.cells.push_back(i < k.sections.size() ? k.sections[i] : "");
    if (with_pass) row.cells.push_back(k.passed ? std::string(*k.passed ? l.yes : l.no) : "\u2014");
    if (k.passed.has_value() && !*k.passed) row.style = RowStyle::kMuted;
    return row;
  });
}

}  // namespace

void DrawCohortReport(Document& doc, const CohortReport& r) {
  const Labels& l = LabelsFor(r.language);
  doc.NewPage();
  doc.RestartPageNumbers();
  std::string exam = r.exam_title;
  if (!r.exam_version.empty()) exam += " (" + std::string(l.version) + " " + r.exam_version + ")";
  doc.SetHeader(r.agency.empty() ? exam : r.agency, std::string(l.cohort_title));
  doc.SetFooterLeft(exam + (r.generated_at.empty()
                                ? ""
                                : " \u00b7 " + std::string(l.generated) + " " + r.generated_at));

  doc.Title(l.cohort_title);
  doc.KeyValues(
      {{std::string(l.exam), exam},
       {std::string(l.candidates), std::to_string(r.overall.candidates)},
       {std::string(l.pass_count), r.overall.passed ? std::to_string(*r.overall.passed) : "\u2014"},
       {std::string(l.pass_rate), Rate(r.overall, r.language)}},
      2);

  if (!r.by_site.empty() || !r.by_session.empty() || !r.by_group.empty()) doc.Heading(l.summary);
  CountTable(doc, l, r.language, l.counts_by_site, l.site, r.by_site);
  CountTable(doc, l, r.language, l.counts_by_session, l.session, r.by_session);
  CountTable(doc, l, r.language, l.counts_by_group, l.group, r.by_group);

  if (!r.histograms.empty()) {
    doc.Heading(l.score_distribution);
    std::vector<HistogramSpec> specs;
    for (const SectionHistogram& h : r.histograms) {
      HistogramSpec spec;
      spec.title = h.section;
      spec.bin_labels = h.bin_labels;
      spec.counts = h.counts;
      spec.marker_before_bin = h.threshold_bin;
      if (!h.threshold.empty()) spec.marker_label = std::string(l.threshold) + " " + h.threshold;
      spec.height = 90;
      specs.push_back(std::move(spec));
    }
    doc.Histograms(specs, specs.size() == 1 ? 1 : 2);
  }

  if (!r.levels.empty()) {
    doc.Heading(l.level_distribution);
    StackedBarSpec spec;
    std::size_t levels = 0;
    for (const CompetencyLevels& c : r.levels) levels = std::max(levels, c.per_level.size());
    for (std::size_t i = 1; i <= levels; ++i) {
      spec.segment_names.push_back(std::string(l.level) + " " + std::to_string(i));
    }
    for (const CompetencyLevels& c : r.levels) spec.bars.push_back({c.competency, c.per_level});
    doc.StackedBars(spec);
  }

  if (!r.jpm_by_position.empty()) {
    doc.Heading(l.jpm_by_position);
    const double cat_w = std::min(0.18, 0.6 / std::max<std::size_t>(1, r.jpm_categories.size()));
    std::vector<Column> cols{{std::string(l.position), 0.92 - cat_w * r.jpm_categories.size()}};
    for (const std::string& c : r.jpm_categories) cols.push_back({c, cat_w, Align::kRight});
    cols.push_back({std::string(l.count), 0.08, Align::kRight});
    std::vector<Row> rows;
    for (const PositionJpm& p : r.jpm_by_position) {
      Row row{{p.position}};
      long total = 0;
      for (std::size_t i = 0; i < r.jpm_categories.size(); ++i) {
        const long n = i < p.per_category.size() ? p.per_category[i] : 0;
        total += n;
        row.cells.push_back(std::to_string(n));
      }
      row.cells.push_back(std::to_string(total));
      rows.push_back(std::move(row));
    }
    doc.Table(cols, rows);
  }

  Ranking(doc, l, r);
}

Status WriteCohortPdf(const std::filesystem::path& path, Fonts& fonts, const CohortReport& report) {
  const Labels& l = LabelsFor(report.language);
  return WriteReportPdf(path, fonts, report.language,
                        std::string(l.cohort_title) + " " + report.exam_title,
                        [&](Document& doc) { DrawCohortReport(doc, report); });
}

}  // namespace lontar::report

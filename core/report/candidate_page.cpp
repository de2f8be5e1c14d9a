// The candidate's result page (candidate_page.hpp).
#include "core/report/candidate_page.hpp"

#include <cairo.h>

#include <algorithm>

#include <string>
#include <utility>

#include "core/report/report_pdf.hpp"

namespace lontar::report {
namespace {

std::string_view EndedText(const Labels& l, SittingEnd e) {
  switch (e) {
    case SittingEnd::kTimeUp:
      return l.ended_time_up;
    case SittingEnd::kVoided:
      return l.ended_voided;
    case SittingEnd::kHandedOff:
      return l.ended_handed_off;
    case SittingEnd::kSubmitted:
      break;
  }
  return l.ended_submitted;
}

Row SectionRow(const Labels& l, const SectionLine& s, std::string name, RowStyle base) {
  std::string status(l.no_threshold);
  RowStyle style = base;
  if (s.meets.has_value()) {
    status = *s.meets ? l.meets : l.below;
    if (!*s.meets) style = RowStyle::kFail;
  }
  return Row{{std::move(name), s.score, s.maximum,
              s.threshold.empty() ? "" : "\u2265 " + s.threshold, std::move(status)},
             style};
}

// A place to sign at the bottom right: caption, blank space, a line.
void SignatureBlock(Document& doc, const Labels& l) {
  const double h = 54;
  if (doc.Remaining() < h + 8) return;  // never push a signature alone onto a new page
  doc.Space(std::max(0.0, doc.Remaining() - h - 8));
  const Area a = doc.Reserve(h);
  const double w = 170, x = a.x + a.width - w;
  doc.Text(l.signature_place, Style::kSmall, x, a.y, w, Align::kCenter, kMuted);
  cairo_set_source_rgb(a.cr, kMuted.r, kMuted.g, kMuted.b);
  cairo_set_line_width(a.cr, 0.6);
  cairo_move_to(a.cr, x + 10, a.y + h - 10);
  cairo_line_to(a.cr, x + w - 10, a.y + h - 10);
  cairo_stroke(a.cr);
}

}  // namespace

void DrawCandidatePage(Document& doc, const CandidatePage& p) {
  const Labels& l = LabelsFor(p.language);
  doc.NewPage();
  doc.RestartPageNumbers();
  doc.SetHeader(p.agency.empty() ? std::string(p.exam_title) : p.agency,
                std::string(l.candidate_title) + " \u00b7 " + p.participant_number);
  doc.SetFooterLeft(std::string(l.verify_line) + " \u00b7 " + std::string(l.receipt_code) + " " +
                    p.receipt_code + "\n" + std::string(l.bundle_id) + " " + p.bundle_id);

  doc.Title(l.candidate_title);
  std::string exam = p.exam_title;
  if (!p.exam_version.empty()) exam += " (" + std::string(l.version) + " " + p.exam_version + ")";
  std::vector<std::pair<std::string, std::string>> who{
      {std::string(l.participant_number), p.participant_number},
      {std::string(l.name), p.name},
  };
  if (!p.position.empty()) who.emplace_back(std::string(l.position), p.position);
  if (!p.group.empty()) who.emplace_back(std::string(l.group), p.group);
  who.emplace_back(std::string(l.exam), exam);
  who.emplace_back(std::string(l.site), p.site);
  who.emplace_back(std::string(l.terminal), p.terminal);
  who.emplace_back(std::string(l.sitting_time), p.sitting_time);
  who.emplace_back(std::string(l.ended), std::string(EndedText(l, p.ended)));
  if (!p.accommodations.empty()) who.emplace_back(std::string(l.accommodations), p.accommodations);
  who.emplace_back(std::string(l.receipt_code), p.receipt_code);
  doc.KeyValues(who, 2);
  doc.Space(4);

  if (p.ended == SittingEnd::kVoided) {
    doc.Callout(l.result, l.voided_note, kMuted);
  } else if (p.passed.has_value()) {
    std::string detail = p.rule.empty() ? "" : std::string(l.rule_applied) + ": " + p.rule;
    doc.Callout(*p.passed ? l.passed : l.failed, detail, *p.passed ? kPass : kFail);
  }

  if (!p.sections.empty()) {
    doc.Heading(l.section_scores);
    std::vector<Row> rows;
    for (const SectionLine& s : p.sections)
      rows.push_back(SectionRow(l, s, s.name, RowStyle::kNormal));
    if (p.total) {
      Row total = SectionRow(l, *p.total, std::string(l.total), RowStyle::kBold);
      if (total.style == RowStyle::kNormal) total.style = RowStyle::kBold;
      rows.push_back(std::move(total));
    }
    doc.Table({{std::string(l.section), 0.34},
               {std::string(l.score), 0.14, Align::kRight},
               {std::string(l.maximum), 0.14, Align::kRight},
               {std::string(l.threshold), 0.16, Align::kRight},
               {std::string(l.status), 0.22}},
              rows);
  }

  if (!p.competencies.empty()) {
    doc.Heading(l.competency_profile);
    LevelChartSpec chart;
    chart.achieved_legend = l.achieved;
    chart.standard_legend = std::string(l.standard) + " " + std::string(l.position);
    chart.gap_legend = l.gap;
    for (const CompetencyLine& c : p.competencies) {
      chart.bars.push_back({c.name, c.level, c.standard});
    }
    doc.LevelChart(chart);
    if (!p.jpm_percent.empty()) {
      doc.Space(4);
      doc.Callout(p.jpm_percent,
                  std::string(l.jpm) + "\n" + std::string(l.category) + ": " + p.jpm_category,
                  kAccent);
    }
  }
  SignatureBlock(doc, l);
}

Status WriteCandidatePdf(const std::filesystem::path& path, Fonts& fonts,
                         const CandidatePage& page) {
  const Labels& l = LabelsFor(page.language);
  return WriteReportPdf(path, fonts, page.language,
                        std::string(l.candidate_title) + " " + page.participant_number,
                        [&](Document& doc) { DrawCandidatePage(doc, page); });
}

}  // namespace lontar::report

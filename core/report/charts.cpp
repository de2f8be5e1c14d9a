// Document's charts: the level bar chart (a candidate's competencies against the position's
// standard), histograms (score distributions) and stacked bars (level distributions).
#include <algorithm>
#include <cmath>
#include <string>

#include "core/report/document.hpp"
#include "core/report/document_impl.hpp"

namespace lontar::report {
namespace {

constexpr Rgb kGapFill{0.98, 0.86, 0.86};
constexpr Rgb kGrid{0.86, 0.87, 0.90};

// Light to dark blues for the segments of stacked bars (levels 1..5 and beyond, cycling).
constexpr std::array<Rgb, 6> kSegmentColors{{
    {0.86, 0.90, 0.95},
    {0.69, 0.79, 0.90},
    {0.47, 0.63, 0.82},
    {0.27, 0.47, 0.71},
    {0.13, 0.32, 0.55},
    {0.06, 0.18, 0.35},
}};

// Text on a segment: dark on the light colours, white on the dark ones.
Rgb SegmentText(std::size_t i) { return i % kSegmentColors.size() >= 3 ? Rgb{1, 1, 1} : kInk; }

std::string FormatLevel(double v) {
  char buf[32];
  if (std::abs(v - std::round(v)) < 0.005) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.1f", v);
  }
  return buf;
}

std::string FormatGap(double gap) {
  if (std::abs(gap) < 0.005) return "0";
  // U+2212 MINUS SIGN prints wider and clearer than a hyphen.
  return (gap < 0 ? "\u2212" : "+") + FormatLevel(std::abs(gap));
}

// A round axis maximum with room above `v` for the count printed over the tallest bar.
long NiceMax(long v) {
  const double target = std::max(5.0, static_cast<double>(v) * 1.15);
  const double mag = std::pow(10.0, std::floor(std::log10(target)));
  for (double m : {1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0}) {
    if (m * mag >= target) return static_cast<long>(std::ceil(m * mag));
  }
  return static_cast<long>(std::ceil(10 * mag));
}

void Swatch(Document::Impl& d, double x, double y, Rgb fill, bool outline) {
  d.FillRect(x, y, 9, 7, fill);
  if (outline) {
    d.SetColor(kFail);
    cairo_set_line_width(d.cr, 0.6);
    cairo_rectangle(d.cr, x, y, 9, 7);
    cairo_stroke(d.cr);
  }
}

}  // namespace

// ---------------------------------------------------------------------------------- levels

void Document::LevelChart(const LevelChartSpec& spec) {
  Impl& d = *impl_;
  if (spec.bars.empty() || spec.max_level <= 0) return;
  const double label_w = d.Width() * 0.36;
  const double gap_w = 34;
  const double plot_x = d.Left() + label_w + 6;
  const double plot_w = d.Width() - label_w - 6 - gap_w;
  const double row_h = 17, bar_h = 9, axis_h = 12, legend_h = 16;
  const auto x_of = [&](double level) {
    return plot_x +
           plot_w * std::clamp(level, 0.0, static_cast<double>(spec.max_level)) / spec.max_level;
  };
  // Rows are laid out one by one so that long names wrap; the chart breaks between rows.
  const auto draw_axis = [&] {
    for (int l = 0; l <= spec.max_level; ++l) {
      d.DrawText(std::to_string(l), Style::kSmall, x_of(l) - 10, d.y, 20, Align::kCenter, kMuted);
    }
    d.DrawText("\u0394", Style::kSmallBold, plot_x + plot_w + 4, d.y, gap_w - 4, Align::kRight,
               kMuted);
    d.y += axis_h;
  };
  d.Need(axis_h + row_h * std::min<std::size_t>(spec.bars.size(), 3));
  draw_axis();
  for (const LevelBar& bar : spec.bars) {
    const double label_h = d.Layout(bar.label, Style::kTableCell, label_w, Align::kLeft);
    const double h = std::max(row_h, label_h + 4);
    if (d.y + h > d.Bottom()) {
      d.EndPage();
      d.EnsurePage();
      draw_axis();
    }
    const double top = d.y;
    d.DrawText(bar.label, Style::kTableCell, d.Left(), top + (h - label_h) / 2, label_w,
               Align::kLeft, kInk);
    // Grid lines at each level.
    for (int l = 0; l <= spec.max_level; ++l) {
      d.Line(x_of(l), top, x_of(l), top + h, l == 0 ? 0.8 : 0.4, l == 0 ? kMuted : kGrid);
    }
    const double bar_y = top + (h - bar_h) / 2;
    if (bar.achieved > 0) {
      d.FillRect(x_of(0), bar_y, x_of(bar.achieved) - x_of(0), bar_h, kAccent);
    }
    const double gap = bar.standard > 0 ? bar.achieved - bar.standard : 0;
    if (gap < 0) {
      // The shortfall: a light red span with a red outline from the achieved level up to the
      // standard, so that it reads as "missing" even in grey-scale print.
      const double gx = x_of(bar.achieved), gw = x_of(bar.standard) - gx;
      d.FillRect(gx, bar_y, gw, bar_h, kGapFill);
      d.SetColor(kFail);
      cairo_set_line_width(d.cr, 0.6);
      cairo_rectangle(d.cr, gx, bar_y, gw, bar_h);
      cairo_stroke(d.cr);
    }
    if (bar.standard > 0) {
      const double sx = x_of(bar.standard);
      d.FillRect(sx - 1.2, top + 1.5, 2.4, h - 3, kStandard);
    }
    // The achieved level, inside the bar's end when it fits, else after it.
    const std::string level_text = FormatLevel(bar.achieved);
    if (x_of(bar.achieved) - x_of(0) > 16) {
      d.DrawText(level_text, Style::kSmallBold, x_of(bar.achieved) - 18, bar_y, 15, Align::kRight,
                 Rgb{1, 1, 1});
    } else {
      d.DrawText(level_text, Style::kSmallBold, x_of(bar.achieved) + 3, bar_y, 15, Align::kLeft,
                 kInk);
    }
    if (bar.standard > 0) {
      d.DrawText(FormatGap(gap), Style::kSmallBold, plot_x + plot_w + 4, bar_y, gap_w - 4,
                 Align::kRight, gap < 0 ? kFail : kPass);
    }
    d.y += h;
  }
  d.Line(d.Left(), d.y, d.Left() + d.Width(), d.y, 0.3, kRuleColor);
  d.y += 5;
  // Legend.
  if (d.y + legend_h > d.Bottom()) {
    d.EndPage();
    d.EnsurePage();
  }
  double lx = plot_x;
  const auto legend = [&](const std::string& text, Rgb fill, bool outline) {
    if (text.empty()) return;
    Swatch(d, lx, d.y + 2, fill, outline);
    d.DrawText(text, Style::kSmall, lx + 12, d.y, 110, Align::kLeft, kMuted);
    d.Layout(text, Style::kSmall, 110, Align::kLeft);
    lx += 12 + d.LastWidth() + 14;
  };
  legend(spec.achieved_legend, kAccent, false);
  legend(spec.standard_legend, kStandard, false);
  legend(spec.gap_legend, kGapFill, true);
  d.y += legend_h;
}

// ---------------------------------------------------------------------------------- histograms

double Document::Impl::HistogramHeight(const HistogramSpec& spec, double width) {
  double h = 0;
  if (!spec.title.empty()) h += Layout(spec.title, Style::kSubheading, width, Align::kLeft) + 4;
  h += 10;  // the marker's caption above the plot
  h += spec.height;
  h += 12;  // bin labels
  return h;
}

void Document::Impl::DrawHistogram(const HistogramSpec& spec, double x, double y0, double width) {
  double top = y0;
  if (!spec.title.empty()) {
    top += DrawText(spec.title, Style::kSubheading, x, top, width, Align::kLeft, kInk) + 4;
  }
  top += 10;
  const std::size_t bins = spec.counts.size();
  if (bins == 0) return;
  long max_count = 0;
  for (long c : spec.counts) max_count = std::max(max_count, c);
  const long axis_max = NiceMax(max_count);
  const double axis_w = 24;
  const double plot_x = x + axis_w, plot_w = width - axis_w;
  const double plot_h = spec.height, base = top + plot_h;
  // Y axis: zero, half and max, with light grid lines.
  for (long v : {0L, axis_max / 2, axis_max}) {
    const double gy = base - plot_h * static_cast<double>(v) / axis_max;
    Line(plot_x, gy, plot_x + plot_w, gy, v == 0 ? 0.8 : 0.4, v == 0 ? kMuted : kGrid);
    DrawText(std::to_string(v), Style::kSmall, x, gy - 5, axis_w - 4, Align::kRight, kMuted);
  }
  const double slot = plot_w / static_cast<double>(bins);
  const double bar_w = slot * 0.82;
  for (std::size_t i = 0; i < bins; ++i) {
    const double bx = plot_x + slot * static_cast<double>(i) + (slot - bar_w) / 2;
    const double bh = plot_h * static_cast<double>(spec.counts[i]) / axis_max;
    if (spec.counts[i] > 0) FillRect(bx, base - bh, bar_w, bh, kAccent);
    if (spec.counts[i] > 0) {
      DrawText(std::to_string(spec.counts[i]), Style::kSmall, bx - 6, base - bh - 10, bar_w + 12,
               Align::kCenter, kInk);
    }
    if (i < spec.bin_labels.size()) {
      DrawText(spec.bin_labels[i], Style::kSmall, plot_x + slot * static_cast<double>(i) - 4,
               base + 2, slot + 8, Align::kCenter, kMuted);
    }
  }
  if (spec.marker_before_bin >= 0 && static_cast<std::size_t>(spec.marker_before_bin) <= bins) {
    const double mx = plot_x + slot * spec.marker_before_bin;
    SetColor(kFail);
    cairo_set_line_width(cr, 1.0);
    const double dash[] = {3.0, 2.0};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, mx, top - 2);
    cairo_line_to(cr, mx, base);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
    const bool left = mx > plot_x + plot_w * 0.6;
    DrawText(spec.marker_label, Style::kSmallBold, left ? mx - 123 : mx + 3, top - 11, 120,
             left ? Align::kRight : Align::kLeft, kFail);
  }
}

void Document::Histogram(const HistogramSpec& spec) { Histograms({spec}, 1); }

void Document::Histograms(const std::vector<HistogramSpec>& specs, int per_row) {
  Impl& d = *impl_;
  per_row = std::max(1, per_row);
  const double gutter = 18;
  const double w = (d.Width() - gutter * (per_row - 1)) / per_row;
  for (std::size_t i = 0; i < specs.size(); i += static_cast<std::size_t>(per_row)) {
    double h = 0;
    for (std::size_t j = i; j < specs.size() && j < i + per_row; ++j) {
      h = std::max(h, d.HistogramHeight(specs[j], w));
    }
    d.Need(h + 10);
    for (std::size_t j = i; j < specs.size() && j < i + per_row; ++j) {
      d.DrawHistogram(specs[j], d.Left() + static_cast<double>(j - i) * (w + gutter), d.y, w);
    }
    d.y += h + 10;
  }
}

// ---------------------------------------------------------------------------------- stacked

void Document::StackedBars(const StackedBarSpec& spec) {
  Impl& d = *impl_;
  const double label_w = d.Width() * 0.3;
  const double plot_x = d.Left() + label_w + 6;
  const double plot_w = d.Width() - label_w - 6;
  const double row_h = 16, bar_h = 11;
  for (const StackedBarSpec::Bar& bar : spec.bars) {
    const double label_h = d.Layout(bar.label, Style::kTableCell, label_w, Align::kLeft);
    const double h = std::max(row_h, label_h + 4);
    d.Need(h);
    const double top = d.y;
    d.DrawText(bar.label, Style::kTableCell, d.Left(), top + (h - label_h) / 2, label_w,
               Align::kLeft, kInk);
    long total = 0;
    for (long c : bar.counts) total += c;
    double x = plot_x;
    const double bar_y = top + (h - bar_h) / 2;
    if (total == 0) {
      d.Line(plot_x, bar_y + bar_h / 2, plot_x + plot_w, bar_y + bar_h / 2, 0.4, kGrid);
    }
    for (std::size_t s = 0; s < bar.counts.size() && total > 0; ++s) {
      const double w = plot_w * static_cast<double>(bar.counts[s]) / static_cast<double>(total);
      if (w <= 0) continue;
      d.FillRect(x, bar_y, w, bar_h, kSegmentColors[s % kSegmentColors.size()]);
      const std::string n = std::to_string(bar.counts[s]);
      d.Layout(n, Style::kSmall, 200, Align::kLeft);
      if (w >= d.LastWidth() + 4) {
        d.DrawText(n, Style::kSmall, x, bar_y + 1, w, Align::kCenter, SegmentText(s));
      }
      x += w;
    }
    d.y += h;
  }
  // Legend: one swatch per segment.
  d.Need(16);
  double lx = plot_x;
  for (std::size_t s = 0; s < spec.segment_names.size(); ++s) {
    d.FillRect(lx, d.y + 4, 9, 7, kSegmentColors[s % kSegmentColors.size()]);
    d.DrawText(spec.segment_names[s], Style::kSmall, lx + 12, d.y + 2, 100, Align::kLeft, kMuted);
    lx += 12 + d.LastWidth() + 14;
  }
  d.y += 18;
}

}  // namespace lontar::report

// The state behind report::Document, shared by its drawing files (document.cpp, text and flow;
// charts.cpp, the charts). Not a public header: include document.hpp.
#pragma once

#include <pango/pangocairo.h>

#include <array>
#include <cstdio>
#include <optional>

#include "core/report/document.hpp"

namespace lontar::report {

inline constexpr int kStyleCount = static_cast<int>(Style::kBig) + 1;

struct Fonts::Impl {
  PangoFontMap* map = nullptr;
  PangoContext* context = nullptr;
  std::array<PangoFontDescription*, kStyleCount> styles{};
  ~Impl();
};

struct Document::Impl {
  Fonts::Impl* fonts = nullptr;
  DocumentSetup setup;
  std::filesystem::path path, tmp_path;
  std::FILE* file = nullptr;
  int write_errno = 0;
  cairo_surface_t* surface = nullptr;
  cairo_t* cr = nullptr;
  PangoLayout* layout = nullptr;         // flow content and charts
  PangoLayout* chrome_layout = nullptr;  // the running header and footer, so that starting a
                                         // page between measuring and drawing a block keeps
                                         // the block's layout intact
  std::optional<Error> error;
  bool finished = false;

  bool page_open = false;  // a page has been started and not yet shown
  int page_number = 0;
  bool restart_numbers = false;  // the next page is numbered 1
  double y = 0;                  // the flow cursor on the open page

  ~Impl();

  double Left() const { return setup.page.margin_left; }
  double Width() const {
    return setup.page.width - setup.page.margin_left - setup.page.margin_right;
  }
  double Bottom() const { return setup.page.height - setup.page.margin_bottom; }

  // Starts a page (drawing the running header) unless one is open.
  void EnsurePage();
  // Draws the footer and shows the open page, if any.
  void EndPage();
  // Ensures an open page with at least `h` points below the cursor (a fresh page if not; on a
  // fresh page content taller than the page is drawn anyway and runs into the margin).
  void Need(double h);

  // Lays out `text` at `width` in `style`; returns its height in points.
  double Layout(std::string_view text, Style style, double width, Align align);
  // The width of the last Layout()'s text (its widest line), in points.
  double LastWidth() const {
    int w = 0, h = 0;
    pango_layout_get_size(layout, &w, &h);
    return static_cast<double>(w) / PANGO_SCALE;
  }
  // Draws the last Layout() at (x, y) in `color`.
  void ShowLayout(double x, double y, Rgb color);
  double DrawText(std::string_view text, Style style, double x, double y, double width, Align align,
                  Rgb color) {
    const double h = Layout(text, style, width, align);
    ShowLayout(x, y, color);
    return h;
  }
  void SetColor(Rgb c) { cairo_set_source_rgb(cr, c.r, c.g, c.b); }
  void FillRect(double x, double y, double w, double h, Rgb c) {
    SetColor(c);
    cairo_rectangle(cr, x, y, w, h);
    cairo_fill(cr);
  }
  void Line(double x0, double y0, double x1, double y1, double width, Rgb c) {
    SetColor(c);
    cairo_set_line_width(cr, width);
    cairo_move_to(cr, x0, y0);
    cairo_line_to(cr, x1, y1);
    cairo_stroke(cr);
  }

  // Charts (charts.cpp). Each draws at (x, this->y) within `width` and returns its height;
  // the Height functions measure without drawing.
  double HistogramHeight(const HistogramSpec& spec, double width);
  void DrawHistogram(const HistogramSpec& spec, double x, double y, double width);
};

}  // namespace lontar::report

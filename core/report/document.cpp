// Document: the PDF file, pages with their running header and footer, text, and the flowing
// blocks (headings, paragraphs, key/value blocks, tables). Charts are in charts.cpp.
#include "core/report/document.hpp"

#include <sys/stat.h>

#include <cairo-pdf.h>
#include <malloc.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <string>
#include <utility>

#include "core/report/document_impl.hpp"

namespace lontar::report {
namespace {

struct StyleFont {
  const char* weight;
  double size;
};

// Indexed by Style.
constexpr std::array<StyleFont, kStyleCount> kStyleFonts{{
    {"Bold", 16},   // kTitle
    {"Bold", 12},   // kHeading
    {"Bold", 10},   // kSubheading
    {"", 9.5},      // kBody
    {"Bold", 9.5},  // kBold
    {"", 7.5},      // kSmall
    {"Bold", 7.5},  // kSmallBold
    {"Bold", 8.5},  // kTableHeader
    {"", 8.5},      // kTableCell
    {"Bold", 14},   // kBig
}};

constexpr double kCellPadX = 4, kCellPadY = 3;

cairo_status_t WriteToFile(void* closure, const unsigned char* data, unsigned int length) {
  auto* d = static_cast<Document::Impl*>(closure);
  if (std::fwrite(data, 1, length, d->file) != length) {
    d->write_errno = errno != 0 ? errno : EIO;
    return CAIRO_STATUS_WRITE_ERROR;
  }
  return CAIRO_STATUS_SUCCESS;
}

PangoAlignment ToPango(Align a) {
  switch (a) {
    case Align::kCenter:
      return PANGO_ALIGN_CENTER;
    case Align::kRight:
      return PANGO_ALIGN_RIGHT;
    case Align::kLeft:
      break;
  }
  return PANGO_ALIGN_LEFT;
}

Rgb RowColor(RowStyle s) {
  switch (s) {
    case RowStyle::kPass:
      return kPass;
    case RowStyle::kFail:
      return kFail;
    case RowStyle::kMuted:
      return kMuted;
    case RowStyle::kNormal:
    case RowStyle::kBold:
      break;
  }
  return kInk;
}

}  // namespace

void KeepFreedMemoryForReports() {
  mallopt(M_MMAP_THRESHOLD, 8 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

// ---------------------------------------------------------------------------------- Fonts

Fonts::Impl::~Impl() {
  for (auto* d : styles) {
    if (d != nullptr) pango_font_description_free(d);
  }
  if (context != nullptr) g_object_unref(context);
  if (map != nullptr) g_object_unref(map);
}

Fonts::Fonts(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Fonts::~Fonts() = default;

Result<std::unique_ptr<Fonts>> Fonts::Create() {
  auto impl = std::make_unique<Impl>();
  impl->map = pango_cairo_font_map_new();
  // 72 dpi: a font size in points is that many user units of a PDF page.
  pango_cairo_font_map_set_resolution(PANGO_CAIRO_FONT_MAP(impl->map), 72.0);
  impl->context = pango_font_map_create_context(impl->map);
  // No hinting: text must measure the same on every page, whatever renders the PDF later.
  cairo_font_options_t* options = cairo_font_options_create();
  cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options(impl->context, options);
  cairo_font_options_destroy(options);
  pango_context_set_language(impl->context, pango_language_from_string("id"));
  for (int i = 0; i < kStyleCount; ++i) {
    const std::string spec = std::string("Noto Sans ") + kStyleFonts[i].weight;
    impl->styles[i] = pango_font_description_from_string(spec.c_str());
    pango_font_description_set_size(impl->styles[i],
                                    static_cast<int>(kStyleFonts[i].size * PANGO_SCALE));
  }
  PangoFont* font = pango_context_load_font(impl->context, impl->styles[0]);
  std::string family;
  if (font != nullptr) {
    PangoFontDescription* got = pango_font_describe(font);
    if (const char* f = pango_font_description_get_family(got)) family = f;
    pango_font_description_free(got);
    g_object_unref(font);
  }
  if (family != "Noto Sans") {
    return std::unexpected(
        Error::NotFound("report fonts: Noto Sans is not installed (found \"" + family +
                        "\" instead); install the Debian package fonts-noto-core"));
  }
  return std::unique_ptr<Fonts>(new Fonts(std::move(impl)));
}

// ---------------------------------------------------------------------------------- Document

Document::Impl::~Impl() {
  if (layout != nullptr) g_object_unref(layout);
  if (chrome_layout != nullptr) g_object_unref(chrome_layout);
  if (cr != nullptr) cairo_destroy(cr);
  if (surface != nullptr) cairo_surface_destroy(surface);
  if (file != nullptr) std::fclose(file);
  if (!finished && !tmp_path.empty()) {
    std::error_code ec;
    std::filesystem::remove(tmp_path, ec);
  }
}

Document::Document(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Document::Document(Document&&) noexcept = default;
Document& Document::operator=(Document&&) noexcept = default;
Document::~Document() = default;

Result<Document> Document::Create(const std::filesystem::path& path, Fonts& fonts,
                                  DocumentSetup setup) {
  auto d = std::make_unique<Impl>();
  d->fonts = &fonts.impl();
  d->setup = std::move(setup);
  d->path = path;
  d->tmp_path = path;
  d->tmp_path += ".tmp";
  d->file = std::fopen(d->tmp_path.c_str(), "wb");
  if (d->file == nullptr) {
    const int err = errno;
    d->tmp_path.clear();  // nothing to remove
    return std::unexpected(Error::FromErrno("cannot create report " + path.string(), err));
  }
  // Reports name candidates and their scores: readable by the owner and the group only, as the
  // results CSVs are (0640), whatever the umask.
  (void)::fchmod(::fileno(d->file), 0640);
  std::setvbuf(d->file, nullptr, _IOFBF, 1 << 16);
  d->surface = cairo_pdf_surface_create_for_stream(WriteToFile, d.get(), d->setup.page.width,
                                                   d->setup.page.height);
  if (!d->setup.title.empty()) {
    cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_TITLE, d->setup.title.c_str());
  }
  cairo_pdf_surface_set_metadata(d->surface, CAIRO_PDF_METADATA_CREATOR, "Lontar");
  d->cr = cairo_create(d->surface);
  if (cairo_status(d->cr) != CAIRO_STATUS_SUCCESS) {
    return std::unexpected(Error::Internal("cannot draw report " + path.string() + ": " +
                                           cairo_status_to_string(cairo_status(d->cr))));
  }
  pango_cairo_update_context(d->cr, d->fonts->context);
  d->layout = pango_layout_new(d->fonts->context);
  pango_layout_set_wrap(d->layout, PANGO_WRAP_WORD_CHAR);
  d->chrome_layout = pango_layout_new(d->fonts->context);
  pango_layout_set_wrap(d->chrome_layout, PANGO_WRAP_WORD_CHAR);
  return Document(std::move(d));
}

Status Document::Finish() {
  Impl& d = *impl_;
  if (d.finished) return std::unexpected(Error::InvalidArgument("report already finished"));
  d.EnsurePage();  // an empty document is still one (blank) page
  d.EndPage();
  cairo_destroy(d.cr);
  d.cr = nullptr;
  cairo_surface_finish(d.surface);
  const cairo_status_t status = cairo_surface_status(d.surface);
  cairo_surface_destroy(d.surface);
  d.surface = nullptr;
  const int close_result = std::fclose(d.file);
  const int close_errno = errno;
  d.file = nullptr;
  if (d.write_errno != 0) {
    return std::unexpected(
        Error::FromErrno("cannot write report " + d.path.string(), d.write_errno));
  }
  if (status != CAIRO_STATUS_SUCCESS) {
    return std::unexpected(Error::Internal("cannot draw report " + d.path.string() + ": " +
                                           cairo_status_to_string(status)));
  }
  if (close_result != 0) {
    return std::unexpected(Error::FromErrno("cannot write report " + d.path.string(), close_errno));
  }
  std::error_code ec;
  std::filesystem::rename(d.tmp_path, d.path, ec);
  if (ec) {
    return std::unexpected(Error::FromErrno(
        "cannot rename " + d.tmp_path.string() + " to " + d.path.filename().string(), ec.value()));
  }
  d.finished = true;
  return Ok();
}

// ---------------------------------------------------------------------------------- pages

void Document::Impl::EnsurePage() {
  if (page_open) return;
  page_open = true;
  std::swap(layout, chrome_layout);
  if (restart_numbers) page_number = 0;
  restart_numbers = false;
  ++page_number;
  const PageSetup& p = setup.page;
  const double header_y = p.margin_top - 24;
  DrawText(setup.header_left, Style::kSmall, Left(), header_y, Width() * 0.62, Align::kLeft,
           kMuted);
  DrawText(setup.header_right, Style::kSmall, Left() + Width() * 0.38, header_y, Width() * 0.62,
           Align::kRight, kMuted);
  Line(Left(), p.margin_top - 10, Left() + Width(), p.margin_top - 10, 0.5, kRuleColor);
  std::swap(layout, chrome_layout);
  y = p.margin_top;
}

void Document::Impl::EndPage() {
  if (!page_open) return;
  std::swap(layout, chrome_layout);
  const double rule_y = Bottom() + 12;
  Line(Left(), rule_y, Left() + Width(), rule_y, 0.5, kRuleColor);
  DrawText(setup.footer_left, Style::kSmall, Left(), rule_y + 4, Width() * 0.85, Align::kLeft,
           kMuted);
  DrawText(setup.page_label + " " + std::to_string(page_number), Style::kSmall,
           Left() + Width() * 0.85, rule_y + 4, Width() * 0.15, Align::kRight, kMuted);
  std::swap(layout, chrome_layout);
  cairo_show_page(cr);
  page_open = false;
}

void Document::Impl::Need(double h) {
  if (page_open && y + h > Bottom() && y > setup.page.margin_top + 0.5) EndPage();
  EnsurePage();
}

double Document::Impl::Layout(std::string_view text, Style style, double width, Align align) {
  pango_layout_set_font_description(layout, fonts->styles[static_cast<int>(style)]);
  pango_layout_set_width(layout, static_cast<int>(width * PANGO_SCALE));
  pango_layout_set_alignment(layout, ToPango(align));
  pango_layout_set_text(layout, text.data(), static_cast<int>(text.size()));
  int w = 0, h = 0;
  pango_layout_get_size(layout, &w, &h);
  return static_cast<double>(h) / PANGO_SCALE;
}

void Document::Impl::ShowLayout(double x, double y0, Rgb color) {
  SetColor(color);
  cairo_move_to(cr, x, y0);
  pango_cairo_show_layout(cr, layout);
}

// ---------------------------------------------------------------------------------- flow

void Document::SetHeader(std::string left, std::string right) {
  impl_->setup.header_left = std::move(left);
  impl_->setup.header_right = std::move(right);
}
void Document::SetFooterLeft(std::string text) { impl_->setup.footer_left = std::move(text); }
void Document::RestartPageNumbers() { impl_->restart_numbers = true; }

void Document::NewPage() { impl_->EndPage(); }

void Document::KeepTogether(double points) { impl_->Need(points); }

void Document::Space(double points) {
  Impl& d = *impl_;
  d.EnsurePage();
  d.y = std::min(d.y + points, d.Bottom());
}

void Document::Rule() {
  Impl& d = *impl_;
  d.Need(6);
  d.Line(d.Left(), d.y + 3, d.Left() + d.Width(), d.y + 3, 0.5, kRuleColor);
  d.y += 6;
}

void Document::Title(std::string_view text) {
  Impl& d = *impl_;
  const double h = d.Layout(text, Style::kTitle, d.Width(), Align::kLeft);
  d.Need(h + 8);
  d.ShowLayout(d.Left(), d.y, kInk);
  d.y += h + 8;
}

void Document::Heading(std::string_view text) {
  Impl& d = *impl_;
  const double h = d.Layout(text, Style::kHeading, d.Width(), Align::kLeft);
  // A heading never ends a page: keep room for it and a few lines of what follows.
  d.Need(h + 6 + 60);
  if (d.y > d.setup.page.margin_top + 0.5) d.y += 8;
  d.ShowLayout(d.Left(), d.y, kAccent);
  d.y += h + 2;
  d.Line(d.Left(), d.y, d.Left() + d.Width(), d.y, 0.8, kAccent);
  d.y += 6;
}

void Document::Subheading(std::string_view text) {
  Impl& d = *impl_;
  const double h = d.Layout(text, Style::kSubheading, d.Width(), Align::kLeft);
  d.Need(h + 4 + 40);
  d.ShowLayout(d.Left(), d.y, kInk);
  d.y += h + 4;
}

void Document::Paragraph(std::string_view text, Style style, Align align, Rgb color) {
  Impl& d = *impl_;
  const double h = d.Layout(text, style, d.Width(), align);
  d.Need(h + 4);
  d.ShowLayout(d.Left(), d.y, color);
  d.y += h + 4;
}

void Document::KeyValues(const std::vector<std::pair<std::string, std::string>>& pairs,
                         int columns) {
  Impl& d = *impl_;
  columns = std::clamp(columns, 1, 3);
  const double gutter = 14;
  const double col_w = (d.Width() - gutter * (columns - 1)) / columns;
  const double key_w = columns == 1 ? col_w * 0.3 : col_w * 0.38;
  const double value_w = col_w - key_w - 6;
  for (std::size_t i = 0; i < pairs.size(); i += static_cast<std::size_t>(columns)) {
    double row_h = 0;
    for (int c = 0; c < columns && i + c < pairs.size(); ++c) {
      const auto& [key, value] = pairs[i + c];
      row_h = std::max(row_h, d.Layout(key, Style::kSmall, key_w, Align::kLeft) + 1.5);
      row_h = std::max(row_h, d.Layout(value, Style::kBold, value_w, Align::kLeft));
    }
    d.Need(row_h + 3);
    for (int c = 0; c < columns && i + c < pairs.size(); ++c) {
      const auto& [key, value] = pairs[i + c];
      const double x = d.Left() + c * (col_w + gutter);
      d.DrawText(key, Style::kSmall, x, d.y + 1.5, key_w, Align::kLeft, kMuted);
      d.DrawText(value, Style::kBold, x + key_w + 6, d.y, value_w, Align::kLeft, kInk);
    }
    d.y += row_h + 3;
  }
  d.y += 2;
}

void Document::Table(const std::vector<Column>& columns, const std::vector<Row>& rows) {
  Table(columns, rows.size(), [&](std::size_t i) { return rows[i]; });
}

void Document::Table(const std::vector<Column>& columns, std::size_t count,
                     const std::function<Row(std::size_t)>& row_at) {
  Impl& d = *impl_;
  if (columns.empty()) return;
  std::vector<double> xs, ws;
  double x = d.Left();
  for (const Column& c : columns) {
    const double w = c.width <= 1.0 ? c.width * d.Width() : c.width;
    xs.push_back(x);
    ws.push_back(w);
    x += w;
  }
  const double right = x;
  const auto row_height = [&](const std::vector<std::string>& cells, Style style) {
    double h = 0;
    for (std::size_t c = 0; c < columns.size() && c < cells.size(); ++c) {
      h = std::max(h, d.Layout(cells[c], style, ws[c] - 2 * kCellPadX, columns[c].align));
    }
    if (h == 0) h = d.Layout("0", style, 100, Align::kLeft);
    return h + 2 * kCellPadY;
  };
  std::vector<std::string> header_cells;
  for (const Column& c : columns) header_cells.push_back(c.header);
  const double header_h = row_height(header_cells, Style::kTableHeader);
  const auto draw_header = [&] {
    d.FillRect(d.Left(), d.y, right - d.Left(), header_h, kShade);
    for (std::size_t c = 0; c < columns.size(); ++c) {
      d.DrawText(columns[c].header, Style::kTableHeader, xs[c] + kCellPadX, d.y + kCellPadY,
                 ws[c] - 2 * kCellPadX, columns[c].align, kInk);
    }
    d.Line(d.Left(), d.y + header_h, right, d.y + header_h, 0.8, kMuted);
    d.y += header_h;
  };
  const double first_h = count == 0 ? 0 : row_height(row_at(0).cells, Style::kTableCell);
  d.Need(header_h + first_h);
  draw_header();
  for (std::size_t r = 0; r < count; ++r) {
    const Row row = row_at(r);
    const Style cell_style = row.style == RowStyle::kBold ? Style::kTableHeader : Style::kTableCell;
    const double h = row_height(row.cells, cell_style);
    if (d.y + h > d.Bottom()) {
      d.EndPage();
      d.EnsurePage();
      draw_header();
    }
    if (r % 2 == 1) d.FillRect(d.Left(), d.y, right - d.Left(), h, Rgb{0.97, 0.975, 0.98});
    for (std::size_t c = 0; c < columns.size() && c < row.cells.size(); ++c) {
      d.DrawText(row.cells[c], cell_style, xs[c] + kCellPadX, d.y + kCellPadY,
                 ws[c] - 2 * kCellPadX, columns[c].align, RowColor(row.style));
    }
    d.y += h;
    d.Line(d.Left(), d.y, right, d.y, 0.3, kRuleColor);
  }
  d.y += 6;
}

void Document::Callout(std::string_view big, std::string_view detail, Rgb color) {
  Impl& d = *impl_;
  const double pad = 8;
  const double big_w = std::max(d.Width() * 0.28, 60.0);
  const double detail_w = d.Width() - big_w - 3 * pad - 4;
  const double big_h = d.Layout(big, Style::kBig, big_w, Align::kLeft);
  const double detail_h = d.Layout(detail, Style::kBody, detail_w, Align::kLeft);
  const double h = std::max(big_h, detail_h) + 2 * pad;
  d.Need(h + 6);
  d.FillRect(d.Left(), d.y, d.Width(), h, kShade);
  d.FillRect(d.Left(), d.y, 4, h, color);
  d.DrawText(big, Style::kBig, d.Left() + 4 + pad, d.y + (h - big_h) / 2, big_w, Align::kLeft,
             color);
  d.DrawText(detail, Style::kBody, d.Left() + 4 + 2 * pad + big_w, d.y + (h - detail_h) / 2,
             detail_w, Align::kLeft, kInk);
  d.y += h + 6;
}

Area Document::Reserve(double height) {
  Impl& d = *impl_;
  d.Need(height);
  Area a{d.cr, d.Left(), d.y, d.Width(), height};
  d.y += height;
  return a;
}

double Document::Text(std::string_view text, Style style, double x, double y, double width,
                      Align align, Rgb color) {
  impl_->EnsurePage();
  return impl_->DrawText(text, style, x, y, width, align, color);
}

double Document::TextHeight(std::string_view text, Style style, double width) {
  return impl_->Layout(text, style, width, Align::kLeft);
}

double Document::ContentWidth() const { return impl_->Width(); }
double Document::Remaining() const {
  return impl_->page_open ? impl_->Bottom() - impl_->y
                          : impl_->Bottom() - impl_->setup.page.margin_top;
}
int Document::PageNumber() const { return std::max(1, impl_->page_number); }
const std::filesystem::path& Document::path() const { return impl_->path; }

}  // namespace lontar::report

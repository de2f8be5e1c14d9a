// Drawing printable A4 reports: a flowing document of headings, paragraphs, key/value blocks,
// tables and charts, written as PDF by Cairo with text laid out by Pango in Noto Sans.
//
// [SECTION] How to use it
//   auto fonts = report::Fonts::Create();                  // once per thread; reuse it
//   report::DocumentSetup setup;  setup.header_left = "BKD Provinsi Kalimantan Timur";
//   auto doc = report::Document::Create("out/P001.pdf", *fonts, setup);
//   doc->Heading("Laporan Hasil Peserta");
//   doc->KeyValues({{"Nama", "Siti Rahma"}, {"Posisi", "Analis"}}, 2);
//   doc->Table({{"Subtes", 0.5}, {"Nilai", 0.25, Align::kRight}, …}, rows);
//   doc->LevelChart(chart);
//   auto status = doc->Finish();                           // closes and renames the file
// Content flows down the page from the top margin; anything that does not fit in what is left
// of the page starts a new one (tables break between rows and repeat their header row). Each
// page gets the running header (two texts above a rule) and footer (a text on the left, "PAGE n"
// on the right). Page numbers are "Halaman 3", not "Halaman 3 dari 12": the total would need a
// second layout pass, and a candidate's page is one or two pages anyway.
//
// [SECTION] Units and geometry
// Points (1/72 inch) everywhere, the origin at the page's top-left corner. A4 is 595.28 x
// 841.89 pt; the default margins are 18 mm at the sides and bottom and 16 mm at the top (the
// header sits inside the top margin). ContentWidth() is what a table or chart may span.
//
// [SECTION] Threads and cost
// A Fonts holds a Pango font map and context of its own: it belongs to the thread that made it
// (Pango objects are not shared between threads) and costs a few milliseconds to make, so make
// one per thread and reuse it for every document that thread draws. A Document is cheap (no
// font loading): make one per candidate. Two threads, each with its own Fonts, may draw
// documents at once; Cairo and Pango serialise only their shared font caches.
//
// [SECTION] Files and errors
// Create() writes to PATH.tmp (mode 0640: reports name people and their scores); Finish()
// completes the PDF and renames it to PATH, so a crash
// never leaves a half-written PDF under the final name. A Document destroyed without Finish()
// removes its temporary file. Errors (the directory does not exist, the disk is full, Cairo
// reports a failure) are returned by Create() or Finish() and name the file; the drawing calls
// in between never fail, they are no-ops once the document is in error.
//
// [SECTION] Drawing your own figures
// Reserve(height) gives a rectangle on the current page (starting a new page if needed) and the
// cairo_t to draw into it; Text() and TextHeight() lay out text there in the document's styles.
// The nine-box grid and other custom figures are drawn this way. This header does not include
// <cairo.h> (so that only code that draws pays for Cairo's include paths): include it where you
// draw, and link PkgConfig::REPORT_DRAWING (core/CMakeLists.txt) in targets outside core.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/error.hpp"

// Cairo's drawing context (cairo.h declares it so); include <cairo.h> to draw into an Area.
typedef struct _cairo cairo_t;

namespace lontar::report {

// Text styles, all Noto Sans: sizes in points.
enum class Style {
  kTitle,        // 16 pt bold: the document's title
  kHeading,      // 12 pt bold: a section
  kSubheading,   // 10 pt bold
  kBody,         // 9.5 pt
  kBold,         // 9.5 pt bold
  kSmall,        // 7.5 pt: header, footer, captions, axis labels
  kSmallBold,    // 7.5 pt bold
  kTableHeader,  // 8.5 pt bold
  kTableCell,    // 8.5 pt
  kBig,          // 14 pt bold: a verdict ("LULUS")
};

enum class Align { kLeft, kCenter, kRight };

struct Rgb {
  double r = 0, g = 0, b = 0;
};

// The palette: sober, prints legibly in grey scale.
inline constexpr Rgb kInk{0.10, 0.12, 0.16};
inline constexpr Rgb kMuted{0.40, 0.43, 0.48};
inline constexpr Rgb kRuleColor{0.70, 0.72, 0.76};
inline constexpr Rgb kShade{0.93, 0.94, 0.96};     // table header and zebra rows
inline constexpr Rgb kAccent{0.13, 0.32, 0.55};    // bars, headings' rule
inline constexpr Rgb kStandard{0.85, 0.55, 0.10};  // a position's standard level
inline constexpr Rgb kPass{0.10, 0.48, 0.25};
inline constexpr Rgb kFail{0.72, 0.13, 0.13};

// Fonts and the Pango context text is laid out with. Thread-confined (see Threads and cost).
class Fonts {
 public:
  // Loads the font map and checks that Noto Sans is installed (fonts-noto-core); fails with
  // kNotFound naming the package otherwise. Reads font files; writes nothing.
  [[nodiscard]] static Result<std::unique_ptr<Fonts>> Create();
  ~Fonts();
  Fonts(const Fonts&) = delete;
  Fonts& operator=(const Fonts&) = delete;

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  explicit Fonts(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Many documents in a row each allocate and free zlib's deflate state (about 270 KB per
// compressed stream, several per PDF); glibc hands such memory back to the kernel on free
// (madvise), and in a threaded process each hand-back is a TLB shootdown on every core: a third
// of the CPU a candidate PDF costs (tests/bench/report_bench.cpp). Call once, before starting the
// drawing threads, in a process that writes many reports (the results report command): it
// raises glibc's mmap and trim thresholds (mallopt: process-wide), so freed memory stays in the
// heap for the next document. Memory held grows by a few MB per thread, not with the number of
// documents. Touches no file.
void KeepFreedMemoryForReports();

struct PageSetup {
  double width = 595.28, height = 841.89;  // A4 portrait
  double margin_top = 45.35, margin_bottom = 51.02, margin_left = 51.02, margin_right = 51.02;
};

struct DocumentSetup {
  PageSetup page;
  std::string title;                   // PDF metadata (Title); not drawn
  std::string header_left;             // running header, e.g. the agency and the exam
  std::string header_right;            // e.g. the report's name or the participant
  std::string footer_left;             // e.g. the bundle id and receipt code
  std::string page_label = "Halaman";  // footer right: "<page_label> <n>"
};

// One column of a table. `width` is a fraction of the content width when <= 1, else points;
// fractions that add up to less than 1 leave the rest unused.
struct Column {
  std::string header;
  double width = 0.1;
  Align align = Align::kLeft;
};

enum class RowStyle {
  kNormal,
  kBold,   // a total line
  kPass,   // text in kPass (a passing row)
  kFail,   // text in kFail
  kMuted,  // text in kMuted (e.g. a voided sitting)
};

struct Row {
  std::vector<std::string> cells;  // one per column; missing cells are blank
  RowStyle style = RowStyle::kNormal;
};

// A horizontal bar chart of levels on a 0..max scale: for a candidate, each competency's
// achieved level (a filled bar) against the position's standard (an orange tick), with the gap
// (achieved minus standard, when negative) drawn as a hatched span and written at the right.
struct LevelBar {
  std::string label;    // the competency's name
  double achieved = 0;  // 0..max
  double standard = 0;  // 0 for none
};
struct LevelChartSpec {
  std::vector<LevelBar> bars;
  int max_level = 5;
  std::string achieved_legend;  // legend texts, e.g. "Level tercapai"
  std::string standard_legend;  // "Standar jabatan"
  std::string gap_legend;       // "Kesenjangan"
};

// A histogram: counts per bin, bars side by side, labels under them; an optional marked bin
// boundary (e.g. a section's threshold) drawn as a dashed line with its caption.
struct HistogramSpec {
  std::string title;                    // above the plot, kSubheading
  std::vector<std::string> bin_labels;  // one per bin, under its bar ("60–69")
  std::vector<long> counts;             // one per bin
  int marker_before_bin = -1;           // draw the marker at the left edge of this bin; -1 none
  std::string marker_label;             // "Ambang 65"
  double height = 120;                  // plot height in points, labels excluded
};

// A stacked horizontal bar per row: segments with counts, one colour per segment index, and a
// legend naming the segments (e.g. how many candidates reached each level, per competency).
struct StackedBarSpec {
  std::vector<std::string> segment_names;  // legend, one per segment
  struct Bar {
    std::string label;
    std::vector<long> counts;  // one per segment
  };
  std::vector<Bar> bars;
};

// A rectangle on the page reserved for custom drawing (see Drawing your own figures).
struct Area {
  cairo_t* cr = nullptr;  // valid until the next call on the Document; do not destroy
  double x = 0, y = 0, width = 0, height = 0;
};

class Document {
 public:
  // Opens PATH.tmp for writing. Pages start with the first thing drawn on them, so header and
  // footer set before that apply to them. Fails (naming the file) when PATH.tmp cannot be
  // created. `fonts` must outlive the Document and belong to the calling thread.
  [[nodiscard]] static Result<Document> Create(const std::filesystem::path& path, Fonts& fonts,
                                               DocumentSetup setup);
  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;
  ~Document();  // without Finish(): removes PATH.tmp

  // Completes the last page, writes and closes the PDF and renames PATH.tmp to PATH. Returns
  // the first error seen while drawing or writing (naming the file); after an error PATH.tmp
  // is removed and PATH is left as it was. Call once.
  [[nodiscard]] Status Finish();

  // --- Running header and footer: apply from the next page started (the current page keeps
  // its header, but its footer is drawn when it ends, so SetFooterLeft applies to it too).
  // NewPage() then SetHeader() gives the new page the new header.
  void SetHeader(std::string left, std::string right);
  void SetFooterLeft(std::string text);
  // Numbers the next page 1 (for several candidates' pages in one file).
  void RestartPageNumbers();

  // --- Flow content. Each starts a new page when it does not fit in what remains.
  void Title(std::string_view text);
  void Heading(std::string_view text);  // kHeading with a thin accent rule under it
  void Subheading(std::string_view text);
  void Paragraph(std::string_view text, Style style = Style::kBody, Align align = Align::kLeft,
                 Rgb color = kInk);
  // Key/value pairs in `columns` columns (1..3), keys muted, values in kBold, row by row.
  void KeyValues(const std::vector<std::pair<std::string, std::string>>& pairs, int columns = 1);
  // A table with a shaded header row repeated on every page it spans; rows never split.
  void Table(const std::vector<Column>& columns, const std::vector<Row>& rows);
  // The same table with its rows made one at a time, `row_at(i)` for i in [0, count) in order
  // (row 0 may be asked twice): a ranking of thousands of rows need not be in memory twice.
  void Table(const std::vector<Column>& columns, std::size_t count,
             const std::function<Row(std::size_t)>& row_at);
  void LevelChart(const LevelChartSpec& spec);
  void Histogram(const HistogramSpec& spec);
  // Several histograms side by side (each `width` = content width / per_row).
  void Histograms(const std::vector<HistogramSpec>& specs, int per_row);
  void StackedBars(const StackedBarSpec& spec);
  // A boxed line of text with a coloured left edge (e.g. the verdict and the rule applied).
  void Callout(std::string_view big, std::string_view detail, Rgb color);
  void Space(double points);
  void Rule();  // a thin full-width line
  void NewPage();
  // Starts a new page unless at least `points` remain below the cursor.
  void KeepTogether(double points);

  // --- Custom drawing.
  [[nodiscard]] Area Reserve(double height);
  // Draws `text` in `style` at (x, y) (top of the text) wrapped to `width`; returns its height.
  double Text(std::string_view text, Style style, double x, double y, double width,
              Align align = Align::kLeft, Rgb color = kInk);
  // The height `text` would take at `width`, without drawing.
  double TextHeight(std::string_view text, Style style, double width);

  double ContentWidth() const;
  double Remaining() const;  // points left below the cursor on this page
  int PageNumber() const;    // the current page's number (1-based)
  const std::filesystem::path& path() const;

  struct Impl;

 private:
  explicit Document(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lontar::report

// The layout of ninebox.pdf is described in ninebox_pdf.hpp.
#include "core/report/ninebox_pdf.hpp"

#include <cairo.h>

#include <string>
#include <vector>

namespace lontar::report {
namespace {

constexpr double kRowLabelWidth = 74;      // the performance labels left of the grid
constexpr double kColumnLabelHeight = 30;  // the potential labels under the grid
constexpr double kCellHeight = 150;
constexpr double kPad = 5;

// Talent-pool boxes (7, 8, 9) are tinted with the accent, boxes needing attention (1, 2, 3)
// lightly warm, the rest neutral: it still reads in grey scale by the box numbers.
Rgb CellFill(int box) {
  if (box >= 7) return {0.86, 0.91, 0.97};
  if (box <= 3) return {0.98, 0.92, 0.90};
  return kShade;
}

// "rendah < 78 · menengah 78 s.d. < 90 · tinggi ≥ 90"
std::string CutsText(const Cuts& c, std::string_view low, std::string_view mid,
                     std::string_view high) {
  return std::string(low) + " < " + FormatValue(c.medium) + " · " + std::string(mid) + " " +
         FormatValue(c.medium) + " s.d. < " + FormatValue(c.high) + " · " + std::string(high) +
         " ≥ " + FormatValue(c.high);
}

std::string PersonLine(const NineBoxEntry& e) {
  return e.name.empty() ? e.participant : e.name + " (" + e.participant + ")";
}

void DrawCell(Document& doc, cairo_t* cr, const NineBoxMap& map, int box, double x, double y,
              double w, double h) {
  const Rgb fill = CellFill(box);
  cairo_set_source_rgb(cr, fill.r, fill.g, fill.b);
  cairo_rectangle(cr, x, y, w, h);
  cairo_fill_preserve(cr);
  cairo_set_source_rgb(cr, kRuleColor.r, kRuleColor.g, kRuleColor.b);
  cairo_set_line_width(cr, 0.8);
  cairo_stroke(cr);

  const double inner = w - 2 * kPad;
  const auto& members = map.box[box];
  doc.Text(std::to_string(box), Style::kBig, x + kPad, y + kPad, 24, Align::kLeft, kAccent);
  doc.Text(std::to_string(members.size()) + " orang", Style::kBold, x + kPad, y + kPad + 2, inner,
           Align::kRight, kInk);
  double cy = y + kPad + 20;
  cy += doc.Text(BoxName(box), Style::kSmall, x + kPad, cy, inner, Align::kLeft, kMuted) + 3;
  const double line = doc.TextHeight("Ag", Style::kSmall, inner);
  const double bottom = y + h - kPad;
  for (std::size_t k = 0; k < members.size(); ++k) {
    const bool last_fits = cy + 2 * line <= bottom;
    if (!last_fits && k + 1 < members.size()) {
      doc.Text("+ " + std::to_string(members.size() - k) + " lainnya", Style::kSmallBold, x + kPad,
               cy, inner, Align::kLeft, kInk);
      break;
    }
    const std::string person = PersonLine(map.entries[members[k]]);
    if (cy + doc.TextHeight(person, Style::kSmall, inner) > bottom) break;
    cy += doc.Text(person, Style::kSmall, x + kPad, cy, inner, Align::kLeft, kInk);
  }
}

void DrawGrid(Document& doc, const NineBoxMap& map) {
  doc.KeepTogether(3 * kCellHeight + kColumnLabelHeight + 20);
  const Area area = doc.Reserve(3 * kCellHeight + kColumnLabelHeight + 14);
  const double cell_w = (area.width - kRowLabelWidth) / 3;
  const double gx = area.x + kRowLabelWidth;
  // Rows top to bottom: di atas, sesuai, di bawah ekspektasi.
  const Tier rows[3] = {Tier::kHigh, Tier::kMedium, Tier::kLow};
  for (int r = 0; r < 3; ++r) {
    const double y = area.y + r * kCellHeight;
    const std::string label = "Kinerja " + std::string(PerformanceWord(rows[r]));
    const double lh = doc.TextHeight(label, Style::kSmallBold, kRowLabelWidth - 8);
    doc.Text(label, Style::kSmallBold, area.x, y + (kCellHeight - lh) / 2, kRowLabelWidth - 8,
             Align::kRight, kInk);
    for (int q = 0; q < 3; ++q) {
      DrawCell(doc, area.cr, map, BoxNumber(rows[r], static_cast<Tier>(q)), gx + q * cell_w, y,
               cell_w, kCellHeight);
    }
  }
  const double ly = area.y + 3 * kCellHeight + 4;
  for (int q = 0; q < 3; ++q) {
    doc.Text("Potensi " + std::string(PotentialWord(static_cast<Tier>(q))), Style::kSmallBold,
             gx + q * cell_w, ly, cell_w, Align::kCenter, kInk);
  }
  const std::string axis =
      (map.potential_source == PotentialSource::kJpm ? "Potensi: Job-Person Match (%), "
                                                     : "Potensi: rata-rata level kompetensi, ") +
      CutsText(map.potential_cuts, "rendah", "menengah", "tinggi");
  doc.Text(axis, Style::kSmall, gx, ly + 14, 3 * cell_w, Align::kCenter, kMuted);
}

void PeopleTable(Document& doc, const NineBoxMap& map, const std::vector<std::size_t>& which) {
  if (which.empty()) {
    doc.Paragraph("Tidak ada.", Style::kBody, Align::kLeft, kMuted);
    return;
  }
  std::vector<Row> rows;
  int n = 0;
  for (std::size_t i : which) {
    const NineBoxEntry& e = map.entries[i];
    rows.push_back({{std::to_string(++n), e.participant, e.name,
                     e.potential ? FormatValue(*e.potential) + " (" +
                                       std::string(PotentialWord(e.potential_tier)) + ")"
                                 : "",
                     e.performance ? std::string(PerformanceWord(*e.performance)) : e.rating}});
  }
  doc.Table({{"No", 0.07, Align::kRight},
             {"Peserta", 0.2},
             {"Nama", 0.33},
             {"Potensi", 0.17, Align::kRight},
             {"Kinerja", 0.23}},
            rows);
}

}  // namespace

Status WriteNineBoxPdf(const NineBoxMap& map, const std::filesystem::path& path, Fonts& fonts) {
  const std::string exam = map.exam_id.empty() ? "-" : map.exam_id;
  DocumentSetup setup;
  setup.title = "Peta talenta nine-box " + exam;
  setup.header_left = "Lontar · Peta talenta (nine-box)";
  setup.header_right = exam;
  setup.footer_left = "Nomor kotak menurut PermenPANRB 3/2020; batas kelas ditetapkan instansi";
  LONTAR_ASSIGN_OR_RETURN(Document doc, Document::Create(path, fonts, setup));

  std::size_t placed = 0;
  for (int b = 1; b <= 9; ++b) placed += map.box[b].size();
  doc.Title("Peta Talenta (Nine-Box)");
  const bool jpm = map.potential_source == PotentialSource::kJpm;
  doc.KeyValues({{"Ujian", exam},
                 {"Peserta", std::to_string(map.entries.size())},
                 {"Ditempatkan", std::to_string(placed)},
                 {"Tanpa penilaian kinerja", std::to_string(map.without_rating.size())},
                 {"Tanpa nilai potensi", std::to_string(map.without_potential.size())}},
                2);
  doc.KeyValues(
      {{"Potensi", (jpm ? "Job-Person Match (%): " : "rata-rata level kompetensi: ") +
                       CutsText(map.potential_cuts, "rendah", "menengah", "tinggi")},
       {"Kinerja", map.performance_cuts
                       ? "penilaian instansi; nilai angka: " +
                             CutsText(*map.performance_cuts, "di bawah", "sesuai", "di atas")
                       : "penilaian instansi (di bawah / sesuai / di atas ekspektasi)"}},
      1);
  doc.Space(8);
  DrawGrid(doc, map);
  doc.Paragraph(
      "Batas kelas potensi dan kinerja adalah pilihan instansi, bukan ketentuan nasional. "
      "Kotak 7, 8 dan 9 diarsir biru; kotak 1, 2 dan 3 diarsir merah muda.",
      Style::kSmall, Align::kLeft, kMuted);

  doc.NewPage();
  doc.Heading("Daftar per kotak");
  // One list: its heading ("<title> (<n> orang)<after>") kept with the first rows, then its people.
  auto list = [&](const std::string& title, const std::vector<std::size_t>& which,
                  const char* after) {
    doc.KeepTogether(60);
    doc.Subheading(title + " (" + std::to_string(which.size()) + " orang)" + after);
    PeopleTable(doc, map, which);
  };
  for (int b = 9; b >= 1; --b) {
    list("Kotak " + std::to_string(b) + ": " + BoxName(b), map.box[b], "");
    doc.Space(6);
  }
  if (!map.without_rating.empty()) {
    list("Tanpa penilaian kinerja", map.without_rating, ": tidak ditempatkan");
    doc.Space(6);
  }
  if (!map.without_potential.empty()) {
    list("Tanpa nilai potensi", map.without_potential, ": tidak dinilai atau dibatalkan");
  }
  return doc.Finish();
}

}  // namespace lontar::report

#include "core/report/items_pdf.hpp"

#include <algorithm>
#include <cstdio>

namespace lontar::report {
namespace {

struct ItemLabels {
  const char* title;
  const char* exam;
  const char* candidates;
  const char* section;
  const char* items;
  const char* mean;
  const char* sd;
  const char* undefined;
  const char* item;
  const char* type;
  const char* p_or_mean;
  const char* blank;
  const char* flags;
  const char* negative;
  const char* unchosen;
  const char* no_responses;
  const char* d_undefined;
  const char* r_undefined;
  const char* single;
  const char* weighted;
  const char* multiple;
  const char* likert;
  const char* legend_heading;
  const char* legend;
};

const ItemLabels kItemsIndonesian = {
    "Analisis Butir Soal",
    "Ujian",
    "Peserta",
    "Subtes",
    "Butir",
    "Rerata",
    "SB",
    "tak terdefinisi",
    "Butir",
    "Jenis",
    "p/rerata",
    "Kosong",
    "Catatan",
    "daya beda negatif",
    "pengecoh tak dipilih",
    "tak dijawab siapa pun",
    "D tak terdefinisi",
    "r tak terdefinisi",
    "tunggal",
    "bobot",
    "ganda",
    "likert",
    "Keterangan",
    "p: proporsi menjawab benar (butir benar/salah). Rerata: rerata skor dibagi skor maksimum "
    "(butir berbobot). D: daya beda, selisih kelompok atas dan bawah 27% menurut total subtes "
    "(peserta yang seri di batas kelompok dihitung dengan bobot yang sama). r: korelasi butir "
    "dengan total subtes tanpa butir itu. A-F dan Kosong: persentase peserta yang memilih opsi "
    "itu atau tidak menjawab; * menandai kunci (opsi bernilai maksimum). KR-20 dipakai bila semua "
    "butir subtes benar/salah, selain itu "
    "alfa Cronbach. SB: simpangan baku total subtes. Nilai tak terdefinisi (tanpa variasi) "
    "dibiarkan kosong."};

const ItemLabels kItemsEnglish = {
    "Item Analysis",
    "Exam",
    "Candidates",
    "Section",
    "Items",
    "Mean",
    "SD",
    "undefined",
    "Item",
    "Type",
    "p/mean",
    "Blank",
    "Flags",
    "negative discrimination",
    "unchosen distractor",
    "answered by nobody",
    "D undefined",
    "r undefined",
    "single",
    "weighted",
    "multiple",
    "likert",
    "Notes",
    "p: proportion correct (right/wrong items). Mean: mean score over the maximum (weighted "
    "items). D: discrimination, upper minus lower 27% group by section total (candidates tied "
    "at a group's cut count with equal weights). r: correlation of the item with the section "
    "total without it. A-F and Blank: percent of candidates choosing the option or leaving the "
    "item blank; * marks the key (the option worth the maximum). KR-20 when every item of the "
    "section is right/wrong, Cronbach's alpha "
    "otherwise. SD: standard deviation of the section total. Undefined figures (no variance) "
    "are left empty."};

std::string Fixed(const std::optional<double>& v, int decimals) {
  if (!v) return "–";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, *v);
  std::string s = buf;
  if (s.find_first_not_of("-0.") == std::string::npos && s[0] == '-') s.erase(0, 1);
  return s;
}

const char* TypeName(const ItemLabels& l, model::ItemType type) {
  switch (type) {
    case model::ItemType::kSingle:
      return l.single;
    case model::ItemType::kWeighted:
      return l.weighted;
    case model::ItemType::kMultiple:
      return l.multiple;
    case model::ItemType::kLikert:
      return l.likert;
  }
  return "";
}

std::string Flags(const ItemLabels& l, const ItemStats& item) {
  std::string out;
  auto add = [&](const std::string& s) { out += (out.empty() ? "" : "; ") + s; };
  if (item.flags.negative_discrimination) add(l.negative);
  if (item.flags.unchosen_distractor) {
    std::string keys;
    for (const OptionStats& o : item.options) {
      if (o.distractor && o.count == 0) keys += (keys.empty() ? "" : ", ") + o.key;
    }
    add(std::string(l.unchosen) + " " + keys);
  }
  if (item.flags.no_responses) add(l.no_responses);
  if (item.flags.discrimination_undefined && !item.flags.no_responses) add(l.d_undefined);
  if (item.flags.point_biserial_undefined && !item.flags.no_responses) add(l.r_undefined);
  return out;
}

// Option columns A.. up to the most options any item has; the flags take the width left over.
std::vector<Column> ItemColumns(const ItemLabels& l, std::size_t options) {
  std::vector<Column> columns = {{l.item, 0.09},
                                 {l.type, 0.10},
                                 {l.p_or_mean, 0.09, Align::kRight},
                                 {"D", 0.06, Align::kRight},
                                 {"r", 0.06, Align::kRight}};
  for (char c = 'A'; c < 'A' + static_cast<char>(options); ++c) {
    columns.push_back({std::string(1, c), 0.055, Align::kRight});
  }
  columns.push_back({l.blank, 0.085, Align::kRight});
  columns.push_back({l.flags, 0.185 + 0.055 * static_cast<double>(kMaxOptions - options)});
  return columns;
}

Row ItemRow(const ItemLabels& l, const ItemStats& item, std::size_t options) {
  Row row;
  row.cells = {item.id, TypeName(l, item.type),
               item.dichotomous ? Fixed(item.p, 2) : Fixed(item.mean_ratio, 2),
               Fixed(item.discrimination, 2), Fixed(item.point_biserial, 2)};
  for (std::size_t o = 0; o < options; ++o) {
    if (o >= item.options.size()) {
      row.cells.emplace_back();
      continue;
    }
    // The key (or the option worth the maximum) is starred, so its share reads apart.
    const OptionStats& option = item.options[o];
    row.cells.push_back(Fixed(100 * option.share, 0) + (option.distractor ? "" : "*"));
  }
  row.cells.push_back(Fixed(100 * item.blank_share, 0));
  row.cells.push_back(Flags(l, item));
  if (item.flags.negative_discrimination) row.style = RowStyle::kFail;
  return row;
}

}  // namespace

Status WriteItemsPdf(const std::filesystem::path& path, Fonts& fonts, const ItemAnalysis& analysis,
                     const ItemsPdfOptions& options) {
  if (options.lang != "id" && options.lang != "en") {
    return std::unexpected(Error::InvalidArgument("language '" + options.lang + "' for " +
                                                  path.string() + ": use id or en"));
  }
  const ItemLabels& l = options.lang == "en" ? kItemsEnglish : kItemsIndonesian;
  DocumentSetup setup;
  setup.title = l.title;
  setup.header_left = options.header_left;
  setup.header_right = std::string(l.title) + (options.exam.empty() ? "" : " · " + options.exam);
  if (options.lang == "en") setup.page_label = "Page";
  LONTAR_ASSIGN_OR_RETURN(Document doc, Document::Create(path, fonts, setup));
  doc.Title(l.title);
  std::vector<std::pair<std::string, std::string>> about;
  if (!options.exam.empty()) about.emplace_back(l.exam, options.exam);
  about.emplace_back(l.candidates, std::to_string(analysis.candidates));
  doc.KeyValues(about, 2);

  std::size_t option_columns = 2;
  for (const ItemStats& item : analysis.items) {
    option_columns = std::max(option_columns, item.options.size());
  }
  option_columns = std::min(option_columns, kMaxOptions);
  const std::vector<Column> columns = ItemColumns(l, option_columns);
  for (const SectionStats& s : analysis.sections) {
    doc.KeepTogether(140);
    doc.Heading(std::string(l.section) + " " + s.id);
    doc.KeyValues({{l.items, std::to_string(s.items)},
                   {l.mean, Fixed(s.mean, 2) + " / " + Fixed(s.max_total, 0)},
                   {l.sd, Fixed(s.sd, 2)},
                   {s.method == Reliability::kKr20 ? "KR-20" : "Alpha",
                    s.reliability ? Fixed(s.reliability, 2) : l.undefined}},
                  2);
    std::vector<Row> rows;
    for (const ItemStats& item : analysis.items) {
      if (item.section == s.id) rows.push_back(ItemRow(l, item, option_columns));
    }
    doc.Table(columns, rows);
    doc.Space(6);
  }
  doc.KeepTogether(90);
  doc.Subheading(l.legend_heading);
  doc.Paragraph(l.legend, Style::kSmall, Align::kLeft, kMuted);
  return doc.Finish();
}

}  // namespace lontar::report

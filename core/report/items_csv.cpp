#include "core/report/items_csv.hpp"

#include <cstdio>

#include "core/util/csv_field.hpp"

namespace lontar::report {
namespace {

std::string Join(const std::vector<std::string>& words, const char* separator) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : separator) + w;
  return out;
}

}  // namespace

std::string FormatFigure(double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f", value);
  std::string s = buf;
  if (s == "-0.0000") s = "0.0000";
  return s;
}

std::string FormatFigure(const std::optional<double>& value) {
  return value ? FormatFigure(*value) : std::string();
}

std::string ItemsCsv(const ItemAnalysis& analysis) {
  std::string out =
      "section,item,type,competency,scoring,max,p,mean,mean_ratio,discrimination,point_biserial,"
      "A,B,C,D,E,F,blank,flags\r\n";
  for (const ItemStats& item : analysis.items) {
    std::vector<std::string> f = {CsvField(item.section),
                                  CsvField(item.id),
                                  model::ItemTypeName(item.type),
                                  CsvField(item.competency),
                                  item.dichotomous ? "dichotomous" : "polytomous",
                                  FormatFigure(item.max_score),
                                  FormatFigure(item.p),
                                  FormatFigure(item.mean),
                                  FormatFigure(item.mean_ratio),
                                  FormatFigure(item.discrimination),
                                  FormatFigure(item.point_biserial)};
    for (std::size_t o = 0; o < kMaxOptions; ++o) {
      f.push_back(o < item.options.size() ? FormatFigure(item.options[o].share) : "");
    }
    f.push_back(FormatFigure(item.blank_share));
    f.push_back(CsvField(Join(FlagWords(item), " ")));
    out += Join(f, ",") + "\r\n";
  }
  return out;
}

std::string ItemSectionsCsv(const ItemAnalysis& analysis) {
  std::string out =
      "section,items,candidates,max_total,mean,sd,reliability_method,reliability,note\r\n";
  for (const SectionStats& s : analysis.sections) {
    std::string note;
    if (!s.reliability) {
      note = s.items < 2 ? "fewer than 2 items" : "section total has no variance";
    }
    out += CsvField(s.id) + "," + std::to_string(s.items) + "," +
           std::to_string(analysis.candidates) + "," + FormatFigure(s.max_total) + "," +
           FormatFigure(s.mean) + "," + FormatFigure(s.sd) + "," +
           (s.method == Reliability::kKr20 ? "KR-20" : "alpha") + "," +
           FormatFigure(s.reliability) + "," + CsvField(note) + "\r\n";
  }
  return out;
}

}  // namespace lontar::report

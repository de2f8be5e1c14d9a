// Placing candidates in the nine-box grid; the inputs and the numbering are described in
// ninebox.hpp.
#include "core/report/ninebox.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>

#include "core/report/csv_reader.hpp"
#include "core/util/csv_field.hpp"

namespace lontar::report {
namespace {

std::string Lower(std::string_view s) {
  std::string out;
  for (char c : s) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

// Lower case, trimmed, runs of blanks read as one space.
std::string NormalisePhrase(std::string_view s) {
  std::string out;
  bool blank = false;
  for (char c : TrimBlanks(s)) {
    if (c == ' ' || c == '\t') {
      blank = true;
      continue;
    }
    if (blank) out += ' ';
    blank = false;
    out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  return out;
}

// A plain decimal ("78", "83.5", "-1"); with decimal_comma, "83,5" too. No exponents, no
// infinities or NaN.
std::optional<double> ParseNumber(std::string_view text, bool decimal_comma) {
  std::string s(TrimBlanks(text));
  if (decimal_comma && s.find('.') == std::string::npos) {
    for (char& c : s) c = c == ',' ? '.' : c;
  }
  if (s.empty()) return std::nullopt;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-')) return std::nullopt;
  }
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<Tier> RatingWord(std::string_view rating) {
  static const std::map<std::string, Tier, std::less<>> kWords = {
      {"di bawah ekspektasi", Tier::kLow},   {"below expectations", Tier::kLow},
      {"below expectation", Tier::kLow},     {"sesuai ekspektasi", Tier::kMedium},
      {"meets expectations", Tier::kMedium}, {"meets expectation", Tier::kMedium},
      {"as expected", Tier::kMedium},        {"di atas ekspektasi", Tier::kHigh},
      {"above expectations", Tier::kHigh},   {"above expectation", Tier::kHigh},
      {"exceeds expectations", Tier::kHigh}, {"exceeds expectation", Tier::kHigh},
  };
  const auto it = kWords.find(NormalisePhrase(rating));
  if (it == kWords.end()) return std::nullopt;
  return it->second;
}

std::unexpected<Error> Malformed(const std::string& message) {
  return std::unexpected(Error::Malformed(message));
}

// A cell's text, blanks trimmed, with the apostrophe that CsvField puts before a text a
// spreadsheet would take for a formula taken off again (a participant number "'=1" in cohort.csv
// is "=1"; an agency's file exported from it reads the same).
std::string Cell(const CsvRecord& r, std::optional<std::size_t> column) {
  return column ? CsvFieldValue(TrimBlanks(r.fields[*column])) : std::string();
}

bool AllBlank(const CsvRecord& r) {
  for (const auto& f : r.fields) {
    if (!TrimBlanks(f).empty()) return false;
  }
  return true;
}

// The results rows as entries, with their potential; checks the exam and the potential columns.
Status ReadResults(const CsvTable& t, const NineBoxOptions& options, NineBoxMap& map) {
  const auto participant = t.Column("participant");
  if (!participant) {
    return Malformed(t.file +
                     ": no 'participant' column; give the cohort.csv of `lontar results report` "
                     "or the CSV of `lontar results open`");
  }
  const auto name = t.Column("name");
  const auto exam = t.Column("exam_id");
  const auto kind = t.Column("kind");
  const auto ended = t.Column("ended");  // how the sitting ended, in `results open` CSVs
  const auto jpm = t.Column("jpm_percent");
  std::vector<std::pair<std::size_t, std::string>> levels;  // column, competency
  for (std::size_t i = 0; i < t.header.size(); ++i) {
    if (Lower(t.header[i]).starts_with("level:")) levels.emplace_back(i, t.header[i].substr(6));
  }
  if (!options.exam_id.empty() && !exam) {
    return Malformed(t.file + ": has no exam_id column, so it cannot be checked to be of exam " +
                     options.exam_id +
                     "; give the cohort.csv of `lontar results report`, or leave out --exam for "
                     "the CSV of `lontar results open` (which holds one exam)");
  }
  int exam_line = 0;
  std::map<std::string, int> seen;  // participant -> line
  bool any_jpm = false, any_level = false;
  for (const CsvRecord& r : t.records) {
    if (AllBlank(r)) continue;
    const std::string id = Cell(r, participant);
    if (id.empty()) return Malformed(t.Where(r.line) + ": the participant number is empty");
    if (const auto [it, fresh] = seen.emplace(id, r.line); !fresh) {
      return Malformed(t.Where(r.line) + ": participant " + id + " appears twice (also line " +
                       std::to_string(it->second) +
                       "); a nine-box needs one row per candidate: resolve the duplicate "
                       "sittings first");
    }
    const std::string row_exam = Cell(r, exam);
    if (!row_exam.empty()) {
      if (!options.exam_id.empty() && row_exam != options.exam_id) {
        return Malformed(t.Where(r.line) + ": a result of exam " + row_exam + ", but --exam is " +
                         options.exam_id + "; give the results of exam " + options.exam_id);
      }
      if (map.exam_id.empty()) {
        map.exam_id = row_exam;
        exam_line = r.line;
      } else if (row_exam != map.exam_id) {
        return Malformed(t.Where(r.line) + ": a result of exam " + row_exam + ", but line " +
                         std::to_string(exam_line) + " is of exam " + map.exam_id +
                         "; a nine-box maps one exam: give the results of one exam");
      }
    }
    NineBoxEntry e;
    e.participant = id;
    e.name = Cell(r, name);
    e.results_line = r.line;
    const std::string jpm_text = Cell(r, jpm);
    std::optional<double> jpm_value;
    if (!jpm_text.empty()) {
      jpm_value = ParseNumber(jpm_text, false);
      if (!jpm_value || *jpm_value < 0 || *jpm_value > 100) {
        return Malformed(t.Where(r.line) + ": jpm_percent '" + jpm_text +
                         "' is not a percentage from 0 to 100");
      }
      any_jpm = true;
    }
    double sum = 0;
    int count = 0;
    for (const auto& [column, competency] : levels) {
      const std::string text = Cell(r, column);
      if (text.empty() || text == "null") continue;
      const auto v = ParseNumber(text, false);
      if (!v || *v < 0 || *v > 5) {
        return Malformed(t.Where(r.line) + ": level:" + competency + " '" + text +
                         "' is not a competency level from 0 to 5");
      }
      sum += *v;
      ++count;
    }
    any_level = any_level || count > 0;
    const bool voided = Lower(Cell(r, kind)) == "voided" || Lower(Cell(r, ended)) == "voided";
    if (!voided) {
      if (options.potential == PotentialSource::kJpm) e.potential = jpm_value;
      if (options.potential == PotentialSource::kCompetency && count > 0) e.potential = sum / count;
    }
    if (e.potential) e.potential_tier = Classify(*e.potential, map.potential_cuts);
    map.entries.push_back(std::move(e));
  }
  const bool has_potential = options.potential == PotentialSource::kJpm ? any_jpm : any_level;
  if (!has_potential) {
    const std::string which = map.exam_id.empty() ? "these results" : "exam " + map.exam_id;
    std::string message =
        t.file + ": " + which +
        (options.potential == PotentialSource::kJpm
             ? " has no JPM percentages (column jpm_percent missing or empty)"
             : " has no competency levels (no level:<competency> column with a value)") +
        "; a nine-box needs the results of a competency exam (CACT), not an exam without "
        "competency scoring such as SKD";
    if (options.potential == PotentialSource::kJpm && any_level) {
      message += " (this file has competency levels: use --potential competency)";
    }
    return Malformed(message);
  }
  return Ok();
}

Status ReadPerformance(const CsvTable& t, const std::string& results_file,
                       const std::optional<Cuts>& cuts, NineBoxMap& map) {
  const auto participant = t.Column("participant");
  const auto rating = t.Column("rating");
  if (!participant || !rating) {
    return Malformed(t.file + ": no '" + std::string(participant ? "rating" : "participant") +
                     "' column; the file needs a header line participant,rating");
  }
  std::map<std::string, std::size_t> index;  // participant -> entry
  for (std::size_t i = 0; i < map.entries.size(); ++i) index[map.entries[i].participant] = i;
  std::map<std::string, int> seen;
  for (const CsvRecord& r : t.records) {
    if (AllBlank(r)) continue;
    const std::string id = Cell(r, participant);
    if (id.empty()) return Malformed(t.Where(r.line) + ": the participant number is empty");
    const auto it = index.find(id);
    if (it == index.end()) {
      return Malformed(t.Where(r.line) + ": participant " + id + " is not in the results (" +
                       results_file +
                       "); check the number, or that both files are of the same "
                       "cohort");
    }
    if (const auto [s, fresh] = seen.emplace(id, r.line); !fresh) {
      return Malformed(t.Where(r.line) + ": participant " + id + " is rated twice (also line " +
                       std::to_string(s->second) + ")");
    }
    NineBoxEntry& e = map.entries[it->second];
    e.rating = Cell(r, rating);
    if (e.rating.empty()) continue;
    if (auto word = RatingWord(e.rating)) {
      e.performance = *word;
      continue;
    }
    const auto number = ParseNumber(e.rating, t.separator == ';');
    if (!number) {
      return Malformed(t.Where(r.line) + ": rating '" + e.rating +
                       "' is not one of 'di bawah ekspektasi', 'sesuai ekspektasi', 'di atas "
                       "ekspektasi' (or below/meets/above expectations), nor a number");
    }
    if (!cuts) {
      return Malformed(t.Where(r.line) + ": rating " + e.rating +
                       " is a number; give --performance-cuts SESUAI,DI_ATAS (the lowest scores "
                       "that are 'sesuai ekspektasi' and 'di atas ekspektasi')");
    }
    e.performance = Classify(*number, *cuts);
  }
  return Ok();
}

}  // namespace

Status CheckCuts(const Cuts& cuts, std::string_view option) {
  const std::string shown =
      std::string(option) + " " + FormatValue(cuts.medium) + "," + FormatValue(cuts.high);
  if (!std::isfinite(cuts.medium) || !std::isfinite(cuts.high)) {
    return std::unexpected(
        Error::InvalidArgument(std::string(option) + ": cut-offs must be numbers"));
  }
  if (!(cuts.medium < cuts.high)) {
    return std::unexpected(Error::InvalidArgument(
        shown +
        ": cut-offs out of order; the first (where the middle class starts) must be "
        "below the second (where the top class starts)"));
  }
  return Ok();
}

Tier Classify(double value, const Cuts& cuts) {
  if (value >= cuts.high) return Tier::kHigh;
  if (value >= cuts.medium) return Tier::kMedium;
  return Tier::kLow;
}

namespace {
// kBoxes[performance][potential]
constexpr int kBoxes[3][3] = {{1, 3, 6}, {2, 5, 8}, {4, 7, 9}};
}  // namespace

int BoxNumber(Tier performance, Tier potential) {
  return kBoxes[static_cast<int>(performance)][static_cast<int>(potential)];
}

Tier BoxPerformance(int box) {
  for (int p = 0; p < 3; ++p) {
    for (int q = 0; q < 3; ++q) {
      if (kBoxes[p][q] == box) return static_cast<Tier>(p);
    }
  }
  return Tier::kLow;
}

Tier BoxPotential(int box) {
  for (int p = 0; p < 3; ++p) {
    for (int q = 0; q < 3; ++q) {
      if (kBoxes[p][q] == box) return static_cast<Tier>(q);
    }
  }
  return Tier::kLow;
}

std::string_view PotentialWord(Tier tier) {
  switch (tier) {
    case Tier::kLow:
      return "rendah";
    case Tier::kMedium:
      return "menengah";
    case Tier::kHigh:
      return "tinggi";
  }
  return "";
}

std::string_view PerformanceWord(Tier tier) {
  switch (tier) {
    case Tier::kLow:
      return "di bawah ekspektasi";
    case Tier::kMedium:
      return "sesuai ekspektasi";
    case Tier::kHigh:
      return "di atas ekspektasi";
  }
  return "";
}

std::string BoxName(int box) {
  return "Kinerja " + std::string(PerformanceWord(BoxPerformance(box))) + ", potensi " +
         std::string(PotentialWord(BoxPotential(box)));
}

std::string_view PotentialSourceName(PotentialSource source) {
  return source == PotentialSource::kJpm ? "jpm" : "competency";
}

std::string FormatValue(double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f", value);
  std::string s = buf;
  while (s.find('.') != std::string::npos && (s.back() == '0' || s.back() == '.')) {
    const bool dot = s.back() == '.';
    s.pop_back();
    if (dot) break;
  }
  return s == "-0" ? "0" : s;
}

Result<NineBoxMap> BuildNineBox(std::string_view results_csv, std::string_view results_file,
                                std::string_view performance_csv, std::string_view performance_file,
                                const NineBoxOptions& options) {
  NineBoxMap map;
  map.potential_source = options.potential;
  map.potential_cuts = options.potential_cuts.value_or(
      options.potential == PotentialSource::kJpm ? kDefaultJpmCuts : kDefaultLevelCuts);
  map.performance_cuts = options.performance_cuts;
  LONTAR_TRY(CheckCuts(map.potential_cuts, "--potential-cuts"));
  if (map.performance_cuts) LONTAR_TRY(CheckCuts(*map.performance_cuts, "--performance-cuts"));

  LONTAR_ASSIGN_OR_RETURN(const CsvTable results, ParseCsv(results_csv, results_file));
  LONTAR_TRY(ReadResults(results, options, map));
  LONTAR_ASSIGN_OR_RETURN(const CsvTable performance, ParseCsv(performance_csv, performance_file));
  LONTAR_TRY(ReadPerformance(performance, results.file, map.performance_cuts, map));

  for (std::size_t i = 0; i < map.entries.size(); ++i) {
    NineBoxEntry& e = map.entries[i];
    if (!e.potential) {
      map.without_potential.push_back(i);
    } else if (!e.performance) {
      map.without_rating.push_back(i);
    } else {
      e.box = BoxNumber(*e.performance, e.potential_tier);
      map.box[e.box].push_back(i);
    }
  }
  return map;
}

std::string NineBoxCsv(const NineBoxMap& map) {
  std::string out =
      "participant,name,potential,potential_class,performance_rating,performance,box,box_name\r\n";
  const auto row = [&](std::size_t i) {
    const NineBoxEntry& e = map.entries[i];
    std::vector<std::string> f = {e.participant, e.name};
    f.push_back(e.potential ? FormatValue(*e.potential) : "");
    f.push_back(e.potential ? std::string(PotentialWord(e.potential_tier)) : "");
    f.push_back(e.rating);
    f.push_back(e.performance ? std::string(PerformanceWord(*e.performance)) : "");
    f.push_back(e.box ? std::to_string(e.box) : "");
    f.push_back(e.box ? BoxName(e.box) : "");
    for (std::size_t k = 0; k < f.size(); ++k) out += (k ? "," : "") + CsvField(f[k]);
    out += "\r\n";
  };
  for (int b = 9; b >= 1; --b) {
    for (std::size_t i : map.box[b]) row(i);
  }
  for (std::size_t i : map.without_rating) row(i);
  for (std::size_t i : map.without_potential) row(i);
  return out;
}

}  // namespace lontar::report

// The nine-box talent map: each candidate placed by potential (from the competency results)
// against performance (kinerja, from a CSV the agency supplies).
//
// Boxes are numbered as in PermenPANRB 3/2020 on manajemen talenta ASN:
//
//                          potential:  rendah   menengah   tinggi
//   kinerja di atas ekspektasi              4         7         9
//   kinerja sesuai ekspektasi               2         5         8
//   kinerja di bawah ekspektasi             1         3         6
//
// Inputs (both read by column name; extra columns are ignored, column order is free):
// - The results CSV: the cohort.csv of `lontar results report`, or the CSV of `lontar results
//   open`. Needs `participant`; `name`, `exam_id`, `kind` and `ended` when present; and for
//   potential either `jpm_percent` (PotentialSource::kJpm) or the `level:<competency>` columns
//   (kCompetency: the mean of the levels present, each 0..5). One row per participant. A row
//   whose potential cell is empty, or whose kind or ended is `voided`, has no potential: it is
//   listed, placed in no box.
// - The performance CSV: `participant,rating`. A rating is a phrase (case and surrounding blanks
//   ignored, inner runs of blanks read as one): `di bawah ekspektasi` / `sesuai ekspektasi` /
//   `di atas ekspektasi`, or in English `below expectations` / `meets expectations` (also `as
//   expected`) / `above expectations` (also `exceeds expectations`); or a number, classified by
//   the performance cut-offs (a decimal comma is read as a point). An empty rating is no rating.
//
// Cut-offs: a pair (medium, high); a value v is low when v < medium, medium when
// medium <= v < high, high when v >= high. The defaults (kDefaultJpmCuts, kDefaultLevelCuts) are
// agency choices that Lontar proposes, not national rules; numeric performance ratings have no
// default.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/error.hpp"

namespace lontar::report {

enum class PotentialSource { kJpm, kCompetency };
// Low/medium/high on either axis: rendah/menengah/tinggi for potential, di bawah/sesuai/di atas
// ekspektasi for performance.
enum class Tier { kLow = 0, kMedium = 1, kHigh = 2 };

struct Cuts {
  double medium = 0;  // the lowest value that is medium
  double high = 0;    // the lowest value that is high
};

// Talent-mapping JPM categories: Kurang optimal < 78, Cukup optimal 78-<90, Optimal >= 90.
inline constexpr Cuts kDefaultJpmCuts{78, 90};
// Mean competency level: below 3 (the usual standard level) low, 3-<4 medium, 4 and above high.
inline constexpr Cuts kDefaultLevelCuts{3, 4};

struct NineBoxOptions {
  PotentialSource potential = PotentialSource::kJpm;
  std::optional<Cuts> potential_cuts;    // default: by source, as above
  std::optional<Cuts> performance_cuts;  // needed only when a rating is a number
  std::string exam_id;                   // when not empty, every results row must be of this exam
};

struct NineBoxEntry {
  std::string participant, name;
  int results_line = 0;
  std::optional<double> potential;   // JPM percent or mean level; none: no potential
  Tier potential_tier = Tier::kLow;  // valid when potential has a value
  std::string rating;                // the performance rating as written (trimmed); empty: none
  std::optional<Tier> performance;   // none: no rating
  int box = 0;                       // 1..9, or 0 when not placed
};

struct NineBoxMap {
  std::string exam_id;  // from the results' exam_id column; empty when it has none
  PotentialSource potential_source = PotentialSource::kJpm;
  Cuts potential_cuts;
  std::optional<Cuts> performance_cuts;
  std::vector<NineBoxEntry> entries;             // in the results' row order
  std::array<std::vector<std::size_t>, 10> box;  // box[1..9]: indexes into entries
  std::vector<std::size_t> without_rating;       // has potential, no performance rating
  std::vector<std::size_t> without_potential;    // no potential value (unscored or voided)
};

// Checks that cuts.medium < cuts.high and both are finite; `option` names the setting in the
// message ("--potential-cuts 90,78: ..."). Pure.
[[nodiscard]] Status CheckCuts(const Cuts& cuts, std::string_view option);
// The tier of `value` under `cuts` (see above). Pure.
Tier Classify(double value, const Cuts& cuts);
// The PermenPANRB 3/2020 box number (1..9) of a performance and a potential tier. Pure.
int BoxNumber(Tier performance, Tier potential);
// The tiers of box 1..9 (box must be in range). Pure.
Tier BoxPerformance(int box);
Tier BoxPotential(int box);
// Indonesian names: "Kinerja di atas ekspektasi, potensi tinggi"; tier words "rendah", "sesuai
// ekspektasi", ... Pure.
std::string BoxName(int box);
std::string_view PotentialWord(Tier tier);
std::string_view PerformanceWord(Tier tier);
std::string_view PotentialSourceName(PotentialSource source);  // "jpm" / "competency"

// Builds the map from the two CSV texts; `results_file` and `performance_file` name them in
// messages. Fails (kMalformed or kInvalidArgument, "FILE:LINE: ...") on a malformed CSV, a
// missing column, a participant twice in either file, a results row of another exam than
// options.exam_id (or rows of two exams), results with no potential value at all, a level or JPM
// that is not a number in range, a performance participant not in the results, an unknown
// rating word, a numeric rating without performance cut-offs, and cut-offs out of order.
// Pure: touches no disk.
[[nodiscard]] Result<NineBoxMap> BuildNineBox(std::string_view results_csv,
                                              std::string_view results_file,
                                              std::string_view performance_csv,
                                              std::string_view performance_file,
                                              const NineBoxOptions& options);

// ninebox.csv: header participant,name,potential,potential_class,performance_rating,performance,
// box,box_name; one row per entry, placed ones by box from 9 down to 1, then those without a
// rating, then those without potential, each group in results order. Empty cells where there is
// no value. CRLF line ends, RFC 4180 quoting. Pure.
std::string NineBoxCsv(const NineBoxMap& map);

// A potential value as written in the CSV and the PDF: up to two decimals, no trailing zeros.
std::string FormatValue(double value);

}  // namespace lontar::report

// Classical item analysis over a ResponseMatrix: whether each item worked, for the exam authority.
//
// Definitions (N = candidates in the matrix; every figure counts every candidate, a blank
// included, and scores are the scorer's own, so a blank scores 0):
//   x              the item's figure per candidate. Dichotomous items (single; multiple without
//                  partial credit): 1 when the candidate scored the item's maximum with a
//                  non-blank answer, else 0. Polytomous items (weighted, Likert, multiple with
//                  partial credit): the points scored.
//   p              dichotomous only: mean of x, the proportion correct.
//   mean, mean/max every item: the mean points scored, and that over the item's maximum.
//   section total  the candidate's points on the item's section. Items are judged against their
//                  own section, not the whole exam, because an exam's sections measure different
//                  things (SKD's TWK, TIU and TKP): an item is discriminating when it separates
//                  those who did well on what it belongs to.
//   groups         g = round(0.27 N) (half up, in integers: (27 N + 50) / 100). The upper group is
//                  the g candidates with the highest section totals, the lower the g with the
//                  lowest. Ties at a cut are shared, not broken: when the candidates with the
//                  total at the cut are m and only r < m places remain, each of the m counts with
//                  weight r / m. The result depends neither on the order the candidates were
//                  added in nor on their numbers.
//   discrimination D = (weighted mean of x in the upper group - that in the lower) for
//                  dichotomous items, and the same divided by the item's maximum for polytomous
//                  ones, so both lie in [-1, 1]. Undefined when g = 0 (N < 2) or every candidate
//                  has the same section total.
//   point-biserial the item-rest correlation: Pearson's r between x and (section total - the
//                  item's points), over all candidates; for polytomous items the same Pearson r
//                  (an item-rest correlation). Undefined when x or the rest has no variance.
//   option share   the share of candidates who chose the option (a multiple-response answer
//                  counts for each option chosen, so shares can add up to more than 1); blank
//                  share: the share who left the item blank.
//   section        mean and standard deviation of the section total (population SD, dividing
//                  by N, the variance KR-20's p q terms use). Reliability: KR-20 when every item
//                  of the section is dichotomous, k/(k-1) (1 - sum p q / var(X)) with X the
//                  number correct in the section; otherwise Cronbach's alpha,
//                  k/(k-1) (1 - sum var(item points) / var(section total)). Both use population
//                  variances. Undefined when k < 2 or var(X) = 0.
// Flags per item:
//   negative-discrimination   D < 0: the lower group did better than the upper
//   unchosen-distractor       a distractor (MatrixItem::distractor) nobody chose
//   no-responses              every candidate left the item blank
//   discrimination-undefined  see D above
//   point-biserial-undefined  see point-biserial above
// An undefined figure is an empty std::optional here and an empty field in the CSV, never NaN.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/model/exam.hpp"
#include "core/report/response_matrix.hpp"
#include "core/util/error.hpp"

namespace lontar::report {

struct OptionStats {
  std::string key;  // "A", "B", ...
  double share = 0;
  std::size_t count = 0;
  bool distractor = false;
};

struct ItemFlags {
  bool negative_discrimination = false;
  bool unchosen_distractor = false;  // which: the OptionStats with distractor and count 0
  bool no_responses = false;
  bool discrimination_undefined = false;
  bool point_biserial_undefined = false;
};

struct ItemStats {
  std::string id;
  std::string section;
  std::string competency;
  model::ItemType type = model::ItemType::kSingle;
  bool dichotomous = false;
  double max_score = 0;
  std::optional<double> p;           // dichotomous items only
  double mean = 0;                   // mean points
  std::optional<double> mean_ratio;  // mean / max_score; empty when max_score <= 0
  std::optional<double> discrimination;
  std::optional<double> point_biserial;
  std::vector<OptionStats> options;  // in the item's order
  double blank_share = 0;
  ItemFlags flags;
};

enum class Reliability { kKr20, kCronbachAlpha };
const char* ReliabilityName(Reliability r);  // "KR-20", "Cronbach's alpha"

struct SectionStats {
  std::string id;
  std::size_t items = 0;
  double max_total = 0;  // sum of the items' maxima
  double mean = 0;       // of the section total
  double sd = 0;         // population SD of the section total
  Reliability method = Reliability::kKr20;
  std::optional<double> reliability;  // empty when k < 2 or the total has no variance
};

struct ItemAnalysis {
  std::size_t candidates = 0;
  std::vector<ItemStats> items;  // in matrix (exam) order
  std::vector<SectionStats> sections;
};

// The analysis of every item and section of `matrix`. kInvalidArgument when the matrix has no
// candidates (there is nothing to analyse). Pure; time and memory linear in the matrix (a few
// doubles per candidate per section besides it).
[[nodiscard]] Result<ItemAnalysis> AnalyseItems(const ResponseMatrix& matrix);

// The flags that are set, as the words above ("unchosen-distractor" is followed by the options,
// "unchosen-distractor:C+E"). Pure.
std::vector<std::string> FlagWords(const ItemStats& item);

}  // namespace lontar::report

#include "core/report/item_analysis.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace lontar::report {
namespace {

// Per-section figures of every candidate, and the upper and lower group weights.
struct SectionColumns {
  std::vector<double> total;    // points
  std::vector<double> correct;  // number of dichotomous items correct
  std::vector<double> upper;    // weight in the upper 27% group, 0..1
  std::vector<double> lower;
  std::size_t group = 0;  // g
  bool groups_defined = false;
  double mean = 0;  // of total; also the shift that keeps the rest sums small
};

// Gives the first `g` places of `order` (candidates by total, best first) weight 1, sharing the
// last places equally among all candidates tied at the cut.
void AssignGroup(const std::vector<std::size_t>& order, const std::vector<double>& total,
                 std::size_t g, std::vector<double>& weight) {
  std::size_t taken = 0, pos = 0;
  while (taken < g && pos < order.size()) {
    std::size_t end = pos + 1;
    while (end < order.size() && total[order[end]] == total[order[pos]]) ++end;
    const std::size_t tied = end - pos;
    const double w =
        taken + tied <= g ? 1.0 : static_cast<double>(g - taken) / static_cast<double>(tied);
    for (std::size_t k = pos; k < end; ++k) weight[order[k]] = w;
    taken = std::min(g, taken + tied);
    pos = end;
  }
}

SectionColumns SectionFigures(const ResponseMatrix& m, const MatrixSection& s) {
  const std::size_t n = m.candidate_count();
  SectionColumns col;
  col.total.assign(n, 0);
  col.correct.assign(n, 0);
  col.upper.assign(n, 0);
  col.lower.assign(n, 0);
  const auto& items = m.items();
  for (std::size_t c = 0; c < n; ++c) {
    const ChoiceSet* row = m.row(c);
    double total = 0, correct = 0;
    for (std::size_t i = s.first_item; i < s.first_item + s.item_count; ++i) {
      total += items[i].score[row[i]];
      correct += items[i].correct[row[i]] ? 1 : 0;
    }
    col.total[c] = total;
    col.correct[c] = correct;
  }
  col.mean = std::accumulate(col.total.begin(), col.total.end(), 0.0) / static_cast<double>(n);
  col.group = (27 * n + 50) / 100;
  const auto [lo, hi] = std::minmax_element(col.total.begin(), col.total.end());
  col.groups_defined = col.group > 0 && *lo != *hi;
  if (col.groups_defined) {
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return col.total[a] > col.total[b]; });
    AssignGroup(order, col.total, col.group, col.upper);
    std::reverse(order.begin(), order.end());
    AssignGroup(order, col.total, col.group, col.lower);
  }
  return col;
}

// Population variance from sums, never negative through rounding.
double Variance(double sum, double sum_sq, double n) {
  const double mean = sum / n;
  return std::max(0.0, sum_sq / n - mean * mean);
}

// Running sums for one item over all candidates.
struct ItemSums {
  double x = 0, xx = 0;             // x: indicator or points (see the header)
  double points = 0, pp = 0;        // points, for alpha and the mean
  double rest = 0, rr = 0, xr = 0;  // rest = section total - points - section mean
  double x_min = INFINITY, x_max = -INFINITY;
  double rest_min = INFINITY, rest_max = -INFINITY;
  double upper = 0, lower = 0;  // weighted sums of x in the groups
  std::size_t options[kMaxOptions] = {};
  std::size_t blank = 0;
};

}  // namespace

const char* ReliabilityName(Reliability r) {
  return r == Reliability::kKr20 ? "KR-20" : "Cronbach's alpha";
}

Result<ItemAnalysis> AnalyseItems(const ResponseMatrix& m) {
  const std::size_t n = m.candidate_count();
  if (n == 0) {
    return std::unexpected(Error::InvalidArgument(
        "item analysis needs the answers of at least one candidate; the results hold none"));
  }
  const double dn = static_cast<double>(n);
  const auto& items = m.items();
  ItemAnalysis out;
  out.candidates = n;

  for (const MatrixSection& s : m.sections()) {
    const SectionColumns col = SectionFigures(m, s);
    std::vector<ItemSums> sums(s.item_count);
    for (std::size_t c = 0; c < n; ++c) {
      const ChoiceSet* row = m.row(c);
      const double section_total = col.total[c] - col.mean;
      for (std::size_t k = 0; k < s.item_count; ++k) {
        const MatrixItem& item = items[s.first_item + k];
        const ChoiceSet set = row[s.first_item + k];
        ItemSums& a = sums[k];
        const double points = item.score[set];
        const double x = item.dichotomous ? (item.correct[set] ? 1.0 : 0.0) : points;
        const double rest = section_total - points;
        const double exact_rest = col.total[c] - points;  // unshifted: ties stay ties
        a.x += x;
        a.xx += x * x;
        a.points += points;
        a.pp += points * points;
        a.rest += rest;
        a.rr += rest * rest;
        a.xr += x * rest;
        a.x_min = std::min(a.x_min, x);
        a.x_max = std::max(a.x_max, x);
        a.rest_min = std::min(a.rest_min, exact_rest);
        a.rest_max = std::max(a.rest_max, exact_rest);
        a.upper += col.upper[c] * x;
        a.lower += col.lower[c] * x;
        if (set == 0) ++a.blank;
        for (std::size_t o = 0; o < kMaxOptions; ++o) a.options[o] += (set >> o) & 1;
      }
    }

    SectionStats section;
    section.id = s.id;
    section.items = s.item_count;
    section.mean = col.mean;
    double total_sq = 0;
    for (double t : col.total) total_sq += (t - col.mean) * (t - col.mean);
    section.sd = std::sqrt(total_sq / dn);
    bool all_dichotomous = true;
    double sum_item_var = 0;  // p q, or variance of the points

    for (std::size_t k = 0; k < s.item_count; ++k) {
      const MatrixItem& item = items[s.first_item + k];
      const ItemSums& a = sums[k];
      ItemStats st;
      st.id = item.id;
      st.section = item.section;
      st.competency = item.competency;
      st.type = item.type;
      st.dichotomous = item.dichotomous;
      st.max_score = item.max_score;
      st.mean = a.points / dn;
      if (item.max_score > 0) st.mean_ratio = st.mean / item.max_score;
      if (item.dichotomous) st.p = a.x / dn;
      section.max_total += item.max_score;
      all_dichotomous = all_dichotomous && item.dichotomous;
      sum_item_var += item.dichotomous ? *st.p * (1 - *st.p) : Variance(a.points, a.pp, dn);

      const double scale = item.dichotomous ? 1.0 : item.max_score;
      if (col.groups_defined && scale > 0) {
        st.discrimination = (a.upper - a.lower) / static_cast<double>(col.group) / scale;
      }
      const double var_x = Variance(a.x, a.xx, dn), var_rest = Variance(a.rest, a.rr, dn);
      if (a.x_min != a.x_max && a.rest_min != a.rest_max && var_x > 0 && var_rest > 0) {
        const double cov = a.xr / dn - (a.x / dn) * (a.rest / dn);
        st.point_biserial = std::clamp(cov / std::sqrt(var_x * var_rest), -1.0, 1.0);
      }

      for (std::size_t o = 0; o < item.option_keys.size(); ++o) {
        OptionStats opt{item.option_keys[o], static_cast<double>(a.options[o]) / dn, a.options[o],
                        item.distractor[o]};
        st.flags.unchosen_distractor =
            st.flags.unchosen_distractor || (opt.distractor && !opt.count);
        st.options.push_back(std::move(opt));
      }
      st.blank_share = static_cast<double>(a.blank) / dn;
      st.flags.negative_discrimination = st.discrimination && *st.discrimination < 0;
      st.flags.no_responses = a.blank == n;
      st.flags.discrimination_undefined = !st.discrimination;
      st.flags.point_biserial_undefined = !st.point_biserial;
      out.items.push_back(std::move(st));
    }

    section.method = all_dichotomous ? Reliability::kKr20 : Reliability::kCronbachAlpha;
    const std::vector<double>& x_total = all_dichotomous ? col.correct : col.total;
    const auto [lo, hi] = std::minmax_element(x_total.begin(), x_total.end());
    double sum = 0, sum_sq = 0;
    for (double t : x_total) {
      sum += t;
      sum_sq += t * t;
    }
    const double var_total = Variance(sum, sum_sq, dn);
    if (s.item_count >= 2 && *lo != *hi && var_total > 0) {
      const double k = static_cast<double>(s.item_count);
      section.reliability = k / (k - 1) * (1 - sum_item_var / var_total);
    }
    out.sections.push_back(std::move(section));
  }
  return out;
}

std::vector<std::string> FlagWords(const ItemStats& item) {
  std::vector<std::string> words;
  if (item.flags.negative_discrimination) words.push_back("negative-discrimination");
  if (item.flags.unchosen_distractor) {
    std::string w = "unchosen-distractor:";
    bool first = true;
    for (const OptionStats& o : item.options) {
      if (o.distractor && o.count == 0) {
        w += (first ? "" : "+") + o.key;
        first = false;
      }
    }
    words.push_back(std::move(w));
  }
  if (item.flags.no_responses) words.push_back("no-responses");
  if (item.flags.discrimination_undefined) words.push_back("discrimination-undefined");
  if (item.flags.point_biserial_undefined) words.push_back("point-biserial-undefined");
  return words;
}

}  // namespace lontar::report

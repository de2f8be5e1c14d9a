#include "core/scoring/rank.hpp"

#include <algorithm>
#include <map>

namespace lontar::scoring {

bool RanksByJpm(const model::Exam& exam) { return !exam.positions.empty(); }

RankEntry MakeRankEntry(const model::Exam& exam, double total,
                        std::span<const SectionScore> sections, std::optional<double> jpm_percent,
                        std::string_view position) {
  RankEntry e;
  if (RanksByJpm(exam)) {
    e.eligible = jpm_percent.has_value() && !position.empty();
    e.pool = std::string(position);
    e.keys = {jpm_percent.value_or(0)};
    return e;
  }
  e.eligible = true;
  e.keys.push_back(total);
  for (const std::string& id : exam.rank_by) {
    const auto s = std::find_if(sections.begin(), sections.end(),
                                [&](const SectionScore& x) { return x.id == id; });
    e.keys.push_back(s == sections.end() ? 0.0 : s->total);
  }
  return e;
}

std::vector<std::optional<int>> Rank(std::span<const RankEntry> entries) {
  std::vector<std::optional<int>> ranks(entries.size());
  std::map<std::string, std::vector<std::size_t>> pools;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (entries[i].eligible) pools[entries[i].pool].push_back(i);
  }
  for (auto& [pool, members] : pools) {
    // Larger keys first; std::vector's operator> compares lexicographically.
    std::stable_sort(members.begin(), members.end(), [&](std::size_t a, std::size_t b) {
      return entries[a].keys > entries[b].keys;
    });
    for (std::size_t k = 0; k < members.size(); ++k) {
      const bool tied = k > 0 && entries[members[k]].keys == entries[members[k - 1]].keys;
      ranks[members[k]] = tied ? *ranks[members[k - 1]] : static_cast<int>(k + 1);
    }
  }
  return ranks;
}

}  // namespace lontar::scoring

// Ranking of scored sittings. Pure: the caller gathers one compact entry per sitting (from
// scoring::Score, or from server::ResultRow) and gets ranks back in the same order.
//
// Rules:
//   Selection exams (no positions, e.g. SKD): by total, highest first; ties broken by the
//   sections the exam lists in rank_by, in order (BKN: TKP, then TIU, then TWK). One pool.
//   Competency exams (the exam declares positions, e.g. CACT): by Job-Person Match percentage,
//   highest first, within each position (one pool per position); a sitting with no JPM (no
//   position) gets no rank.
//   Entries equal on every key share a rank and the ranks after them skip ("1, 2, 2, 4"), so a
//   rank always says how many did better. Keys compare exactly: totals are sums of the pack's
//   whole-number points (or the same proportional fractions), and equal JPM inputs give equal
//   doubles.
//   Ineligible entries (unscored, voided, no JPM on a competency exam) get no rank.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/exam.hpp"
#include "core/scoring/score.hpp"

namespace lontar::scoring {

struct RankEntry {
  bool eligible = false;
  std::string pool;          // ranked only against entries of the same pool ("" or a position)
  std::vector<double> keys;  // compared in order, larger first
};

// True when the exam ranks by JPM within positions (it declares positions). Pure.
bool RanksByJpm(const model::Exam& exam);

// The entry of one scored, not voided sitting: (total, then the rank_by sections' totals) or, on
// a competency exam, (JPM percent) in the pool of its position. A rank_by section missing from
// `sections` counts as 0. Pure.
RankEntry MakeRankEntry(const model::Exam& exam, double total,
                        std::span<const SectionScore> sections, std::optional<double> jpm_percent,
                        std::string_view position);

// Rank of each entry (1 = best), nullopt for ineligible ones; same order as `entries`. Pure.
std::vector<std::optional<int>> Rank(std::span<const RankEntry> entries);

}  // namespace lontar::scoring

// Ranking (core/scoring/rank.hpp) with tables worked by hand: BKN's order (total, then TKP, TIU,
// TWK), shared ranks for ties that remain (1, 2, 2, 4), and JPM within each position.
#include "core/scoring/rank.hpp"

#include <gtest/gtest.h>

namespace lontar::scoring {
namespace {

using Ranks = std::vector<std::optional<int>>;

RankEntry E(std::vector<double> keys, std::string pool = "") {
  return RankEntry{true, std::move(pool), std::move(keys)};
}

model::Exam Skd() {
  model::Exam exam;
  for (const char* id : {"twk", "tiu", "tkp"}) exam.sections.push_back({id, {}, 0, {}, {}});
  exam.rank_by = {"tkp", "tiu", "twk"};
  return exam;
}

std::vector<SectionScore> Sections(double twk, double tiu, double tkp) {
  return {{"twk", twk, 150, {}, true}, {"tiu", tiu, 175, {}, true}, {"tkp", tkp, 225, {}, true}};
}

TEST(Rank, TotalThenTkpThenTiu) {
  const model::Exam exam = Skd();
  struct Row {
    const char* who;
    double twk, tiu, tkp;  // total = their sum
    int rank;
  };
  // Worked by hand: E has the highest total (420). A, B, C and D all have 400: C has the best TKP
  // (180), so 2nd; A, B and D tie on TKP (170) and B's TIU (120) is below A's and D's (130), so B
  // is 5th; A and D are equal on every key and share 3rd; nobody is 4th.
  const Row rows[] = {
      {"A", 100, 130, 170, 3}, {"B", 110, 120, 170, 5}, {"C", 110, 110, 180, 2},
      {"D", 100, 130, 170, 3}, {"E", 110, 130, 180, 1},
  };
  std::vector<RankEntry> entries;
  for (const Row& r : rows) {
    const auto sections = Sections(r.twk, r.tiu, r.tkp);
    entries.push_back(MakeRankEntry(exam, r.twk + r.tiu + r.tkp, sections, std::nullopt, ""));
  }
  EXPECT_EQ(entries[0].keys, (std::vector<double>{400, 170, 130, 100}));
  const Ranks ranks = Rank(entries);
  for (std::size_t i = 0; i < std::size(rows); ++i) {
    EXPECT_EQ(ranks[i], rows[i].rank) << rows[i].who;
  }
}

TEST(Rank, ThreeWayTieSharesARankAndTheNextSkips) {
  // 300, 300, 300, 250, 300 on every key: four share 1st; 250 is 5th.
  const Ranks ranks = Rank(std::vector<RankEntry>{E({300, 100}), E({300, 100}), E({300, 100}),
                                                  E({250, 90}), E({300, 100})});
  EXPECT_EQ(ranks, (Ranks{1, 1, 1, 5, 1}));
  // A plain three-way tie below a leader: 1, 2, 2, 2, 5.
  EXPECT_EQ(Rank(std::vector<RankEntry>{E({9}), E({7}), E({7}), E({7}), E({3})}),
            (Ranks{1, 2, 2, 2, 5}));
}

TEST(Rank, TieBrokenAtTheSecondAndTheThirdKey) {
  // With three sections the total and two section totals fix the third, so a tie that survives
  // to the third key needs a fourth section; the rule is the same for any number of keys.
  // keys (total, tkp, tiu, twk):
  //   P 300,120,100,50   Q 300,120,90,60   R 300,110,110,50   S 300,120,100,50 (= P)
  // R is last at the 2nd key (110 < 120); Q behind P and S at the 3rd (90 < 100).
  const Ranks ranks = Rank(std::vector<RankEntry>{E({300, 120, 100, 50}), E({300, 120, 90, 60}),
                                                  E({300, 110, 110, 50}), E({300, 120, 100, 50})});
  EXPECT_EQ(ranks, (Ranks{1, 3, 4, 1}));
  // Broken at the 4th key: equal to the 3rd, then 60 > 50.
  EXPECT_EQ(Rank(std::vector<RankEntry>{E({300, 120, 90, 50}), E({300, 120, 90, 60})}),
            (Ranks{2, 1}));
}

TEST(Rank, IneligibleEntriesGetNoRankAndTakeNoPlace) {
  std::vector<RankEntry> entries = {E({50}), E({80}), E({80}), E({70})};
  entries[1].eligible = false;  // unscored or voided
  EXPECT_EQ(Rank(entries), (Ranks{3, std::nullopt, 1, 2}));
  EXPECT_TRUE(Rank(std::vector<RankEntry>{}).empty());
}

TEST(Rank, CompetencyExamsRankByJpmWithinEachPosition) {
  model::Exam exam;
  exam.sections.push_back({"manajerial", {}, 0, {}, {}});
  exam.positions = {{"kepala-seksi", {}, {}}, {"kepala-bidang", {}, {}}};
  ASSERT_TRUE(RanksByJpm(exam));
  // The total plays no part: seksi 100% (total 90) is above seksi 78.26% (total 150).
  struct Row {
    double total;
    std::optional<double> jpm;
    const char* position;
    std::optional<int> rank;
  };
  const Row rows[] = {
      {150, 100.0 * 18 / 23, "kepala-seksi", 2},
      {90, 100.0, "kepala-seksi", 1},
      {120, 100.0 * 18 / 23, "kepala-bidang", 1},  // alone at the top of its own position
      {130, 100.0 * 12 / 23, "kepala-bidang", 2},
      {140, 100.0 * 18 / 23, "kepala-seksi", 2},  // ties the first row
      {160, std::nullopt, "", std::nullopt},      // no position: no JPM, no rank
  };
  std::vector<RankEntry> entries;
  for (const Row& r : rows) {
    entries.push_back(MakeRankEntry(exam, r.total, {}, r.jpm, r.position));
  }
  const Ranks ranks = Rank(entries);
  for (std::size_t i = 0; i < std::size(rows); ++i) EXPECT_EQ(ranks[i], rows[i].rank) << i;
}

}  // namespace
}  // namespace lontar::scoring

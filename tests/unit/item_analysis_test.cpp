// Item analysis on a hand-made response matrix whose figures are worked out below by hand, then
// the edges: one candidate, everyone alike, blanks, an item nobody answered, and the rejections;
// last, items.pdf read back with pdftotext.
#include "core/report/item_analysis.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "core/report/items_csv.hpp"
#include "core/report/items_pdf.hpp"
#include "core/report/response_matrix.hpp"
#include "tests/support/pdf_pages.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::report {
namespace {

using model::Exam;
using model::Item;
using model::ItemType;
using model::Option;

constexpr double kTol = 1e-9;

// A single 5/0 item with options A..D, `key` correct.
Item Single(const std::string& id, const std::string& section, char key, int options = 4) {
  Item item;
  item.id = id;
  item.section = section;
  item.type = ItemType::kSingle;
  item.points_correct = 5;
  for (int k = 0; k < options; ++k) {
    Option o;
    o.key = std::string(1, static_cast<char>('A' + k));
    o.correct = 'A' + k == key;
    item.options.push_back(o);
  }
  return item;
}

// A weighted item with options A..E weighing 5, 4, 3, 2, 1 (TKP-like).
Item Weighted(const std::string& id, const std::string& section) {
  Item item;
  item.id = id;
  item.section = section;
  item.type = ItemType::kWeighted;
  item.competency = "integritas";
  for (int k = 0; k < 5; ++k) {
    Option o;
    o.key = std::string(1, static_cast<char>('A' + k));
    o.weight = 5 - k;
    item.options.push_back(o);
  }
  return item;
}

// Section twk: t1 (key A), t2 (key B), t3 (key C), single 5/0. Section tkp: w1, w2 weighted.
Exam HandExam() {
  Exam exam;
  exam.id = "HAND";
  for (Item item : {Single("t1", "twk", 'A'), Single("t2", "twk", 'B'), Single("t3", "twk", 'C'),
                    Weighted("w1", "tkp"), Weighted("w2", "tkp")}) {
    exam.items[item.id] = item;
  }
  exam.sections.push_back({"twk", {}, 0, {"t1", "t2", "t3"}, 65});
  exam.sections.push_back({"tkp", {}, 0, {"w1", "w2"}, std::nullopt});
  return exam;
}

// One candidate's answers to items `ids`, one letter each, '-' blank.
scoring::Answers Row(const std::vector<std::string>& ids, const std::string& letters) {
  scoring::Answers a;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (letters[i] != '-') a[ids[i]] = {std::string(1, letters[i])};
  }
  return a;
}

ResponseMatrix Build(const Exam& exam, const std::vector<std::string>& rows) {
  auto m = ResponseMatrix::ForExam(exam);
  EXPECT_TRUE(m) << m.error().message();
  std::vector<std::string> ids;
  for (const auto& s : exam.sections) ids.insert(ids.end(), s.items.begin(), s.items.end());
  for (std::size_t c = 0; c < rows.size(); ++c) {
    auto s = m->AddCandidate("P" + std::to_string(c + 1), Row(ids, rows[c]));
    EXPECT_TRUE(s) << s.error().message();
  }
  return std::move(*m);
}

// The hand-made cohort: 10 candidates, answers to t1 t2 t3 w1 w2 (weights A5 B4 C3 D2 E1).
//
//        answers  twk x (t1 t2 t3)  X  twk pts | w1 w2 | tkp total
//   c1   ABCAD    1 1 1             3  15      | 5  2  | 7
//   c2   ABCAE    1 1 1             3  15      | 5  1  | 6
//   c3   ABDAC    1 1 0             2  10      | 5  3  | 8
//   c4   ACCBC    1 0 1             2  10      | 4  3  | 7
//   c5   BBCBD    0 1 1             2  10      | 4  2  | 6
//   c6   ADACC    1 0 0             1   5      | 3  3  | 6
//   c7   A--CB    1 0 0             1   5      | 3  4  | 7
//   c8   CBBDB    0 1 0             1   5      | 2  4  | 6
//   c9   -ADDC    0 0 0             0   0      | 2  3  | 5
//   c10  BA--A    0 0 0             0   0      | 0  5  | 5
const std::vector<std::string> kHandRows = {"ABCAD", "ABCAE", "ABDAC", "ACCBC", "BBCBD",
                                            "ADACC", "A--CB", "CBBDB", "-ADDC", "BA--A"};

TEST(ResponseMatrix, HoldsChoicesAsBitsAndScoresThroughTheScorer) {
  const ResponseMatrix m = Build(HandExam(), kHandRows);
  ASSERT_EQ(m.candidate_count(), 10u);
  ASSERT_EQ(m.item_count(), 5u);
  EXPECT_EQ(m.items()[3].id, "w1");
  EXPECT_EQ(m.items()[3].section_index, 1u);
  EXPECT_EQ(m.sections()[1].first_item, 3u);
  EXPECT_EQ(m.participant(0), "P1");
  EXPECT_EQ(m.participant(9), "P10");
  EXPECT_EQ(m.choice(0, 0), 0b0001);  // A
  EXPECT_EQ(m.choice(2, 2), 0b1000);  // D
  EXPECT_EQ(m.choice(6, 1), 0);       // blank
  EXPECT_EQ(m.score(0, 0), 5);
  EXPECT_EQ(m.score(2, 2), 0);
  EXPECT_EQ(m.score(3, 3), 4);  // B on w1
  EXPECT_EQ(m.score(9, 3), 0);  // blank on w1
  // The distractors: t1's B, C, D; w1's B..E (A alone scores the maximum).
  EXPECT_EQ(m.items()[0].distractor, (std::vector<bool>{false, true, true, true}));
  EXPECT_EQ(m.items()[3].distractor, (std::vector<bool>{false, true, true, true, true}));
  EXPECT_GE(m.bytes(), 50u);
}

// The working, per item (groups: g = round(0.27 x 10) = 3).
//
// twk totals, best first: 15 15 | 10 10 10 | 5 5 5 | 0 0. Upper group: c1, c2 (weight 1) and the
// 3 tied at 10 share the last place (c3, c4, c5 weight 1/3). Lower: c9, c10 (1), c6, c7, c8 (1/3).
//   t1  x = 1 1 1 1 0 1 1 0 0 0   p = 6/10
//       upper (1 + 1 + (1 + 1 + 0)/3) / 3 = 8/9; lower (0 + 0 + (1 + 1 + 0)/3) / 3 = 2/9
//       D = 6/9 = 2/3
//       rest (in items; r is scale-free) = X - x = 2 2 1 1 2 0 0 1 0 0, mean 0.9,
//       sum r^2 = 15, var r = 1.5 - 0.81 = 0.69; sum x r = 6, cov = 0.6 - 0.6 x 0.9 = 0.06;
//       var x = 0.24; r = 0.06 / sqrt(0.24 x 0.69) = 0.06 / sqrt(0.1656) = 1 / sqrt(46)
//       options A 6, B 2, C 1, D 0 (an unchosen distractor), blank 1
//   t2  x = 1 1 1 0 1 0 0 1 0 0   p = 1/2
//       upper (2 + (1 + 0 + 1)/3) / 3 = 8/9; lower (0 + (0 + 0 + 1)/3) / 3 = 1/9; D = 7/9
//       rest = 2 2 1 2 1 1 1 0 0 0, mean 1, sum r^2 = 16, var 0.6; sum x r = 6, cov = 0.6 - 0.5
//       = 0.1; var x = 0.25; r = 0.1 / sqrt(0.15) = sqrt(1/15)
//   t3  x = 1 1 0 1 1 0 0 0 0 0   p = 2/5
//       upper (2 + (0 + 1 + 1)/3) / 3 = 8/9; lower 0; D = 8/9
//       rest = 2 2 2 1 1 1 1 1 0 0, mean 1.1, sum r^2 = 17, var 1.7 - 1.21 = 0.49; sum x r = 6,
//       cov = 0.6 - 0.44 = 0.16; var x = 0.24; r = 0.16 / (0.7 sqrt(0.24))
//   KR-20: X = 3 3 2 2 2 1 1 1 0 0, mean 1.5, sum X^2 = 33, var X = 3.3 - 2.25 = 1.05;
//       sum p q = 0.24 + 0.25 + 0.24 = 0.73; KR-20 = 3/2 (1 - 0.73 / 1.05) = 16/35.
//       Section total = 5 X: mean 7.5, SD 5 sqrt(1.05).
//
// tkp totals, best first: 8 | 7 7 7 | 6 6 6 6 | 5 5. Upper: c3 (1), c1, c4, c7 (2/3 each: two
// places for three). Lower: c9, c10 (1), c2, c5, c6, c8 (1/4 each: one place for four).
//   w1  points 5 5 5 4 4 3 3 2 2 0   mean 3.3, mean/max 0.66
//       upper (5 + 2/3 (5 + 4 + 3)) / 3 = 13/3; lower (2 + 0 + (5 + 4 + 3 + 2)/4) / 3 = 11/6
//       D = (13/3 - 11/6) / 5 = 1/2
//       options A 3, B 2, C 2, D 2, E 0 (unchosen distractor), blank 1
//   w2  points 2 1 3 3 2 3 4 4 3 5   mean 3.0, mean/max 0.6
//       upper (3 + 2/3 (2 + 3 + 4)) / 3 = 3; lower (3 + 5 + (1 + 2 + 3 + 4)/4) / 3 = 3.5
//       D = (3 - 3.5) / 5 = -1/10: negative discrimination
//   rest of w1 is w2 and of w2 is w1, so both correlations are r(w1, w2):
//       var w1 = 133/10 - 3.3^2 = 2.41, var w2 = 102/10 - 9 = 1.2, sum w1 w2 = 85,
//       cov = 8.5 - 9.9 = -1.4; r = -1.4 / sqrt(2.41 x 1.2)
//   alpha: totals 7 6 8 7 6 6 7 6 5 5, mean 6.3, sum^2 = 405, var = 40.5 - 39.69 = 0.81, SD 0.9;
//       alpha = 2 (1 - (2.41 + 1.2) / 0.81) = -560/81 (the two items pull against each other).
TEST(ItemAnalysis, HandWorkedCohort) {
  const auto a = AnalyseItems(Build(HandExam(), kHandRows));
  ASSERT_TRUE(a) << a.error().message();
  ASSERT_EQ(a->candidates, 10u);
  ASSERT_EQ(a->items.size(), 5u);
  const ItemStats &t1 = a->items[0], &t2 = a->items[1], &t3 = a->items[2];
  const ItemStats &w1 = a->items[3], &w2 = a->items[4];

  EXPECT_NEAR(*t1.p, 0.6, kTol);
  EXPECT_NEAR(*t2.p, 0.5, kTol);
  EXPECT_NEAR(*t3.p, 0.4, kTol);
  EXPECT_NEAR(t1.mean, 3.0, kTol);
  EXPECT_NEAR(*t1.discrimination, 2.0 / 3, kTol);
  EXPECT_NEAR(*t2.discrimination, 7.0 / 9, kTol);
  EXPECT_NEAR(*t3.discrimination, 8.0 / 9, kTol);
  EXPECT_NEAR(*t1.point_biserial, 1 / std::sqrt(46.0), kTol);
  EXPECT_NEAR(*t2.point_biserial, std::sqrt(1 / 15.0), kTol);
  EXPECT_NEAR(*t3.point_biserial, 0.16 / (0.7 * std::sqrt(0.24)), kTol);
  ASSERT_EQ(t1.options.size(), 4u);
  EXPECT_NEAR(t1.options[0].share, 0.6, kTol);
  EXPECT_NEAR(t1.options[1].share, 0.2, kTol);
  EXPECT_NEAR(t1.options[2].share, 0.1, kTol);
  EXPECT_EQ(t1.options[3].count, 0u);
  EXPECT_NEAR(t1.blank_share, 0.1, kTol);
  EXPECT_NEAR(t3.blank_share, 0.2, kTol);
  EXPECT_TRUE(t1.flags.unchosen_distractor);
  EXPECT_EQ(FlagWords(t1), std::vector<std::string>{"unchosen-distractor:D"});
  EXPECT_TRUE(FlagWords(t2).empty());
  EXPECT_TRUE(FlagWords(t3).empty());

  EXPECT_FALSE(w1.p);
  EXPECT_FALSE(w1.dichotomous);
  EXPECT_NEAR(w1.mean, 3.3, kTol);
  EXPECT_NEAR(*w1.mean_ratio, 0.66, kTol);
  EXPECT_NEAR(w2.mean, 3.0, kTol);
  EXPECT_NEAR(*w1.discrimination, 0.5, kTol);
  EXPECT_NEAR(*w2.discrimination, -0.1, kTol);
  const double r12 = -1.4 / std::sqrt(2.41 * 1.2);
  EXPECT_NEAR(*w1.point_biserial, r12, kTol);
  EXPECT_NEAR(*w2.point_biserial, r12, kTol);
  EXPECT_NEAR(w1.options[0].share, 0.3, kTol);
  EXPECT_NEAR(w2.options[2].share, 0.4, kTol);
  EXPECT_NEAR(w1.blank_share, 0.1, kTol);
  EXPECT_EQ(FlagWords(w1), std::vector<std::string>{"unchosen-distractor:E"});
  EXPECT_EQ(FlagWords(w2), std::vector<std::string>{"negative-discrimination"});

  ASSERT_EQ(a->sections.size(), 2u);
  const SectionStats &twk = a->sections[0], &tkp = a->sections[1];
  EXPECT_EQ(twk.method, Reliability::kKr20);
  EXPECT_NEAR(*twk.reliability, 16.0 / 35, kTol);
  EXPECT_NEAR(twk.mean, 7.5, kTol);
  EXPECT_NEAR(twk.sd, 5 * std::sqrt(1.05), kTol);
  EXPECT_EQ(twk.max_total, 15);
  EXPECT_EQ(tkp.method, Reliability::kCronbachAlpha);
  EXPECT_NEAR(*tkp.reliability, -560.0 / 81, kTol);
  EXPECT_NEAR(tkp.mean, 6.3, kTol);
  EXPECT_NEAR(tkp.sd, 0.9, kTol);
  EXPECT_EQ(tkp.max_total, 10);
}

TEST(ItemAnalysis, ResultDoesNotDependOnCandidateOrder) {
  std::vector<std::string> reversed(kHandRows.rbegin(), kHandRows.rend());
  const auto a = AnalyseItems(Build(HandExam(), kHandRows));
  const auto b = AnalyseItems(Build(HandExam(), reversed));
  ASSERT_TRUE(a && b);
  for (std::size_t i = 0; i < a->items.size(); ++i) {
    EXPECT_NEAR(*a->items[i].discrimination, *b->items[i].discrimination, kTol);
    EXPECT_NEAR(*a->items[i].point_biserial, *b->items[i].point_biserial, kTol);
  }
}

TEST(ItemAnalysis, CsvOfTheHandWorkedCohort) {
  const auto a = AnalyseItems(Build(HandExam(), kHandRows));
  ASSERT_TRUE(a);
  const std::string csv = ItemsCsv(*a);
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")),
            "section,item,type,competency,scoring,max,p,mean,mean_ratio,discrimination,"
            "point_biserial,A,B,C,D,E,F,blank,flags");
  // 1/sqrt(46) = 0.14744; D for t1 = 2/3.
  EXPECT_NE(csv.find("\r\ntwk,t1,single,,dichotomous,5.0000,0.6000,3.0000,0.6000,0.6667,0.1474,"
                     "0.6000,0.2000,0.1000,0.0000,,,0.1000,unchosen-distractor:D\r\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("\r\ntkp,w2,weighted,integritas,polytomous,5.0000,,3.0000,0.6000,-0.1000,"
                     "-0.8232,0.1000,0.2000,0.4000,0.2000,0.1000,,0.0000,negative-discrimination"
                     "\r\n"),
            std::string::npos)
      << csv;
  EXPECT_EQ(ItemSectionsCsv(*a),
            "section,items,candidates,max_total,mean,sd,reliability_method,reliability,note\r\n"
            "twk,3,10,15.0000,7.5000,5.1235,KR-20,0.4571,\r\n"
            "tkp,2,10,10.0000,6.3000,0.9000,alpha,-6.9136,\r\n");
}

TEST(ItemAnalysis, SingleCandidateHasOnlyProportionsAndMeans) {
  const auto a = AnalyseItems(Build(HandExam(), {"ABCAD"}));
  ASSERT_TRUE(a);
  const ItemStats& t1 = a->items[0];
  EXPECT_EQ(*t1.p, 1.0);
  EXPECT_FALSE(t1.discrimination);  // g = round(0.27) = 0
  EXPECT_FALSE(t1.point_biserial);
  EXPECT_EQ(FlagWords(t1),
            (std::vector<std::string>{"unchosen-distractor:B+C+D", "discrimination-undefined",
                                      "point-biserial-undefined"}));
  EXPECT_FALSE(a->sections[0].reliability);
  EXPECT_EQ(a->sections[0].sd, 0);
  EXPECT_NE(ItemSectionsCsv(*a).find("twk,3,1,15.0000,15.0000,0.0000,KR-20,,section total has "
                                     "no variance\r\n"),
            std::string::npos);
}

TEST(ItemAnalysis, IdenticalCandidatesLeaveVarianceStatisticsUndefined) {
  const auto a = AnalyseItems(Build(HandExam(), std::vector<std::string>(10, "ABDCB")));
  ASSERT_TRUE(a);
  for (const ItemStats& item : a->items) {
    EXPECT_FALSE(item.discrimination) << item.id;
    EXPECT_FALSE(item.point_biserial) << item.id;
    EXPECT_TRUE(item.flags.discrimination_undefined);
    EXPECT_TRUE(item.flags.point_biserial_undefined);
    EXPECT_FALSE(item.flags.negative_discrimination);
  }
  EXPECT_EQ(*a->items[2].p, 0.0);
  EXPECT_EQ(a->items[3].mean, 3.0);
  for (const SectionStats& s : a->sections) EXPECT_FALSE(s.reliability) << s.id;
  const std::string csv = ItemsCsv(*a);
  EXPECT_EQ(csv.find("nan"), std::string::npos);
  EXPECT_NE(csv.find("twk,t1,single,,dichotomous,5.0000,1.0000,5.0000,1.0000,,,"),
            std::string::npos)
      << csv;
}

TEST(ItemAnalysis, BlanksScoreZeroAndAnItemNobodyAnsweredIsFlagged) {
  // t3 left blank by all; everything else as in the hand-made cohort.
  std::vector<std::string> rows = kHandRows;
  for (std::string& r : rows) r[2] = '-';
  const auto a = AnalyseItems(Build(HandExam(), rows));
  ASSERT_TRUE(a);
  const ItemStats& t3 = a->items[2];
  EXPECT_EQ(*t3.p, 0.0);
  EXPECT_EQ(t3.blank_share, 1.0);
  EXPECT_TRUE(t3.flags.no_responses);
  // Nobody in either group got it: D = 0 - 0, defined; x has no variance, so no correlation.
  EXPECT_EQ(*t3.discrimination, 0.0);
  EXPECT_FALSE(t3.point_biserial);
  EXPECT_EQ(FlagWords(t3), (std::vector<std::string>{"unchosen-distractor:A+B+D", "no-responses",
                                                     "point-biserial-undefined"}));
  // t1 and t2 are unchanged (p); the KR-20 is now over two items: X = t1 + t2 =
  // 2 2 2 1 1 1 1 1 0 0, mean 1.1, var 1.7 - 1.21 = 0.49, sum pq = 0.24 + 0.25 = 0.49,
  // KR-20 = 3/2 (1 - 0.49 / 0.49) = 0: k is still 3, but t3 adds nothing to either sum.
  EXPECT_NEAR(*a->items[0].p, 0.6, kTol);
  EXPECT_NEAR(*a->sections[0].reliability, 3.0 / 2 * (1 - 0.49 / 0.49), kTol);
}

TEST(ItemAnalysis, MultipleResponseAndLikertClassification) {
  Exam exam;
  Item multiple = Single("m1", "s", 'A');
  multiple.type = ItemType::kMultiple;
  multiple.options[2].correct = true;  // A and C
  Item partial = multiple;
  partial.id = "m2";
  partial.partial = true;
  Item likert = Weighted("l1", "s");
  likert.type = ItemType::kLikert;
  likert.reverse = true;  // E (weight 1) scores 5
  for (const Item& i : {multiple, partial, likert}) exam.items[i.id] = i;
  exam.sections.push_back({"s", {}, 0, {"m1", "m2", "l1"}, std::nullopt});
  auto m = ResponseMatrix::ForExam(exam);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->items()[0].dichotomous);
  EXPECT_FALSE(m->items()[1].dichotomous);
  EXPECT_EQ(m->items()[2].distractor, (std::vector<bool>{true, true, true, true, false}));
  ASSERT_TRUE(m->AddCandidate("P1", {{"m1", {"A", "C"}}, {"m2", {"C"}}, {"l1", {"E"}}}));
  ASSERT_TRUE(m->AddCandidate("P2", {{"m1", {"A"}}, {"m2", {"A", "C"}}, {"l1", {"A"}}}));
  EXPECT_EQ(m->choice(0, 0), 0b101);
  EXPECT_EQ(m->score(0, 0), 5);
  EXPECT_EQ(m->score(1, 0), 0);
  EXPECT_EQ(m->score(0, 1), 2.5);
  EXPECT_EQ(m->score(0, 2), 5);
  const auto a = AnalyseItems(*m);
  ASSERT_TRUE(a);
  EXPECT_EQ(*a->items[0].p, 0.5);
  EXPECT_NEAR(a->items[0].options[0].share + a->items[0].options[2].share, 1.5, kTol);
  EXPECT_EQ(a->items[1].mean, 3.75);
  EXPECT_FALSE(a->items[1].p);
  EXPECT_EQ(a->sections[0].method, Reliability::kCronbachAlpha);
}

TEST(ItemAnalysis, RejectsAnEmptyMatrix) {
  auto m = ResponseMatrix::ForExam(HandExam());
  ASSERT_TRUE(m);
  const auto a = AnalyseItems(*m);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(a.error().message().find("at least one candidate"), std::string::npos);
}

TEST(ResponseMatrix, RejectsAnAnswerToAnUnknownItemAndStaysUnchanged) {
  auto m = ResponseMatrix::ForExam(HandExam());
  ASSERT_TRUE(m);
  const auto s = m->AddCandidate("P7", {{"t1", {"A"}}, {"x9", {"A"}}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), "participant P7: answer to unknown item x9");
  EXPECT_EQ(m->candidate_count(), 0u);
}

TEST(ResponseMatrix, RejectsAnUnknownOption) {
  auto m = ResponseMatrix::ForExam(HandExam());
  ASSERT_TRUE(m);
  const auto s = m->AddCandidate("P7", {{"t1", {"E"}}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), "participant P7: item t1 has no option E");
  EXPECT_EQ(m->candidate_count(), 0u);
}

TEST(ResponseMatrix, RejectsTwoAnswersToAWeightedItem) {
  auto m = ResponseMatrix::ForExam(HandExam());
  ASSERT_TRUE(m);
  const auto s = m->AddCandidate("P7", {{"w1", {"A", "C"}}});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), "participant P7: item w1 takes one answer, got A, C");
  EXPECT_EQ(m->candidate_count(), 0u);
}

TEST(ResponseMatrix, RejectsARowOfTheWrongLength) {
  auto m = ResponseMatrix::ForExam(HandExam());
  ASSERT_TRUE(m);
  const auto s = m->AddRow("P7", {1, 1, 1});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), "participant P7: a row of 3 choices for an exam of 5 items");
}

TEST(ResponseMatrix, RejectsAChoiceBeyondTheItemsOptions) {
  auto m = ResponseMatrix::ForExam(HandExam());
  ASSERT_TRUE(m);
  const auto s = m->AddRow("P7", {0b10000, 0, 0, 0, 0});  // E on a four-option item
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(), "participant P7: item t1 has only 4 options");
}

TEST(ResponseMatrix, RejectsASectionListingAMissingItem) {
  Exam exam = HandExam();
  exam.sections[1].items.push_back("w9");
  const auto m = ResponseMatrix::ForExam(exam);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message(), "section tkp lists item w9, which the exam does not have");
}

TEST(ResponseMatrix, RejectsAnItemListedTwice) {
  Exam exam = HandExam();
  exam.sections[1].items.push_back("t1");
  const auto m = ResponseMatrix::ForExam(exam);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message(), "item t1 is listed twice (again in section tkp)");
}

TEST(ResponseMatrix, RejectsAnItemWithSevenOptions) {
  Exam exam = HandExam();
  exam.items["t1"] = Single("t1", "twk", 'A', 7);
  const auto m = ResponseMatrix::ForExam(exam);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().message(), "item t1 has 7 options; item analysis handles at most 6");
}

}  // namespace
}  // namespace lontar::report

namespace lontar::report {
namespace {

std::string PdfText(const std::filesystem::path& pdf) {
  const auto r = lontar::testing::RunProgram("/usr/bin/pdftotext", {"-layout", pdf.string(), "-"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

// The first line of `text` containing `needle`, with a space before it ("" when none).
std::string LineWith(const std::string& text, const std::string& needle) {
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string line = " " + text.substr(start, end - start);
    if (line.find(needle) != std::string::npos) return line;
    start = end + 1;
  }
  return "";
}

TEST(ItemsPdf, PrintsTheHandWorkedFiguresAndFlags) {
  const auto a = AnalyseItems(Build(HandExam(), kHandRows));
  ASSERT_TRUE(a);
  auto fonts = Fonts::Create();
  ASSERT_TRUE(fonts) << fonts.error().message();
  lontar::testing::TempDir dir;
  const auto path = dir / "items.pdf";
  const auto s = WriteItemsPdf(path, **fonts, *a,
                               {.lang = "en", .exam = "HAND v1", .header_left = "BKD Kaltim"});
  ASSERT_TRUE(s) << s.error().message();
  const std::string text = PdfText(path);
  EXPECT_NE(text.find("Item Analysis"), std::string::npos) << text;
  EXPECT_NE(text.find("HAND v1"), std::string::npos) << text;
  EXPECT_NE(text.find("Section twk"), std::string::npos) << text;
  EXPECT_NE(text.find("0.46"), std::string::npos) << text;   // KR-20 = 16/35
  EXPECT_NE(text.find("-6.91"), std::string::npos) << text;  // alpha = -560/81
  // t1: p 0.60, D 2/3, r 1/sqrt(46); A chosen by 60% (the key, starred), D by nobody.
  const std::string t1 = LineWith(text, " t1 ");
  for (const char* figure : {"0.60", "0.67", "0.15", "60*", "20", "10"}) {
    EXPECT_NE(t1.find(figure), std::string::npos) << figure << " in " << t1;
  }
  EXPECT_NE(text.find("unchosen distractor D"), std::string::npos) << text;
  EXPECT_NE(text.find("negative discrimination"), std::string::npos) << text;
  EXPECT_TRUE(lontar::testing::MatchesPageGolden(path, "items-hand", false));
}

TEST(ItemsPdf, RejectsAnUnknownLanguage) {
  const auto a = AnalyseItems(Build(HandExam(), kHandRows));
  ASSERT_TRUE(a);
  auto fonts = Fonts::Create();
  ASSERT_TRUE(fonts);
  lontar::testing::TempDir dir;
  const auto s =
      WriteItemsPdf(dir / "items.pdf", **fonts, *a, {.lang = "fr", .exam = "", .header_left = ""});
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message(),
            "language 'fr' for " + (dir / "items.pdf").string() + ": use id or en");
  EXPECT_FALSE(std::filesystem::exists(dir / "items.pdf"));
}

}  // namespace
}  // namespace lontar::report

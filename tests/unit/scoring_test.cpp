// Scoring tables worked out by hand from the rules in core/scoring/score.hpp: per item type, then
// whole exams (the mini fixture and both demo exams).
#include "core/scoring/score.hpp"

#include <gtest/gtest.h>

#include <map>
#include <tuple>

#include "core/authoring/source.hpp"

namespace lontar::scoring {
namespace {

using model::Item;
using model::ItemType;
using model::Option;

Item MakeItem(ItemType type, std::vector<std::pair<int, bool>> options, int correct = 0,
              int wrong = 0) {
  Item item;
  item.id = "x";
  item.type = type;
  item.points_correct = correct;
  item.points_wrong = wrong;
  for (std::size_t k = 0; k < options.size(); ++k) {
    Option o;
    o.key = std::string(1, static_cast<char>('A' + k));
    o.weight = options[k].first;
    o.correct = options[k].second;
    item.options.push_back(o);
  }
  return item;
}

double S(const Item& item, std::vector<std::string> chosen) {
  auto r = ScoreItem(item, chosen);
  EXPECT_TRUE(r) << r.error().message();
  return r.value_or(-999);
}

TEST(ScoreItem, Dichotomous) {
  Item five_zero = MakeItem(ItemType::kSingle, {{0, false}, {0, true}, {0, false}}, 5, 0);
  EXPECT_EQ(S(five_zero, {}), 0);
  EXPECT_EQ(S(five_zero, {"B"}), 5);
  EXPECT_EQ(S(five_zero, {"A"}), 0);
  Item penalty = MakeItem(ItemType::kSingle, {{0, false}, {0, true}}, 4, -1);
  EXPECT_EQ(S(penalty, {"A"}), -1);
  EXPECT_EQ(S(penalty, {}), 0);  // blank is never penalised
  EXPECT_EQ(MaxScore(five_zero), 5);
}

TEST(ScoreItem, WeightedAndLikert) {
  Item tkp =
      MakeItem(ItemType::kWeighted, {{5, false}, {4, false}, {3, false}, {2, false}, {1, false}});
  EXPECT_EQ(S(tkp, {"C"}), 3);
  EXPECT_EQ(S(tkp, {"A"}), 5);
  EXPECT_EQ(S(tkp, {}), 0);
  EXPECT_EQ(MaxScore(tkp), 5);
  Item likert =
      MakeItem(ItemType::kLikert, {{1, false}, {2, false}, {3, false}, {4, false}, {5, false}});
  EXPECT_EQ(S(likert, {"B"}), 2);
  likert.reverse = true;
  EXPECT_EQ(S(likert, {"B"}), 4);  // 1 + 5 - 2
  EXPECT_EQ(S(likert, {"E"}), 1);
  EXPECT_EQ(S(likert, {}), 0);
}

TEST(ScoreItem, MultipleResponse) {
  // Correct: A and C; 4 points.
  Item none = MakeItem(ItemType::kMultiple, {{0, true}, {0, false}, {0, true}, {0, false}}, 4, 0);
  EXPECT_EQ(S(none, {"A", "C"}), 4);
  EXPECT_EQ(S(none, {"C", "A"}), 4);
  EXPECT_EQ(S(none, {"A"}), 0);
  EXPECT_EQ(S(none, {"A", "B", "C"}), 0);
  Item prop = none;
  prop.partial = true;
  EXPECT_EQ(S(prop, {"A", "C"}), 4);
  EXPECT_EQ(S(prop, {"A"}), 2);            // 4 x (1 - 0) / 2
  EXPECT_EQ(S(prop, {"A", "B"}), 0);       // 4 x (1 - 1) / 2
  EXPECT_EQ(S(prop, {"A", "B", "C"}), 2);  // 4 x (2 - 1) / 2
  EXPECT_EQ(S(prop, {"B", "D"}), 0);       // floored at 0
  EXPECT_EQ(S(prop, {}), 0);
}

TEST(ScoreItem, UnknownOptionIsRefused) {
  Item tkp = MakeItem(ItemType::kWeighted, {{5, false}, {4, false}});
  auto r = ScoreItem(tkp, {"F"});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("no option F"), std::string::npos);
}

const std::filesystem::path kRoot(LONTAR_SOURCE_DIR);

model::Exam Load(const std::string& rel) {
  auto s = authoring::LoadSource(kRoot / rel);
  EXPECT_TRUE(s);
  return s ? s->exam : model::Exam{};
}

TEST(ScoreExam, MiniFixture) {
  const model::Exam exam = Load("tests/fixtures/mini-exam");
  // tiu-01 B (right, 5), tiu-02 A (wrong, 0), tkp-01 A (5), tkp-02 B (3).
  auto r = Score(exam, {{"tiu-01", {"B"}}, {"tiu-02", {"A"}}, {"tkp-01", {"A"}}, {"tkp-02", {"B"}}},
                 "staf");
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->sections.size(), 2u);
  EXPECT_EQ(r->sections[0].total, 5);  // threshold 5: passed
  EXPECT_TRUE(r->sections[0].passed);
  EXPECT_EQ(r->sections[1].total, 8);  // threshold 6: passed
  EXPECT_EQ(r->total, 13);
  EXPECT_EQ(r->max_total, 20);
  EXPECT_TRUE(r->passed);
  ASSERT_EQ(r->competencies.size(), 1u);
  EXPECT_EQ(r->competencies[0].raw, 8);  // thresholds 3, 5, 7, 9
  EXPECT_EQ(r->competencies[0].level, 4);
  ASSERT_TRUE(r->jpm);
  EXPECT_DOUBLE_EQ(r->jpm->percent, 100);  // min(4, 3) / 3
  EXPECT_EQ(r->jpm->category.en, "Optimal");
  // Blank TIU: 0 < 5, so the exam fails although TKP passes.
  auto blank = Score(exam, {{"tkp-01", {"A"}}, {"tkp-02", {"C"}}}, "");
  ASSERT_TRUE(blank);
  EXPECT_FALSE(blank->sections[0].passed);
  EXPECT_TRUE(blank->sections[1].passed);
  EXPECT_FALSE(blank->passed);
  EXPECT_FALSE(blank->jpm);
}

// SKD demo: the correct TWK/TIU keys and the TKP keys of weight 5 and 3, read off the item files.
const std::vector<std::pair<std::string, std::string>> kSkdCorrect = {
    {"twk-01", "C"}, {"twk-02", "B"}, {"twk-03", "D"}, {"twk-04", "B"},
    {"twk-05", "B"}, {"twk-06", "C"}, {"twk-07", "B"}, {"twk-08", "B"},
    {"tiu-01", "B"}, {"tiu-02", "B"}, {"tiu-03", "B"}, {"tiu-04", "B"},
    {"tiu-05", "B"}, {"tiu-06", "B"}, {"tiu-07", "B"}, {"tiu-08", "B"}};
const std::vector<std::pair<std::string, std::string>> kTkpWeight5 = {
    {"tkp-01", "A"}, {"tkp-02", "B"}, {"tkp-03", "A"}, {"tkp-04", "B"},
    {"tkp-05", "A"}, {"tkp-06", "C"}, {"tkp-07", "C"}, {"tkp-08", "A"}};
const std::vector<std::pair<std::string, std::string>> kTkpWeight3 = {
    {"tkp-01", "B"}, {"tkp-02", "C"}, {"tkp-03", "C"}, {"tkp-04", "E"},
    {"tkp-05", "D"}, {"tkp-06", "B"}, {"tkp-07", "E"}, {"tkp-08", "B"}};

TEST(ScoreExam, DemoSkd) {
  const model::Exam exam = Load("assets/demo/skd");
  Answers best;
  for (const auto& [item, key] : kSkdCorrect) best[item] = {key};
  for (const auto& [item, key] : kTkpWeight5) best[item] = {key};
  auto r = Score(exam, best, "");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->sections[0].total, 40);  // 8 x 5
  EXPECT_EQ(r->sections[1].total, 40);
  EXPECT_EQ(r->sections[2].total, 40);  // 8 x weight 5
  EXPECT_EQ(r->total, 120);
  EXPECT_EQ(r->max_total, 120);
  EXPECT_TRUE(r->passed);

  // TWK all right (40 >= 17); TIU three right (15 < 18); TKP all weight 3 (24 < 30).
  Answers weak;
  for (const auto& [item, key] : kSkdCorrect) weak[item] = {key};
  for (const char* wrong : {"tiu-04", "tiu-05", "tiu-06", "tiu-07", "tiu-08"}) weak[wrong] = {"A"};
  for (const auto& [item, key] : kTkpWeight3) weak[item] = {key};
  r = Score(exam, weak, "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->sections[0].total, 40);
  EXPECT_TRUE(r->sections[0].passed);
  EXPECT_EQ(r->sections[1].total, 15);
  EXPECT_FALSE(r->sections[1].passed);
  EXPECT_EQ(r->sections[2].total, 24);
  EXPECT_FALSE(r->sections[2].passed);
  EXPECT_EQ(r->total, 79);
  EXPECT_FALSE(r->passed);

  // Passing only at the thresholds: TWK 4 right = 20 >= 17 but 3 right = 15 < 17.
  Answers edge = best;
  for (const char* wrong : {"twk-01", "twk-02", "twk-03", "twk-04"}) edge[wrong] = {"A"};
  r = Score(exam, edge, "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->sections[0].total, 20);
  EXPECT_TRUE(r->passed);
  edge["twk-05"] = {"A"};
  r = Score(exam, edge, "");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->sections[0].total, 15);
  EXPECT_FALSE(r->passed);
}

// CACT demo: for each item, the keys of weight 5, 3 and 2, read off the item files.
struct Keys {
  const char* item;
  const char* w5;
  const char* w3;
  const char* w2;
};
const Keys kCact[] = {
    {"integritas-01", "A", "C", "D"},       {"integritas-02", "B", "C", "D"},
    {"integritas-03", "C", "E", "A"},       {"integritas-04", "C", "A", "D"},
    {"integritas-05", "A", "D", "B"},       {"kerja-sama-01", "B", "E", "A"},
    {"kerja-sama-02", "A", "B", "E"},       {"kerja-sama-03", "C", "E", "D"},
    {"kerja-sama-04", "B", "A", "C"},       {"kerja-sama-05", "A", "C", "B"},
    {"komunikasi-01", "A", "C", "B"},       {"komunikasi-02", "C", "E", "D"},
    {"komunikasi-03", "A", "B", "E"},       {"komunikasi-04", "B", "D", "A"},
    {"komunikasi-05", "B", "D", "E"},       {"orientasi-hasil-01", "A", "E", "B"},
    {"orientasi-hasil-02", "B", "A", "E"},  {"orientasi-hasil-03", "A", "C", "B"},
    {"orientasi-hasil-04", "C", "E", "D"},  {"orientasi-hasil-05", "B", "A", "D"},
    {"pelayanan-publik-01", "A", "E", "B"}, {"pelayanan-publik-02", "B", "E", "D"},
    {"pelayanan-publik-03", "B", "C", "E"}, {"pelayanan-publik-04", "A", "C", "B"},
    {"pelayanan-publik-05", "A", "B", "E"}, {"perekat-bangsa-01", "A", "E", "B"},
    {"perekat-bangsa-02", "B", "C", "D"},   {"perekat-bangsa-03", "B", "E", "C"},
    {"perekat-bangsa-04", "A", "B", "E"},   {"perekat-bangsa-05", "A", "C", "B"},
};

Answers CactAnswers(int weight, const std::string& except_competency = "", int except_weight = 0) {
  Answers a;
  for (const Keys& k : kCact) {
    const bool except =
        !except_competency.empty() && std::string(k.item).rfind(except_competency + "-", 0) == 0;
    const int w = except ? except_weight : weight;
    a[k.item] = {w == 5 ? k.w5 : w == 3 ? k.w3 : k.w2};
  }
  return a;
}

TEST(ScoreExam, DemoCactLevelsAndJobPersonMatch) {
  const model::Exam exam = Load("assets/demo/cact");
  struct Row {
    int weight;
    int raw;       // per competency: 5 items x weight
    int level;     // thresholds 10, 14, 18, 22
    double seksi;  // standards 3 x 6 = 18
    const char* seksi_category;
    double bidang;  // standards 4 x 5 + 3 = 23
    const char* bidang_category;
  };
  const Row rows[] = {
      // all 5: 25 -> level 5; seksi 6 x min(5,3) = 18/18; bidang 5 x 4 + 3 = 23/23
      {5, 25, 5, 100.0, "Optimal", 100.0, "Optimal"},
      // all 3: 15 -> level 3; seksi 18/18; bidang 5 x 3 + 3 = 18/23 = 78.26% (>= 78: Cukup)
      {3, 15, 3, 100.0, "Optimal", 100.0 * 18 / 23, "Fairly optimal"},
      // all 2: 10 -> level 2; seksi 12/18 = 66.67%; bidang 12/23 = 52.17%
      {2, 10, 2, 100.0 * 12 / 18, "Below optimal", 100.0 * 12 / 23, "Below optimal"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE("weight " + std::to_string(row.weight));
    auto seksi = Score(exam, CactAnswers(row.weight), "kepala-seksi");
    auto bidang = Score(exam, CactAnswers(row.weight), "kepala-bidang");
    ASSERT_TRUE(seksi && bidang);
    ASSERT_EQ(seksi->competencies.size(), 6u);
    for (const CompetencyScore& c : seksi->competencies) {
      EXPECT_EQ(c.raw, row.raw) << c.id;
      EXPECT_EQ(c.max, 25) << c.id;
      EXPECT_EQ(c.level, row.level) << c.id;
    }
    EXPECT_EQ(seksi->total, 6 * row.raw);
    EXPECT_NEAR(seksi->jpm->percent, row.seksi, 1e-9);
    EXPECT_EQ(seksi->jpm->category.en, row.seksi_category);
    EXPECT_NEAR(bidang->jpm->percent, row.bidang, 1e-9);
    EXPECT_EQ(bidang->jpm->category.en, row.bidang_category);
  }
  // Integritas at weight 5 (25, level 5), the rest at weight 2 (10, level 2):
  // seksi = min(5,3) + 5 x min(2,3) = 3 + 10 = 13 / 18 = 72.2% -> Below optimal (< 78; it was
  // "Fairly optimal" under the selection-style 68% cut the demo pack used before).
  auto mixed = Score(exam, CactAnswers(2, "integritas", 5), "kepala-seksi");
  ASSERT_TRUE(mixed);
  EXPECT_EQ(mixed->total, 75);
  EXPECT_NEAR(mixed->jpm->percent, 100.0 * 13 / 18, 1e-9);
  EXPECT_EQ(mixed->jpm->category.en, "Below optimal");
  EXPECT_EQ(mixed->jpm->category.id, "Kurang optimal");
  // Kepala bidang, integritas at 5 (level 5) and the rest at 3 (level 3): min(5,4) + 4 x min(3,4)
  // + min(3,3) = 4 + 12 + 3 = 19 / 23 = 82.6% -> Cukup optimal (78 <= 82.6 < 90).
  auto bidang = Score(exam, CactAnswers(3, "integritas", 5), "kepala-bidang");
  ASSERT_TRUE(bidang);
  EXPECT_NEAR(bidang->jpm->percent, 100.0 * 19 / 23, 1e-9);
  EXPECT_EQ(bidang->jpm->category.id, "Cukup optimal");
  EXPECT_EQ(mixed->competencies[0].id, "integritas");
  EXPECT_EQ(mixed->competencies[0].level, 5);
}

// An exam with SKD's own maxima made of 1-point items (TWK 150, TIU 175, TKP 225 items), so any
// section total can be set exactly: the first k items of a section answered right score k. The
// rules are SKD 2024's (KepmenPANRB 321/2024) as written, unscaled.
model::Exam SkdSized() {
  model::Exam exam;
  exam.id = "SKD-SIZED";
  for (const auto& [id, count, threshold] :
       {std::tuple{"twk", 150, 65}, std::tuple{"tiu", 175, 80}, std::tuple{"tkp", 225, 166}}) {
    model::Section section{id, {}, 0, {}, threshold};
    for (int k = 0; k < count; ++k) {
      Item item = MakeItem(ItemType::kSingle, {{0, true}, {0, false}}, 1, 0);
      item.id = std::string(id) + "-" + std::to_string(k);
      item.section = id;
      section.items.push_back(item.id);
      exam.items.emplace(item.id, item);
    }
    exam.sections.push_back(section);
  }
  exam.pass_rules = {{"cumlaude", {}, 311, {{"tiu", 85}}},
                     {"disabilitas", {}, 286, {{"tiu", 60}}},
                     {"papua", {}, 286, {{"tiu", 60}}}};
  return exam;
}

Answers SectionTotals(int twk, int tiu, int tkp) {
  Answers a;
  for (int k = 0; k < twk; ++k) a["twk-" + std::to_string(k)] = {"A"};
  for (int k = 0; k < tiu; ++k) a["tiu-" + std::to_string(k)] = {"A"};
  for (int k = 0; k < tkp; ++k) a["tkp-" + std::to_string(k)] = {"A"};
  return a;
}

TEST(ScoreExam, PassRulesPerGroupAtTheirExactEdges) {
  const model::Exam exam = SkdSized();
  struct Row {
    const char* group;
    int twk, tiu, tkp;  // total = their sum
    bool passed;
  };
  const Row rows[] = {
      // General (no group): TWK >= 65, TIU >= 80, TKP >= 166, each exactly at and one below.
      {"", 65, 80, 166, true},     // 311
      {"", 64, 80, 166, false},    // TWK one short
      {"", 65, 79, 166, false},    // TIU one short
      {"", 65, 80, 165, false},    // TKP one short
      {"", 150, 175, 165, false},  // 490 in total, but TKP one short
      // Cum laude: total >= 311 and TIU >= 85; TWK and TKP have no minimum.
      {"cumlaude", 100, 85, 126, true},   // 311, TIU 85: both exactly
      {"cumlaude", 100, 85, 125, false},  // 310
      {"cumlaude", 142, 84, 85, false},   // 311, TIU 84
      {"cumlaude", 1, 85, 225, true},     // 311 with TWK 1 (fails the general rule)
      // Disabilities and Papua: total >= 286 and TIU >= 60.
      {"disabilitas", 100, 60, 126, true},   // 286, TIU 60: both exactly
      {"disabilitas", 100, 60, 125, false},  // 285
      {"disabilitas", 100, 59, 127, false},  // 286, TIU 59
      {"papua", 61, 60, 165, true},          // 286: passes here, fails the general rule
      {"papua", 61, 59, 166, false},         // 286, TIU 59
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(row.group) + " " + std::to_string(row.twk) + "/" +
                 std::to_string(row.tiu) + "/" + std::to_string(row.tkp));
    auto r = Score(exam, SectionTotals(row.twk, row.tiu, row.tkp), "", row.group);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->total, row.twk + row.tiu + row.tkp);
    EXPECT_EQ(r->max_total, 550);
    EXPECT_EQ(r->passed, row.passed);
    EXPECT_EQ(r->rule.group, row.group);
  }
}

TEST(ScoreExam, TheRuleThatAppliedIsNamedAndDescribed) {
  const model::Exam exam = SkdSized();
  auto general = Score(exam, SectionTotals(65, 80, 166), "");
  ASSERT_TRUE(general);
  EXPECT_EQ(general->rule.group, "");
  EXPECT_EQ(general->rule.description, "TWK >= 65 and TIU >= 80 and TKP >= 166");
  EXPECT_EQ(general->sections[0].threshold, 65);

  auto cum = Score(exam, SectionTotals(100, 85, 126), "", "cumlaude");
  ASSERT_TRUE(cum);
  EXPECT_EQ(cum->rule.description, "total >= 311 and TIU >= 85");
  // The thresholds that applied: TIU's from the rule, none for TWK and TKP.
  EXPECT_EQ(cum->sections[0].threshold, std::nullopt);
  EXPECT_EQ(cum->sections[1].threshold, 85);
  EXPECT_EQ(cum->sections[2].threshold, std::nullopt);
  EXPECT_TRUE(cum->sections[0].passed);

  auto unknown = Score(exam, {}, "", "umum");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message(), "group 'umum' has no pass rule in the exam");

  model::Exam bare;
  EXPECT_EQ(DescribePassRule(bare, nullptr), "no minimum");
}

TEST(ScoreExam, DemoSkdGroups) {
  const model::Exam exam = Load("assets/demo/skd");
  // The demo's scaled rules: cum laude total >= 68 and TIU >= 19; disabilities and Papua total
  // >= 62 and TIU >= 14; the general rule is the section thresholds 17/18/30.
  std::map<std::string, std::string> groups;
  for (const auto& p : exam.roster) groups[p.number] = p.group;
  EXPECT_EQ(groups["DEMO-0001"], "");
  EXPECT_EQ(groups["DEMO-0031"], "cumlaude");
  EXPECT_EQ(groups["DEMO-0032"], "disabilitas");
  EXPECT_EQ(groups["DEMO-0034"], "papua");
  EXPECT_EQ(exam.rank_by, (std::vector<std::string>{"tkp", "tiu", "twk"}));

  // TWK 4 right (20), TIU 4 right (20), TKP two items at weight 5 and six at 3 (10 + 18 = 28):
  // total 68. Cum laude: 68 >= 68 and 20 >= 19, passed. General: TKP 28 < 30, failed.
  Answers a;
  for (std::size_t k = 0; k < 4; ++k) a[kSkdCorrect[k].first] = {kSkdCorrect[k].second};
  for (std::size_t k = 8; k < 12; ++k) a[kSkdCorrect[k].first] = {kSkdCorrect[k].second};
  for (std::size_t k = 0; k < 8; ++k) {
    const auto& [item, key] = k < 2 ? kTkpWeight5[k] : kTkpWeight3[k];
    a[item] = {key};
  }
  auto cum = Score(exam, a, "", "cumlaude");
  ASSERT_TRUE(cum);
  EXPECT_EQ(cum->total, 68);
  EXPECT_TRUE(cum->passed);
  EXPECT_EQ(cum->rule.description, "total >= 68 and TIU >= 19");
  auto general = Score(exam, a, "", "");
  ASSERT_TRUE(general);
  EXPECT_FALSE(general->passed);
  // One more TKP item at 3 instead of 5: total 66 < 68.
  a[kTkpWeight5[1].first] = {kTkpWeight3[1].second};
  cum = Score(exam, a, "", "cumlaude");
  ASSERT_TRUE(cum);
  EXPECT_EQ(cum->total, 66);
  EXPECT_FALSE(cum->passed);
  // Papua: 66 >= 62 and TIU 20 >= 14, passed.
  auto papua = Score(exam, a, "", "papua");
  ASSERT_TRUE(papua);
  EXPECT_TRUE(papua->passed);
}

TEST(ScoreExam, RefusesUnknownItemsAndPositions) {
  const model::Exam exam = Load("tests/fixtures/mini-exam");
  EXPECT_FALSE(Score(exam, {{"nope", {"A"}}}, ""));
  EXPECT_FALSE(Score(exam, {}, "direktur"));
  EXPECT_FALSE(Score(exam, {{"tiu-01", {"Z"}}}, ""));
}

}  // namespace
}  // namespace lontar::scoring

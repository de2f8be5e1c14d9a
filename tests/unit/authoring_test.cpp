// The authoring source: the mini fixture loads; a broken copy reports every problem at once,
// each with its file and line.
#include "core/authoring/source.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

#include "tests/support/mini_exam.hpp"
#include "tests/support/mini_source_test.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::authoring {

// The exam model (core/model) by its short names.
using model::ExamFromJson;
using model::ExamToJson;
using model::PassRule;
using model::RosterToJson;

namespace {

using lontar::testing::ReadText;
using lontar::testing::TempDir;
using lontar::testing::WriteText;

using testing::kMini;

TEST(Authoring, MiniFixtureLoads) {
  auto s = LoadSource(kMini);
  ASSERT_TRUE(s) << s.error().front().ToString();
  EXPECT_EQ(s->exam.id, "TEST-MINI");
  ASSERT_EQ(s->exam.sections.size(), 2u);
  EXPECT_EQ(s->exam.sections[0].pass_threshold, 5);
  EXPECT_EQ(s->exam.items.size(), 4u);
  EXPECT_EQ(s->exam.items.at("tkp-01").options[0].weight, 5);
  EXPECT_EQ(s->exam.items.at("tiu-01").points_correct, 5);
  EXPECT_EQ(s->exam.items.at("tiu-02").media, std::vector<std::string>{"media/boxes.png"});
  ASSERT_EQ(s->exam.roster.size(), 3u);
  EXPECT_EQ(s->exam.roster[1].name, "Baso, Daeng");
  EXPECT_TRUE(s->exam.roster[1].pin_hash.starts_with("$argon2id$v=19$m=65536,t=2,p=1$"));
  ASSERT_EQ(s->media.size(), 1u);
  EXPECT_EQ(s->exam.competencies[0].levels, (std::array<int, 4>{3, 5, 7, 9}));
}

using BrokenSource = testing::MiniSourceTest;

bool Has(const std::vector<std::string>& problems, const std::string& text) {
  for (const auto& p : problems) {
    if (p == text) return true;
  }
  return false;
}

TEST_F(BrokenSource, ReportsEveryProblemWithFileAndLine) {
  Edit("items/tkp-01.yaml", "weight: 3}", "weight: 7}");
  Edit("items/tiu-01.yaml", "correct: true}", "}");
  Edit("items/tiu-02.yaml", "media/boxes.png", "media/missing.png");
  Edit("exam.yaml", "duration_minutes: 10", "duration_minutes: 900");
  Edit("exam.yaml", "items: [tkp-01, tkp-02]", "items: [tkp-01, tkp-02, tkp-03]");
  Edit("roster.csv", "TEST-0003,Yohanes Kambu,,", "TEST-0001,Yohanes Kambu,,");
  const auto p = Problems();
  for (const auto& line : p) std::cout << "  " << line << "\n";
  EXPECT_TRUE(Has(p, "items/tkp-01.yaml:10: option C has weight 7; allowed 1..5"));
  EXPECT_TRUE(Has(p,
                  "items/tiu-01.yaml:7: a single-answer item needs exactly one option with "
                  "correct: true (found 0)"));
  EXPECT_TRUE(Has(p, "items/tiu-02.yaml:6: media file 'media/missing.png' does not exist"));
  EXPECT_TRUE(Has(p, "exam.yaml:8: 'duration_minutes' is 900; allowed 1..600"));
  EXPECT_TRUE(Has(p,
                  "exam.yaml: section 'tkp' lists item 'tkp-03', which has no file "
                  "items/tkp-03.yaml"));
  EXPECT_TRUE(Has(p, "roster.csv:4: participant TEST-0001 is listed twice"));
  EXPECT_EQ(p.size(), 6u);
}

TEST_F(BrokenSource, SyntaxErrorsAndUnknownReferencesAreNamed) {
  Edit("items/tkp-02.yaml", "competency: integritas", "competency: kejujuran");
  Edit("items/tiu-01.yaml", "type: single", "type: [single");
  Edit("exam.yaml", "standards: {integritas: 3}", "standards: {integritas: 6}");
  const auto p = Problems();
  for (const auto& line : p) std::cout << "  " << line << "\n";
  EXPECT_TRUE(Has(p, "items/tkp-02.yaml:3: competency 'kejujuran' is not declared in exam.yaml"));
  bool syntax = false;
  for (const auto& line : p)
    syntax |= line.starts_with("items/tiu-01.yaml:") &&
              line.find("YAML syntax error") != std::string::npos;
  EXPECT_TRUE(syntax);
  EXPECT_TRUE(
      Has(p, "exam.yaml:28: position 'staf': standard for 'integritas' must be a level 1..5"));
}

TEST_F(BrokenSource, PinsInTheRosterAreRefused) {
  WriteText(dir_ / "exam" / "roster.csv",
            "participant,name,position,pin_hash\nTEST-0001,Ayu,staf,123456\n");
  const auto p = Problems();
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("roster.csv:2: participant TEST-0001: pin_hash is not an Argon2id hash"),
            std::string::npos)
      << p[0];
}

TEST_F(BrokenSource, MissingExamFileSaysWhatIsNeeded) {
  std::filesystem::remove(dir_ / "exam" / "exam.yaml");
  const auto p = Problems();
  ASSERT_FALSE(p.empty());
  EXPECT_NE(p[0].find("exam.yaml: missing"), std::string::npos) << p[0];
}

}  // namespace
}  // namespace lontar::authoring

namespace lontar::authoring {
namespace {

TEST(ExamJson, RoundTripsEveryShippedExam) {
  for (const char* rel : {"tests/fixtures/mini-exam", "assets/demo/cact", "assets/demo/skd"}) {
    SCOPED_TRACE(rel);
    auto s = LoadSource(std::filesystem::path(LONTAR_SOURCE_DIR) / rel);
    ASSERT_TRUE(s);
    const std::string exam = ExamToJson(s->exam), roster = RosterToJson(s->exam.roster);
    auto back = ExamFromJson(exam, roster);
    ASSERT_TRUE(back) << back.error().message();
    EXPECT_EQ(ExamToJson(*back), exam);
    EXPECT_EQ(RosterToJson(back->roster), roster);
  }
}

TEST(ExamJson, DamagedContentNamesTheField) {
  auto s = LoadSource(std::filesystem::path(LONTAR_SOURCE_DIR) / "tests/fixtures/mini-exam");
  ASSERT_TRUE(s);
  std::string exam = ExamToJson(s->exam);
  exam.replace(exam.find("\"duration_minutes\":10"), 21, "\"duration_minutes\":\"x\"");
  auto r = ExamFromJson(exam, "[]");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("'duration_minutes' is not a whole number"), std::string::npos)
      << r.error().message();
  EXPECT_FALSE(ExamFromJson("{", "[]"));
  EXPECT_FALSE(ExamFromJson(ExamToJson(s->exam), "{}"));
}

}  // namespace
}  // namespace lontar::authoring

namespace lontar::authoring {
namespace {

// Pass rules per applicant group, rank_by and the roster's group column: what loads, and each
// rejection with its file and line.
class GroupRules : public BrokenSource {
 protected:
  void Append(const std::string& file, const std::string& text) {
    WriteText(dir_ / "exam" / file, ReadText(dir_ / "exam" / file) + text);
  }
  // exam.yaml has 31 lines; these start at line 32.
  void AddRules() {
    Append("exam.yaml",
           "pass_rules:\n"                                       // 32
           "  - id: cumlaude\n"                                  // 33
           "    name: {id: Lulusan cum laude, en: Cum laude}\n"  // 34
           "    min_total: 15\n"                                 // 35
           "    sections: {tiu: 5}\n"                            // 36
           "rank_by: [tkp, tiu]\n");                             // 37
  }
  void GroupRoster(const std::string& group) {
    std::string text = ReadText(dir_ / "exam" / "roster.csv");
    text.replace(0, text.find('\n'), "participant,name,position,group,pin_hash");
    // Every participant line gains an empty group before its hash; the first gets `group`.
    std::string out;
    std::size_t line = 0;
    for (std::size_t start = 0; start < text.size();) {
      std::size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string l = text.substr(start, end - start);
      if (line > 0 && !l.empty()) {
        const std::size_t hash = l.find(",$argon2id$");
        l.insert(hash, "," + std::string(line == 1 ? group : ""));
      }
      out += l + "\n";
      ++line;
      start = end + 1;
    }
    WriteText(dir_ / "exam" / "roster.csv", out);
  }
};

TEST_F(GroupRules, LoadAndTravelInThePack) {
  AddRules();
  GroupRoster("cumlaude");
  auto s = LoadSource(dir_ / "exam");
  ASSERT_TRUE(s) << s.error().front().ToString();
  ASSERT_EQ(s->exam.pass_rules.size(), 1u);
  const PassRule& rule = s->exam.pass_rules[0];
  EXPECT_EQ(rule.id, "cumlaude");
  EXPECT_EQ(rule.min_total, 15);
  EXPECT_EQ(rule.section_min, (std::map<std::string, int>{{"tiu", 5}}));
  EXPECT_EQ(s->exam.rank_by, (std::vector<std::string>{"tkp", "tiu"}));
  EXPECT_EQ(s->exam.roster[0].group, "cumlaude");
  EXPECT_EQ(s->exam.roster[1].group, "");
  EXPECT_EQ(s->exam.roster[1].name, "Baso, Daeng");
  EXPECT_TRUE(s->exam.roster[1].pin_hash.starts_with("$argon2id$v=19$m=65536,t=2,p=1$"));
  auto back = ExamFromJson(ExamToJson(s->exam), RosterToJson(s->exam.roster));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->pass_rules[0].section_min, rule.section_min);
  EXPECT_EQ(back->pass_rules[0].min_total, 15);
  EXPECT_EQ(back->rank_by, s->exam.rank_by);
  EXPECT_EQ(back->roster[0].group, "cumlaude");
}

TEST_F(GroupRules, PacksWithoutThemReadAsBefore) {
  // A pack built before groups existed: no pass_rules, rank_by or group anywhere.
  auto s = LoadSource(kMini);
  ASSERT_TRUE(s);
  const std::string exam = ExamToJson(s->exam), roster = RosterToJson(s->exam.roster);
  EXPECT_EQ(exam.find("pass_rules"), std::string::npos);
  EXPECT_EQ(exam.find("rank_by"), std::string::npos);
  EXPECT_EQ(roster.find("group"), std::string::npos);
  auto back = ExamFromJson(exam, roster);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_TRUE(back->pass_rules.empty());
  EXPECT_TRUE(back->rank_by.empty());
}

TEST_F(GroupRules, UnknownGroupInTheRosterIsNamedWithItsLine) {
  AddRules();
  GroupRoster("papua");
  EXPECT_EQ(OnlyProblem(),
            "roster.csv:2: participant TEST-0001: group 'papua' is not declared under pass_rules "
            "in exam.yaml");
}

TEST_F(GroupRules, GroupWithoutAnyRulesIsRefused) {
  GroupRoster("cumlaude");
  EXPECT_EQ(OnlyProblem(),
            "roster.csv:2: participant TEST-0001: group 'cumlaude' is not declared under "
            "pass_rules in exam.yaml");
}

TEST_F(GroupRules, RuleNamingAnUnknownSection) {
  AddRules();
  Edit("exam.yaml", "sections: {tiu: 5}", "sections: {twk: 5}");
  EXPECT_EQ(OnlyProblem(),
            "exam.yaml:36: pass rule 'cumlaude': section 'twk' is not declared under 'sections'");
}

TEST_F(GroupRules, RuleWithoutMinimums) {
  AddRules();
  Edit("exam.yaml", "    min_total: 15\n    sections: {tiu: 5}\n", "");
  EXPECT_EQ(OnlyProblem(), "exam.yaml:33: pass rule 'cumlaude' needs min_total, sections, or both");
}

TEST_F(GroupRules, RuleDeclaredTwice) {
  AddRules();
  Edit("exam.yaml", "rank_by: [tkp, tiu]\n",
       "  - {id: cumlaude, name: {id: Lagi, en: Again}, min_total: 1}\nrank_by: [tkp, tiu]\n");
  EXPECT_EQ(OnlyProblem(), "exam.yaml:37: pass rule 'cumlaude' is declared twice");
}

TEST_F(GroupRules, RankByUnknownOrRepeatedSection) {
  AddRules();
  Edit("exam.yaml", "rank_by: [tkp, tiu]", "rank_by: [tkp, twk, tkp]");
  const auto p = Problems();
  ASSERT_EQ(p.size(), 2u);
  EXPECT_TRUE(Has(p, "exam.yaml:37: rank_by: section 'twk' is not declared under 'sections'"));
  EXPECT_TRUE(Has(p, "exam.yaml:37: rank_by: section 'tkp' is listed twice"));
}

TEST(ExamJson, GroupWithoutRuleInAPackIsMalformed) {
  auto s = LoadSource(kMini);
  ASSERT_TRUE(s);
  s->exam.roster[0].group = "cumlaude";
  auto r = ExamFromJson(ExamToJson(s->exam), RosterToJson(s->exam.roster));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("participant TEST-0001 is in group cumlaude, which has no "
                                     "pass rule"),
            std::string::npos)
      << r.error().message();
}

}  // namespace
}  // namespace lontar::authoring

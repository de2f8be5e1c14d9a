// `lontar pack synth --skd`: the synthetic source loads and has CAT SKD's shape (what the results
// report benchmark scores against).
#include <gtest/gtest.h>

#include "core/authoring/source.hpp"
#include "core/authoring/synth.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

TEST(Synth, SkdShapeLoadsWithThresholdsRulesAndGroups) {
  testing::TempDir dir;
  authoring::SynthOptions o;
  o.skd = true;
  o.participants = 100;
  ASSERT_TRUE(authoring::WriteSynthSource(dir / "src", o));
  auto source = authoring::LoadSource(dir / "src");
  ASSERT_TRUE(source) << source.error().front().ToString();
  const model::Exam& exam = source->exam;
  ASSERT_EQ(exam.sections.size(), 3u);
  // BKN's SKD: TWK 30 and TIU 35 single-answer items, TKP 45 weighted; thresholds 65/80/166.
  const struct {
    const char* id;
    std::size_t items;
    int threshold;
    model::ItemType type;
  } want[] = {{"twk", 30, 65, model::ItemType::kSingle},
              {"tiu", 35, 80, model::ItemType::kSingle},
              {"tkp", 45, 166, model::ItemType::kWeighted}};
  for (std::size_t s = 0; s < 3; ++s) {
    const model::Section& section = exam.sections[s];
    EXPECT_EQ(section.id, want[s].id);
    EXPECT_EQ(section.items.size(), want[s].items) << section.id;
    EXPECT_EQ(section.pass_threshold, want[s].threshold) << section.id;
    for (const std::string& id : section.items) {
      EXPECT_EQ(exam.items.at(id).type, want[s].type) << id;
    }
  }
  EXPECT_EQ(exam.items.size(), 110u);
  // twk-1's right key is B (item n: the key at n mod 5); tkp-1 weighs A..E 2, 3, 4, 5, 1.
  EXPECT_TRUE(exam.items.at("twk-1").options[1].correct);
  EXPECT_EQ(exam.items.at("twk-1").points_correct, 5);
  EXPECT_EQ(exam.items.at("tkp-1").options[0].weight, 2);
  EXPECT_EQ(exam.items.at("tkp-1").options[4].weight, 1);
  ASSERT_EQ(exam.pass_rules.size(), 3u);
  EXPECT_EQ(exam.pass_rules[0].id, "cumlaude");
  EXPECT_EQ(exam.pass_rules[0].min_total, 311);
  EXPECT_EQ(exam.pass_rules[0].section_min.at("tiu"), 85);
  EXPECT_EQ(exam.rank_by, (std::vector<std::string>{"tkp", "tiu", "twk"}));
  // 100 participants: SYNTH-19, -39, -59, -79, -99 cum laude; SYNTH-49 with a disability.
  ASSERT_EQ(exam.roster.size(), 100u);
  EXPECT_EQ(exam.roster[19].group, "cumlaude");
  EXPECT_EQ(exam.roster[49].group, "disabilitas");
  EXPECT_EQ(exam.roster[99].group, "cumlaude");  // both rules match 99: cum laude comes first
  EXPECT_EQ(exam.roster[0].group, "");
}

}  // namespace
}  // namespace lontar

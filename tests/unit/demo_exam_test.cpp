// The demo exams shipped in assets/demo/ stay valid and match what their README promises.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>

#include "core/authoring/source.hpp"
#include "core/crypto/kdf.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::authoring {

// The exam model (core/model) by its short names.
using model::DescribeAccommodations;
using model::Exam;
using model::ItemType;
using model::Participant;

namespace {

const std::filesystem::path kDemo = std::filesystem::path(LONTAR_SOURCE_DIR) / "assets/demo";

TEST(DemoExams, CactIsAValidCompetencyAssessment) {
  auto s = LoadSource(kDemo / "cact");
  ASSERT_TRUE(s) << s.error().front().ToString();
  const Exam& e = s->exam;
  EXPECT_GE(e.items.size(), 30u);
  EXPECT_GE(e.competencies.size(), 6u);
  EXPECT_EQ(e.positions.size(), 2u);
  std::set<std::string> tagged;
  for (const auto& [id, item] : e.items) {
    EXPECT_EQ(item.type, ItemType::kWeighted) << id;
    EXPECT_FALSE(item.competency.empty()) << id;
    tagged.insert(item.competency);
  }
  EXPECT_EQ(tagged.size(), e.competencies.size());
  EXPECT_EQ(e.roster.size(), 40u);
  // The talent-mapping JPM set: Optimal >= 90, Cukup optimal 78 to < 90, Kurang optimal < 78.
  ASSERT_EQ(e.jpm_categories.size(), 3u);
  EXPECT_EQ(e.jpm_categories[0].min_percent, 90);
  EXPECT_EQ(e.jpm_categories[0].name.id, "Optimal");
  EXPECT_EQ(e.jpm_categories[1].min_percent, 78);
  EXPECT_EQ(e.jpm_categories[1].name.id, "Cukup optimal");
  EXPECT_EQ(e.jpm_categories[2].min_percent, 0);
  EXPECT_EQ(e.jpm_categories[2].name.id, "Kurang optimal");
}

TEST(DemoExams, SkdHasThreeScoredSectionsAndImages) {
  auto s = LoadSource(kDemo / "skd");
  ASSERT_TRUE(s) << s.error().front().ToString();
  const Exam& e = s->exam;
  ASSERT_EQ(e.sections.size(), 3u);
  EXPECT_EQ(e.sections[0].id, "twk");
  EXPECT_EQ(e.sections[0].pass_threshold, 17);
  EXPECT_EQ(e.sections[1].pass_threshold, 18);
  EXPECT_EQ(e.sections[2].pass_threshold, 30);
  int with_media = 0;
  for (const auto& [id, item] : e.items) {
    with_media += item.media.empty() ? 0 : 1;
    if (item.section == "tkp") {
      EXPECT_EQ(item.type, ItemType::kWeighted) << id;
    } else {
      EXPECT_EQ(item.type, ItemType::kSingle) << id;
      EXPECT_EQ(item.points_correct, 5) << id;
    }
  }
  EXPECT_GE(with_media, 2);
  EXPECT_EQ(s->media.size(), 2u);
  // SKD 2024's group rules scaled to 120 points as the thresholds are (exam.yaml's comment).
  ASSERT_EQ(e.pass_rules.size(), 3u);
  EXPECT_EQ(e.pass_rules[0].id, "cumlaude");
  EXPECT_EQ(e.pass_rules[0].min_total, 68);  // 311 x 120 / 550 = 67.9
  EXPECT_EQ(e.pass_rules[0].section_min,
            (std::map<std::string, int>{{"tiu", 19}}));  // 85 x 40 / 175
  EXPECT_EQ(e.pass_rules[1].id, "disabilitas");
  EXPECT_EQ(e.pass_rules[1].min_total, 62);  // 286 x 120 / 550 = 62.4
  EXPECT_EQ(e.pass_rules[1].section_min,
            (std::map<std::string, int>{{"tiu", 14}}));  // 60 x 40 / 175
  EXPECT_EQ(e.pass_rules[2].id, "papua");
  EXPECT_EQ(e.rank_by, (std::vector<std::string>{"tkp", "tiu", "twk"}));
  // DEMO-0001..0010 are plain participants (other tests and the demo use them).
  for (const auto& p : e.roster) {
    if (p.number <= "DEMO-0010") {
      EXPECT_EQ(p.group, "") << p.number;
    }
  }
}

TEST(DemoExams, PinsFileMatchesTheRosterHashes) {
  auto s = LoadSource(kDemo / "skd");
  ASSERT_TRUE(s);
  std::ifstream pins(kDemo / "pins.csv");
  std::string line;
  std::getline(pins, line);
  ASSERT_EQ(line, "participant,pin,accommodations");
  int checked = 0;
  while (std::getline(pins, line) && checked < 3) {
    const std::string participant = line.substr(0, line.find(','));
    const std::size_t comma = line.find(',');
    const std::string pin = line.substr(comma + 1, line.find(',', comma + 1) - comma - 1);
    const auto it = std::find_if(s->exam.roster.begin(), s->exam.roster.end(),
                                 [&](const Participant& p) { return p.number == participant; });
    ASSERT_NE(it, s->exam.roster.end()) << participant;
    auto ok = crypto::VerifyPin(it->pin_hash, pin);
    ASSERT_TRUE(ok);
    EXPECT_TRUE(*ok) << participant;
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

}  // namespace
}  // namespace lontar::authoring

namespace lontar::authoring {
namespace {

// Both demo rosters give the same three of the first ten participants accommodations, and the
// pins file's third column says which (docs/authoring.md, assets/demo/README.md).
TEST(DemoExams, AccommodatedParticipantsAsThePinsFileSays) {
  for (const char* exam : {"skd", "cact"}) {
    auto s = LoadSource(kDemo / exam);
    ASSERT_TRUE(s) << exam;
    std::map<std::string, std::string> described;
    for (const Participant& p : s->exam.roster) {
      if (p.accommodations.any()) described[p.number] = DescribeAccommodations(p.accommodations);
    }
    EXPECT_EQ(described,
              (std::map<std::string, std::string>{{"DEMO-0008", "x1.3"},
                                                  {"DEMO-0009", "large text; high contrast"},
                                                  {"DEMO-0010", "read-aloud"}}))
        << exam;
  }
  const std::string pins = lontar::testing::ReadText(kDemo / "pins.csv");
  EXPECT_NE(pins.find("\nDEMO-0008,730226,extra time x1.3\n"), std::string::npos);
  EXPECT_NE(pins.find("\nDEMO-0009,751673,large text and high contrast\n"), std::string::npos);
  EXPECT_NE(pins.find("\nDEMO-0010,683594,read-aloud\n"), std::string::npos);
}

}  // namespace
}  // namespace lontar::authoring

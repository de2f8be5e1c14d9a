// The demo exams shipped in assets/demo/ stay valid and match what their README promises.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "core/authoring/source.hpp"
#include "core/crypto/kdf.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::authoring {
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
}

TEST(DemoExams, PinsFileMatchesTheRosterHashes) {
  auto s = LoadSource(kDemo / "skd");
  ASSERT_TRUE(s);
  std::ifstream pins(kDemo / "pins.csv");
  std::string line;
  std::getline(pins, line);
  ASSERT_EQ(line, "participant,pin");
  int checked = 0;
  while (std::getline(pins, line) && checked < 3) {
    const std::string participant = line.substr(0, line.find(','));
    const std::string pin = line.substr(line.find(',') + 1);
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

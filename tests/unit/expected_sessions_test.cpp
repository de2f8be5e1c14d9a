// Joining the sessions the server expects (from pack headers) with what arrived: silent
// terminals, candidates per site and per pack, deliveries for a pack nobody told the server of.
#include "core/server/expected_sessions.hpp"

#include <gtest/gtest.h>

namespace lontar {
namespace {

using server::CompareSessions;
using server::ExpectedSession;
using server::SessionDelivered;

ExpectedSession Pack(const std::string& id, std::int64_t from,
                     std::vector<std::pair<std::string, std::string>> targets,
                     std::uint64_t candidates) {
  ExpectedSession s;
  s.pack_id = id;
  s.exam_id = "CACT-2026";
  s.title = "CACT " + id;
  s.exam_version = 1;
  s.valid_from_ms = from;
  s.valid_until_ms = from + 3'600'000;
  s.targets = std::move(targets);
  s.candidates = candidates;
  return s;
}

TEST(ExpectedSessions, SilentTerminalsAndCandidatesPerSiteAndPack) {
  // Morning pack for two sites, afternoon pack for one.
  const std::vector<ExpectedSession> expected = {
      Pack("pm", 2000, {{"SMD", "T-3"}}, 40),
      Pack("am", 1000, {{"SMD", "T-1"}, {"SMD", "T-2"}, {"BPN", "T-9"}}, 90),
  };
  const std::vector<SessionDelivered> delivered = {
      {"SMD", "am", "CACT-2026", 30, 30, {"T-1"}},
      {"BPN", "am", "CACT-2026", 25, 24, {"T-9"}},
      {"SMD", "old", "CACT-2025", 2, 2, {"T-1"}},  // a pack the server was not given
  };
  const auto rows = CompareSessions(expected, delivered);
  ASSERT_EQ(rows.size(), 4u);
  // Sorted by site, then start time.
  EXPECT_EQ(rows[0].site, "BPN");
  EXPECT_EQ(rows[1].site, "SMD");
  EXPECT_EQ(rows[1].pack_id, "old");  // unknown packs have no start time: first
  EXPECT_FALSE(rows[1].expected);
  EXPECT_EQ(rows[1].exam_id, "CACT-2025");
  const auto& am = rows[2];
  EXPECT_EQ(am.pack_id, "am");
  EXPECT_TRUE(am.expected);
  EXPECT_EQ(am.terminals_expected, (std::vector<std::string>{"T-1", "T-2"}));
  EXPECT_EQ(am.terminals_reporting, (std::vector<std::string>{"T-1"}));
  EXPECT_EQ(am.terminals_silent, (std::vector<std::string>{"T-2"}));
  EXPECT_EQ(am.candidates_expected, 90u);
  EXPECT_EQ(am.pack_sites, 2u);
  EXPECT_EQ(am.candidates_delivered, 30u);
  EXPECT_EQ(am.candidates_delivered_all_sites, 54u);
  const auto& pm = rows[3];
  EXPECT_EQ(pm.pack_id, "pm");
  EXPECT_EQ(pm.terminals_silent, (std::vector<std::string>{"T-3"}));
  EXPECT_EQ(pm.candidates_delivered, 0u);
  EXPECT_EQ(rows[0].terminals_silent.size(), 0u);
}

TEST(ExpectedSessions, NothingExpectedNothingDelivered) {
  EXPECT_TRUE(CompareSessions({}, {}).empty());
}

}  // namespace
}  // namespace lontar

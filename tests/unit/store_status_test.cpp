// The status page's counts as each backend's database aggregates them (StoreBackend::CountStatus,
// store_status.hpp) against the same counts taken from every row in memory (CountStatusOf, what
// Store::Status did before the database counted): terminals with holes in their numbers, below
// their lowest number, a number stored twice, several sites, exams and packs, participants
// sitting twice; and a store still empty.
#include <gtest/gtest.h>

#include <algorithm>
#include <tuple>

#include "core/server/store_status.hpp"
#include "tests/support/backend_test.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::Backend;

server::StoredBundle StatusRow(int n, const std::string& terminal, const std::string& site,
                               std::uint64_t seq, const std::string& exam,
                               const std::string& participant) {
  server::StoredBundle r;
  r.bundle_id = std::string(56, '0') + std::to_string(10'000'000 + n);
  r.receipt_code = "CODE-" + std::to_string(n);
  r.terminal_id = terminal;
  r.site = site;
  r.exam_id = exam;
  r.pack_id = "pack-" + exam;
  r.participant = participant;
  r.kind = "submitted";
  r.seq = seq;
  r.journal_seq = seq * 3;
  r.created_ms = 1'795'500'000'000 + n;
  r.stored_ms = 1'795'500'000'000 + 7 * n;
  r.receipt_text = "receipt " + std::to_string(n);
  r.bytes = 100;
  return r;
}

// Both in one order, so that they can be compared.
void Sort(server::StatusCounts& c) {
  std::sort(c.terminals.begin(), c.terminals.end(),
            [](const auto& a, const auto& b) { return a.terminal_id < b.terminal_id; });
  std::sort(c.groups.begin(), c.groups.end(), [](const auto& a, const auto& b) {
    return std::tie(a.site, a.exam_id, a.pack_id, a.terminal_id) <
           std::tie(b.site, b.exam_id, b.pack_id, b.terminal_id);
  });
  for (auto* v : {&c.exam_participants, &c.pack_participants}) {
    std::sort(v->begin(), v->end(), [](const auto& a, const auto& b) {
      return std::tie(a.site, a.key) < std::tie(b.site, b.key);
    });
  }
  std::sort(c.holes.begin(), c.holes.end(), [](const auto& a, const auto& b) {
    return std::tie(a.terminal_id, a.first) < std::tie(b.terminal_id, b.first);
  });
}

void ExpectSame(server::StatusCounts got, server::StatusCounts want) {
  Sort(got);
  Sort(want);
  ASSERT_EQ(got.terminals.size(), want.terminals.size());
  for (std::size_t i = 0; i < got.terminals.size(); ++i) {
    const auto &g = got.terminals[i], &w = want.terminals[i];
    EXPECT_EQ(
        std::tie(g.terminal_id, g.site, g.bundles, g.lowest_seq, g.highest_seq, g.last_stored_ms),
        std::tie(w.terminal_id, w.site, w.bundles, w.lowest_seq, w.highest_seq, w.last_stored_ms))
        << w.terminal_id;
  }
  ASSERT_EQ(got.groups.size(), want.groups.size());
  for (std::size_t i = 0; i < got.groups.size(); ++i) {
    const auto &g = got.groups[i], &w = want.groups[i];
    EXPECT_EQ(std::tie(g.site, g.exam_id, g.pack_id, g.terminal_id, g.bundles, g.highest_seq),
              std::tie(w.site, w.exam_id, w.pack_id, w.terminal_id, w.bundles, w.highest_seq));
  }
  for (auto [g, w] : {std::pair{&got.exam_participants, &want.exam_participants},
                      std::pair{&got.pack_participants, &want.pack_participants}}) {
    ASSERT_EQ(g->size(), w->size());
    for (std::size_t i = 0; i < g->size(); ++i) {
      EXPECT_EQ(std::tie((*g)[i].site, (*g)[i].key, (*g)[i].participants),
                std::tie((*w)[i].site, (*w)[i].key, (*w)[i].participants));
    }
  }
  ASSERT_EQ(got.holes.size(), want.holes.size());
  for (std::size_t i = 0; i < got.holes.size(); ++i) {
    const auto &g = got.holes[i], &w = want.holes[i];
    EXPECT_EQ(std::tie(g.terminal_id, g.first, g.last), std::tie(w.terminal_id, w.first, w.last));
  }
}

class StoreStatusCountTest : public testing::BackendTest {
 protected:
  void Store(const std::vector<server::StoredBundle>& rows) {
    auto tx = backend_->Begin();
    ASSERT_TRUE(tx) << tx.error().message();
    const Bytes bytes(100, 0x5a);
    for (const auto& r : rows) ASSERT_TRUE((*tx)->Insert(r, bytes, {}));
    auto committed = (*tx)->Commit();
    ASSERT_TRUE(committed) << committed.error().message();
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreStatusCountTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param == Backend::kSqlite ? "sqlite" : "postgres";
                         });

TEST_P(StoreStatusCountTest, TheDatabaseCountsWhatEveryRowInMemoryCounts) {
  auto empty = backend_->CountStatus();
  ASSERT_TRUE(empty) << empty.error().message();
  EXPECT_TRUE(empty->terminals.empty());
  EXPECT_TRUE(empty->holes.empty());

  std::vector<server::StoredBundle> rows;
  int n = 0;
  // T-A: 1..3, 7, 8, 12 (holes 4..6 and 9..11), and 3 again (a rolled-back vault).
  for (std::uint64_t seq : {1, 2, 3, 7, 8, 12, 3}) {
    rows.push_back(StatusRow(++n, "T-A", "SITE-01", seq, "SKD", "P-" + std::to_string(seq)));
  }
  // T-B: starts at 5 (1..4 missing), one long hole, two exams, a participant sitting twice;
  // one bundle names another site.
  for (std::uint64_t seq : {5, 6, 1'000'000}) {
    rows.push_back(StatusRow(++n, "T-B", "SITE-02", seq, "SKD", "P-1"));
  }
  rows.push_back(StatusRow(++n, "T-B", "SITE-02", 7, "SKB", "P-9"));
  rows.push_back(StatusRow(++n, "T-B", "SITE-00", 8, "SKB", "P-9"));
  // T-C: complete, 1..4, on the same site as T-A.
  for (std::uint64_t seq : {1, 2, 3, 4}) {
    rows.push_back(StatusRow(++n, "T-C", "SITE-01", seq, "SKD", "P-C" + std::to_string(seq)));
  }
  Store(std::vector<server::StoredBundle>(rows.begin(), rows.begin() + 5));
  Store(std::vector<server::StoredBundle>(rows.begin() + 5, rows.end()));

  auto counted = backend_->CountStatus();
  ASSERT_TRUE(counted) << counted.error().message();
  auto listed = backend_->ListBundles();
  ASSERT_TRUE(listed) << listed.error().message();
  ASSERT_EQ(listed->size(), rows.size());
  ExpectSame(*counted, server::CountStatusOf(*listed));

  // And what that is, spelled out for two of them.
  Sort(*counted);
  ASSERT_EQ(counted->terminals.size(), 3u);
  EXPECT_EQ(counted->terminals[1].site, "SITE-00");
  EXPECT_EQ(counted->terminals[1].lowest_seq, 5u);
  EXPECT_EQ(counted->terminals[1].highest_seq, 1'000'000u);
  ASSERT_EQ(counted->holes.size(), 3u);
  EXPECT_EQ(counted->holes[0].first, 4u);
  EXPECT_EQ(counted->holes[0].last, 6u);
  EXPECT_EQ(counted->holes[2].terminal_id, "T-B");
  EXPECT_EQ(counted->holes[2].first, 9u);
  EXPECT_EQ(counted->holes[2].last, 999'999u);
}

}  // namespace
}  // namespace lontar

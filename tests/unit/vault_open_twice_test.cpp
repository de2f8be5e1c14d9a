// The answer path with the terminal opened twice in one process, as the kiosk does (one opening
// for its screens, another for technician mode and each health refresh), while the real `lontar`
// binary opens and closes the same vault from another process between answers. Every answer the
// engine acknowledged must be in the journal that a fresh process reads, and vault.db-wal must
// never be deleted under the writer. Before 749a904 the second opening read vault.db's header
// through a descriptor of its own and closed it, which drops every POSIX lock this process held
// on vault.db (fcntl's rule); the other process's close then took itself for the last user,
// checkpointed the WAL and deleted it, and the sitting's later answers went to the deleted file.
// With that vault.cpp this test fails: the WAL gone before every answer, the health refresh's
// opening refused with a disk I/O error, and none of the four acknowledged answers in the journal.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/exam/engine.hpp"
#include "core/terminal/terminal.hpp"
#include "tests/support/durations.hpp"
#include "tests/support/exam_terminals.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::kSecond;
using testing::RunLontar;

// "item=key" for each answer in the journal a fresh `lontar` process reads, in journal order.
std::vector<std::string> AnswersSeenByAnotherProcess(const std::filesystem::path& home) {
  auto shown = RunLontar({"journal", "show", "--home", home.string(), "--limit", "1000", "--json"});
  EXPECT_EQ(shown.exit_code, 0) << shown.err;
  std::vector<std::string> items;
  if (shown.exit_code != 0) return items;
  for (const auto& r : nlohmann::json::parse(shown.out)) {
    if (r["type"] == "sitting.answered") {
      items.push_back(r["payload"]["item"].get<std::string>() + "=" +
                      r["payload"]["keys"][0].get<std::string>());
    }
  }
  return items;
}

TEST(VaultOpenTwice, EveryAcknowledgedAnswerSurvivesAnotherProcessClosingTheVault) {
  testing::TempDir dir;
  ManualClock clock;
  clock.SetWallMs(1'795'478'400'000);  // 2026-11-24 00:00 UTC, as the engine tests use
  auto terminals = testing::MakeExamTerminals(dir.path(), clock, {.terminals = 1});
  ASSERT_EQ(terminals.size(), 1u);
  terminal::Terminal& kiosk = terminals.front();
  const std::filesystem::path home = dir / "t0";
  const std::filesystem::path wal = home / "vault.db-wal";

  auto engine = exam::Engine::Open(kiosk, clock);
  ASSERT_TRUE(engine) << engine.error().message();
  ASSERT_TRUE(engine->Execute("TEST-0001", exam::Start{"TEST-0001", 7}));
  // Technician mode's own opening, held while the sitting goes on.
  auto technician = terminal::Terminal::Open(home, clock);
  ASSERT_TRUE(technician) << technician.error().message();

  // Between answers, lontar-admin reads the terminal from another process: status, then a
  // verify of the journal, each opening and closing vault.db. Halfway, a health refresh opens
  // the terminal once more in this process and closes it.
  // The mini exam's first section has two items; the candidate changes both answers once.
  const std::vector<std::pair<std::string, std::string>> answers = {
      {"tiu-01", "A"}, {"tiu-02", "B"}, {"tiu-01", "C"}, {"tiu-02", "A"}};
  const std::vector<std::vector<std::string>> admin = {
      {"terminal", "status", "--home", home.string(), "--json"},
      {"journal", "verify", "--home", home.string()},
  };
  for (std::size_t i = 0; i < answers.size(); ++i) {
    auto run = RunLontar(admin[i % admin.size()]);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_TRUE(std::filesystem::exists(wal))
        << "before answer " << i << ": another process's close deleted the WAL that this "
        << "process still writes to";
    if (i == answers.size() / 2) {
      auto refresh = terminal::Terminal::Open(home, clock);
      EXPECT_TRUE(refresh) << refresh.error().message();
    }
    clock.Advance(20 * kSecond);
    auto state = engine->Execute("TEST-0001", exam::Answer{answers[i].first, {answers[i].second}});
    ASSERT_TRUE(state) << state.error().message();
  }

  // Read while this process still holds the vault open: a power cut now leaves what the disk
  // has, and closing here would checkpoint whatever this process still has into vault.db.
  EXPECT_EQ(AnswersSeenByAnotherProcess(home),
            (std::vector<std::string>{"tiu-01=A", "tiu-02=B", "tiu-01=C", "tiu-02=A"}))
      << "answers acknowledged to the candidate are not in the journal another process reads";
  EXPECT_TRUE(std::filesystem::exists(wal));
}

}  // namespace
}  // namespace lontar

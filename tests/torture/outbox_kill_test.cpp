// SIGKILLs a process that writes result bundles into the outbox as fast as it can, at random
// moments; afterwards every bundle it acknowledged (AddToOutbox returned) must be listed, the
// outbox rows and "bundle.created" journal records must agree one to one, bundle numbers must
// run 1..N without gaps, every listed file must verify, and the journal must verify. Files
// without a row (killed between the file's rename and the commit) are allowed: nothing lists or
// sends them. Rounds: 60, or LONTAR_KILL_ROUNDS / 4.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>

#include "core/bundle/outbox.hpp"
#include "core/terminal/terminal.hpp"
#include "tests/support/exam_terminals.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::TempDir;

int OutboxRounds() {
  const char* env = std::getenv("LONTAR_KILL_ROUNDS");
  const int rounds = env != nullptr ? std::atoi(env) / 4 : 0;
  return rounds > 0 ? rounds : 60;
}

[[noreturn]] void AddUntilKilled(const std::filesystem::path& home,
                                 const crypto::BoxPublicKey& results, int ack_fd) {
  SystemClock clock;
  auto t = terminal::Terminal::Open(home, clock);
  if (!t) ::_exit(3);
  for (;;) {
    auto seq = bundle::NextBundleSeq(*t);
    if (!seq) ::_exit(4);
    bundle::BundleInputs in;
    in.terminal_id = t->id();
    in.site = t->site();
    in.exam_id = "SKD-2026";
    in.pack_id = "0123456789abcdef0123456789abcdef";
    in.exam_version = 1;
    in.participant = "P-" + std::to_string(*seq);
    in.created_ms = clock.WallMs();
    in.seq = *seq;
    in.journal_seq = t->journal().head().seq;
    in.journal_hash = t->journal().head().hash;
    in.payload.answers = {{"tiu-01", "A"}};
    auto b = bundle::WriteBundle(in, t->signing_key(), results);
    if (!b) ::_exit(5);
    auto added = bundle::AddToOutbox(*t, *b);
    if (!added) ::_exit(6);
    const std::uint64_t acked = *seq;
    if (::write(ack_fd, &acked, sizeof acked) != static_cast<ssize_t>(sizeof acked)) ::_exit(7);
  }
}

TEST(OutboxKillTest, EveryAcknowledgedBundleSurvivesSigkill) {
  TempDir dir;
  const auto home = dir / "home";
  auto results = crypto::BoxSecretKey::Generate();
  ASSERT_TRUE(results);
  {
    SystemClock clock;
    ASSERT_TRUE(testing::InitTerminalOfUnknownAuthority(home, clock, "kill"));
  }
  std::mt19937 rng(20261123);
  std::uniform_int_distribution<int> delay_us(0, 60'000);
  std::uint64_t max_acked = 0;
  const int rounds = OutboxRounds();
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      AddUntilKilled(home, results->public_key(), fds[1]);
    }
    ::close(fds[1]);
    std::uint64_t seq = 0;
    // Odd rounds may kill the writer anywhere, even while it opens the terminal; even rounds
    // wait for its first acknowledgement, so that the test makes progress however slow the
    // machine is.
    if (round % 2 == 0 && ::read(fds[0], &seq, sizeof seq) == static_cast<ssize_t>(sizeof seq)) {
      max_acked = std::max(max_acked, seq);
    }
    ::usleep(static_cast<useconds_t>(delay_us(rng)));
    ::kill(pid, SIGKILL);
    while (::read(fds[0], &seq, sizeof seq) == static_cast<ssize_t>(sizeof seq)) {
      max_acked = std::max(max_acked, seq);
    }
    ::close(fds[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the writer died on its own (exit " << (WIFEXITED(status) ? WEXITSTATUS(status) : -1)
        << ")";

    SystemClock clock;
    auto t = terminal::Terminal::Open(home, clock);
    ASSERT_TRUE(t) << t.error().message();
    auto list = bundle::ListOutbox(*t);
    ASSERT_TRUE(list) << list.error().message();
    ASSERT_GE(list->size(), max_acked) << "an acknowledged bundle is missing";
    std::set<std::string> rows;
    for (std::size_t i = 0; i < list->size(); ++i) {
      ASSERT_EQ((*list)[i].seq, i + 1) << "bundle numbers have a gap";
      rows.insert(HexEncode((*list)[i].bundle_id));
    }
    // The newest bundle's file is read in full every round; all of them at the end.
    if (!list->empty()) {
      ASSERT_TRUE(bundle::ReadOutboxBundle(*t, list->back()));
    }
    std::set<std::string> created;
    auto records = t->journal().Read(1, 10'000'000);
    ASSERT_TRUE(records);
    for (const auto& r : *records) {
      if (r.type == "bundle.created") {
        created.insert(nlohmann::json::parse(r.payload)["bundle_id"].get<std::string>());
      }
    }
    ASSERT_EQ(rows, created) << "outbox rows and journal records disagree";
    max_acked = list->size();
    if (round == rounds - 1) {
      for (const auto& e : *list) ASSERT_TRUE(bundle::ReadOutboxBundle(*t, e)) << e.seq;
      auto report = journal::VerifyJournal(t->vault(), t->signing_key().public_key());
      ASSERT_TRUE(report);
      ASSERT_TRUE(report->ok) << report->problem;
    }
  }
  std::cout << "[ kill test ] outbox: " << rounds << " rounds, " << max_acked << " bundles\n";
  EXPECT_GE(max_acked, static_cast<std::uint64_t>(rounds) / 2) << "the writer barely ran";
}

}  // namespace
}  // namespace lontar

// Fails each write and each sync of a journal append in turn, with ENOSPC and with EIO, through
// the fault VFS; requires a clear error for the caller and a vault that reopens consistent with
// every acknowledged record present.
#include <gtest/gtest.h>

#include <iostream>
#include <string>

#include "core/journal/journal.hpp"
#include "core/terminal/terminal.hpp"
#include "tests/support/exam_terminals.hpp"
#include "tests/support/fault_vfs.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::FaultErrno;
using testing::FaultOp;
using testing::TempDir;

struct Scenario {
  FaultOp op;
  FaultErrno err;
  bool checkpoint_every_commit;  // also exercise writes and syncs of the main database file
};

std::string Name(const Scenario& s) {
  return std::string(s.op == FaultOp::kWrite ? "write" : "sync") + "-" +
         (s.err == FaultErrno::kNoSpace ? "ENOSPC" : "EIO") +
         (s.checkpoint_every_commit ? "-checkpointing" : "");
}

void PrintTo(const Scenario& s, std::ostream* os) { *os << Name(s); }

class FaultInjection : public ::testing::TestWithParam<Scenario> {};

// Counts the writes and syncs one append makes in this configuration.
int CallsPerAppend(const std::filesystem::path& home, const Scenario& s, const Clock& clock) {
  auto t = terminal::Terminal::Open(home, clock, {.vfs = testing::kFaultVfsName});
  EXPECT_TRUE(t) << t.error().message();
  if (s.checkpoint_every_commit) {
    EXPECT_TRUE(t->vault().db().Exec("PRAGMA wal_autocheckpoint=1"));
  }
  testing::DisarmFault();
  EXPECT_TRUE(t->journal().Append("fault.count", "{}"));
  return s.op == FaultOp::kWrite ? testing::WritesSeen() : testing::SyncsSeen();
}

TEST_P(FaultInjection, EveryFailingCallGivesAClearErrorAndLosesNothingAcknowledged) {
  const Scenario s = GetParam();
  testing::RegisterFaultVfs();
  TempDir dir;
  const auto home = dir / "home";
  ManualClock clock;
  ASSERT_TRUE(testing::InitTerminalOfUnknownAuthority(home, clock, ""));
  const int calls = CallsPerAppend(home, s, clock);
  ASSERT_GT(calls, 0) << "an append made no " << Name(s) << " calls";
  std::uint64_t acknowledged = 2;  // terminal.initialised + fault.count
  int failures = 0;

  for (int nth = 1; nth <= calls; ++nth) {
    SCOPED_TRACE(Name(s) + " failing call " + std::to_string(nth) + " of " + std::to_string(calls));
    {
      auto t = terminal::Terminal::Open(home, clock, {.vfs = testing::kFaultVfsName});
      ASSERT_TRUE(t) << t.error().message();
      if (s.checkpoint_every_commit) {
        ASSERT_TRUE(t->vault().db().Exec("PRAGMA wal_autocheckpoint=1"));
      }
      testing::ArmFault(s.op, nth, s.err);
      auto head = t->journal().Append("fault.answer", "{\"nth\":" + std::to_string(nth) + "}");
      ASSERT_TRUE(testing::FaultFired());
      if (head) {
        // SQLite may survive a failed call (e.g. during an automatic checkpoint after the
        // commit was already durable); then the append really was acknowledged.
        acknowledged = head->seq;
      } else {
        ++failures;
        const ErrorKind want =
            s.err == FaultErrno::kNoSpace ? ErrorKind::kDiskFull : ErrorKind::kIo;
        EXPECT_EQ(head.error().kind(), want) << head.error().message();
        EXPECT_NE(head.error().message().find(s.err == FaultErrno::kNoSpace ? "disk is full"
                                                                            : "I/O error"),
                  std::string::npos)
            << head.error().message();
      }
      testing::DisarmFault();
      // The same connection keeps working once the disk does.
      auto after = t->journal().Append("fault.after", "{}");
      ASSERT_TRUE(after) << after.error().message();
      acknowledged = after->seq;
    }
    // Reopen through the ordinary VFS: consistent, chain valid, nothing acknowledged lost.
    auto t = terminal::Terminal::Open(home, clock);
    ASSERT_TRUE(t) << t.error().message();
    EXPECT_GE(t->journal().head().seq, acknowledged);
    auto report = journal::VerifyJournal(t->vault(), t->signing_key().public_key());
    ASSERT_TRUE(report) << report.error().message();
    EXPECT_TRUE(report->ok) << report->problem;
    acknowledged = t->journal().head().seq;
  }
  // Faults in the commit path must surface; a shim that never fails anything proves nothing.
  EXPECT_GT(failures, 0);
  std::cout << "[ faults ] " << Name(s) << ": " << calls << " calls per append, " << failures
            << " surfaced as errors\n";
}

INSTANTIATE_TEST_SUITE_P(Journal, FaultInjection,
                         ::testing::Values(Scenario{FaultOp::kWrite, FaultErrno::kNoSpace, false},
                                           Scenario{FaultOp::kWrite, FaultErrno::kIo, false},
                                           Scenario{FaultOp::kSync, FaultErrno::kNoSpace, false},
                                           Scenario{FaultOp::kSync, FaultErrno::kIo, false},
                                           Scenario{FaultOp::kWrite, FaultErrno::kNoSpace, true},
                                           Scenario{FaultOp::kWrite, FaultErrno::kIo, true},
                                           Scenario{FaultOp::kSync, FaultErrno::kIo, true}),
                         [](const ::testing::TestParamInfo<Scenario>& info) {
                           std::string n = Name(info.param);
                           for (char& c : n) {
                             if (c == '-') c = '_';
                           }
                           return n;
                         });

}  // namespace
}  // namespace lontar

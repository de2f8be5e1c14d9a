// Fails each write and each sync of AddToOutbox's vault transaction in turn (ENOSPC and EIO,
// through the fault VFS) and requires: a clear error or an honest success; after reopening, the
// outbox row and the "bundle.created" journal record are both there or both absent; an
// acknowledged bundle is listed and its file verifies; retrying the same bundle then succeeds
// exactly once.
#include <gtest/gtest.h>

#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

#include "core/bundle/outbox.hpp"
#include "core/terminal/terminal.hpp"
#include "tests/support/exam_terminals.hpp"
#include "tests/support/fault_vfs.hpp"
#include "tests/support/sample_bundles.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::FaultErrno;
using testing::FaultOp;
using testing::TempDir;

struct OutboxScenario {
  FaultOp op;
  FaultErrno err;
};

std::string Name(const OutboxScenario& s) {
  return std::string(s.op == FaultOp::kWrite ? "write" : "sync") + "_" +
         (s.err == FaultErrno::kNoSpace ? "ENOSPC" : "EIO");
}

void PrintTo(const OutboxScenario& s, std::ostream* os) { *os << Name(s); }

class OutboxFault : public ::testing::TestWithParam<OutboxScenario> {};

Bytes MakeBundle(terminal::Terminal& t, const crypto::BoxPublicKey& results, std::uint64_t seq) {
  bundle::BundleInputs in = testing::SampleBundleInputs(t, "SKD-2026", seq);
  in.participant = "P-" + std::to_string(seq);
  auto b = bundle::WriteBundle(in, t.signing_key(), results);
  EXPECT_TRUE(b) << b.error().message();
  return b.value_or(Bytes());
}

// How many bundle.created records the journal holds, by bundle id.
std::map<std::string, int> CreatedRecords(terminal::Terminal& t) {
  std::map<std::string, int> out;
  auto records = t.journal().Read(1, 1'000'000);
  EXPECT_TRUE(records);
  for (const auto& r : *records) {
    if (r.type != "bundle.created") continue;
    ++out[nlohmann::json::parse(r.payload)["bundle_id"].get<std::string>()];
  }
  return out;
}

TEST_P(OutboxFault, RowAndJournalRecordAreAllOrNothing) {
  const OutboxScenario s = GetParam();
  testing::RegisterFaultVfs();
  TempDir dir;
  const auto home = dir / "home";
  ManualClock clock;
  auto results = crypto::BoxSecretKey::Generate();
  ASSERT_TRUE(results);
  ASSERT_TRUE(testing::InitTerminalOfUnknownAuthority(home, clock, ""));
  // Count the calls one AddToOutbox makes.
  int calls = 0;
  {
    auto t = terminal::Terminal::Open(home, clock, {.vfs = testing::kFaultVfsName});
    ASSERT_TRUE(t) << t.error().message();
    const Bytes b = MakeBundle(*t, results->public_key(), 1);
    testing::DisarmFault();
    ASSERT_TRUE(bundle::AddToOutbox(*t, b));
    calls = s.op == FaultOp::kWrite ? testing::WritesSeen() : testing::SyncsSeen();
  }
  ASSERT_GT(calls, 0);
  int failures = 0;
  for (int nth = 1; nth <= calls; ++nth) {
    SCOPED_TRACE(Name(s) + " failing call " + std::to_string(nth) + " of " + std::to_string(calls));
    Bytes b;
    bool acknowledged = false;
    {
      auto t = terminal::Terminal::Open(home, clock, {.vfs = testing::kFaultVfsName});
      ASSERT_TRUE(t) << t.error().message();
      b = MakeBundle(*t, results->public_key(), bundle::NextBundleSeq(*t).value());
      testing::ArmFault(s.op, nth, s.err);
      auto added = bundle::AddToOutbox(*t, b);
      testing::DisarmFault();
      if (added) {
        acknowledged = true;
      } else {
        ++failures;
        const ErrorKind want =
            s.err == FaultErrno::kNoSpace ? ErrorKind::kDiskFull : ErrorKind::kIo;
        EXPECT_EQ(added.error().kind(), want) << added.error().message();
      }
    }
    auto t = terminal::Terminal::Open(home, clock);
    ASSERT_TRUE(t) << t.error().message();
    auto report = journal::VerifyJournal(t->vault(), t->signing_key().public_key());
    ASSERT_TRUE(report);
    EXPECT_TRUE(report->ok) << report->problem;
    auto list = bundle::ListOutbox(*t);
    ASSERT_TRUE(list);
    auto created = CreatedRecords(*t);
    ASSERT_EQ(created.size(), list->size()) << "outbox rows and journal records disagree";
    for (const auto& e : *list) {
      EXPECT_EQ(created[HexEncode(e.bundle_id)], 1);
      EXPECT_TRUE(bundle::ReadOutboxBundle(*t, e)) << "row " << e.seq << " names a bad file";
    }
    auto id = bundle::VerifyBundle(b, t->signing_key().public_key());
    ASSERT_TRUE(id);
    bool listed = false;
    for (const auto& e : *list) listed = listed || e.bundle_id == id->bundle_id;
    if (acknowledged) {
      EXPECT_TRUE(listed) << "an acknowledged bundle is missing";
    }
    // Retrying the same bundle: recorded exactly once whatever happened before.
    auto retry = bundle::AddToOutbox(*t, b);
    ASSERT_TRUE(retry) << retry.error().message();
    EXPECT_EQ(retry->already, listed);
    EXPECT_EQ(CreatedRecords(*t)[HexEncode(retry->header.bundle_id)], 1);
  }
  EXPECT_GT(failures, 0);
  std::cout << "[ faults ] outbox " << Name(s) << ": " << calls << " calls per add, " << failures
            << " surfaced as errors\n";
}

INSTANTIATE_TEST_SUITE_P(Outbox, OutboxFault,
                         ::testing::Values(OutboxScenario{FaultOp::kWrite, FaultErrno::kNoSpace},
                                           OutboxScenario{FaultOp::kWrite, FaultErrno::kIo},
                                           OutboxScenario{FaultOp::kSync, FaultErrno::kNoSpace},
                                           OutboxScenario{FaultOp::kSync, FaultErrno::kIo}),
                         [](const ::testing::TestParamInfo<OutboxScenario>& info) {
                           return Name(info.param);
                         });

}  // namespace
}  // namespace lontar

#include "core/journal/journal.hpp"

#include <gtest/gtest.h>

#include "tests/support/test_support.hpp"

namespace lontar::journal {
namespace {

using lontar::testing::TempDir;

class JournalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto v = vault::Vault::Create(dir_.path());
    ASSERT_TRUE(v) << v.error().message();
    vault_.emplace(std::move(*v));
    auto k = crypto::SigningKey::Generate();
    ASSERT_TRUE(k);
    key_.emplace(std::move(*k));
    auto j = Journal::Open(*vault_, *key_, clock_);
    ASSERT_TRUE(j) << j.error().message();
    journal_.emplace(std::move(*j));
  }

  VerifyReport Verify() {
    auto report = VerifyJournal(*vault_, key_->public_key());
    EXPECT_TRUE(report) << report.error().message();
    return report.value_or(VerifyReport{});
  }

  TempDir dir_;
  ManualClock clock_;
  std::optional<vault::Vault> vault_;
  std::optional<crypto::SigningKey> key_;
  std::optional<Journal> journal_;
};

TEST_F(JournalTest, AppendsChainAndReadsBack) {
  for (int i = 0; i < 10; ++i) {
    clock_.Advance(1'000'000);
    auto head = journal_->Append("test.event", "{\"i\":" + std::to_string(i) + "}");
    ASSERT_TRUE(head) << head.error().message();
    EXPECT_EQ(head->seq, static_cast<std::uint64_t>(i + 1));
  }
  auto records = journal_->Read(1, 100);
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 10u);
  crypto::Hash256 prev{};
  for (const Record& r : *records) {
    EXPECT_EQ(r.prev_hash, prev);
    EXPECT_EQ(r.hash, ComputeRecordHash(r));
    prev = r.hash;
  }
  EXPECT_EQ((*records)[3].payload, "{\"i\":3}");
  EXPECT_EQ((*records)[1].mono_ns - (*records)[0].mono_ns, 1'000'000);
  EXPECT_EQ(journal_->head().hash, prev);
  VerifyReport report = Verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.records, 10u);
}

TEST_F(JournalTest, HeadSurvivesReopen) {
  ASSERT_TRUE(journal_->Append("a.b", "{}"));
  ASSERT_TRUE(journal_->Append("a.c", "{}"));
  Head before = journal_->head();
  auto reopened = Journal::Open(*vault_, *key_, clock_);
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened->head().seq, 2u);
  EXPECT_EQ(reopened->head().hash, before.hash);
}

// Two processes on one vault (the kiosk and `lontar sync`, or the proctor's console): each
// append reads the head under the write lock, so neither breaks the chain, and an append decided
// on state folded before the other's record is refused rather than written.
TEST_F(JournalTest, TwoConnectionsKeepOneChain) {
  auto other_vault = vault::Vault::Open(dir_.path());
  ASSERT_TRUE(other_vault) << other_vault.error().message();
  auto other = Journal::Open(*other_vault, *key_, clock_);
  ASSERT_TRUE(other);
  const auto one = [](const char* type) { return std::vector<Event>{{type, "{}"}}; };
  ASSERT_TRUE(journal_->Append("a.one", "{}"));
  // `other` read its head (0) before a.one. Chaining onto the head works...
  auto b1 = other->Append(one("b.one"), {}, Journal::Mode::kOnHead);
  ASSERT_TRUE(b1) << b1.error().message();
  EXPECT_EQ(b1->seq, 2u);
  // ...and reports that it met a record from elsewhere, once.
  EXPECT_TRUE(other->ChangedElsewhere().value());
  EXPECT_FALSE(other->ChangedElsewhere().value());
  // `journal_` still has head 1: an append that must build on what it read is refused.
  auto stale = journal_->Append(one("a.two"), {}, Journal::Mode::kIfUnchanged);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().kind(), ErrorKind::kConflict) << stale.error().message();
  EXPECT_EQ(journal_->Read(1, 100).value().size(), 2u) << "nothing written";
  EXPECT_TRUE(journal_->ChangedElsewhere().value());
  auto a2 = journal_->Append(one("a.two"), {}, Journal::Mode::kIfUnchanged);
  ASSERT_TRUE(a2) << a2.error().message();
  EXPECT_EQ(a2->seq, 3u);
  VerifyReport report = Verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.records, 3u);
}

TEST_F(JournalTest, BatchIsAllOrNothing) {
  std::vector<Event> events = {{"x.one", "{}"}, {"x.two", "{}"}};
  auto failed = journal_->Append(events, [] { return Status(std::unexpected(Error::Io("boom"))); });
  ASSERT_FALSE(failed);
  EXPECT_EQ(journal_->head().seq, 0u);
  auto records = journal_->Read(1, 10);
  ASSERT_TRUE(records);
  EXPECT_TRUE(records->empty());
  auto ok = journal_->Append(events);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->seq, 2u);
}

TEST_F(JournalTest, RejectsBadEventsBeforeWriting) {
  EXPECT_EQ(journal_->Append("", "{}").error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(journal_->Append("Bad Type", "{}").error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(journal_->Append("x", std::string(kMaxPayloadBytes + 1, 'a')).error().kind(),
            ErrorKind::kInvalidArgument);
  EXPECT_EQ(journal_->head().seq, 0u);
}

TEST_F(JournalTest, CheckpointsAreSignedAtIntervalsAndOnRequest) {
  for (std::uint64_t i = 0; i < kCheckpointInterval + 3; ++i) {
    ASSERT_TRUE(journal_->Append("t.e", "{}"));
  }
  auto latest = journal_->LatestCheckpoint();
  ASSERT_TRUE(latest && latest->has_value());
  EXPECT_EQ((*latest)->seq, kCheckpointInterval);
  ASSERT_TRUE(journal_->SignHead());
  latest = journal_->LatestCheckpoint();
  ASSERT_TRUE(latest && latest->has_value());
  EXPECT_EQ((*latest)->seq, kCheckpointInterval + 3);
  EXPECT_EQ((*latest)->head, journal_->head().hash);
  EXPECT_TRUE(key_->public_key().Verify(CheckpointMessage((*latest)->seq, (*latest)->head),
                                        (*latest)->signature));
  ASSERT_TRUE(journal_->SignHead());  // already signed: no second row
  VerifyReport report = Verify();
  EXPECT_TRUE(report.ok) << report.problem;
  EXPECT_EQ(report.checkpoints, 2u);
  EXPECT_EQ(report.last_checkpoint_seq, kCheckpointInterval + 3);
}

TEST_F(JournalTest, VerifyNamesAnAlteredPayload) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(journal_->Append("t.e", "{}"));
  ASSERT_TRUE(vault_->db().Exec("UPDATE journal SET payload = X'7b2278223a317d' WHERE seq = 3"));
  VerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 3u);
  EXPECT_NE(report.problem.find("record 3"), std::string::npos);
  EXPECT_NE(report.problem.find("altered"), std::string::npos);
}

TEST_F(JournalTest, VerifyNamesARemovedRecord) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(journal_->Append("t.e", "{}"));
  ASSERT_TRUE(vault_->db().Exec("DELETE FROM journal WHERE seq = 4"));
  VerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 4u);
  EXPECT_NE(report.problem.find("missing"), std::string::npos);
}

TEST_F(JournalTest, VerifyNamesARehashedButRelinkedRecord) {
  // An attacker who recomputes record 2's own hash still breaks record 3's link.
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(journal_->Append("t.e", "{}"));
  auto records = journal_->Read(2, 1);
  ASSERT_TRUE(records);
  Record r = (*records)[0];
  r.payload = "{\"forged\":true}";
  r.hash = ComputeRecordHash(r);
  auto s = vault_->db().Prepare("UPDATE journal SET payload = ?, hash = ? WHERE seq = 2");
  ASSERT_TRUE(s);
  s->BindBlob(1, AsBytes(r.payload)).BindBlob(2, r.hash);
  ASSERT_TRUE(s->Run());
  VerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 3u);
  EXPECT_NE(report.problem.find("does not follow"), std::string::npos);
}

TEST_F(JournalTest, VerifyRejectsCheckpointsByAnotherKey) {
  ASSERT_TRUE(journal_->Append("t.e", "{}"));
  ASSERT_TRUE(journal_->SignHead());
  auto other = crypto::SigningKey::Generate();
  ASSERT_TRUE(other);
  auto report = VerifyJournal(*vault_, other->public_key());
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->ok);
  EXPECT_NE(report->problem.find("not signed by this terminal"), std::string::npos);
}

TEST_F(JournalTest, VerifyRejectsASignatureMovedToAnotherRecord) {
  ASSERT_TRUE(journal_->Append("t.e", "{}"));
  ASSERT_TRUE(journal_->SignHead());
  ASSERT_TRUE(journal_->Append("t.e", "{}"));
  ASSERT_TRUE(vault_->db().Exec(
      "UPDATE journal SET signature = (SELECT signature FROM journal WHERE seq = 1) "
      "WHERE seq = 2"));
  VerifyReport report = Verify();
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 2u);
  EXPECT_NE(report.problem.find("not signed by this terminal"), std::string::npos);
}

TEST(JournalRecord, HashIsPinned) {
  // Golden value: changing the record encoding must be a deliberate, versioned decision.
  Record r;
  r.seq = 1;
  r.mono_ns = 42;
  r.wall_ms = 1'700'000'000'000;
  r.type = "terminal.initialised";
  r.payload = "{}";
  // Computed independently: Python hashlib.blake2b(digest_size=32) over the documented encoding.
  EXPECT_EQ(HexEncode(ComputeRecordHash(r)),
            "4d35fe9da2c7e5554ec5475424b5e21a4dff13d318bb2911bac486ed5bd44917");
}

}  // namespace
}  // namespace lontar::journal

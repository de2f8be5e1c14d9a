// The outbox on a real vault: numbering, durability with the journal, idempotence, delivery.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/bundle/outbox.hpp"
#include "core/bundle/receipt_code.hpp"
#include "core/vault/schema.hpp"
#include "tests/support/authority_test.hpp"
#include "tests/support/exam_terminals.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::bundle {
namespace {

using lontar::testing::ReadText;

class OutboxTest : public testing::AuthorityTest {
 protected:
  void SetUp() override {
    AuthorityTest::SetUp();
    auto t = testing::InitTerminal(dir_ / "home", authority_->public_key(), clock_);
    ASSERT_TRUE(t);
    t_.emplace(std::move(*t));
  }

  Bytes Make(const std::string& participant, std::uint64_t seq, Kind kind = Kind::kSubmitted) {
    BundleInputs in;
    in.terminal_id = t_->id();
    in.site = t_->site();
    in.exam_id = "SKD-2026";
    in.pack_id = "0123456789abcdef0123456789abcdef";
    in.exam_version = 1;
    in.participant = participant;
    in.created_ms = clock_.WallMs();
    in.seq = seq;
    in.journal_seq = t_->journal().head().seq;
    in.journal_hash = t_->journal().head().hash;
    in.kind = kind;
    in.payload.answers = {{"tiu-01", "A"}};
    auto b = WriteBundle(in, t_->signing_key(), results_->public_key());
    EXPECT_TRUE(b) << b.error().message();
    return b.value_or(Bytes());
  }

  std::optional<terminal::Terminal> t_;
};

TEST_F(OutboxTest, AddListDeliver) {
  EXPECT_EQ(t_->vault().schema_version(), 3);
  ASSERT_EQ(NextBundleSeq(*t_).value(), 1u);
  const Bytes b1 = Make("P-001", 1);
  auto a1 = AddToOutbox(*t_, b1);
  ASSERT_TRUE(a1) << a1.error().message();
  EXPECT_FALSE(a1->already);
  EXPECT_EQ(a1->receipt_code, ReceiptCodeFor(a1->header.bundle_id));
  EXPECT_EQ(ReadText(a1->file), std::string(AsChars(b1)));
  EXPECT_EQ(a1->file.parent_path(), dir_ / "home" / "outbox");
  ASSERT_EQ(NextBundleSeq(*t_).value(), 2u);

  // The journal's last record says so, in the same transaction.
  auto records = t_->journal().Read(t_->journal().head().seq, 1);
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].type, "bundle.created");
  auto j = nlohmann::json::parse((*records)[0].payload);
  EXPECT_EQ(j["bundle_id"], HexEncode(a1->header.bundle_id));
  EXPECT_EQ(j["seq"], 1);
  EXPECT_EQ(j["participant"], "P-001");

  auto a2 = AddToOutbox(*t_, Make("P-002", 2, Kind::kVoided));
  ASSERT_TRUE(a2) << a2.error().message();

  auto list = ListOutbox(*t_);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].seq, 1u);
  EXPECT_EQ((*list)[0].participant, "P-001");
  EXPECT_EQ((*list)[0].receipt_code, a1->receipt_code);
  EXPECT_FALSE((*list)[0].delivered);
  EXPECT_EQ((*list)[1].kind, Kind::kVoided);
  EXPECT_EQ((*list)[1].exam_id, "SKD-2026");
  auto read = ReadOutboxBundle(*t_, (*list)[0]);
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_EQ(*read, b1);

  const Bytes receipt = ToBytes("signed receipt");
  ASSERT_TRUE(MarkDelivered(*t_, a1->header.bundle_id, receipt, 1234));
  const auto head = t_->journal().head();
  ASSERT_TRUE(MarkDelivered(*t_, a1->header.bundle_id, receipt, 9999));  // no-op
  EXPECT_EQ(t_->journal().head().seq, head.seq);
  list = ListOutbox(*t_);
  ASSERT_TRUE(list);
  EXPECT_TRUE((*list)[0].delivered);
  EXPECT_EQ((*list)[0].receipt, receipt);
  EXPECT_EQ((*list)[0].delivered_ms, 1234);
  EXPECT_FALSE((*list)[1].delivered);

  crypto::Hash256 unknown{};
  auto nf = MarkDelivered(*t_, unknown, receipt, 1);
  ASSERT_FALSE(nf);
  EXPECT_EQ(nf.error().kind(), ErrorKind::kNotFound);
  EXPECT_FALSE(MarkDelivered(*t_, a1->header.bundle_id, {}, 1));
  EXPECT_FALSE(MarkDelivered(*t_, a2->header.bundle_id, Bytes(kMaxReceiptBytes + 1, 1), 1));
}

TEST_F(OutboxTest, SurvivesReopeningAndTheJournalStillVerifies) {
  ASSERT_TRUE(AddToOutbox(*t_, Make("P-001", 1)));
  t_.reset();
  auto t = terminal::Terminal::Open(dir_ / "home", clock_);
  ASSERT_TRUE(t) << t.error().message();
  auto list = ListOutbox(*t);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  auto report = journal::VerifyJournal(t->vault(), t->signing_key().public_key());
  ASSERT_TRUE(report);
  EXPECT_TRUE(report->ok) << report->problem;
}

TEST_F(OutboxTest, AVaultFromBeforeTheOutboxIsMigrated) {
  // A version-2 vault, as the previous release left it: no outbox table.
  ASSERT_TRUE(t_->vault().db().Exec("DROP TABLE outbox"));
  ASSERT_TRUE(t_->vault().db().Exec("PRAGMA user_version = 2"));
  t_.reset();
  auto t = terminal::Terminal::Open(dir_ / "home", clock_);
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(t->vault().schema_version(), 3);
  t_.emplace(std::move(*t));
  EXPECT_EQ(NextBundleSeq(*t_).value(), 1u);
  ASSERT_TRUE(AddToOutbox(*t_, Make("P-001", 1)));
  EXPECT_EQ(ListOutbox(*t_)->size(), 1u);
}

TEST_F(OutboxTest, AddingTheSameBundleAgainChangesNothing) {
  const Bytes b = Make("P-001", 1);
  ASSERT_TRUE(AddToOutbox(*t_, b));
  const auto head = t_->journal().head();
  auto again = AddToOutbox(*t_, b);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_TRUE(again->already);
  EXPECT_EQ(t_->journal().head().seq, head.seq);
  EXPECT_EQ(ListOutbox(*t_)->size(), 1u);
}

TEST_F(OutboxTest, NumbersMustFollowOnWithoutGaps) {
  auto gap = AddToOutbox(*t_, Make("P-001", 2));
  ASSERT_FALSE(gap);
  EXPECT_EQ(gap.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(gap.error().message().find("this terminal's next is 1"), std::string::npos)
      << gap.error().message();
  ASSERT_TRUE(AddToOutbox(*t_, Make("P-001", 1)));
  auto repeat = AddToOutbox(*t_, Make("P-002", 1));
  ASSERT_FALSE(repeat);
  EXPECT_EQ(ListOutbox(*t_)->size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "home" / "outbox") &&
               std::distance(std::filesystem::directory_iterator(dir_ / "home" / "outbox"),
                             std::filesystem::directory_iterator()) != 1)
      << "a refused bundle left a file behind";
}

TEST_F(OutboxTest, RefusesABundleOfAnotherTerminalOrADamagedOne) {
  auto other =
      testing::InitTerminal(dir_ / "home2", authority_->public_key(), clock_, "t2", "SITE-02");
  ASSERT_TRUE(other);
  const Bytes mine = Make("P-001", 1);
  auto foreign = AddToOutbox(*other, mine);
  ASSERT_FALSE(foreign);
  EXPECT_EQ(foreign.error().kind(), ErrorKind::kUntrusted);
  Bytes damaged = mine;
  damaged[damaged.size() / 2] ^= 0x10;
  EXPECT_FALSE(AddToOutbox(*t_, damaged));
  EXPECT_EQ(ListOutbox(*t_)->size(), 0u);
}

TEST_F(OutboxTest, ADamagedFileIsReportedNotSent) {
  auto a = AddToOutbox(*t_, Make("P-001", 1));
  ASSERT_TRUE(a);
  std::string text = ReadText(a->file);
  text[text.size() - 3] ^= 1;
  lontar::testing::WriteText(a->file, text);
  auto list = ListOutbox(*t_);
  ASSERT_TRUE(list);
  auto read = ReadOutboxBundle(*t_, (*list)[0]);
  ASSERT_FALSE(read);
  EXPECT_EQ(read.error().kind(), ErrorKind::kBadSignature);
  std::filesystem::remove(a->file);
  auto gone = ReadOutboxBundle(*t_, (*list)[0]);
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind(), ErrorKind::kNotFound);
  EXPECT_NE(gone.error().message().find("outbox bundle 1"), std::string::npos)
      << gone.error().message();
}

}  // namespace
}  // namespace lontar::bundle

// The group commit's pipeline (store.hpp invariant 6, StoreOptions::pipelined_commits), against
// each backend: a batch is written
// while the batch before it commits; a failed commit fails exactly its own batch's uploads, and
// the batch written behind it is stored and acknowledged; an upload that the committing batch
// could answer otherwise (the same bundle again) waits for that batch's outcome.
//
// The real backend is wrapped by GatedBackend, which passes every call through but holds the
// first batch's Commit until a chosen event (a second batch begun, or a second upload looked up
// by digest), and can fail it there instead of committing. (Not "the second batch written": with
// PostgreSQL a batch's lookups wait at the batch lock for the previous COMMIT.) The events are
// reached by the Store's own threads, so no timing decides an outcome; a wait that is never
// released ends after a minute with a failure (the pipeline did not overlap) rather than hanging
// the suite.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <utility>

#include "core/bundle/bundle_format.hpp"
#include "core/server/store.hpp"
#include "core/terminal/enrollment.hpp"
#include "tests/support/exam_terminals.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/sample_bundles.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::Backend;

// What the first batch's Commit waits for.
enum class CommitRelease { kSecondBatchBegun, kSecondDigestLookup };

struct PipelineGate {
  CommitRelease release = CommitRelease::kSecondBatchBegun;
  bool fail_first = false;  // the first Commit fails (after its wait) instead of committing
  std::mutex mu;
  std::condition_variable cv;
  int begun = 0, digest_lookups = 0;
  bool first_committing = false;
  bool timed_out = false;

  bool Released() const {
    return release == CommitRelease::kSecondBatchBegun ? begun >= 2 : digest_lookups >= 2;
  }
  void Note(int PipelineGate::*counter) {
    std::lock_guard lock(mu);
    ++(this->*counter);
    cv.notify_all();
  }
};

class GatedBatch final : public server::StoreBatch {
 public:
  GatedBatch(std::unique_ptr<server::StoreBatch> inner, PipelineGate& gate, int number)
      : inner_(std::move(inner)), gate_(gate), number_(number) {}
  Status Prefetch(const std::vector<server::BatchKey>& keys) override {
    return inner_->Prefetch(keys);
  }
  Result<std::optional<server::StoredBundle>> FindById(const std::string& id) override {
    return inner_->FindById(id);
  }
  Result<std::vector<server::StoredBundle>> Disagreeing(const std::string& terminal,
                                                        std::uint64_t seq,
                                                        std::uint64_t journal_seq) override {
    return inner_->Disagreeing(terminal, seq, journal_seq);
  }
  Status Insert(const server::StoredBundle& row, ByteView bundle,
                const std::vector<server::StoredFlag>& flags,
                const server::PreparedInsert* prepared) override {
    return inner_->Insert(row, bundle, flags, prepared);
  }
  Status AddFlag(const server::StoredFlag& flag) override { return inner_->AddFlag(flag); }
  Status Write() override { return inner_->Write(); }
  Status Commit() override {
    if (number_ == 1) {
      std::unique_lock lock(gate_.mu);
      gate_.first_committing = true;
      gate_.cv.notify_all();
      if (!gate_.cv.wait_for(lock, std::chrono::minutes(1), [&] { return gate_.Released(); })) {
        gate_.timed_out = true;
      }
      if (gate_.fail_first) {
        return std::unexpected(Error::Io("injected: fdatasync of batch 1 failed"));
      }
    }
    return inner_->Commit();
  }

 private:
  std::unique_ptr<server::StoreBatch> inner_;
  PipelineGate& gate_;
  int number_;
};

class GatedBackend final : public server::StoreBackend {
 public:
  GatedBackend(std::unique_ptr<server::StoreBackend> inner, PipelineGate& gate)
      : inner_(std::move(inner)), gate_(gate) {}
  std::string Describe() const override { return inner_->Describe(); }
  bool ConcurrentReads() const override { return inner_->ConcurrentReads(); }
  bool PipelinesBatches() const override { return inner_->PipelinesBatches(); }
  Result<std::unique_ptr<server::PreparedInsert>> PrepareInsert(const server::StoredBundle& row,
                                                                ByteView bundle) override {
    return inner_->PrepareInsert(row, bundle);
  }
  Result<std::unique_ptr<server::StoreBatch>> Begin() override {
    LONTAR_ASSIGN_OR_RETURN(std::unique_ptr<server::StoreBatch> inner, inner_->Begin());
    int number;
    {
      std::lock_guard lock(gate_.mu);
      number = ++gate_.begun;
      gate_.cv.notify_all();
    }
    return std::unique_ptr<server::StoreBatch>(new GatedBatch(std::move(inner), gate_, number));
  }
  Result<std::optional<server::StoredBundle>> FindById(const std::string& id) override {
    return inner_->FindById(id);
  }
  Result<std::optional<server::StoredBundle>> FindByDigest(const std::string& digest) override {
    gate_.Note(&PipelineGate::digest_lookups);
    return inner_->FindByDigest(digest);
  }
  Result<std::optional<server::StoredBundle>> FindByCode(const std::string& code) override {
    return inner_->FindByCode(code);
  }
  Result<std::uint64_t> CountBundles() override { return inner_->CountBundles(); }
  Result<std::vector<server::StoredBundle>> ListBundles() override { return inner_->ListBundles(); }
  Result<std::vector<server::StoredFlag>> ListFlags() override { return inner_->ListFlags(); }
  Result<Bytes> ReadBundle(const std::string& id) override { return inner_->ReadBundle(id); }
  std::string BundleName(const std::string& id) const override { return inner_->BundleName(id); }

 private:
  std::unique_ptr<server::StoreBackend> inner_;
  PipelineGate& gate_;
};

class StorePipelineTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgres) LONTAR_START_POSTGRES(pg_, url_, "lontar");
    clock_.SetWallMs(1'795'500'000'000);
    std::filesystem::create_directories(dir_ / "enrolled");
    for (const char* name : {"t1", "t2"}) {
      auto t = testing::InitTerminal(dir_ / name, authority_.public_key(), clock_, name);
      ASSERT_TRUE(t);
      testing::WriteText(dir_ / "enrolled" / (std::string(name) + ".enroll"),
                         terminal::WriteEnrollment(*t, clock_.WallMs()));
      terminals_.push_back(std::move(*t));
    }
    ASSERT_NO_FATAL_FAILURE(OpenStore());
  }

  void OpenStore() {
    store_.reset();
    auto backend = GetParam() == Backend::kSqlite ? server::OpenSqliteBackend(dir_ / "store")
                                                  : server::OpenPostgresBackend(url_);
    ASSERT_TRUE(backend) << backend.error().message();
    ASSERT_TRUE((*backend)->PipelinesBatches());
    auto store = server::Store::Open(std::make_unique<GatedBackend>(std::move(*backend), gate_),
                                     dir_ / "enrolled", crypto::SigningKey::Generate().value(),
                                     clock_, {.pipelined_commits = true});
    ASSERT_TRUE(store) << store.error().message();
    store_ = std::move(*store);
  }

  // Terminal `t`'s bundle number `seq`.
  Bytes MakeBundle(std::size_t t, std::uint64_t seq) {
    auto in = testing::SampleBundleInputs(terminals_[t], "SKD-2026", seq);
    auto b = testing::AddSampleBundle(terminals_[t], in, results_.public_key());
    EXPECT_TRUE(b) << b.error().message();
    return b ? *b : Bytes{};
  }

  // Waits until the first batch is in its Commit (held there by the gate).
  void AwaitFirstCommit() {
    std::unique_lock lock(gate_.mu);
    ASSERT_TRUE(gate_.cv.wait_for(lock, std::chrono::minutes(1), [&] {
      return gate_.first_committing;
    })) << "the first upload's batch never reached its commit";
  }

  // Uploads `first`, and `second` once the first's batch is held in its Commit, each from a
  // thread of its own; returns both outcomes when both threads have ended.
  std::pair<Result<server::Accepted>, Result<server::Accepted>> AcceptWhileFirstCommits(
      const Bytes& first, const Bytes& second) {
    Result<server::Accepted> a = std::unexpected(Error::Internal("not run"));
    Result<server::Accepted> b = a;
    std::thread ta([&] { a = store_->Accept(first); });
    AwaitFirstCommit();
    std::thread tb([&] { b = store_->Accept(second); });
    ta.join();
    tb.join();
    return {std::move(a), std::move(b)};
  }

  testing::TempDir dir_;
  std::unique_ptr<testing::PostgresServer> pg_;
  std::string url_;
  ManualClock clock_;
  crypto::SigningKey authority_ = crypto::SigningKey::Generate().value();
  crypto::BoxSecretKey results_ = crypto::BoxSecretKey::Generate().value();
  std::vector<terminal::Terminal> terminals_;
  PipelineGate gate_;
  std::unique_ptr<server::Store> store_;
};

INSTANTIATE_TEST_SUITE_P(Backends, StorePipelineTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param == Backend::kSqlite ? "sqlite" : "postgres";
                         });

// Batch 1 (t1 #1) fails at its commit after batch 2 (t2 #1) was begun behind it: only batch 1's
// upload fails; batch 2's is stored and acknowledged. Sent again, t1 #1 is stored; with
// SQLite, a reopened store (whose segment still holds batch 1's unacknowledged record) has each
// bundle once.
TEST_P(StorePipelineTest, AFailedCommitFailsOnlyItsOwnBatch) {
  gate_.fail_first = true;
  const Bytes first = MakeBundle(0, 1), second = MakeBundle(1, 1);
  auto [a, b] = AcceptWhileFirstCommits(first, second);
  EXPECT_FALSE(gate_.timed_out) << "batch 2 was not begun while batch 1 committed";
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().message(), "injected: fdatasync of batch 1 failed");
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_FALSE(b->duplicate);
  EXPECT_EQ(store_->CountBundles().value(), 1u);

  auto again = store_->Accept(first);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_FALSE(again->duplicate);
  EXPECT_EQ(store_->CountBundles().value(), 2u);
  ASSERT_NO_FATAL_FAILURE(OpenStore());
  EXPECT_EQ(store_->CountBundles().value(), 2u);
  auto dup = store_->Accept(first);
  ASSERT_TRUE(dup) << dup.error().message();
  EXPECT_TRUE(dup->duplicate);
  EXPECT_EQ(dup->receipt_text, again->receipt_text);
}

// The same bundle sent again while the batch holding it commits: it waits for that batch, then
// is answered as a duplicate with the stored receipt. (Decided beside the committing batch, it
// would have been inserted a second time, failing its own batch once the first committed.)
TEST_P(StorePipelineTest, TheSameBundleWhileItsBatchCommitsGetsItsReceipt) {
  gate_.release = CommitRelease::kSecondDigestLookup;
  const Bytes bundle = MakeBundle(0, 1);
  auto [a, b] = AcceptWhileFirstCommits(bundle, bundle);
  EXPECT_FALSE(gate_.timed_out);
  ASSERT_TRUE(a) << a.error().message();
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_FALSE(a->duplicate);
  EXPECT_TRUE(b->duplicate);
  EXPECT_EQ(a->receipt_text, b->receipt_text);
  EXPECT_EQ(store_->CountBundles().value(), 1u);
}

// The same, when the first batch's commit fails: the bundle sent again is stored by a later
// batch, with a receipt of its own, and nothing names the failed batch's row.
TEST_P(StorePipelineTest, TheSameBundleAfterItsBatchFailedIsStored) {
  gate_.release = CommitRelease::kSecondDigestLookup;
  gate_.fail_first = true;
  const Bytes bundle = MakeBundle(0, 1);
  auto [a, b] = AcceptWhileFirstCommits(bundle, bundle);
  EXPECT_FALSE(gate_.timed_out);
  ASSERT_FALSE(a);
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_FALSE(b->duplicate);
  EXPECT_EQ(store_->CountBundles().value(), 1u);
}

}  // namespace
}  // namespace lontar

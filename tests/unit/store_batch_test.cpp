// A group commit's batch (store_backend.hpp, StoreBatch) against each backend: what it answers
// about rows inserted earlier in the same batch (duplicates, rollback checks), about rows
// committed by an earlier batch (with and without Prefetch), that every byte and field comes
// back as written, and that a batch the database refuses stores nothing. PostgreSQL keeps a
// batch's rows in memory until Commit and answers from them; SQLite has them in its transaction:
// the answers must be the same. And a PostgreSQL restarted under the backend is connected to again.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/server/store_backend.hpp"
#include "tests/support/backend_test.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::Backend;

constexpr std::size_t kBundleSize = 70'001;  // not a multiple of anything

server::StoredBundle Row(const std::string& id, const std::string& terminal, std::uint64_t seq,
                         std::uint64_t journal_seq) {
  server::StoredBundle r;
  r.bundle_id = id;
  r.receipt_code = "CODE-" + id.substr(0, 4);
  r.terminal_id = terminal;
  r.site = "SITE-01";
  r.exam_id = "SKD-2026";
  r.pack_id = "0123456789abcdef0123456789abcdef";
  r.participant = "P-" + std::to_string(seq);
  r.kind = "submitted";
  r.seq = seq;
  r.journal_seq = journal_seq;
  r.created_ms = 1'795'500'000'000;
  r.stored_ms = 1'795'500'000'123;
  r.receipt_text = "receipt of " + id;
  r.bytes = kBundleSize;
  return r;
}

server::BatchKey KeyOf(const server::StoredBundle& r) {
  return {r.bundle_id, r.terminal_id, r.seq, r.journal_seq};
}

// Every byte value.
Bytes BundleBytes(std::uint8_t salt, std::size_t size = kBundleSize) {
  Bytes b(size);
  for (std::size_t i = 0; i < size; ++i) b[i] = static_cast<std::uint8_t>(i * 7 + salt);
  return b;
}

std::vector<std::string> Ids(const std::vector<server::StoredBundle>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.bundle_id);
  return out;
}

class StoreBatchTest : public testing::BackendTest {
 protected:
  std::unique_ptr<server::StoreBatch> Begin() {
    auto tx = backend_->Begin();
    EXPECT_TRUE(tx) << tx.error().message();
    return tx ? std::move(*tx) : nullptr;
  }

  std::optional<server::StoredBundle> Find(server::StoreBatch& tx, const std::string& id) {
    auto r = tx.FindById(id);
    EXPECT_TRUE(r) << r.error().message();
    return r ? *r : std::nullopt;
  }

  std::vector<std::string> Disagreeing(server::StoreBatch& tx, const server::StoredBundle& r) {
    auto found = tx.Disagreeing(r.terminal_id, r.seq, r.journal_seq);
    EXPECT_TRUE(found) << found.error().message();
    if (!found) return {};
    std::vector<std::string> ids = Ids(*found);
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  // Stores a, b (seq 1 again: a rolled-back vault) and c (seq 2 with an older journal) in one
  // batch, checking what the batch answers before each insert.
  void StoreFirstBatch() {
    auto tx = Begin();
    ASSERT_TRUE(tx);
    ASSERT_TRUE(tx->Prefetch({KeyOf(a_), KeyOf(a_), KeyOf(b_), KeyOf(c_)}));
    EXPECT_FALSE(Find(*tx, a_.bundle_id));
    EXPECT_TRUE(Disagreeing(*tx, a_).empty());
    ASSERT_TRUE(tx->Insert(a_, BundleBytes(1), {}));

    // The same bundle again in the same batch: found, with the row as inserted.
    auto again = Find(*tx, a_.bundle_id);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->receipt_text, a_.receipt_text);
    EXPECT_EQ(again->seq, 1u);

    EXPECT_FALSE(Find(*tx, b_.bundle_id));
    EXPECT_EQ(Disagreeing(*tx, b_), std::vector<std::string>{a_.bundle_id});
    ASSERT_TRUE(tx->Insert(
        b_, BundleBytes(2),
        {{b_.terminal_id, 1, b_.bundle_id, "seq-reused", "bundle #1 arrived again", 5}}));

    EXPECT_EQ(Disagreeing(*tx, c_), (std::vector<std::string>{a_.bundle_id, b_.bundle_id}));
    ASSERT_TRUE(tx->Insert(c_, BundleBytes(3), {}));
    // Another terminal's bundles are not compared.
    EXPECT_TRUE(Disagreeing(*tx, Row(std::string(64, 'f'), "T-OTHER", 1, 1)).empty());
    ASSERT_TRUE(tx->Commit());
  }

  server::StoredBundle a_ = Row(std::string(64, 'a'), "T-1", 1, 10);
  server::StoredBundle b_ = Row(std::string(64, 'b'), "T-1", 1, 20);
  server::StoredBundle c_ = Row(std::string(64, 'c'), "T-1", 2, 5);
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreBatchTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param == Backend::kSqlite ? "sqlite" : "postgres";
                         });

TEST_P(StoreBatchTest, ABatchSeesItsOwnRowsForDuplicatesAndRollbacks) {
  StoreFirstBatch();
  EXPECT_EQ(backend_->CountBundles().value(), 3u);
  auto flags = backend_->ListFlags().value();
  ASSERT_EQ(flags.size(), 1u);
  EXPECT_EQ(flags[0].bundle_id, b_.bundle_id);
  EXPECT_EQ(flags[0].kind, "seq-reused");
}

TEST_P(StoreBatchTest, ALaterBatchSeesCommittedRowsWithAndWithoutPrefetch) {
  StoreFirstBatch();
  const server::StoredBundle d = Row(std::string(64, 'd'), "T-1", 3, 1);
  for (bool prefetch : {true, false}) {
    SCOPED_TRACE(prefetch ? "prefetched" : "queried one by one");
    auto tx = Begin();
    ASSERT_TRUE(tx);
    if (prefetch) {
      ASSERT_TRUE(tx->Prefetch({KeyOf(a_), KeyOf(d)}));
    }
    auto found = Find(*tx, a_.bundle_id);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->receipt_text, a_.receipt_text);
    EXPECT_EQ(found->receipt_code, a_.receipt_code);
    EXPECT_FALSE(Find(*tx, d.bundle_id));
    // seq 3 with journal head 1: every earlier bundle's journal is ahead of it.
    EXPECT_EQ(Disagreeing(*tx, d),
              (std::vector<std::string>{a_.bundle_id, b_.bundle_id, c_.bundle_id}));
    // A bundle that agrees with all of them.
    EXPECT_TRUE(Disagreeing(*tx, Row(std::string(64, 'e'), "T-1", 3, 30)).empty());
    // Rolled back: nothing stored.
  }
  EXPECT_EQ(backend_->CountBundles().value(), 3u);
}

TEST_P(StoreBatchTest, EveryFieldAndByteComesBackAsWritten) {
  server::StoredBundle odd = Row(std::string(64, '9'), "T-\xc3\xbc'\"\\", 1ull << 62, 0);
  odd.participant = "O'Brien \"x\" \\ \xc3\xbc";
  odd.created_ms = -5;
  odd.receipt_text = "{\"a\": \"b\\n\"}\n";
  const Bytes bytes = BundleBytes(200, 1 << 20);
  odd.bytes = bytes.size();
  auto tx = Begin();
  ASSERT_TRUE(tx);
  ASSERT_TRUE(tx->Prefetch({KeyOf(odd)}));
  ASSERT_TRUE(tx->Insert(odd, bytes, {}));
  ASSERT_TRUE(tx->Commit());
  auto read = backend_->ReadBundle(odd.bundle_id);
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_TRUE(*read == bytes);
  auto found = backend_->FindById(odd.bundle_id).value();
  ASSERT_TRUE(found);
  EXPECT_EQ(found->terminal_id, odd.terminal_id);
  EXPECT_EQ(found->participant, odd.participant);
  EXPECT_EQ(found->seq, odd.seq);
  EXPECT_EQ(found->journal_seq, 0u);
  EXPECT_EQ(found->created_ms, -5);
  EXPECT_EQ(found->stored_ms, odd.stored_ms);
  EXPECT_EQ(found->bytes, bytes.size());
  EXPECT_EQ(found->receipt_text, odd.receipt_text);
  EXPECT_EQ(found->receipt_code, odd.receipt_code);
  EXPECT_EQ(found->pack_id, odd.pack_id);
  EXPECT_EQ(found->kind, odd.kind);
  EXPECT_EQ(found->site, odd.site);
  EXPECT_EQ(found->exam_id, odd.exam_id);
}

// A row the database refuses (its id is taken: the duplicate check was skipped) fails the
// batch, at Insert or at Commit, and nothing of the batch is stored, not even its good rows.
TEST_P(StoreBatchTest, ARefusedRowStoresNothingOfItsBatch) {
  StoreFirstBatch();
  const server::StoredBundle fresh = Row(std::string(64, 'e'), "T-2", 1, 1);
  {
    auto tx = Begin();
    ASSERT_TRUE(tx);
    ASSERT_TRUE(tx->Insert(fresh, BundleBytes(4), {}));
    const bool failed = !tx->Insert(a_, BundleBytes(5), {}) || !tx->Commit();
    EXPECT_TRUE(failed) << "a second row with bundle id " << a_.bundle_id << " was accepted";
  }
  EXPECT_EQ(backend_->CountBundles().value(), 3u);
  EXPECT_FALSE(backend_->FindById(fresh.bundle_id).value());
  auto read = backend_->ReadBundle(a_.bundle_id);
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_TRUE(*read == BundleBytes(1));
  // The backend goes on storing.
  auto tx = Begin();
  ASSERT_TRUE(tx);
  ASSERT_TRUE(tx->Insert(fresh, BundleBytes(4), {}));
  ASSERT_TRUE(tx->Commit());
  EXPECT_EQ(backend_->CountBundles().value(), 4u);
}

// The database restarted under a running server (a crash, an upgrade, a failover): every
// connection the backend holds is dead. The first call on each may fail with kIo (an upload
// then gets a 5xx and its terminal sends it again); after that, writes and reads work again on
// new connections, without restarting `lontar serve`.
TEST_P(StoreBatchTest, ARestartedDatabaseIsReconnectedTo) {
  if (GetParam() != Backend::kPostgres) GTEST_SKIP() << "SQLite has no server to restart";
  StoreFirstBatch();
  ASSERT_TRUE(pg_->Restart()) << pg_->error();
  const server::StoredBundle fresh = Row(std::string(64, 'e'), "T-2", 1, 1);
  // Reads: the pool's connections are all dead; each fails once at most.
  int read_failures = 0;
  for (int i = 0; i < 12; ++i) {
    auto found = backend_->FindById(a_.bundle_id);
    if (!found) {
      EXPECT_EQ(found.error().kind(), ErrorKind::kIo) << found.error().message();
      ++read_failures;
      continue;
    }
    EXPECT_TRUE(found->has_value());
  }
  EXPECT_LE(read_failures, 4);
  // Writes: one failed batch at most, then stored.
  bool stored = false;
  for (int attempt = 0; attempt < 2 && !stored; ++attempt) {
    auto tx = backend_->Begin();
    if (!tx) {
      EXPECT_EQ(tx.error().kind(), ErrorKind::kIo) << tx.error().message();
      continue;
    }
    if (auto st = (*tx)->Prefetch({KeyOf(fresh)}); !st) {
      EXPECT_EQ(st.error().kind(), ErrorKind::kIo) << st.error().message();
      continue;
    }
    auto inserted = (*tx)->Insert(fresh, BundleBytes(4), {});
    ASSERT_TRUE(inserted) << inserted.error().message();
    auto committed = (*tx)->Commit();
    ASSERT_TRUE(committed) << committed.error().message();
    stored = true;
  }
  EXPECT_TRUE(stored);
  EXPECT_EQ(backend_->CountBundles().value(), 4u);
  auto read = backend_->ReadBundle(fresh.bundle_id);
  ASSERT_TRUE(read) << read.error().message();
  EXPECT_TRUE(*read == BundleBytes(4));
}

}  // namespace
}  // namespace lontar

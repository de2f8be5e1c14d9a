// The collection server: receipts (known shapes and every rejection), the store in-process, and
// `lontar serve` + `lontar sync` + `lontar bundles import` as processes on loopback. The store
// and HTTP tests run against both backends (ServerBackendTest: SQLite + files, and a throwaway
// PostgreSQL per test); tests of the sync client alone run against SQLite.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stb/stb_image.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>
#include <set>
#include <sstream>
#include <thread>

#include "core/bundle/export.hpp"
#include "core/bundle/outbox.hpp"
#include "core/bundle/receipt.hpp"
#include "core/bundle/receipt_code.hpp"
#include "core/crypto/key_file.hpp"
#include "core/format/signed_envelope.hpp"
#include "core/server/segment_log.hpp"
#include "core/server/store.hpp"
#include "core/vault/sqlite.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/prepared_dir.hpp"
#include "tests/support/sample_bundles.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::HttpReply;
using testing::HttpRequest;
using testing::PostgresServer;
using testing::ReadText;
using testing::RunLontar;
using testing::ServerProcess;
using testing::TempDir;
using testing::WriteText;

// ---------------------------------------------------------------------------------------------
// Receipts

bundle::Receipt SampleReceipt(const crypto::SigningKey& key) {
  return testing::SampleReceipt(key, 1'795'000'000'000);
}

TEST(Receipt, RoundTripsAndVerifiesWithTheServerKey) {
  auto key = crypto::SigningKey::Generate().value();
  const std::string text = bundle::WriteReceipt(SampleReceipt(key), key);
  auto r = bundle::VerifyReceipt(AsBytes(text), key.public_key());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->bundle_id, SampleReceipt(key).bundle_id);
  EXPECT_EQ(r->terminal_id, "T-0123456789ABCDEF");
  EXPECT_EQ(r->seq, 7u);
  EXPECT_EQ(r->stored_ms, 1'795'000'000'000);
  EXPECT_EQ(r->server_key_id, key.id());
  auto body = nlohmann::json::parse(nlohmann::json::parse(text)["body"].get<std::string>());
  EXPECT_EQ(body["receipt_code"], bundle::ReceiptCodeFor(SampleReceipt(key).bundle_id));
}

TEST(Receipt, SignedByAnotherKeyIsUntrusted) {
  auto key = crypto::SigningKey::Generate().value();
  auto other = crypto::SigningKey::Generate().value();
  const std::string text = bundle::WriteReceipt(SampleReceipt(other), other);
  auto r = bundle::VerifyReceipt(AsBytes(text), key.public_key());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kUntrusted);
  EXPECT_NE(r.error().message().find(other.id().ToString()), std::string::npos);
  EXPECT_NE(r.error().message().find(key.id().ToString()), std::string::npos);
}

TEST(Receipt, EveryFlippedByteIsRefused) {
  auto key = crypto::SigningKey::Generate().value();
  const std::string text = bundle::WriteReceipt(SampleReceipt(key), key);
  std::size_t refused = 0, checked = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::string bad = text;
    bad[i] ^= 0x01;
    ++checked;
    auto r = bundle::VerifyReceipt(AsBytes(bad), key.public_key());
    // A flip inside JSON whitespace or a base64 padding-free spot can leave the same meaning;
    // what matters is that no flip yields a receipt with different content.
    if (!r) {
      ++refused;
    } else {
      EXPECT_EQ(r->bundle_id, SampleReceipt(key).bundle_id) << i;
      EXPECT_EQ(r->seq, 7u) << i;
    }
  }
  EXPECT_GT(refused, checked * 9 / 10);
}

TEST(Receipt, TruncatedAndWrongFormatAreMalformed) {
  auto key = crypto::SigningKey::Generate().value();
  const std::string text = bundle::WriteReceipt(SampleReceipt(key), key);
  auto cut = bundle::ParseReceipt(AsBytes(std::string_view(text).substr(0, text.size() / 2)));
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().kind(), ErrorKind::kMalformed);
  const std::string other = format::WriteSignedEnvelope("lontar-enrollment", 1, key, "{}");
  auto wrong = bundle::ParseReceipt(AsBytes(other));
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message().find("not a lontar-receipt"), std::string::npos)
      << wrong.error().message();
}

TEST(Receipt, NamingAnotherServerKeyIsMalformed) {
  auto key = crypto::SigningKey::Generate().value();
  auto other = crypto::SigningKey::Generate().value();
  nlohmann::json body = {{"bundle_id", std::string(64, 'a')},
                         {"terminal_id", "T-1"},
                         {"seq", 1},
                         {"stored_ms", 1},
                         {"server_key_id", other.id().ToString()}};
  const std::string text = format::WriteSignedEnvelope("lontar-receipt", 1, key, body.dump());
  auto r = bundle::ParseReceipt(AsBytes(text));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kMalformed);
  EXPECT_NE(r.error().message().find("but is signed by"), std::string::npos);
}

TEST(DatabaseUrl, ThePasswordIsNeverShown) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"postgresql://lontar:s3cret@db.example:5432/lontar",
       "postgresql://lontar:***@db.example:5432/lontar"},
      {"postgresql://lontar@db.example/lontar", "postgresql://lontar@db.example/lontar"},
      {"postgresql://u:p%40ss@h/d?sslmode=require", "postgresql://u:***@h/d?sslmode=require"},
      {"postgres://h/d?user=u&password=s3cret&sslmode=require",
       "postgres://h/d?user=u&password=***&sslmode=require"},
      {"postgresql:///d?host=/tmp/x&password=s3cret", "postgresql:///d?host=/tmp/x&password=***"},
      {"postgresql://u:a@b@h/d", "postgresql://u:***@h/d"},
  };
  for (const auto& [url, shown] : cases) EXPECT_EQ(server::RedactDatabaseUrl(url), shown) << url;
}

// ---------------------------------------------------------------------------------------------
// Terminals with bundles, and a server

using testing::Backend;

class ServerTest : public ::testing::Test {
 protected:
  // Keys, two enrolled terminals and a stranger: made once by the `lontar` binary (8 runs) and
  // copied for each test (tests/support/prepared_dir.hpp).
  void SetUp() override {
    ASSERT_TRUE(testing::CopyPrepared("server-test", MakeSites, dir_.path()));
    std::istringstream ids(ReadText(dir_ / "ids.txt"));
    for (std::string id; std::getline(ids, id);) {
      homes_.push_back((dir_ / ("home" + std::to_string(ids_.size()))).string());
      ids_.push_back(id);
    }
    ASSERT_EQ(ids_.size(), 2u);
  }

  static void MakeSites(const std::filesystem::path& dir) {
    for (const char* kind : {"authority", "results", "server"}) {
      auto k = RunLontar({"keys", "new", kind, "--out", (dir / "keys").string()});
      ASSERT_EQ(k.exit_code, 0) << k.err;
    }
    std::filesystem::create_directories(dir / "enrolled");
    std::string ids;
    for (int i = 0; i < 2; ++i) {
      const std::string home = (dir / ("home" + std::to_string(i))).string();
      auto init = RunLontar(
          {"terminal", "init", "--home", home, "--site", i == 0 ? "SITE-01" : "SITE-02", "--trust",
           (dir / "keys" / "authority.pub").string(), "--name", "Room <1> & \"A\""});
      ASSERT_EQ(init.exit_code, 0) << init.err;
      const std::string id = init.out.substr(0, init.out.find('\n'));
      auto e = RunLontar({"terminal", "enrollment", "--home", home, "--out",
                          (dir / "enrolled" / (id + ".enroll")).string()});
      ASSERT_EQ(e.exit_code, 0) << e.err;
      ids += id + "\n";
    }
    WriteText(dir / "ids.txt", ids);
    // A terminal the server has never heard of.
    auto stranger = RunLontar({"terminal", "init", "--home", (dir / "stranger").string(), "--site",
                               "SITE-01", "--trust", (dir / "keys" / "authority.pub").string()});
    ASSERT_EQ(stranger.exit_code, 0) << stranger.err;
    std::filesystem::create_directories(dir / "store");
  }

  // Adds `n` bundles to a terminal's outbox through the API, as the engine does; returns the
  // bundle files' bytes.
  std::vector<std::string> AddBundles(const std::string& home, int n,
                                      const std::string& exam = "SKD-2026") {
    std::vector<std::string> out;
    SystemClock clock;
    auto t = terminal::Terminal::Open(home, clock);
    EXPECT_TRUE(t) << t.error().message();
    if (!t) return out;
    auto results = crypto::ReadBoxPublicKeyFile(dir_ / "keys" / "results.pub");
    for (int i = 0; i < n; ++i) {
      const auto in = testing::SampleBundleInputs(*t, exam, bundle::NextBundleSeq(*t).value());
      auto b = testing::AddSampleBundle(*t, in, *results);
      EXPECT_TRUE(b) << b.error().message();
      if (!b) return out;
      out.emplace_back(b->begin(), b->end());
    }
    return out;
  }

  std::vector<bundle::OutboxEntry> Outbox(const std::string& home) {
    SystemClock clock;
    auto t = terminal::Terminal::Open(home, clock);
    EXPECT_TRUE(t) << t.error().message();
    return bundle::ListOutbox(*t).value();
  }

  // The backend under test: SQLite + files in dir_/store, or the test's PostgreSQL database.
  Result<std::unique_ptr<server::StoreBackend>> OpenBackend() {
    return backend_ == Backend::kSqlite ? server::OpenSqliteBackend(dir_ / "store")
                                        : server::OpenPostgresBackend(db_url_);
  }

  std::unique_ptr<server::Store> OpenStore() {
    auto key = crypto::ReadSigningSecretKeyFile(dir_ / "keys" / "server.key");
    EXPECT_TRUE(key) << key.error().message();
    server::StoreOptions options;
    options.max_bundle_bytes = 1 << 20;
    auto backend = OpenBackend();
    EXPECT_TRUE(backend) << backend.error().message();
    if (!backend) return nullptr;
    auto s = server::Store::Open(std::move(*backend), dir_ / "enrolled", std::move(*key), clock_,
                                 options);
    EXPECT_TRUE(s) << s.error().message();
    return s ? std::move(*s) : nullptr;
  }

  std::vector<std::string> ServeArgs() const {
    std::vector<std::string> args = {"--enrolled",      (dir_ / "enrolled").string(),
                                     "--key",           (dir_ / "keys" / "server.key").string(),
                                     "--max-bundle-mb", "1",
                                     "--read-timeout",  "2"};
    if (backend_ == Backend::kSqlite) {
      args.insert(args.begin(), {"--store", (dir_ / "store").string()});
    } else {
      args.insert(args.begin(), {"--db", db_url_});
    }
    return args;
  }

  // A read-only view of the store under test (what `results open` uses): it may be opened
  // while a server has the store.
  std::unique_ptr<server::StoreBackend> Reader() {
    auto b = backend_ == Backend::kSqlite
                 ? server::OpenSqliteBackend(dir_ / "store", server::StoreAccess::kReadOnly)
                 : server::OpenPostgresBackend(db_url_, server::StoreAccess::kReadOnly);
    EXPECT_TRUE(b) << b.error().message();
    return b ? std::move(*b) : nullptr;
  }

  // Bundles stored: rows (SQLite: each naming a record in a segment; PostgreSQL: each holding
  // its bytes). 0 for a store not created yet.
  std::size_t StoredBundles() {
    if (backend_ == Backend::kSqlite && !std::filesystem::exists(dir_ / "store" / "index.db")) {
      return 0;
    }
    auto b = Reader();
    if (!b) return 0;
    auto n = b->CountBundles();
    EXPECT_TRUE(n) << n.error().message();
    return n ? static_cast<std::size_t>(*n) : 0;
  }

  // SQLite: bytes in the segment files that no row names (a partial or unacknowledged bundle),
  // plus any file left in the old one-file-per-bundle directory. 0 for PostgreSQL, where the
  // bytes are in the rows. Call it while no batch is being written.
  std::uint64_t UnindexedBytes() {
    if (backend_ == Backend::kPostgres) return 0;
    std::uint64_t on_disk = 0, named = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir_ / "store" / "segments", ec)) {
      if (e.path().extension() == ".seg") on_disk += std::filesystem::file_size(e.path());
    }
    for (const auto& e : std::filesystem::directory_iterator(dir_ / "store" / "bundles", ec)) {
      on_disk += std::filesystem::file_size(e.path()) + 1;
    }
    if (on_disk == 0) return 0;
    auto records = server::ListSegmentRecords(dir_ / "store" / "segments");
    if (!records) return on_disk;  // a torn record
    auto b = Reader();
    if (!b) return on_disk;
    auto rows = b->ListBundles();
    EXPECT_TRUE(rows) << rows.error().message();
    if (!rows) return on_disk;
    std::set<std::string> ids;
    for (const auto& row : *rows) ids.insert(row.bundle_id);
    for (const auto& r : *records) {
      if (ids.erase(r.bundle_id) > 0) named += r.record_bytes;
    }
    return on_disk - named;
  }

  static std::string IdOf(const std::string& bundle) {
    auto envelope = bundle::ParseEnvelope(AsBytes(bundle));
    return HexEncode(bundle::ParseHeader(envelope->header_json)->bundle_id);
  }

  // What `reader` holds for `bundle` (found by its id) as text (a segment record, or the row's
  // bytea); "error: " and why when it cannot be read.
  static std::string StoredCopy(server::StoreBackend& reader, const std::string& bundle) {
    auto stored = reader.ReadBundle(IdOf(bundle));
    return stored ? std::string(stored->begin(), stored->end())
                  : "error: " + stored.error().message();
  }

  TempDir dir_;
  ManualClock clock_;
  std::vector<std::string> homes_, ids_;
  Backend backend_ = Backend::kSqlite;
  std::unique_ptr<PostgresServer> pg_;
  std::string db_url_;
};

// The same tests over each backend. PostgreSQL variants start their own server; without its
// binaries they fail in CI (CI=true) and are skipped elsewhere.
class ServerBackendTest : public ServerTest, public ::testing::WithParamInterface<Backend> {
 protected:
  void SetUp() override {
    backend_ = GetParam();
    if (backend_ == Backend::kPostgres) LONTAR_START_POSTGRES(pg_, db_url_, "lontar");
    ServerTest::SetUp();
  }
};

INSTANTIATE_TEST_SUITE_P(Backends, ServerBackendTest,
                         ::testing::Values(Backend::kSqlite, Backend::kPostgres),
                         [](const ::testing::TestParamInfo<Backend>& info) {
                           return info.param == Backend::kSqlite ? "sqlite" : "postgres";
                         });

TEST_P(ServerBackendTest, StoreAcceptsOnceAndReturnsTheOriginalReceipt) {
  auto b = AddBundles(homes_[0], 1);
  auto store = OpenStore();
  ASSERT_TRUE(store);
  auto first = store->Accept(AsBytes(b[0]));
  ASSERT_TRUE(first) << first.error().message();
  EXPECT_FALSE(first->duplicate);
  EXPECT_EQ(first->receipt.terminal_id, ids_[0]);
  EXPECT_EQ(first->receipt.seq, 1u);
  auto key = crypto::ReadSigningPublicKeyFile(dir_ / "keys" / "server.pub").value();
  ASSERT_TRUE(bundle::VerifyReceipt(AsBytes(first->receipt_text), key));
  clock_.Advance(60'000'000'000);
  auto again = store->Accept(AsBytes(b[0]));
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_TRUE(again->duplicate);
  EXPECT_EQ(again->receipt_text, first->receipt_text);
  EXPECT_EQ(store->CountBundles().value(), 1u);
  EXPECT_EQ(StoredCopy(*Reader(), b[0]), b[0]);

  // The code on the candidate's slip finds it, typed sloppily.
  auto code = bundle::ReceiptCodeFor(first->receipt.bundle_id);
  std::string typed = code;
  for (char& c : typed) c = static_cast<char>(std::tolower(c));
  auto found = store->FindByCode(typed);
  ASSERT_TRUE(found) << found.error().message();
  EXPECT_EQ(found->terminal_id, ids_[0]);

  // Reopened, it still knows the bundle.
  store.reset();
  store = OpenStore();
  auto third = store->Accept(AsBytes(b[0]));
  ASSERT_TRUE(third);
  EXPECT_TRUE(third->duplicate);
  EXPECT_EQ(third->receipt_text, first->receipt_text);
}

TEST_P(ServerBackendTest, StoreRefusesAndStoresNothing) {
  auto b = AddBundles(homes_[0], 1);
  auto stranger = AddBundles((dir_ / "stranger").string(), 1);
  auto store = OpenStore();
  ASSERT_TRUE(store);

  std::string flipped = b[0];
  flipped[flipped.size() - 10] ^= 0x01;
  auto bad = store->Accept(AsBytes(flipped));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind(), ErrorKind::kBadSignature) << bad.error().message();

  auto unknown = store->Accept(AsBytes(stranger[0]));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind(), ErrorKind::kUntrusted) << unknown.error().message();

  std::string big = b[0] + std::string(1 << 20, 'x');
  auto oversized = store->Accept(AsBytes(big));
  ASSERT_FALSE(oversized);
  EXPECT_NE(oversized.error().message().find("oversized"), std::string::npos);

  crypto::Hash256 other{};
  auto wrong_id = store->Accept(AsBytes(b[0]), other);
  ASSERT_FALSE(wrong_id);
  EXPECT_EQ(wrong_id.error().kind(), ErrorKind::kInvalidArgument);

  auto garbage = store->Accept(AsBytes(std::string("not a bundle")));
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().kind(), ErrorKind::kMalformed);

  EXPECT_EQ(store->CountBundles().value(), 0u);
  EXPECT_EQ(StoredBundles(), 0u);
  EXPECT_EQ(UnindexedBytes(), 0u);
}

TEST_P(ServerBackendTest, StoreShowsGapsAndFlagsRollbacks) {
  auto b = AddBundles(homes_[0], 4);
  auto store = OpenStore();
  ASSERT_TRUE(store);
  ASSERT_TRUE(store->Accept(AsBytes(b[0])));
  ASSERT_TRUE(store->Accept(AsBytes(b[3])));
  auto st = store->Status().value();
  EXPECT_EQ(st.bundles, 2u);
  const server::TerminalStatus* t0 = nullptr;
  for (const auto& t : st.terminals) {
    if (t.terminal_id == ids_[0]) t0 = &t;
  }
  ASSERT_NE(t0, nullptr);
  EXPECT_EQ(t0->highest_seq, 4u);
  EXPECT_EQ(t0->gaps, (std::vector<std::uint64_t>{2, 3}));
  EXPECT_TRUE(t0->flags.empty());
  ASSERT_EQ(st.terminals.size(), 2u);  // the other enrolled terminal shows, with nothing yet

  // The terminal's vault is restored from a copy taken after bundle 1: it numbers its next
  // sitting 2 again, with a journal that did not advance past bundle 4's.
  TempDir copy;
  std::filesystem::copy(homes_[1], copy.path() / "h", std::filesystem::copy_options::recursive);
  auto c = AddBundles(homes_[1], 2);
  ASSERT_TRUE(store->Accept(AsBytes(c[0])));
  ASSERT_TRUE(store->Accept(AsBytes(c[1])));
  std::filesystem::remove_all(homes_[1]);
  std::filesystem::copy(copy.path() / "h", homes_[1], std::filesystem::copy_options::recursive);
  auto replay = AddBundles(homes_[1], 1);  // seq 1 again, another sitting
  auto r = store->Accept(AsBytes(replay[0]));
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_FALSE(r->flags.empty());
  EXPECT_NE(r->flags[0].find("seq-reused"), std::string::npos) << r->flags[0];
  st = store->Status().value();
  for (const auto& t : st.terminals) {
    if (t.terminal_id == ids_[1]) {
      EXPECT_EQ(t.bundles, 3u);
      EXPECT_FALSE(t.flags.empty());
    }
  }
}

// A terminal whose numbers jump by millions (a damaged or forged counter): the status lists the
// first 1,000 missing numbers and says how many there are, instead of every one of them.
TEST_P(ServerBackendTest, StatusListsAHugeHoleBoundedAndCountsIt) {
  {
    auto backend = OpenBackend();
    ASSERT_TRUE(backend) << backend.error().message();
    auto tx = (*backend)->Begin();
    ASSERT_TRUE(tx) << tx.error().message();
    for (std::uint64_t seq : {1u, 5'000'000u}) {
      server::StoredBundle r;
      r.bundle_id = std::string(63, 'e') + std::to_string(seq % 10);
      r.receipt_code = "CODE-" + std::to_string(seq);
      r.terminal_id = ids_[0];
      r.site = "SITE-01";
      r.exam_id = "SKD-2026";
      r.participant = "P-" + std::to_string(seq);
      r.kind = "submitted";
      r.seq = seq;
      r.journal_seq = seq;
      r.stored_ms = 1'795'500'000'000;
      r.receipt_text = "receipt";
      r.bytes = 10;
      ASSERT_TRUE((*tx)->Insert(r, Bytes(10, 1), {}));
    }
    ASSERT_TRUE((*tx)->Commit());
  }
  auto store = OpenStore();
  ASSERT_TRUE(store);
  const server::StoreStatus st = store->Status().value();
  EXPECT_EQ(st.bundles, 2u);
  ASSERT_FALSE(st.terminals.empty());
  const server::TerminalStatus& t = st.terminals[0];
  EXPECT_EQ(t.terminal_id, ids_[0]);
  EXPECT_EQ(t.highest_seq, 5'000'000u);
  EXPECT_EQ(t.missing, 4'999'998u);
  ASSERT_EQ(t.gaps.size(), 1000u);
  EXPECT_EQ(t.gaps.front(), 2u);
  EXPECT_EQ(t.gaps.back(), 1001u);
}

TEST_P(ServerBackendTest, ConcurrentAcceptsShareCommitsAndAgreeOnReceipts) {
  auto a = AddBundles(homes_[0], 12);
  auto b = AddBundles(homes_[1], 12);
  a.insert(a.end(), b.begin(), b.end());
  auto store = OpenStore();
  ASSERT_TRUE(store);
  // Every bundle sent by three threads at once: each is stored once, and all three get the same
  // receipt, whichever commit held the row.
  std::vector<std::vector<std::string>> receipts(3, std::vector<std::string>(a.size()));
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t i = 0; i < a.size(); ++i) {
        const std::size_t k = (i * 7 + static_cast<std::size_t>(t) * 5) % a.size();
        auto r = store->Accept(AsBytes(a[k]));
        EXPECT_TRUE(r) << r.error().message();
        if (r) receipts[static_cast<std::size_t>(t)][k] = r->receipt_text;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (std::size_t k = 0; k < a.size(); ++k) {
    EXPECT_FALSE(receipts[0][k].empty());
    EXPECT_EQ(receipts[0][k], receipts[1][k]) << k;
    EXPECT_EQ(receipts[0][k], receipts[2][k]) << k;
  }
  EXPECT_EQ(store->CountBundles().value(), a.size());
  EXPECT_EQ(StoredBundles(), a.size());
  const server::StoreStatus status = store->Status().value();
  for (const auto& t : status.terminals) {
    EXPECT_TRUE(t.gaps.empty());
    EXPECT_TRUE(t.flags.empty()) << t.flags[0];
  }
}

// Many uploaders at once over HTTP, each sending every bundle (so that copies of one bundle meet
// in one batch and in batches after it): each bundle is stored once, with one 201 and the same
// signed receipt for every copy, and its stored bytes are what was sent.
TEST_P(ServerBackendTest, ConcurrentUploadsWithDuplicatesAreStoredOnceWithValidReceipts) {
  auto a = AddBundles(homes_[0], 20);
  auto b = AddBundles(homes_[1], 20);
  a.insert(a.end(), b.begin(), b.end());
  ServerProcess server(ServeArgs(), dir_.path());
  ASSERT_NE(server.port(), 0);
  constexpr std::size_t kThreads = 12;
  std::vector<std::vector<HttpReply>> replies(kThreads, std::vector<HttpReply>(a.size()));
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t i = 0; i < a.size(); ++i) {
        const std::size_t k = (i * 7 + t * 3) % a.size();
        replies[t][k] = HttpRequest(server.port(), "PUT", "/v1/bundles/" + IdOf(a[k]), a[k]);
      }
    });
  }
  for (auto& t : threads) t.join();
  auto key = crypto::ReadSigningPublicKeyFile(dir_ / "keys" / "server.pub").value();
  auto reader = Reader();
  ASSERT_TRUE(reader);
  for (std::size_t k = 0; k < a.size(); ++k) {
    int created = 0;
    for (std::size_t t = 0; t < kThreads; ++t) {
      const HttpReply& r = replies[t][k];
      ASSERT_TRUE(r.status == 201 || r.status == 200) << k << ": " << r.status << " " << r.body;
      created += r.status == 201 ? 1 : 0;
      EXPECT_EQ(r.body, replies[0][k].body) << "bundle " << k << ", uploader " << t;
    }
    EXPECT_EQ(created, 1) << "bundle " << k;
    auto receipt = bundle::VerifyReceipt(AsBytes(replies[0][k].body), key);
    ASSERT_TRUE(receipt) << receipt.error().message();
    EXPECT_EQ(HexEncode(receipt->bundle_id), IdOf(a[k]));
    EXPECT_EQ(StoredCopy(*reader, a[k]), a[k]);
  }
  EXPECT_EQ(StoredBundles(), a.size());
  EXPECT_EQ(UnindexedBytes(), 0u);
  EXPECT_EQ(server.Stop(), 0);
}

// A server dies between writing a batch and committing its rows (a child process that writes a
// batch through the backend and exits without committing or cleaning up; its appended records
// survive it, as synced ones survive a power cut). SQLite: the segment is the durable record,
// so the restart re-indexes the batch with the very rows, receipts and flags written, and the
// uploaders' retries get those receipts. PostgreSQL: the transaction never committed, so the
// store holds exactly what it held before. Either way nothing partial, and storing goes on.
TEST_P(ServerBackendTest, ACrashBetweenBatchWriteAndIndexCommitLeavesNoPartialBundle) {
  auto b = AddBundles(homes_[0], 5);
  std::vector<std::string> receipts;
  {
    auto store = OpenStore();
    ASSERT_TRUE(store);
    for (int i = 0; i < 2; ++i) {
      auto r = store->Accept(AsBytes(b[static_cast<std::size_t>(i)]));
      ASSERT_TRUE(r) << r.error().message();
      receipts.push_back(r->receipt_text);
    }
  }
  // The rows as Store would write them, receipts signed by the server's key.
  auto key = crypto::ReadSigningSecretKeyFile(dir_ / "keys" / "server.key");
  ASSERT_TRUE(key) << key.error().message();
  std::vector<server::StoredBundle> rows;
  for (std::size_t i = 2; i < 5; ++i) {
    bundle::Receipt receipt;
    const Bytes id = HexDecode(IdOf(b[i])).value();
    std::copy(id.begin(), id.end(), receipt.bundle_id.begin());
    receipt.terminal_id = ids_[0];
    receipt.seq = i + 1;
    receipt.stored_ms = 1'795'600'000'000 + static_cast<std::int64_t>(i);
    server::StoredBundle row;
    row.bundle_id = IdOf(b[i]);
    row.receipt_code = bundle::ReceiptCodeFor(receipt.bundle_id);
    row.terminal_id = ids_[0];
    row.seq = i + 1;
    row.journal_seq = 7;
    row.kind = "submitted";
    row.stored_ms = receipt.stored_ms;
    row.bytes = b[i].size();
    row.receipt_text = bundle::WriteReceipt(receipt, *key);
    rows.push_back(row);
    receipts.push_back(row.receipt_text);
  }
  const server::StoredFlag flag{ids_[0], 4, IdOf(b[3]), "journal-rollback", "as raised", 99};
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The batch as Store writes it: records appended, rows inserted, then the process is gone
    // before Commit (no destructor runs: _exit).
    auto backend = OpenBackend();
    if (!backend) ::_exit(2);
    auto batch = (*backend)->Begin();
    if (!batch) ::_exit(3);
    for (std::size_t i = 2; i < 5; ++i) {
      std::vector<server::StoredFlag> flags;
      if (i == 3) flags.push_back(flag);
      if (!(*batch)->Insert(rows[i - 2], AsBytes(b[i]), flags)) ::_exit(4);
    }
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  const bool sqlite = backend_ == Backend::kSqlite;
  if (sqlite) {
    EXPECT_GT(UnindexedBytes(), b[2].size()) << "the dead batch's records are in the segment";
  }

  auto store = OpenStore();  // the restart: SQLite re-indexes what no row names
  ASSERT_TRUE(store);
  EXPECT_EQ(StoredBundles(), sqlite ? 5u : 2u);
  EXPECT_EQ(UnindexedBytes(), 0u);
  auto reader = Reader();
  ASSERT_TRUE(reader);
  EXPECT_EQ(reader->ReadBundle(IdOf(b[2])).has_value(), sqlite);
  if (sqlite) {
    for (const auto& want : rows) {
      auto got = reader->FindById(want.bundle_id);
      ASSERT_TRUE(got && *got) << want.bundle_id;
      EXPECT_EQ((*got)->receipt_code, want.receipt_code);
      EXPECT_EQ((*got)->seq, want.seq);
      EXPECT_EQ((*got)->journal_seq, want.journal_seq);
      EXPECT_EQ((*got)->stored_ms, want.stored_ms);
      EXPECT_EQ((*got)->receipt_text, want.receipt_text);
    }
    auto flags = reader->ListFlags();
    ASSERT_TRUE(flags);
    ASSERT_EQ(flags->size(), 1u);
    EXPECT_EQ((*flags)[0].bundle_id, flag.bundle_id);
    EXPECT_EQ((*flags)[0].detail, flag.detail);
    EXPECT_EQ((*flags)[0].at_ms, flag.at_ms);
  }
  for (std::size_t i = 0; i < 5; ++i) {
    auto r = store->Accept(AsBytes(b[i]));
    ASSERT_TRUE(r) << r.error().message();
    const bool stored_before = i < 2 || sqlite;
    EXPECT_EQ(r->duplicate, stored_before) << i;
    if (stored_before) {
      EXPECT_EQ(r->receipt_text, receipts[i]) << i;
    }
    EXPECT_EQ(StoredCopy(*reader, b[i]), b[i]);
  }
  EXPECT_EQ(StoredBundles(), 5u);
  EXPECT_EQ(UnindexedBytes(), 0u);
}

// SQLite: the index commit fails after the batch's segment sync (here the disk refuses to grow
// index.db's WAL: a file size limit the segment is under and the WAL is over). No receipt goes
// out, and the record is not cut: it is the store's. The uploader retries; once the server is
// restarted the record is re-indexed and the retry gets the receipt the record holds, signed by
// the server, and a second retry the same one.
TEST_F(ServerTest, AFailedIndexCommitAfterTheSegmentSyncKeepsTheRecordForTheRetry) {
  auto b = AddBundles(homes_[0], 2);
  const auto server_key = crypto::ReadSigningPublicKeyFile(dir_ / "keys" / "server.pub").value();
  const auto segment = server::SegmentPath(dir_ / "store" / "segments", 1);
  clock_.SetWallMs(1'795'700'000'000);
  {
    auto store = OpenStore();
    ASSERT_TRUE(store);
    ASSERT_FALSE(std::filesystem::exists(segment) && std::filesystem::file_size(segment) > 0);
    const auto wal = std::filesystem::file_size(dir_ / "store" / "index.db-wal");
    // The limit: the record (a few KB) fits under it, the WAL (the schema's pages) is past it.
    ASSERT_GT(wal, b[0].size() + 4096) << "the WAL must be past the limit before the commit";
    rlimit old{};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
    rlimit low = old;
    low.rlim_cur = static_cast<rlim_t>(wal);
    auto* previous = ::signal(SIGXFSZ, SIG_IGN);
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &low), 0);
    auto failed = store->Accept(AsBytes(b[0]));
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &old), 0);
    ::signal(SIGXFSZ, previous);
    ASSERT_FALSE(failed) << "the index commit was expected to fail";
    EXPECT_EQ(store->CountBundles().value(), 0u);
    EXPECT_GT(std::filesystem::file_size(segment), b[0].size()) << "the synced record stays";
    EXPECT_GT(UnindexedBytes(), b[0].size());
  }
  clock_.SetWallMs(1'795'700'000'000 + 60'000);
  auto store = OpenStore();  // the restart re-indexes the record
  ASSERT_TRUE(store);
  EXPECT_EQ(UnindexedBytes(), 0u);
  auto retry = store->Accept(AsBytes(b[0]));
  ASSERT_TRUE(retry) << retry.error().message();
  EXPECT_TRUE(retry->duplicate);
  auto receipt = bundle::VerifyReceipt(AsBytes(retry->receipt_text), server_key);
  ASSERT_TRUE(receipt) << receipt.error().message();
  EXPECT_EQ(HexEncode(receipt->bundle_id), IdOf(b[0]));
  EXPECT_EQ(receipt->stored_ms, 1'795'700'000'000) << "stored at the failed attempt, by its record";
  auto again = store->Accept(AsBytes(b[0]));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->receipt_text, retry->receipt_text);
  auto next = store->Accept(AsBytes(b[1]));
  ASSERT_TRUE(next) << next.error().message();
  EXPECT_FALSE(next->duplicate);
  EXPECT_EQ(StoredBundles(), 2u);
  EXPECT_EQ(StoredCopy(*Reader(), b[0]), b[0]);
}

// `lontar serve` killed (SIGKILL) again and again while uploaders keep it busy, so that the kill
// lands amid batches: after each restart every acknowledged bundle is there with the receipt
// that was sent for it and its exact bytes, nothing is stored twice, and nothing stray is left.
TEST_P(ServerBackendTest, AServerKilledMidBatchKeepsEveryAcknowledgedBundle) {
  auto a = AddBundles(homes_[0], 45);
  auto b = AddBundles(homes_[1], 45);
  a.insert(a.end(), b.begin(), b.end());
  const auto server_key = crypto::ReadSigningPublicKeyFile(dir_ / "keys" / "server.pub").value();
  std::map<std::size_t, std::string> acknowledged;  // bundle -> the receipt sent for it
  std::deque<std::size_t> to_send;
  for (std::size_t k = 0; k < a.size(); ++k) to_send.push_back(k);
  std::mutex mu;
  for (int round = 0; round < 4 && !to_send.empty(); ++round) {
    ServerProcess server(ServeArgs(), dir_.path());
    ASSERT_NE(server.port(), 0);
    std::atomic<bool> stop = false;
    std::atomic<int> acked_this_round = 0;
    std::vector<std::size_t> unanswered;  // sent, no receipt: the uploader sends it again
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        for (;;) {
          std::size_t k;
          {
            std::lock_guard lock(mu);
            if (stop || to_send.empty()) return;
            k = to_send.front();
            to_send.pop_front();
          }
          auto r = HttpRequest(server.port(), "PUT", "/v1/bundles/" + IdOf(a[k]), a[k]);
          // Acknowledged: a whole receipt, signed by the server (a reply cut by the kill is not).
          const bool receipt = (r.status == 201 || r.status == 200) &&
                               bundle::VerifyReceipt(AsBytes(r.body), server_key).has_value();
          std::lock_guard lock(mu);
          if (receipt) {
            acknowledged[k] = r.body;
            ++acked_this_round;
          } else {
            unanswered.push_back(k);
          }
        }
      });
    }
    // Kill once a few bundles are acknowledged, with eight uploads under way (the last round
    // runs to the end).
    for (int i = 0; i < 4000 && round < 3 && acked_this_round < 8; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (round < 3) server.Kill();
    stop = round < 3;
    for (auto& t : threads) t.join();
    to_send.insert(to_send.begin(), unanswered.begin(), unanswered.end());
  }
  ASSERT_TRUE(to_send.empty()) << "uploads did not finish in four rounds";
  ASSERT_EQ(acknowledged.size(), a.size());

  ServerProcess server(ServeArgs(), dir_.path());  // one more restart: the final check
  ASSERT_NE(server.port(), 0);
  auto reader = Reader();
  ASSERT_TRUE(reader);
  for (const auto& [k, receipt] : acknowledged) {
    auto again = HttpRequest(server.port(), "PUT", "/v1/bundles/" + IdOf(a[k]), a[k]);
    EXPECT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(again.body, receipt) << "bundle " << k << ": not the receipt first sent";
    EXPECT_EQ(StoredCopy(*reader, a[k]), a[k]);
  }
  EXPECT_EQ(StoredBundles(), a.size());
  EXPECT_EQ(UnindexedBytes(), 0u);
  EXPECT_EQ(server.Stop(), 0);
}

TEST_P(ServerBackendTest, SyncUploadsVerifiesReceiptsAndMarksDelivered) {
  AddBundles(homes_[0], 3);
  ServerProcess server(ServeArgs(), dir_.path());
  ASSERT_NE(server.port(), 0);
  const std::string server_pub = (dir_ / "keys" / "server.pub").string();
  auto sync = RunLontar(
      {"sync", "--home", homes_[0], "--server", server.url(), "--server-key", server_pub});
  ASSERT_EQ(sync.exit_code, 0) << sync.err << server.Stderr();
  EXPECT_NE(sync.out.find("3 delivered now"), std::string::npos) << sync.out;
  auto key = crypto::ReadSigningPublicKeyFile(server_pub).value();
  for (const auto& e : Outbox(homes_[0])) {
    EXPECT_TRUE(e.delivered);
    auto r = bundle::VerifyReceipt(e.receipt, key);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_EQ(r->bundle_id, e.bundle_id);
  }

  // Again: nothing pending, nothing sent. A new bundle goes on its own.
  AddBundles(homes_[0], 1);
  auto again = RunLontar({"sync", "--home", homes_[0], "--server", server.url(), "--server-key",
                          server_pub, "--json"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  auto j = nlohmann::json::parse(again.out);
  EXPECT_EQ(j["delivered"], 1);
  EXPECT_EQ(j["pending"], 0);

  // The candidate checks a receipt code.
  const auto entries = Outbox(homes_[0]);
  auto lookup = HttpRequest(server.port(), "GET", "/v1/receipts/" + entries[1].receipt_code);
  ASSERT_EQ(lookup.status, 200) << lookup.body;
  auto found = nlohmann::json::parse(lookup.body);
  EXPECT_EQ(found["terminal_id"], ids_[0]);
  EXPECT_EQ(found["seq"], 2);
  EXPECT_FALSE(found.contains("participant"));
  auto typo = HttpRequest(server.port(), "GET", "/v1/receipts/0000-0000-0001");
  EXPECT_EQ(typo.status, 400) << typo.body;
  EXPECT_EQ(server.Stop(), 0);
}

TEST_F(ServerTest, SyncRefusesAReceiptFromAnotherServerKey) {
  AddBundles(homes_[0], 1);
  ServerProcess server(ServeArgs(), dir_.path());
  ASSERT_NE(server.port(), 0);
  auto other = RunLontar({"keys", "new", "server", "--out", (dir_ / "other").string()});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  auto sync = RunLontar({"sync", "--home", homes_[0], "--server", server.url(), "--server-key",
                         (dir_ / "other" / "server.pub").string()});
  EXPECT_EQ(sync.exit_code, 1);
  EXPECT_NE(sync.err.find("not by the server key"), std::string::npos) << sync.err;
  EXPECT_FALSE(Outbox(homes_[0])[0].delivered);
}

TEST_F(ServerTest, SyncRetriesUntilTheServerComesBack) {
  AddBundles(homes_[0], 1);
  auto sync =
      RunLontar({"sync", "--home", homes_[0], "--server", "http://127.0.0.1:1", "--server-key",
                 (dir_ / "keys" / "server.pub").string(), "--attempts", "2"});
  EXPECT_EQ(sync.exit_code, 1);
  EXPECT_NE(sync.err.find("retrying in 1 s"), std::string::npos) << sync.err;
  EXPECT_NE(sync.err.find("1 bundles still pending after 2 attempts"), std::string::npos)
      << sync.err;
  EXPECT_FALSE(Outbox(homes_[0])[0].delivered);
}

TEST_P(ServerBackendTest, AServerKilledMidSyncLosesNothingAndCountsNothingTwice) {
  constexpr int kBundles = 60;
  AddBundles(homes_[0], kBundles);
  const std::string server_pub = (dir_ / "keys" / "server.pub").string();
  auto server = std::make_unique<ServerProcess>(ServeArgs(), dir_.path());
  ASSERT_NE(server->port(), 0);
  const std::string url = server->url();
  std::thread sync([&] {
    auto r = RunLontar({"sync", "--home", homes_[0], "--server", url, "--server-key", server_pub,
                        "--attempts", "1"});
    EXPECT_EQ(r.exit_code, 1) << "sync finished before the kill: " << r.out;
  });
  // Kill the server once some bundles are stored and the rest are on their way.
  for (int i = 0; i < 400 && StoredBundles() < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  server->Kill();
  sync.join();
  std::size_t delivered = 0;
  for (const auto& e : Outbox(homes_[0])) delivered += e.delivered ? 1 : 0;
  EXPECT_GT(delivered, 0u);
  EXPECT_LT(delivered, static_cast<std::size_t>(kBundles));

  // Restarted: stray temporary files are gone, the terminal sends the rest, and the bundles
  // that were stored but not acknowledged come back as duplicates with their receipts.
  server = std::make_unique<ServerProcess>(ServeArgs(), dir_.path());
  ASSERT_NE(server->port(), 0);
  auto again = RunLontar(
      {"sync", "--home", homes_[0], "--server", server->url(), "--server-key", server_pub});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  auto key = crypto::ReadSigningPublicKeyFile(server_pub).value();
  for (const auto& e : Outbox(homes_[0])) {
    ASSERT_TRUE(e.delivered) << e.seq;
    ASSERT_TRUE(bundle::VerifyReceipt(e.receipt, key)) << e.seq;
  }
  EXPECT_EQ(StoredBundles(), static_cast<std::size_t>(kBundles));  // no temporaries, no extras
  auto st = nlohmann::json::parse(HttpRequest(server->port(), "GET", "/v1/status.json").body);
  EXPECT_EQ(st["bundles"], kBundles);
  EXPECT_EQ(st["sites"][0]["terminals"][0]["gaps"].size(), 0u);
  EXPECT_EQ(server->Stop(), 0);
}

// `sync --watch` rides out a server that is down, then delivers what is pending and what is
// added later, and stops on SIGTERM.
TEST_F(ServerTest, SyncWatchDeliversWhenTheServerAppearsAndKeepsGoing) {
  AddBundles(homes_[0], 2);
  // Reserve a port for a server that is not there yet: start one, note its port, stop it.
  int port = 0;
  {
    ServerProcess probe(ServeArgs(), dir_.path());
    port = probe.port();
    ASSERT_EQ(probe.Stop(), 0);
  }
  ASSERT_NE(port, 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(port);
  const std::string log = (dir_ / "watch.err").string();
  std::vector<std::string> args = {std::string(LONTAR_BIN_DIR) + "/lontar",
                                   "sync",
                                   "--home",
                                   homes_[0],
                                   "--server",
                                   url,
                                   "--server-key",
                                   (dir_ / "keys" / "server.pub").string(),
                                   "--watch",
                                   "--poll",
                                   "0.2"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  auto delivered = [&] {
    std::size_t n = 0;
    for (const auto& e : Outbox(homes_[0])) n += e.delivered ? 1 : 0;
    return n;
  };
  auto wait_for = [&](std::size_t n) {
    for (int i = 0; i < 300 && delivered() < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return delivered();
  };
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // a few failed passes
  EXPECT_EQ(delivered(), 0u);
  // The server comes up on that port.
  std::vector<std::string> serve = ServeArgs();
  serve.insert(serve.begin(), {"--listen", "127.0.0.1:" + std::to_string(port)});
  ServerProcess server(serve, dir_.path());
  EXPECT_EQ(wait_for(2), 2u) << ReadText(log);
  AddBundles(homes_[0], 1);
  EXPECT_EQ(wait_for(3), 3u) << ReadText(log);
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << ReadText(log);
  EXPECT_NE(ReadText(log).find("retrying in"), std::string::npos) << ReadText(log);
}

TEST_P(ServerBackendTest, PutDuplicateGetsTheSameReceipt) {
  auto b = AddBundles(homes_[0], 1);
  ServerProcess server(ServeArgs(), dir_.path());
  ASSERT_NE(server.port(), 0);
  const std::string path = "/v1/bundles/" + IdOf(b[0]);
  auto first = HttpRequest(server.port(), "PUT", path, b[0]);
  ASSERT_EQ(first.status, 201) << first.body;
  auto second = HttpRequest(server.port(), "PUT", path, b[0]);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(StoredBundles(), 1u);
}

TEST_P(ServerBackendTest, BadUploadsGetAJsonErrorAndNothingIsStored) {
  auto b = AddBundles(homes_[0], 1);
  auto stranger = AddBundles((dir_ / "stranger").string(), 1);
  ServerProcess server(ServeArgs(), dir_.path());
  ASSERT_NE(server.port(), 0);
  const std::string path = "/v1/bundles/" + IdOf(b[0]);

  struct Case {
    std::string name, path, body;
    int status;
    std::string message;
  };
  // A byte inside the sealed payload (its last bytes): the signature covers it. The middle of a
  // format 2 bundle can be a length field, which is refused as truncated instead.
  std::string flipped = b[0];
  flipped[flipped.size() - 10] ^= 0x40;
  std::string bad_sig = b[0];
  bad_sig[20] ^= 0x01;  // inside the signature itself
  const std::vector<Case> cases = {
      {"flipped byte", path, flipped, 422, "signature"},
      {"bad signature", path, bad_sig, 422, "signature"},
      {"unknown terminal", "/v1/bundles/" + IdOf(stranger[0]), stranger[0], 403, "T-"},
      {"oversize", path, std::string((1 << 20) + 1, 'x'), 413, "oversized"},
      {"malformed id", "/v1/bundles/not-hex", b[0], 400, "malformed bundle id"},
      {"short id", "/v1/bundles/" + IdOf(b[0]).substr(2), b[0], 400, "malformed bundle id"},
      {"another bundle's id", "/v1/bundles/" + std::string(64, 'a'), b[0], 400, "not the bundle's"},
      {"not a bundle", path, "hello", 400, "bundle"},
      {"empty", path, "", 400, "bundle"},
  };
  for (const auto& c : cases) {
    auto reply = HttpRequest(server.port(), "PUT", c.path, c.body);
    EXPECT_EQ(reply.status, c.status) << c.name << ": " << reply.body;
    auto j = nlohmann::json::parse(reply.body, nullptr, false);
    ASSERT_TRUE(j.is_object()) << c.name << ": " << reply.body;
    ASSERT_TRUE(j.contains("error")) << c.name;
    EXPECT_NE(j["error"].get<std::string>().find(c.message), std::string::npos)
        << c.name << ": " << j["error"];
  }
  EXPECT_EQ(StoredBundles(), 0u);
  // And it still serves.
  auto good = HttpRequest(server.port(), "PUT", path, b[0]);
  EXPECT_EQ(good.status, 201) << good.body;
  EXPECT_EQ(StoredBundles(), 1u);
  EXPECT_TRUE(server.Running());
}

TEST_F(ServerTest, AClientThatHangsUpMidBodyDoesNotStopTheServer) {
  auto b = AddBundles(homes_[0], 2);
  ServerProcess server(ServeArgs(), dir_.path());
  ASSERT_NE(server.port(), 0);
  const std::string path = "/v1/bundles/" + IdOf(b[0]);
  for (int i = 0; i < 20; ++i) {
    testing::HttpSendPartialAndHangUp(server.port(), path, b[0].size(), b[0].substr(0, 100));
  }
  // A client that sends half and then stalls is dropped by the read timeout (2 s here) while
  // others are served.
  testing::HttpSendPartialAndHangUp(server.port(), path, b[0].size(), "");
  auto good = HttpRequest(server.port(), "PUT", path, b[0]);
  EXPECT_EQ(good.status, 201) << good.body << server.Stderr();
  EXPECT_TRUE(server.Running());
  EXPECT_EQ(StoredBundles(), 1u);
  EXPECT_EQ(server.Stop(), 0);
}

// A Content-Length that lies either way stores nothing, and the server goes on serving.
TEST_F(ServerTest, ALyingContentLengthStoresNothing) {
  auto b = AddBundles(homes_[0], 1);
  ServerProcess server(ServeArgs(), dir_.path());
  ASSERT_NE(server.port(), 0);
  const std::string path = "/v1/bundles/" + IdOf(b[0]);
  auto head = [&](std::size_t length) {
    return "PUT " + path + " HTTP/1.1\r\nHost: a\r\nContent-Length: " + std::to_string(length) +
           "\r\n\r\n";
  };
  {
    SCOPED_TRACE("declares 100 bytes more than it sends, then ends its side");
    auto r = testing::HttpSendRaw(server.port(), head(b[0].size() + 100), b[0], 1);
    EXPECT_NE(r.reply.status, 201) << r.reply.body;
    EXPECT_NE(r.reply.status, 200) << r.reply.body;
  }
  {
    // The handler gets the bundle cut 100 bytes short; the rest reads as a garbage request.
    SCOPED_TRACE("declares 100 bytes fewer than it sends");
    auto r = testing::HttpSendRaw(server.port(), head(b[0].size() - 100), b[0], 1);
    EXPECT_EQ(r.reply.status, 400) << r.reply.body;
    EXPECT_NE(r.reply.body.find("truncated"), std::string::npos) << r.reply.body;
  }
  EXPECT_EQ(StoredBundles(), 0u);
  auto good = HttpRequest(server.port(), "PUT", path, b[0]);
  EXPECT_EQ(good.status, 201) << good.body;
  EXPECT_EQ(StoredBundles(), 1u);
  EXPECT_EQ(server.Stop(), 0);
}

// Two `lontar serve` processes on one PostgreSQL database (a region behind a load balancer):
// four uploaders send every bundle through both at once, in different orders. Each bundle is
// stored once (one 201 in all, the other answers 200), every answer for a bundle is the same
// receipt byte for byte, and the database holds each bundle once.
TEST_P(ServerBackendTest, TwoServersOnOneDatabaseStoreEachBundleOnce) {
  if (GetParam() != Backend::kPostgres) GTEST_SKIP() << "one --store has one server";
  auto b = AddBundles(homes_[0], 6);
  const auto b1 = AddBundles(homes_[1], 6);
  b.insert(b.end(), b1.begin(), b1.end());
  std::filesystem::create_directories(dir_.path() / "first");
  std::filesystem::create_directories(dir_.path() / "second");
  ServerProcess first(ServeArgs(), dir_.path() / "first");
  ServerProcess second(ServeArgs(), dir_.path() / "second");
  ASSERT_NE(first.port(), 0);
  ASSERT_NE(second.port(), 0);
  std::mutex mu;
  std::map<std::string, std::set<std::string>> receipts;  // bundle id -> distinct receipts
  std::map<int, int> statuses;
  std::vector<std::thread> uploaders;
  for (int u = 0; u < 4; ++u) {
    uploaders.emplace_back([&, u] {
      for (std::size_t k = 0; k < b.size(); ++k) {
        const std::string& bundle = b[u % 2 == 0 ? k : b.size() - 1 - k];
        const int port = (u + static_cast<int>(k)) % 2 == 0 ? first.port() : second.port();
        auto r = HttpRequest(port, "PUT", "/v1/bundles/" + IdOf(bundle), bundle);
        std::lock_guard lock(mu);
        ++statuses[r.status];
        receipts[IdOf(bundle)].insert(r.body);
      }
    });
  }
  for (auto& t : uploaders) t.join();
  EXPECT_EQ(statuses[201], 12) << first.Stderr() << second.Stderr();
  EXPECT_EQ(statuses[200], 4 * 12 - 12);
  ASSERT_EQ(receipts.size(), 12u);
  for (const auto& [id, texts] : receipts) EXPECT_EQ(texts.size(), 1u) << id;
  EXPECT_EQ(StoredBundles(), 12u);
  EXPECT_EQ(first.Stop(), 0);
  EXPECT_EQ(second.Stop(), 0);
}

TEST_P(ServerBackendTest, StatusShowsAWithheldBundleAsAGap) {
  auto b = AddBundles(homes_[0], 3);
  AddBundles(homes_[1], 1, "SKD-<script>");
  ServerProcess server(ServeArgs(), dir_.path());
  ASSERT_NE(server.port(), 0);
  ASSERT_EQ(HttpRequest(server.port(), "PUT", "/v1/bundles/" + IdOf(b[0]), b[0]).status, 201);
  ASSERT_EQ(HttpRequest(server.port(), "PUT", "/v1/bundles/" + IdOf(b[2]), b[2]).status, 201);
  ASSERT_EQ(RunLontar({"sync", "--home", homes_[1], "--server", server.url(), "--server-key",
                       (dir_ / "keys" / "server.pub").string()})
                .exit_code,
            0);

  auto reply = HttpRequest(server.port(), "GET", "/v1/status.json");
  ASSERT_EQ(reply.status, 200);
  auto j = nlohmann::json::parse(reply.body);
  EXPECT_EQ(j["bundles"], 3);
  ASSERT_EQ(j["sites"].size(), 2u);
  EXPECT_EQ(j["sites"][0]["site"], "SITE-01");
  auto t = j["sites"][0]["terminals"][0];
  EXPECT_EQ(t["terminal_id"], ids_[0]);
  EXPECT_EQ(t["bundles"], 2);
  EXPECT_EQ(t["highest_seq"], 3);
  EXPECT_EQ(t["gaps"], nlohmann::json::array({2}));
  EXPECT_NE(t["last_seen"], "");
  EXPECT_EQ(j["sites"][0]["exams"][0]["exam_id"], "SKD-2026");
  EXPECT_EQ(j["sites"][0]["exams"][0]["participants"], 2);
  EXPECT_EQ(j["sites"][1]["terminals"][0]["gaps"].size(), 0u);

  auto html = HttpRequest(server.port(), "GET", "/status");
  ASSERT_EQ(html.status, 200);
  EXPECT_NE(html.body.find("<td class=\"gaps\">2</td>"), std::string::npos) << html.body;
  // The only script is the page's own (the room view's refresh, core/server/room_page.cpp);
  // the exam id that carries one is escaped.
  EXPECT_EQ(html.body.find("SKD-<script>"), std::string::npos);
  const std::size_t script = html.body.find("<script>");
  EXPECT_NE(script, std::string::npos);
  EXPECT_EQ(html.body.find("<script>", script + 1), std::string::npos);
  EXPECT_NE(html.body.find("SKD-&lt;script&gt;"), std::string::npos);
  EXPECT_NE(html.body.find("Room &lt;1&gt; &amp; &quot;A&quot;"), std::string::npos);

  auto missing = HttpRequest(server.port(), "GET", "/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(nlohmann::json::parse(missing.body, nullptr, false).contains("error"));
}

// The status page in a real browser: Debian's chromium, headless. The DOM it built must show the
// gap, and its screenshot must show the red row that marks it.
TEST_F(ServerTest, StatusPageRendersInHeadlessChromium) {
  if (!std::filesystem::exists("/usr/bin/chromium")) GTEST_SKIP() << "chromium not installed";
  auto b = AddBundles(homes_[0], 3);
  auto c = AddBundles(homes_[1], 1);
  ServerProcess server(ServeArgs(), dir_.path());
  ASSERT_NE(server.port(), 0);
  ASSERT_EQ(HttpRequest(server.port(), "PUT", "/v1/bundles/" + IdOf(b[0]), b[0]).status, 201);
  ASSERT_EQ(HttpRequest(server.port(), "PUT", "/v1/bundles/" + IdOf(b[2]), b[2]).status, 201);
  ASSERT_EQ(HttpRequest(server.port(), "PUT", "/v1/bundles/" + IdOf(c[0]), c[0]).status, 201);
  const std::string url = server.url() + "/status";
  const std::vector<std::string> common = {"--headless",
                                           "--no-sandbox",
                                           "--disable-gpu",
                                           "--no-first-run",
                                           "--hide-scrollbars",
                                           "--user-data-dir=" + (dir_ / "chromium").string(),
                                           "--window-size=1200,700"};
  auto dom_args = common;
  dom_args.push_back("--dump-dom");
  dom_args.push_back(url);
  auto dom = testing::RunProgram("/usr/bin/chromium", dom_args, {"HOME=" + dir_.path().string()});
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  EXPECT_NE(dom.out.find("<td class=\"gaps\">2</td>"), std::string::npos) << dom.out;
  EXPECT_NE(dom.out.find("data-terminal=\"" + ids_[0] + "\""), std::string::npos);
  EXPECT_NE(dom.out.find("<span id=\"total\">3</span>"), std::string::npos);

  const std::string png = (dir_ / "status.png").string();
  auto shot_args = common;
  shot_args.push_back("--screenshot=" + png);
  shot_args.push_back(url);
  auto shot = testing::RunProgram("/usr/bin/chromium", shot_args, {"HOME=" + dir_.path().string()});
  ASSERT_EQ(shot.exit_code, 0) << shot.err;
  int w = 0, h = 0, channels = 0;
  unsigned char* pixels = stbi_load(png.c_str(), &w, &h, &channels, 3);
  ASSERT_NE(pixels, nullptr) << png;
  EXPECT_EQ(w, 1200);
  std::size_t red = 0, green = 0;
  for (int i = 0; i < w * h; ++i) {
    const unsigned char* p = pixels + 3 * i;
    if (p[0] == 0xff && p[1] == 0xdd && p[2] == 0xdd) ++red;    // .gap row, #fdd
    if (p[0] == 0xdd && p[1] == 0xff && p[2] == 0xdd) ++green;  // .ok row, #dfd
  }
  stbi_image_free(pixels);
  EXPECT_GT(red, 1000u) << "no red (gap) row in the screenshot";
  EXPECT_GT(green, 1000u) << "no green row for the terminal without gaps";
}

TEST_P(ServerBackendTest, ImportUploadsAVerifiedStick) {
  AddBundles(homes_[0], 2);
  AddBundles(homes_[1], 1);
  const std::string stick = (dir_ / "stick").string();
  std::filesystem::create_directories(stick);
  for (const auto& h : homes_) {
    auto e = RunLontar({"bundles", "export", "--home", h, "--to", stick});
    ASSERT_EQ(e.exit_code, 0) << e.err;
  }
  ServerProcess server(ServeArgs(), dir_.path());
  ASSERT_NE(server.port(), 0);
  std::vector<std::string> args = {"bundles",      "import",
                                   "--from",       stick,
                                   "--server",     server.url(),
                                   "--server-key", (dir_ / "keys" / "server.pub").string(),
                                   "--enrolled",   (dir_ / "enrolled").string()};
  auto imp = RunLontar(args);
  ASSERT_EQ(imp.exit_code, 0) << imp.err << server.Stderr();
  EXPECT_NE(
      imp.out.find(ids_[0] + ": 2 of 2 bundles uploaded (2 new, 0 already stored), each receipt "
                             "verified"),
      std::string::npos)
      << imp.out;
  EXPECT_EQ(StoredBundles(), 3u);
  // Importing again is harmless: duplicates get their receipts, and are called what they are.
  auto again = RunLontar(args);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find(ids_[0] + ": 2 of 2 bundles uploaded (0 new, 2 already stored)"),
            std::string::npos)
      << again.out;
  EXPECT_EQ(StoredBundles(), 3u);

  // With another server's key the bundles are stored all the same; what failed is the receipts'
  // check, and the message says so and what to do.
  ASSERT_EQ(RunLontar({"keys", "new", "server", "--out", (dir_ / "other").string()}).exit_code, 0);
  auto wrong_args = args;
  wrong_args[7] = (dir_ / "other" / "server.pub").string();
  auto wrong = RunLontar(wrong_args);
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.out.find("2 of 2 bundles uploaded (0 new, 2 already stored); 2 receipts did "
                           "not verify"),
            std::string::npos)
      << wrong.out;
  EXPECT_NE(wrong.err.find("3 bundles uploaded and stored, but 3 receipts did not verify with "
                           "--server-key"),
            std::string::npos)
      << wrong.err;
  EXPECT_NE(wrong.err.find("check that it is this server's public key"), std::string::npos);

  // A damaged file on the stick is reported and not sent; the rest still go.
  auto dir0 = std::filesystem::path(stick) / "lontar-bundles" / ids_[0];
  for (const auto& e : std::filesystem::directory_iterator(dir0)) {
    if (e.path().extension() == ".lrb") {
      std::string text = ReadText(e.path());
      text[text.size() / 2] ^= 1;
      WriteText(e.path(), text);
      break;
    }
  }
  auto damaged = RunLontar(args);
  EXPECT_EQ(damaged.exit_code, 1);
  EXPECT_NE(damaged.err.find("damaged, not sent"), std::string::npos) << damaged.err;
}

// A store written by a newer Lontar (a schema version above ours) is refused, with both versions
// named, and left as it is.
TEST_P(ServerBackendTest, ANewerSchemaIsRefusedAndLeftAlone) {
  ASSERT_TRUE(OpenBackend());  // creates the current version
  const int ours =
      backend_ == Backend::kSqlite ? server::kSqliteSchemaVersion : server::kPostgresSchemaVersion;
  const std::string newer = std::to_string(ours + 1);
  if (backend_ == Backend::kSqlite) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "store" / "index.db").c_str(), &raw), SQLITE_OK);
    vault::Database db(raw);
    ASSERT_TRUE(db.Exec("PRAGMA user_version = " + newer));
  } else {
    pqxx::connection c(db_url_);
    pqxx::work tx(c);
    tx.exec("UPDATE lontar_schema SET version = " + newer);
    tx.commit();
  }
  for (auto access : {server::StoreAccess::kReadWrite, server::StoreAccess::kReadOnly}) {
    auto again = backend_ == Backend::kSqlite ? server::OpenSqliteBackend(dir_ / "store", access)
                                              : server::OpenPostgresBackend(db_url_, access);
    ASSERT_FALSE(again);
    EXPECT_EQ(again.error().kind(), ErrorKind::kTooNew);
    EXPECT_NE(again.error().message().find("schema version " + newer + "; this lontar knows " +
                                           "version " + std::to_string(ours)),
              std::string::npos)
        << again.error().message();
  }
  auto serve = RunLontar([&] {
    auto args = ServeArgs();
    args.insert(args.begin(), {"serve", "--listen", "127.0.0.1:0"});
    return args;
  }());
  EXPECT_EQ(serve.exit_code, 1);
  EXPECT_NE(serve.err.find("schema version " + newer), std::string::npos) << serve.err;
}

// The size cap cannot be set above the bundle format's own 64 MiB, and the help says what the
// docs say: --relay-to may be https.
TEST_F(ServerTest, ServeOptionsSayOneTrueThing) {
  auto over = RunLontar({"serve", "--store", (dir_ / "store").string(), "--enrolled",
                         (dir_ / "enrolled").string(), "--key",
                         (dir_ / "keys" / "server.key").string(), "--max-bundle-mb", "65"});
  EXPECT_NE(over.exit_code, 0);
  EXPECT_NE(over.err.find("--max-bundle-mb"), std::string::npos) << over.err;
  EXPECT_NE(over.err.find("not in range 1 to 64"), std::string::npos) << over.err;
  auto help = RunLontar({"serve", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("https://HOST"), std::string::npos) << help.out;
  EXPECT_NE(help.out.find("a bundle is at most 64"), std::string::npos) << help.out;
}

TEST_F(ServerTest, ServeTakesExactlyOneOfStoreAndDb) {
  const std::vector<std::string> common = {"serve",
                                           "--listen",
                                           "127.0.0.1:0",
                                           "--enrolled",
                                           (dir_ / "enrolled").string(),
                                           "--key",
                                           (dir_ / "keys" / "server.key").string()};
  auto neither = RunLontar(common);
  EXPECT_EQ(neither.exit_code, 1);
  EXPECT_NE(neither.err.find("no store given: give exactly one of --store DIR"), std::string::npos)
      << neither.err;
  auto both = common;
  both.insert(both.end(), {"--store", (dir_ / "store").string(), "--db", "postgresql://h/d"});
  auto r = RunLontar(both);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("both a store directory and a database URL"), std::string::npos) << r.err;
  auto not_a_url = common;
  not_a_url.insert(not_a_url.end(), {"--db", "mysql://u:hunter2@h/d"});
  r = RunLontar(not_a_url);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("expected postgresql://"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << r.err;
}

// Nothing listens on port 1: the operator learns what to check, and never sees the password.
TEST_F(ServerTest, ServeWithAnUnreachableDatabaseSaysWhatToCheckAndHidesThePassword) {
  auto r =
      RunLontar({"serve", "--listen", "127.0.0.1:0", "--enrolled", (dir_ / "enrolled").string(),
                 "--key", (dir_ / "keys" / "server.key").string(), "--db",
                 "postgresql://lontar:Pa55-w0rd@127.0.0.1:1/lontar?connect_timeout=5"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot connect to database postgresql://lontar:***@127.0.0.1:1/lontar"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("server is up"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("database exists"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("Pa55-w0rd"), std::string::npos) << r.err;
  EXPECT_EQ(r.out.find("Pa55-w0rd"), std::string::npos) << r.out;
}

// A real server without the named database: libpq's reason comes through, with the hint.
TEST(PostgresBackend, ADatabaseThatDoesNotExistIsNamed) {
  if (PostgresServer::BinDir().empty()) {
    if (testing::PostgresRequired()) FAIL() << "PostgreSQL binaries missing";
    GTEST_SKIP() << "PostgreSQL binaries missing";
  }
  auto pg = std::make_unique<PostgresServer>();
  ASSERT_TRUE(pg->ok()) << pg->error();
  auto b = server::OpenPostgresBackend(pg->Url("no_such_db"));
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().kind(), ErrorKind::kIo);
  EXPECT_NE(b.error().message().find("\"no_such_db\" does not exist"), std::string::npos)
      << b.error().message();
  EXPECT_NE(b.error().message().find("createdb"), std::string::npos) << b.error().message();
  // An empty database is not a store to read results from.
  auto ro =
      server::OpenPostgresBackend(pg->CreateDatabase("empty"), server::StoreAccess::kReadOnly);
  ASSERT_FALSE(ro);
  EXPECT_EQ(ro.error().kind(), ErrorKind::kNotFound) << ro.error().message();
}

}  // namespace
}  // namespace lontar

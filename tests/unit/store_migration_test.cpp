// Collection stores written by earlier schemas. Version 1 (before bundles.pack_id): a read-write
// open upgrades it in place and keeps every row; a read-only open (results open) refuses it with
// what to do, and changes nothing. Version 2 (SQLite: a file per bundle, before segments): read
// as it is, and after the upgrade its bundles are still read from their files while new ones go
// to segments. Version 3 (SQLite: segment records "LSG1", without rows or checksums): read as they
// are, new records ("LSG2") follow them, and a killed version 3 server's unindexed tail is cut.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include "core/server/store_backend.hpp"
#include "core/vault/sqlite.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

constexpr char kRowV1[] =
    "INSERT INTO bundles (bundle_id, receipt_code, terminal_id, site, exam_id, participant, seq, "
    "journal_seq, kind, created_ms, stored_ms, bytes, receipt";

void CheckUpgraded(server::StoreBackend& backend) {
  auto rows = backend.ListBundles();
  ASSERT_TRUE(rows) << rows.error().message();
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].participant, "P-1");
  EXPECT_EQ((*rows)[0].pack_id, "") << "rows from before the upgrade have no pack id";
}

// A SQLite index.db at `index_db` as schema version `version` wrote it: its bundles table (with
// `more_columns` after receipt) and flags table, and one row, `row`.
void WriteOldSqliteIndex(const std::filesystem::path& index_db, const std::string& more_columns,
                         int version, const std::string& row) {
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(index_db.c_str(), &raw), SQLITE_OK);
  vault::Database db(raw);
  ASSERT_TRUE(db.Exec(
      "CREATE TABLE bundles (bundle_id TEXT PRIMARY KEY, receipt_code TEXT NOT NULL, "
      "terminal_id TEXT NOT NULL, site TEXT NOT NULL, exam_id TEXT NOT NULL, participant TEXT "
      "NOT NULL, seq INTEGER NOT NULL, journal_seq INTEGER NOT NULL, kind TEXT NOT NULL, "
      "created_ms INTEGER NOT NULL, stored_ms INTEGER NOT NULL, bytes INTEGER NOT NULL, "
      "receipt TEXT NOT NULL" +
      more_columns +
      ");"
      "CREATE TABLE flags (terminal_id TEXT NOT NULL, seq INTEGER NOT NULL, bundle_id TEXT NOT "
      "NULL, kind TEXT NOT NULL, detail TEXT NOT NULL, at_ms INTEGER NOT NULL);"
      "PRAGMA user_version = " +
      std::to_string(version) + ";"));
  ASSERT_TRUE(db.Exec(row));
}

// The stored bundle's bytes as text, or "error: " and why it could not be read.
std::string ReadBack(server::StoreBackend& backend, const std::string& id) {
  auto bytes = backend.ReadBundle(id);
  return bytes ? std::string(bytes->begin(), bytes->end()) : "error: " + bytes.error().message();
}

// Stores `bundle` as bundle `id` (terminal T-1's seq 2) in a batch of its own.
void InsertNewBundle(server::StoreBackend& backend, const std::string& id,
                     const std::string& bundle, const std::string& receipt) {
  auto batch = backend.Begin();
  ASSERT_TRUE(batch) << batch.error().message();
  server::StoredBundle row;
  row.bundle_id = id;
  row.receipt_code = "D";
  row.terminal_id = "T-1";
  row.seq = 2;
  row.journal_seq = 10;
  row.bytes = bundle.size();
  row.receipt_text = receipt;
  ASSERT_TRUE((*batch)->Insert(row, AsBytes(bundle), {}));
  ASSERT_TRUE((*batch)->Commit());
}

TEST(StoreMigration, SqliteVersion1IsUpgradedInPlace) {
  testing::TempDir dir;
  std::filesystem::create_directories(dir / "store" / "bundles");
  ASSERT_NO_FATAL_FAILURE(WriteOldSqliteIndex(
      dir / "store" / "index.db", "", 1,
      std::string(kRowV1) +
          ") VALUES ('ab', 'C', 'T-1', 'S', 'E', 'P-1', 1, 9, 'submitted', 1, 2, 3, 'r')"));
  auto ro = server::OpenSqliteBackend(dir / "store", server::StoreAccess::kReadOnly);
  ASSERT_FALSE(ro);
  EXPECT_NE(ro.error().message().find("start `lontar serve` on it once"), std::string::npos)
      << ro.error().message();
  auto rw = server::OpenSqliteBackend(dir / "store", server::StoreAccess::kReadWrite);
  ASSERT_TRUE(rw) << rw.error().message();
  CheckUpgraded(**rw);
  rw->reset();
  auto again = server::OpenSqliteBackend(dir / "store", server::StoreAccess::kReadOnly);
  ASSERT_TRUE(again) << again.error().message();
  CheckUpgraded(**again);
}

TEST(StoreMigration, SqliteVersion2BundleFilesStayReadableNextToSegments) {
  testing::TempDir dir;
  const std::filesystem::path store = dir / "store";
  std::filesystem::create_directories(store / "bundles");
  const std::string old_id(64, 'a'), new_id(64, 'b');
  ASSERT_NO_FATAL_FAILURE(WriteOldSqliteIndex(
      store / "index.db", ", pack_id TEXT NOT NULL DEFAULT ''", 2,
      std::string(kRowV1) + ", pack_id) VALUES ('" + old_id +
          "', 'C', 'T-1', 'S', 'E', 'P-1', 1, 9, 'submitted', 1, 2, 9, 'r', 'p')"));
  testing::WriteText(store / "bundles" / (old_id + ".lrb"), "old bytes");
  {
    auto ro = server::OpenSqliteBackend(store, server::StoreAccess::kReadOnly);
    ASSERT_TRUE(ro) << ro.error().message();
    EXPECT_EQ(ReadBack(**ro, old_id), "old bytes");
  }
  auto rw = server::OpenSqliteBackend(store, server::StoreAccess::kReadWrite);
  ASSERT_TRUE(rw) << rw.error().message();
  EXPECT_EQ(ReadBack(**rw, old_id), "old bytes");
  ASSERT_NO_FATAL_FAILURE(InsertNewBundle(**rw, new_id, "new bytes", "r"));
  EXPECT_EQ(ReadBack(**rw, new_id), "new bytes");
  EXPECT_TRUE(std::filesystem::exists(store / "segments" / "00000001.seg"));
  EXPECT_FALSE(std::filesystem::exists(store / "bundles" / (new_id + ".lrb")));
  rw->reset();
  auto again = server::OpenSqliteBackend(store, server::StoreAccess::kReadOnly);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(ReadBack(**again, old_id), "old bytes");
  EXPECT_EQ(ReadBack(**again, new_id), "new bytes");
  EXPECT_EQ((*again)->CountBundles().value(), 2u);
}

TEST(StoreMigration, SqliteVersion3SegmentRecordsStillRead) {
  testing::TempDir dir;
  const std::filesystem::path store = dir / "store";
  std::filesystem::create_directories(store / "segments");
  const std::string old_id(64, 'c'), unindexed_id(64, 'd'), new_id(64, 'e');
  auto v1_record = [](char id_byte, const std::string& bundle) {
    std::string out = "LSG1";
    for (int i = 0; i < 4; ++i) out += static_cast<char>((bundle.size() >> (8 * i)) & 0xff);
    return out + std::string(32, id_byte) + bundle;
  };
  // 0xcc and 0xdd: the ids' raw bytes.
  const std::string indexed = v1_record('\xcc', "v3 bytes");
  testing::WriteText(store / "segments" / "00000001.seg",
                     indexed + v1_record('\xdd', "never acknowledged"));
  ASSERT_NO_FATAL_FAILURE(WriteOldSqliteIndex(
      store / "index.db",
      ", pack_id TEXT NOT NULL DEFAULT '', segment INTEGER, segment_offset INTEGER", 3,
      std::string(kRowV1) + ", pack_id, segment, segment_offset) VALUES ('" + old_id +
          "', 'C', 'T-1', 'S', 'E', 'P-1', 1, 9, 'submitted', 1, 2, 8, 'r', 'p', 1, 0)"));
  {
    auto ro = server::OpenSqliteBackend(store, server::StoreAccess::kReadOnly);
    ASSERT_TRUE(ro) << ro.error().message();
    EXPECT_EQ(ReadBack(**ro, old_id), "v3 bytes");
  }
  {
    auto rw = server::OpenSqliteBackend(store, server::StoreAccess::kReadWrite);
    ASSERT_TRUE(rw) << rw.error().message();
    EXPECT_EQ(std::filesystem::file_size(store / "segments" / "00000001.seg"), indexed.size())
        << "the version 3 server's unacknowledged tail is cut";
    EXPECT_EQ(ReadBack(**rw, old_id), "v3 bytes");
    EXPECT_FALSE((*rw)->FindById(unindexed_id).value());
    ASSERT_NO_FATAL_FAILURE(InsertNewBundle(**rw, new_id, "v4 bytes", "r2"));
  }
  {  // Reopened: the mixed segment walks cleanly, nothing is cut or re-indexed.
    auto rw = server::OpenSqliteBackend(store, server::StoreAccess::kReadWrite);
    ASSERT_TRUE(rw) << rw.error().message();
    EXPECT_EQ((*rw)->CountBundles().value(), 2u);
  }
  auto again = server::OpenSqliteBackend(store, server::StoreAccess::kReadOnly);
  ASSERT_TRUE(again) << again.error().message();
  EXPECT_EQ(ReadBack(**again, old_id), "v3 bytes");
  EXPECT_EQ(ReadBack(**again, new_id), "v4 bytes");
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open((store / "index.db").c_str(), &raw), SQLITE_OK);
  vault::Database db(raw);
  auto version = db.Prepare("PRAGMA user_version");
  ASSERT_TRUE(version);
  ASSERT_TRUE(version->Step().value());
  EXPECT_EQ(version->ColumnInt(0), server::kSqliteSchemaVersion);
  EXPECT_EQ(server::kSqliteSchemaVersion, 5);
}

TEST(StoreMigration, PostgresVersion1IsUpgradedInPlace) {
  if (testing::PostgresServer::BinDir().empty()) {
    if (testing::PostgresRequired()) FAIL() << "PostgreSQL server binaries are not installed";
    GTEST_SKIP() << "PostgreSQL server binaries are not installed";
  }
  testing::PostgresServer pg;
  ASSERT_TRUE(pg.ok()) << pg.error();
  const std::string url = pg.CreateDatabase("migration");
  ASSERT_FALSE(url.empty()) << pg.error();
  {
    auto created = server::OpenPostgresBackend(url, server::StoreAccess::kReadWrite);
    ASSERT_TRUE(created) << created.error().message();
  }
  {  // Turn it back into a version 1 store with one row.
    pqxx::connection c(url);
    pqxx::work tx(c);
    tx.exec("ALTER TABLE bundles DROP COLUMN pack_id");
    tx.exec("UPDATE lontar_schema SET version = 1");
    tx.exec(std::string(kRowV1) +
            ", bundle) VALUES ('ab', 'C', 'T-1', 'S', 'E', 'P-1', 1, 9, 'submitted', 1, 2, 3, "
            "'r', '\\x00')");
    tx.commit();
  }
  auto ro = server::OpenPostgresBackend(url, server::StoreAccess::kReadOnly);
  ASSERT_FALSE(ro);
  EXPECT_NE(ro.error().message().find("start `lontar serve --db` on it once"), std::string::npos)
      << ro.error().message();
  auto rw = server::OpenPostgresBackend(url, server::StoreAccess::kReadWrite);
  ASSERT_TRUE(rw) << rw.error().message();
  CheckUpgraded(**rw);
  rw->reset();
  auto again = server::OpenPostgresBackend(url, server::StoreAccess::kReadOnly);
  ASSERT_TRUE(again) << again.error().message();
  CheckUpgraded(**again);
}

}  // namespace
}  // namespace lontar

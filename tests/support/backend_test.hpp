// A parameterised test over one store backend opened fresh for each test: SQLite in a temporary
// directory, or a database on a throwaway PostgreSQL server (LONTAR_START_POSTGRES: skipped
// where its binaries are missing, failed in CI).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "core/server/store_backend.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::testing {

class BackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::kPostgres) LONTAR_START_POSTGRES(pg_, url_, "lontar");
    auto b = GetParam() == Backend::kSqlite ? server::OpenSqliteBackend(dir_ / "store")
                                            : server::OpenPostgresBackend(url_);
    ASSERT_TRUE(b) << b.error().message();
    backend_ = std::move(*b);
  }

  TempDir dir_;
  std::unique_ptr<PostgresServer> pg_;
  std::string url_;
  std::unique_ptr<server::StoreBackend> backend_;
};

}  // namespace lontar::testing

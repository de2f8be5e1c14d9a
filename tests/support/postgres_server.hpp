// A throwaway PostgreSQL for tests and benchmarks: initdb into a fresh temporary directory,
// `postgres` listening only on a unix socket in that directory (no TCP port, so parallel tests
// cannot collide), trust authentication for that socket, stopped and removed at the end.
//
// Debian's `postgresql` package puts the server binaries in /usr/lib/postgresql/<major>/bin.
// PostgreSQL refuses to run as root; when this process is root (CI), initdb and the server run
// as the `postgres` system user (created by the package), else `nobody`, through runuser, in a
// directory chown'd to that user.
#pragma once

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace lontar::testing {

class PostgresServer {
 public:
  struct Options {
    // fsync and full_page_writes on (for benchmarks that report durable figures). Off for tests:
    // they check behaviour, not power cuts, and it saves seconds per test.
    bool durable = false;
  };

  // The directory holding initdb, pg_ctl and postgres (the newest installed major version), or
  // empty when none is installed.
  static std::filesystem::path BinDir();

  // Starts a server; ok() says whether it came up, error() why not. Takes about a second.
  explicit PostgresServer(Options options);
  PostgresServer() : PostgresServer(Options{}) {}
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;
  // Stops the server (immediate shutdown) and removes its directory.
  ~PostgresServer();

  bool ok() const { return started_; }
  // Stops the server (immediate shutdown: every connection to it dropped, as by a crash) and
  // starts it again on the same socket and data. False, with error() set, if it did not come
  // back.
  bool Restart();
  const std::string& error() const { return error_; }

  // Creates database `name` and returns its URL (postgresql:///NAME?host=SOCKETDIR&user=lontar),
  // or an empty string with error() set.
  std::string CreateDatabase(const std::string& name);
  std::string Url(const std::string& database) const;

 private:
  std::filesystem::path bin_, dir_;
  std::string run_as_;  // empty: as this process's user
  std::string error_;
  bool started_ = false;
  std::string server_options_;  // what pg_ctl start gives the server (-o)
  // Runs pg_ctl on this server's data directory: `what` ends with the mode (start, stop).
  bool PgCtl(const std::vector<std::string>& what);
};

// Whether tests that need PostgreSQL must fail (CI=true) rather than skip when its binaries are
// missing.
bool PostgresRequired();

// In a test body or SetUp: starts a PostgreSQL server into `pg` (a
// std::unique_ptr<PostgresServer>) and makes the database `name` on it, its URL into `url`. Where
// Debian's PostgreSQL binaries are missing the test fails under PostgresRequired() (CI) and is
// skipped elsewhere; a server that does not start or a database that cannot be made fails it.
#define LONTAR_START_POSTGRES(pg, url, name)                                           \
  do {                                                                                 \
    if (::lontar::testing::PostgresServer::BinDir().empty()) {                         \
      const char* why =                                                                \
          "PostgreSQL binaries missing (/usr/lib/postgresql/*/bin): install Debian's " \
          "`postgresql` package (.ci/install-deps)";                                   \
      if (::lontar::testing::PostgresRequired()) FAIL() << why;                        \
      GTEST_SKIP() << why;                                                             \
    }                                                                                  \
    (pg) = std::make_unique<::lontar::testing::PostgresServer>();                      \
    ASSERT_TRUE((pg)->ok()) << (pg)->error();                                          \
    (url) = (pg)->CreateDatabase(name);                                                \
    ASSERT_FALSE((url).empty()) << (pg)->error();                                      \
  } while (0)

// The two store backends a parameterised server test runs against; named in test names.
enum class Backend { kSqlite, kPostgres };
inline void PrintTo(Backend b, std::ostream* os) {
  *os << (b == Backend::kSqlite ? "sqlite" : "postgres");
}

}  // namespace lontar::testing

// A throwaway PostgreSQL server for tests and benchmarks (see postgres_server.hpp).
#include "tests/support/postgres_server.hpp"

#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "tests/support/test_support.hpp"

namespace lontar::testing {
namespace {

constexpr char kUser[] = "lontar";  // the database superuser initdb creates

std::string RunAsUser() {
  if (::geteuid() != 0) return "";
  for (const char* name : {"postgres", "nobody"}) {
    if (::getpwnam(name) != nullptr) return name;
  }
  return "nobody";
}

}  // namespace

std::filesystem::path PostgresServer::BinDir() {
  std::vector<std::filesystem::path> found;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    if (std::filesystem::exists(e.path() / "bin" / "postgres") &&
        std::filesystem::exists(e.path() / "bin" / "initdb")) {
      found.push_back(e.path() / "bin");
    }
  }
  if (found.empty()) return {};
  // Major versions as directory names: the longest, then the greatest, is the newest.
  std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) {
    const std::string x = a.parent_path().filename(), y = b.parent_path().filename();
    return x.size() != y.size() ? x.size() < y.size() : x < y;
  });
  return found.back();
}

PostgresServer::PostgresServer(Options options) : bin_(BinDir()), run_as_(RunAsUser()) {
  if (bin_.empty()) {
    error_ =
        "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin (install Debian's "
        "`postgresql` package: .ci/install-deps)";
    return;
  }
  const char* base = std::getenv("TMPDIR");
  // Its own directory, not inside a test's TempDir: that one is 0700 root and the server's user
  // could not reach the socket. Short, because a unix socket path has at most 107 bytes.
  std::string tmpl =
      std::string(base && *base ? base : "/tmp") + "/lontar-pg-" + std::string(6, 'X');
  if (::mkdtemp(tmpl.data()) == nullptr) {
    error_ = "mkdtemp " + tmpl + " failed";
    return;
  }
  dir_ = tmpl;
  auto as_user = [&](const std::string& program, std::vector<std::string> args) {
    if (run_as_.empty()) return RunProgram((bin_ / program).string(), args);
    args.insert(args.begin(), {"-u", run_as_, "--", (bin_ / program).string()});
    return RunProgram("/sbin/runuser", args);
  };
  if (!run_as_.empty()) {
    const passwd* pw = ::getpwnam(run_as_.c_str());
    if (pw == nullptr || ::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      error_ = "cannot hand " + dir_.string() + " to user " + run_as_;
      return;
    }
  }
  const std::string data = (dir_ / "data").string();
  auto init = as_user(
      "initdb", {"-D", data, "-A", "trust", "-U", kUser, "-E", "UTF8", "--locale=C", "--no-sync"});
  if (init.exit_code != 0) {
    error_ = "initdb failed: " + init.err + init.out;
    return;
  }
  std::string server_options =
      "-c listen_addresses='' -c unix_socket_directories=" + dir_.string() +
      " -c max_connections=40";
  if (!options.durable) server_options += " -c fsync=off -c full_page_writes=off";
  server_options_ = server_options;
  started_ = PgCtl({"start"});
}

bool PostgresServer::PgCtl(const std::vector<std::string>& what) {
  std::vector<std::string> args = {"-D", (dir_ / "data").string(), "-w", "-t", "60"};
  if (what.back() == "start") {
    args.insert(args.end(), {"-l", (dir_ / "server.log").string(), "-o", server_options_});
  }
  args.insert(args.end(), what.begin(), what.end());
  if (!run_as_.empty()) {
    args.insert(args.begin(), {"-u", run_as_, "--", (bin_ / "pg_ctl").string()});
  }
  auto r = run_as_.empty() ? RunProgram((bin_ / "pg_ctl").string(), args)
                           : RunProgram("/sbin/runuser", args);
  if (r.exit_code != 0) {
    error_ = "pg_ctl " + what.back() + " failed: " + r.err + r.out + ReadText(dir_ / "server.log");
    return false;
  }
  return true;
}

bool PostgresServer::Restart() {
  if (!started_) return false;
  started_ = PgCtl({"-m", "immediate", "stop"}) && PgCtl({"start"});
  return started_;
}

PostgresServer::~PostgresServer() {
  if (started_) PgCtl({"-m", "immediate", "stop"});
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string PostgresServer::Url(const std::string& database) const {
  return "postgresql:///" + database + "?host=" + dir_.string() + "&user=" + kUser;
}

std::string PostgresServer::CreateDatabase(const std::string& name) {
  if (!started_) return "";
  auto r = RunProgram((bin_ / "createdb").string(), {"-h", dir_.string(), "-U", kUser, name});
  if (r.exit_code != 0) {
    error_ = "createdb " + name + " failed: " + r.err;
    return "";
  }
  return Url(name);
}

bool PostgresRequired() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string(ci) == "true";
}

}  // namespace lontar::testing

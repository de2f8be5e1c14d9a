#include "tests/support/test_support.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/support/pack_build.hpp"

extern char** environ;

namespace lontar::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  // mkstemp-style template: six trailing X characters become a unique suffix.
  std::string tmpl =
      std::string(base && *base ? base : "/tmp") + "/lontar-test-" + std::string(6, 'X');
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::add, ec);
  std::filesystem::remove_all(path_, ec);
}

CommandResult RunProgram(const std::string& program, const std::vector<std::string>& args,
                         const std::vector<std::string>& extra_env,
                         const std::filesystem::path& stdin_file) {
  // A bare name is one of our binaries; a path (e.g. /usr/bin/minisign) is used as given.
  const std::string exe = program.find('/') == std::string::npos
                              ? std::string(LONTAR_BIN_DIR) + "/" + program
                              : program;
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe failed");
  }
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  for (const auto& e : extra_env) env.push_back(e);
  std::vector<char*> argv{const_cast<char*>(exe.c_str())};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    int devnull = ::open(stdin_file.empty() ? "/dev/null" : stdin_file.c_str(), O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::execve(exe.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  CommandResult result;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[4096];
  while (open_fds > 0) {
    if (::poll(fds, 2, -1) < 0) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? result.out : result.err).append(buf, static_cast<size_t>(n));
      }
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

namespace {

CommandResult ExpectSuccess(const CommandResult& r) {
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r;
}

}  // namespace

void MakeMiniPackWithCli(const std::filesystem::path& dir, const std::vector<std::string>& homes,
                         const std::filesystem::path& source) {
  const auto p = [&](const std::string& name) { return (dir / name).string(); };
  const auto ok = ExpectSuccess;
  ok(RunLontar({"keys", "new", "authority", "--out", p("keys")}));
  ok(RunLontar({"keys", "new", "results", "--out", p("keys")}));
  PackBuildArgs build = MiniCodesPackBuild(dir / "keys", dir / "exam.lpk", {}, source);
  for (const std::string& home : homes) {
    ok(RunLontar({"terminal", "init", "--home", p(home), "--site", "SITE-01", "--trust",
                  p("keys/authority.pub")}));
    ok(RunLontar({"terminal", "enrollment", "--home", p(home), "--out", p(home + ".enroll")}));
    build.enrollments.push_back(p(home + ".enroll"));
  }
  ok(RunLontar(PackBuildCommand(build)));
}

std::string MakeMiniSessionWithCli(const std::filesystem::path& dir,
                                   const std::vector<std::string>& homes) {
  const std::string fixtures = std::string(LONTAR_SOURCE_DIR) + "/tests/fixtures";
  const auto p = [&](const std::string& name) { return (dir / name).string(); };
  const auto ok = ExpectSuccess;
  MakeMiniPackWithCli(dir, homes);
  std::string token;
  for (const std::string& home : homes) {
    ok(RunLontar({"terminal", "load", "--home", p(home), p("exam.lpk")}));
    ok(RunLontar({"session", "release", "--home", p(home), "--code-file",
                  fixtures + "/mini-release-code.txt"}));
    const CommandResult open =
        ok(RunLontar({"session", "open", "--home", p(home), "--proctor-code-file",
                      fixtures + "/mini-proctor-code.txt"}));
    const std::string this_token = open.out.substr(0, open.out.find('\n'));
    if (!token.empty()) {
      EXPECT_EQ(this_token, token) << "one token for the room";
    }
    token = this_token;
  }
  return token;
}

std::filesystem::path WritePlainRoster(const std::filesystem::path& dir) {
  const std::string skd =
      ReadText(std::filesystem::path(LONTAR_SOURCE_DIR) / "assets/demo/skd/roster.csv");
  std::size_t end = 0;
  for (int line = 0; line < 3; ++line) end = skd.find('\n', end) + 1;
  WriteText(dir / "plain-roster.csv", skd.substr(0, end));
  return dir / "plain-roster.csv";
}

}  // namespace lontar::testing

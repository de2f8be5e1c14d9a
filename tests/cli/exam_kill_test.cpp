// SIGKILLs `lontar exam run` at random points of a scripted sitting of the mini exam, then resumes
// the script from the first line it had not acknowledged (`--from-line`). Every round must end
// with exactly the answers of an uninterrupted run, the state right after the kill must hold
// every acknowledged line, and the time left must be within the checkpoint interval of the
// uninterrupted run's. Rounds: 100, or LONTAR_EXAM_KILL_ROUNDS.
//
// A round spends most of its time waiting, not computing: a sitting's 71 fdatasyncs (3.6 ms each
// here) and four process starts; 0.3 CPU s of a round's 2 s (6 Dec 2026, load 7.6). So the rounds,
// each in a home of its own, are played kKillWorkers at a time; which rounds are played (kill
// point and delay, drawn in order from one fixed seed) and what each checks are the same as one
// after the other. 30 rounds took 46-53 s one after the other and 25-30 s four at a time, the same
// 12-13 CPU s (6 Dec 2026, load 7-9 on 2 cores).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using Json = nlohmann::json;
using Answers = std::map<std::string, std::vector<std::string>>;
using testing::RunLontar;
using testing::TempDir;
namespace fs = std::filesystem;

constexpr int kWaitSeconds = 2;  // each simulated wait; at most one may be charged twice
constexpr int kKillWorkers = 4;  // rounds played at once (see the top of this file)

int Rounds() {
  const char* env = std::getenv("LONTAR_EXAM_KILL_ROUNDS");
  const int rounds = env != nullptr ? std::atoi(env) : 0;
  return rounds > 0 ? rounds : 100;
}

// The script: answers changed back and forth, flags, waits, both sections, then submit. Line n of
// the file is script[n - 1].
std::vector<Json> Script() {
  std::vector<Json> s;
  const char* options[] = {"A", "B"};  // every mini item has at least these
  for (int i = 0; i < 12; ++i) {
    const std::string item = i % 2 ? "tiu-02" : "tiu-01";
    s.push_back({{"cmd", "answer"},
                 {"item", item},
                 {"option", options[i % 2 == 0 ? (i / 2) % 2 : (i / 2 + 1) % 2]}});
    s.push_back({{"cmd", i % 3 ? "flag" : "unflag"}, {"item", item}});
    s.push_back({{"cmd", "wait"}, {"seconds", kWaitSeconds}});
    if (i == 7) s.push_back({{"cmd", "clear"}, {"item", "tiu-02"}});
  }
  s.push_back({{"cmd", "next-section"}});
  for (int i = 0; i < 12; ++i) {
    const std::string item = i % 2 ? "tkp-02" : "tkp-01";
    s.push_back({{"cmd", "answer"}, {"item", item}, {"option", options[(i / 2) % 2]}});
    s.push_back({{"cmd", "wait"}, {"seconds", kWaitSeconds}});
  }
  s.push_back({{"cmd", "submit"}});
  return s;
}

// The answers after script lines 1..n.
Answers AnswersAfter(const std::vector<Json>& script, std::size_t n) {
  Answers a;
  for (std::size_t i = 0; i < n && i < script.size(); ++i) {
    const Json& line = script[i];
    if (line["cmd"] == "answer") a[line["item"]] = {line["option"].get<std::string>()};
    if (line["cmd"] == "clear") a.erase(line["item"].get<std::string>());
  }
  return a;
}

struct Killed {
  int last_done = 0;  // the last line acknowledged as durable (0: none)
  bool exited = false;
};

// Where a round kills: after acknowledging line `kill_after` (0: at any moment of start-up and
// login), `delay_us` later.
struct KillPoint {
  int kill_after = 0;
  int delay_us = 0;
};

class ExamKillTest : public ::testing::Test {
 protected:
  void SetUp() override {
    token_ = testing::MakeMiniSessionWithCli(dir_.path(), {"template"});
    testing::WriteText(dir_ / "pin", "111111\n");
    std::string text;
    for (const Json& line : script_) text += line.dump() + "\n";
    testing::WriteText(dir_ / "script.jsonl", text);
  }
  std::string P(const std::string& name) { return (dir_ / name).string(); }
  std::vector<std::string> RunArgs(const std::string& home, int from_line) {
    return {"exam",       "run",           "--home",
            home,         "--participant", "TEST-0001",
            "--pin-file", P("pin"),        "--token",
            token_,       "--script",      P("script.jsonl"),
            "--progress", "--from-line",   std::to_string(from_line),
            "--json"};
  }
  Json Show(const std::string& home) {
    auto r = RunLontar({"exam", "show", "--home", home, "--participant", "TEST-0001", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return Json::parse(r.out, nullptr, false);
  }
  // Runs `lontar exam run` and SIGKILLs it `delay_us` after it acknowledged line `after_line`
  // (0: after starting), unless it finished first.
  Killed RunAndKill(const std::string& home, int after_line, int delay_us) {
    // Rounds run in threads: the pipe is close-on-exec so that another round's child does not
    // hold its write end open, and the child only calls what is safe after a fork.
    int fds[2];
    EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
    std::vector<std::string> args = RunArgs(home, 1);
    args.insert(args.begin(), std::string(LONTAR_BIN_DIR) + "/lontar");
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(fds[1], 1);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(fds[1]);
    Killed k;
    std::string out;
    auto scan = [&] {
      std::istringstream lines(out);
      for (std::string line; std::getline(lines, line);) {
        if (line.rfind("done ", 0) == 0) k.last_done = std::stoi(line.substr(5));
      }
    };
    char buf[4096];
    bool killed = false;
    if (after_line == 0) {
      ::usleep(static_cast<useconds_t>(delay_us));
      ::kill(pid, SIGKILL);
      killed = true;
    }
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) {
      out.append(buf, static_cast<std::size_t>(n));
      scan();
      if (!killed && k.last_done >= after_line) {
        ::usleep(static_cast<useconds_t>(delay_us));
        ::kill(pid, SIGKILL);
        killed = true;
      }
    }
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    k.exited = WIFEXITED(status);
    EXPECT_TRUE(k.exited ? WEXITSTATUS(status) == 0 : WTERMSIG(status) == SIGKILL)
        << "exam run failed on its own";
    scan();
    return k;
  }

  // One round in its own home, a copy of the template: kill, check what is on disk, resume,
  // check the end. `played` is set when every check held; `mid_script` when the kill fell between
  // the first and the last line.
  void PlayRound(const std::string& home, const KillPoint& at, int ref_remaining, bool& played,
                 bool& mid_script) {
    fs::remove_all(home);
    fs::copy(P("template"), home, fs::copy_options::recursive);
    const Killed k = RunAndKill(home, at.kill_after, at.delay_us);
    const int n = static_cast<int>(script_.size());
    mid_script = k.last_done > 0 && k.last_done < n;
    // Right after the kill: everything acknowledged is there (the line in flight may be too).
    const Json after = Show(home);
    if (after["phase"] != "not-started") {
      const Answers now = after["answers"].get<Answers>();
      const std::size_t done = static_cast<std::size_t>(k.last_done);
      ASSERT_TRUE(now == AnswersAfter(script_, done) || now == AnswersAfter(script_, done + 1))
          << "after line " << k.last_done << " the journal holds " << after["answers"].dump();
    }
    if (after["phase"] != "submitted") {
      auto resumed = RunLontar(RunArgs(home, k.last_done + 1));
      ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    }
    const Json final_state = Show(home);
    ASSERT_EQ(final_state["phase"], "submitted");
    ASSERT_EQ(final_state["answers"].get<Answers>(), AnswersAfter(script_, script_.size()));
    const int remaining = final_state["remaining_seconds"];
    ASSERT_LE(remaining, ref_remaining + 1);
    ASSERT_GE(remaining, ref_remaining - 5) << "more than the checkpoint interval was lost";
    played = true;
  }

  TempDir dir_;
  std::string token_;
  const std::vector<Json> script_ = Script();
};

TEST_F(ExamKillTest, ResumingAfterSigkillGivesTheSameAnswersAndTime) {
  // The uninterrupted run, and how long it takes (the kills land inside that span).
  fs::copy(P("template"), P("reference"), fs::copy_options::recursive);
  const auto start = std::chrono::steady_clock::now();
  auto reference = RunLontar(RunArgs(P("reference"), 1));
  const auto span_us = std::chrono::duration_cast<std::chrono::microseconds>(
                           std::chrono::steady_clock::now() - start)
                           .count();
  ASSERT_EQ(reference.exit_code, 0) << reference.err;
  EXPECT_EQ(reference.err, "") << "the script must run without refusals";
  const Json ref = Show(P("reference"));
  ASSERT_EQ(ref["phase"], "submitted");
  const Answers expected = AnswersAfter(script_, script_.size());
  ASSERT_EQ(ref["answers"].get<Answers>(), expected);
  const int ref_remaining = ref["remaining_seconds"];

  std::mt19937 rng(20261123);  // fixed seed: a failure replays the same schedule
  std::uniform_int_distribution<int> line(0, static_cast<int>(script_.size()));
  std::uniform_int_distribution<long> startup_delay(0, span_us);
  std::uniform_int_distribution<int> line_delay(0, 2000);  // inside the next line's commit
  const int rounds = Rounds();
  std::vector<KillPoint> schedule;
  for (int round = 0; round < rounds; ++round) {
    // One round in five kills at any moment (start-up, login); the rest after a random line.
    KillPoint at;
    at.kill_after = round % 5 == 0 ? 0 : line(rng);
    at.delay_us = at.kill_after == 0 ? static_cast<int>(startup_delay(rng)) : line_delay(rng);
    schedule.push_back(at);
  }
  // Each worker takes the next round not yet played, until all are or one has failed.
  std::atomic<int> next_round = 0;
  std::atomic<int> mid_script = 0, played_rounds = 0;
  std::atomic<bool> failed = false;
  auto work = [&](int worker) {
    const std::string home = P("round-" + std::to_string(worker));
    for (int round; !failed && (round = next_round++) < rounds;) {
      SCOPED_TRACE("round " + std::to_string(round));
      bool played = false, mid = false;
      try {
        PlayRound(home, schedule[static_cast<std::size_t>(round)], ref_remaining, played, mid);
      } catch (const std::exception& e) {
        ADD_FAILURE() << e.what();
      }
      if (mid) ++mid_script;
      if (played) ++played_rounds;
      if (!played) failed = true;
    }
  };
  std::vector<std::thread> workers;
  for (int worker = 0; worker < kKillWorkers; ++worker) workers.emplace_back(work, worker);
  for (std::thread& t : workers) t.join();
  std::cout << "[ exam kill test ] " << played_rounds << " of " << rounds << " rounds passed, "
            << mid_script << " killed between the first and last line; uninterrupted run "
            << span_us / 1000 << " ms\n";
}

}  // namespace
}  // namespace lontar

// The exam engine's two costs a candidate can feel:
//  1. Command latency: from a command (an answer) to its events durable in the journal and the
//     new view returned, against the floor the disk sets (200 bytes appended to a plain file and
//     fdatasync'ed), alternating one of each in the same directory, as journal_bench does.
//  2. Resume: opening the engine replays the journal. A 3-hour sitting with a checkpoint every
//     5 seconds and two commands between checkpoints (over 6,000 events), replayed by
//     Engine::Open, against just reading the same records from the vault.
//
//   lontar_engine_bench [--dir DIR] [--n N] [--smoke]
//
// Prints p50/p99 and ratios. A benchmark, not a test: it asserts nothing about speed.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/exam/engine.hpp"
#include "tests/support/exam_terminals.hpp"
#include "tests/support/test_support.hpp"

namespace {

using Steady = std::chrono::steady_clock;
using lontar::exam::Answer;
using lontar::exam::Engine;

double Us(Steady::time_point a, Steady::time_point b) {
  return std::chrono::duration<double, std::micro>(b - a).count();
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

// One terminal under `dir` with the mini exam made 600 minutes long (no section limits), so that
// neither benchmark's sitting runs out of time.
std::vector<lontar::terminal::Terminal> LongExamTerminal(const std::filesystem::path& dir,
                                                         const lontar::Clock& clock) {
  return lontar::testing::MakeExamTerminals(
      dir, clock,
      {.terminals = 1, .charge_downtime = false, .release = true, .duration_minutes = 600});
}

int Latency(const std::filesystem::path& dir, int n) {
  lontar::SystemClock clock;
  auto terminals = LongExamTerminal(dir / "latency", clock);
  if (terminals.empty()) return 1;
  auto engine = Engine::Open(terminals[0], clock);
  if (!engine || !engine->Execute("TEST-0001", lontar::exam::Start{"TEST-0001", 1})) return 1;
  const std::string raw_path = (dir / "raw.log").string();
  const int fd = ::open(raw_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  if (fd < 0) return 1;
  const std::string line(199, 'x');
  std::vector<double> raw, cmd;
  for (int i = 0; i < n; ++i) {
    auto t0 = Steady::now();
    if (::write(fd, (line + "\n").data(), 200) != 200 || ::fdatasync(fd) != 0) return 1;
    auto t1 = Steady::now();
    auto s =
        engine->Execute("TEST-0001", Answer{i % 2 ? "tiu-01" : "tiu-02", {i % 4 < 2 ? "A" : "B"}});
    auto t2 = Steady::now();
    if (!s) {
      std::fprintf(stderr, "%s\n", s.error().message().c_str());
      return 1;
    }
    raw.push_back(Us(t0, t1));
    cmd.push_back(Us(t1, t2));
  }
  ::close(fd);
  const double rp50 = Percentile(raw, 0.5), rp99 = Percentile(raw, 0.99);
  const double cp50 = Percentile(cmd, 0.5), cp99 = Percentile(cmd, 0.99);
  std::printf("command latency, %d each, alternating\n", n);
  std::printf("  raw 200 B append + fdatasync  p50 %8.1f us  p99 %8.1f us\n", rp50, rp99);
  std::printf("  answer -> durable -> view     p50 %8.1f us  p99 %8.1f us\n", cp50, cp99);
  std::printf("  ratio                         p50 %8.2f     p99 %8.2f\n", cp50 / rp50,
              cp99 / rp99);
  return 0;
}

int Replay(const std::filesystem::path& dir, int hours_x12) {
  lontar::ManualClock clock;
  clock.SetWallMs(1'795'478'400'000);
  auto terminals = LongExamTerminal(dir / "replay", clock);
  if (terminals.empty()) return 1;
  {
    auto engine = Engine::Open(terminals[0], clock);
    if (!engine || !engine->Execute("TEST-0001", lontar::exam::Start{"TEST-0001", 1})) return 1;
    const char* items[] = {"tiu-01", "tiu-02"};
    for (int i = 0; i < hours_x12 * 60; ++i) {  // 5-second intervals
      clock.Advance(5'000'000'000);
      if (!engine->Checkpoint()) return 1;
      if (!engine->Execute("TEST-0001", Answer{items[i % 2], {i % 4 < 2 ? "A" : "B"}})) return 1;
      if (!engine->Execute("TEST-0001", lontar::exam::Flag{items[(i + 1) % 2], i % 3 == 0})) {
        return 1;
      }
    }
  }
  const std::uint64_t records = terminals[0].journal().head().seq;
  std::vector<double> open_ms, read_ms;
  for (int round = 0; round < 7; ++round) {
    auto t0 = Steady::now();
    auto engine = Engine::Open(terminals[0], clock);
    auto t1 = Steady::now();
    if (!engine) return 1;
    std::size_t n = 0;
    for (std::uint64_t from = 1;;) {
      auto batch = terminals[0].journal().Read(from, 1000);
      if (!batch || batch->empty()) break;
      n += batch->size();
      from = batch->back().seq + 1;
    }
    auto t2 = Steady::now();
    if (n != records) return 1;
    open_ms.push_back(Us(t0, t1) / 1000);
    read_ms.push_back(Us(t1, t2) / 1000);
  }
  const double open = Percentile(open_ms, 0.5), read = Percentile(read_ms, 0.5);
  std::printf("resume: %.1f-hour sitting, %llu journal records, median of 7\n", hours_x12 / 12.0,
              static_cast<unsigned long long>(records));
  std::printf("  read the records only         %8.1f ms\n", read);
  std::printf("  Engine::Open (replay + exam)  %8.1f ms   ratio %.2f\n", open, open / read);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int n = 2000;
  int hours_x12 = 36;  // 3 hours of 5-second intervals
  std::string dir_arg;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--smoke") == 0) {
      n = 40;
      hours_x12 = 1;
    }
    if (std::strcmp(argv[i], "--n") == 0 && i + 1 < argc) n = std::atoi(argv[++i]);
    if (std::strcmp(argv[i], "--dir") == 0 && i + 1 < argc) dir_arg = argv[++i];
  }
  if (!dir_arg.empty()) ::setenv("TMPDIR", dir_arg.c_str(), 1);
  lontar::testing::TempDir dir;
  if (Latency(dir.path(), n) != 0 || Replay(dir.path(), hours_x12) != 0) {
    std::fprintf(stderr, "engine bench failed\n");
    return 1;
  }
  return 0;
}

// Journal append latency against the floor the disk sets: appending 200 bytes to a plain file
// and fdatasync'ing it. Both run in one process, in the same directory (same file system),
// alternating one raw append and one journal append, so that drift in the machine and the cost
// of switching between files fall on both alike. (Blocks of 50 of each were tried first: the
// first append of each block paid for the switch, which put block boundaries into the p99.)
//
//   lontar_journal_bench [--dir DIR] [--n N] [--smoke] [--dump FILE.csv] [--sequential]
//
// --sequential runs all raw appends first, then all journal appends, as a cross-check of the
// alternating method (it is more exposed to drift, less to interference between the two).
//
// Prints p50/p99 of each and the ratio of the p99s (goal: journal p99 <= 1.3 x raw p99).
// A benchmark, not a test: it asserts nothing about speed.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/terminal/terminal.hpp"
#include "tests/support/test_support.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  int n = 2000;
  std::string dir_arg;
  std::string dump;
  bool sequential = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--smoke") == 0) n = 40;
    if (std::strcmp(argv[i], "--n") == 0 && i + 1 < argc) n = std::atoi(argv[++i]);
    if (std::strcmp(argv[i], "--dir") == 0 && i + 1 < argc) dir_arg = argv[++i];
    if (std::strcmp(argv[i], "--dump") == 0 && i + 1 < argc) dump = argv[++i];
    if (std::strcmp(argv[i], "--sequential") == 0) sequential = true;
  }
  if (!dir_arg.empty()) ::setenv("TMPDIR", dir_arg.c_str(), 1);
  lontar::testing::TempDir dir;

  lontar::SystemClock clock;
  auto authority = lontar::crypto::SigningKey::Generate();
  lontar::terminal::InitOptions init{.site = "BENCH", .name = "bench", .trusted = {}};
  init.trusted.push_back({authority->public_key(), "authority.pub"});
  auto terminal = lontar::terminal::Terminal::Init(dir / "home", init, clock);
  if (!terminal) {
    std::fprintf(stderr, "bench: %s\n", terminal.error().message().c_str());
    return 1;
  }
  const std::string raw_path = (dir / "raw.log").string();
  int fd = ::open(raw_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::perror("bench: open raw.log");
    return 1;
  }
  const std::string record(200, 'r');
  // A 200-byte journal record: type + JSON payload + the fixed fields come to about that.
  const std::string payload =
      "{\"item\":42,\"choice\":\"C\",\"flag\":false,\"pad\":\"" + std::string(120, 'p') + "\"}";

  std::vector<double> raw_us, journal_us;
  raw_us.reserve(static_cast<size_t>(n));
  journal_us.reserve(static_cast<size_t>(n));
  auto raw_append = [&]() -> bool {
    auto start = Clock::now();
    if (::write(fd, record.data(), record.size()) != static_cast<ssize_t>(record.size()) ||
        ::fdatasync(fd) != 0) {
      std::perror("bench: raw append");
      return false;
    }
    raw_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    return true;
  };
  auto journal_append = [&]() -> bool {
    auto start = Clock::now();
    auto head = terminal->journal().Append("exam.answered", payload);
    if (!head) {
      std::fprintf(stderr, "bench: %s\n", head.error().message().c_str());
      return false;
    }
    journal_us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
    return true;
  };
  if (sequential) {
    for (int i = 0; i < n; ++i) {
      if (!raw_append()) return 1;
    }
    for (int i = 0; i < n; ++i) {
      if (!journal_append()) return 1;
    }
  } else {
    for (int i = 0; i < n; ++i) {
      if (!raw_append() || !journal_append()) return 1;
    }
  }
  ::close(fd);
  if (!dump.empty()) {
    // One line per append, in order: for looking at where the tail comes from.
    if (FILE* f = std::fopen(dump.c_str(), "w")) {
      std::fprintf(f, "i,raw_us,journal_us\n");
      for (size_t i = 0; i < raw_us.size(); ++i) {
        std::fprintf(f, "%zu,%.1f,%.1f\n", i, raw_us[i], journal_us[i]);
      }
      std::fclose(f);
    }
  }

  const double raw50 = Percentile(raw_us, 0.50), raw99 = Percentile(raw_us, 0.99);
  const double j50 = Percentile(journal_us, 0.50), j99 = Percentile(journal_us, 0.99);
  std::printf("appends per kind      %d (%s)\n", n, sequential ? "sequential" : "alternating");
  std::printf("raw 200 B + fdatasync p50 %8.1f us   p99 %8.1f us\n", raw50, raw99);
  std::printf("journal append        p50 %8.1f us   p99 %8.1f us\n", j50, j99);
  std::printf("ratio journal/raw     p50 %8.2f      p99 %8.2f   (goal p99 <= 1.30)\n", j50 / raw50,
              j99 / raw99);
  return 0;
}

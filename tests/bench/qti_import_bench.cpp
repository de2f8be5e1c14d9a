// `lontar qti import` of a large package against `unzip -q` of the same zip to the same disk, in
// the same run, and the import's peak memory (each step in a child process so that its peak RSS
// is its own).
//
//   lontar_qti_import_bench [--items N] [--media-mb M] [--dir DIR] [--smoke]
//
// Defaults: 10,000 items and 200 MiB of images (synthetic, exported with `qti export`). Goals:
// import at least half as fast as unzip; peak RSS independent of the package's size (images are
// copied in 64 KiB pieces; items are parsed one at a time). Asserts nothing.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>

#include "core/authoring/synth.hpp"
#include "core/interop/qti_export.hpp"
#include "core/interop/qti_import.hpp"
#include "tests/support/test_support.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Run {
  double seconds = 0;
  double cpu_seconds = 0;  // user + system, the child's and its reaped descendants'
  long max_rss_kib = 0;
  bool ok = false;
};

Run InChild(const std::function<bool()>& work) {
  ::sync();
  const auto start = Clock::now();
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(work() ? 0 : 1);
  int status = 0;
  rusage usage{};
  ::wait4(pid, &status, 0, &usage);
  Run r;
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  r.max_rss_kib = usage.ru_maxrss;
  auto secs = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  r.cpu_seconds = secs(usage.ru_utime) + secs(usage.ru_stime);
  r.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace lontar;
  std::uint64_t items = 10000, media_mb = 200;
  std::string dir_arg;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--smoke") == 0) items = 50, media_mb = 2;
    if (std::strcmp(argv[i], "--items") == 0 && i + 1 < argc)
      items = std::strtoull(argv[++i], nullptr, 10);
    if (std::strcmp(argv[i], "--media-mb") == 0 && i + 1 < argc)
      media_mb = std::strtoull(argv[++i], nullptr, 10);
    if (std::strcmp(argv[i], "--dir") == 0 && i + 1 < argc) dir_arg = argv[++i];
  }
  if (!dir_arg.empty()) ::setenv("TMPDIR", dir_arg.c_str(), 1);
  testing::TempDir dir;
  authoring::SynthOptions synth{items, media_mb << 20, 2, 7};
  if (auto st = authoring::WriteSynthSource(dir / "src", synth); !st) {
    std::fprintf(stderr, "bench: %s\n", st.error().message().c_str());
    return 1;
  }
  if (auto r = interop::ExportQti(dir / "src", dir / "bank.zip"); !r) {
    std::fprintf(stderr, "bench: %s\n", r.error().message().c_str());
    return 1;
  }
  const auto zip_bytes = std::filesystem::file_size(dir / "bank.zip");
  const std::string unzip =
      "unzip -q " + (dir / "bank.zip").string() + " -d " + (dir / "unzipped").string() + " && sync";
  const Run unzipped = InChild([&] { return std::system(unzip.c_str()) == 0; });
  const Run imported = InChild([&] {
    auto r = interop::ImportQti(dir / "bank.zip", dir / "imported", {});
    if (!r) std::fprintf(stderr, "import: %s\n", r.error().message().c_str());
    return r.has_value();
  });
  std::printf("package: %llu items, %llu MiB of images, %.1f MiB zipped\n",
              static_cast<unsigned long long>(items), static_cast<unsigned long long>(media_mb),
              static_cast<double>(zip_bytes) / (1 << 20));
  std::printf("unzip -q:   %6.2f s wall, %5.2f s CPU%s\n", unzipped.seconds, unzipped.cpu_seconds,
              unzipped.ok ? "" : " (FAILED)");
  std::printf("qti import: %6.2f s wall, %5.2f s CPU%s, peak RSS %.1f MiB\n", imported.seconds,
              imported.cpu_seconds, imported.ok ? "" : " (FAILED)",
              static_cast<double>(imported.max_rss_kib) / 1024);
  // On a machine other work also loads, wall time is mostly waiting for a core; the CPU ratio
  // is the one that carries over to an idle terminal or laptop.
  std::printf("import speed / unzip speed: %.2f wall, %.2f CPU (goal >= 0.5)\n",
              imported.seconds > 0 ? unzipped.seconds / imported.seconds : 0.0,
              imported.cpu_seconds > 0 ? unzipped.cpu_seconds / imported.cpu_seconds : 0.0);
  return unzipped.ok && imported.ok ? 0 : 1;
}

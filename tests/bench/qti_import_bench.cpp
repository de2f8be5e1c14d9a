// `lontar qti import` of large packages against `unzip -q` of the same zip to the same disk, in
// the same run, and the import's peak memory at each size (each step in a child process so that
// its peak RSS is its own).
//
//   lontar_qti_import_bench [--sizes N,N,...] [--media-mb M] [--keep DIR] [--dir DIR] [--smoke]
//
// Defaults: 1,000, 3,000 and 10,000 items, with 200 MiB of images at 10,000 items and the same
// 20 KiB of image a item at every size (synthetic, exported with `qti export`). `--keep DIR`
// keeps the packages as DIR/qti-N.zip and reuses them in later runs (making the 10,000-item one
// takes longer than importing it). Goals: import at least half as fast as unzip, in wall time and
// in CPU time; peak RSS the same at every size. Asserts nothing.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "core/authoring/synth.hpp"
#include "core/interop/qti_export.hpp"
#include "core/interop/qti_import.hpp"
#include "tests/support/child_run.hpp"
#include "tests/support/test_support.hpp"

namespace {

namespace fs = std::filesystem;

std::string LoadAverage() {
  double load[3] = {};
  if (::getloadavg(load, 3) != 3) return "unknown";
  char text[64];
  std::snprintf(text, sizeof text, "%.2f %.2f %.2f", load[0], load[1], load[2]);
  return text;
}

// The package of `items` items and `media_bytes` of images at `zip`, made unless it exists.
bool EnsurePackage(const fs::path& zip, std::uint64_t items, std::uint64_t media_bytes,
                   const fs::path& scratch) {
  using namespace lontar;
  if (fs::exists(zip)) return true;
  const fs::path src = scratch / ("src-" + std::to_string(items));
  authoring::SynthOptions synth{items, media_bytes, 2, 7};
  if (auto st = authoring::WriteSynthSource(src, synth); !st) {
    std::fprintf(stderr, "bench: %s\n", st.error().message().c_str());
    return false;
  }
  const fs::path partial = zip.string() + ".partial";
  fs::remove(partial);
  if (auto r = interop::ExportQti(src, partial); !r) {
    std::fprintf(stderr, "bench: %s\n", r.error().message().c_str());
    return false;
  }
  fs::rename(partial, zip);
  fs::remove_all(src);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace lontar;
  std::vector<std::uint64_t> sizes = {1000, 3000, 10000};
  std::uint64_t media_mb = 200;  // at 10,000 items; scaled with the item count
  std::string dir_arg, keep;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--smoke") == 0) sizes = {50}, media_mb = 40;
    if (std::strcmp(argv[i], "--sizes") == 0 && i + 1 < argc) {
      sizes.clear();
      for (char* p = argv[++i]; *p != '\0';) {
        sizes.push_back(std::strtoull(p, &p, 10));
        if (*p == ',') ++p;
      }
    }
    if (std::strcmp(argv[i], "--media-mb") == 0 && i + 1 < argc)
      media_mb = std::strtoull(argv[++i], nullptr, 10);
    if (std::strcmp(argv[i], "--dir") == 0 && i + 1 < argc) dir_arg = argv[++i];
    if (std::strcmp(argv[i], "--keep") == 0 && i + 1 < argc) keep = argv[++i];
  }
  if (!dir_arg.empty()) ::setenv("TMPDIR", dir_arg.c_str(), 1);
  testing::TempDir dir;
  const fs::path packages = keep.empty() ? dir.path() : fs::path(keep);
  fs::create_directories(packages);

  std::printf("load average before: %s (this machine's 2 cores are shared)\n",
              LoadAverage().c_str());
  std::printf("%7s %9s %9s | %-18s | %-18s %9s | %-17s\n", "items", "images", "zip",
              "unzip -q wall/CPU", "qti import wall/CPU", "peak RSS", "speed vs unzip");
  bool all_ok = true;
  for (const std::uint64_t items : sizes) {
    const std::uint64_t media_bytes = (media_mb << 20) * items / 10000;
    const fs::path zip = packages / ("qti-" + std::to_string(items) + ".zip");
    if (!EnsurePackage(zip, items, media_bytes, dir.path())) return 1;
    const fs::path unzipped = dir.path() / "unzipped", imported = dir.path() / "imported";
    const std::string unzip = "unzip -q " + zip.string() + " -d " + unzipped.string() + " && sync";
    const lontar::testing::ChildRun u =
        lontar::testing::RunInChild([&] { return std::system(unzip.c_str()) == 0; });
    const lontar::testing::ChildRun q = lontar::testing::RunInChild([&] {
      auto r = interop::ImportQti(zip, imported, {});
      if (!r) std::fprintf(stderr, "import: %s\n", r.error().message().c_str());
      return r.has_value();
    });
    fs::remove_all(unzipped);
    fs::remove_all(imported);
    // On a machine other work also loads, wall time is mostly waiting for a core; the CPU ratio
    // is the one that carries over to an idle terminal or laptop.
    std::printf(
        "%7llu %5.0f MiB %5.0f MiB | %6.2f s / %5.2f s | %6.2f s / %5.2f s %5.1f MiB | "
        "%4.2f / %4.2f%s\n",
        static_cast<unsigned long long>(items), static_cast<double>(media_bytes) / (1 << 20),
        static_cast<double>(fs::file_size(zip)) / (1 << 20), u.seconds, u.cpu_seconds, q.seconds,
        q.cpu_seconds, static_cast<double>(q.max_rss_kib) / 1024,
        q.seconds > 0 ? u.seconds / q.seconds : 0.0,
        q.cpu_seconds > 0 ? u.cpu_seconds / q.cpu_seconds : 0.0, u.ok && q.ok ? "" : " (FAILED)");
    std::fflush(stdout);
    all_ok = all_ok && u.ok && q.ok;
  }
  std::printf("speed vs unzip: unzip's time / import's time, wall / CPU (goal >= 0.5)\n");
  std::printf("load average after: %s\n", LoadAverage().c_str());
  return all_ok ? 0 : 1;
}

// Pack build and load throughput against raw secretstream encryption of the same bytes, and the
// peak memory of each (build and load run in child processes so that their peak RSS is theirs
// alone).
//
//   lontar_pack_bench [--items N] [--media-mb M] [--dir DIR] [--smoke]
//
// Defaults: 2,000 items and 200 MiB of media. Goals: build and load at least 0.7 x the raw
// throughput; peak RSS under 64 MiB whatever the pack size. Asserts nothing.
//
// The build is given a proctor code, as a pack that is sat is. Then where a build's CPU goes, each
// part alone in a child of its own: reading the source (the YAML), the release code's and the
// proctor code's Argon2id (fixed whatever the pack's size), and the image check (every image
// decoded once, on one thread); and the build's ratio without the fixed Argon2id cost.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "core/authoring/source.hpp"
#include "core/authoring/synth.hpp"
#include "core/crypto/stream.hpp"
#include "core/pack/build.hpp"
#include "core/pack/image_check.hpp"
#include "core/pack/key_wrap.hpp"
#include "core/pack/terminal_packs.hpp"
#include "core/util/fs.hpp"
#include "tests/support/child_run.hpp"
#include "tests/support/test_support.hpp"

int main(int argc, char** argv) {
  using namespace lontar;
  std::uint64_t items = 2000, media_mb = 200;
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
  authoring::SynthOptions synth{items, media_mb << 20, 40, 7};
  if (auto st = authoring::WriteSynthSource(dir / "src", synth); !st) {
    std::fprintf(stderr, "bench: %s\n", st.error().message().c_str());
    return 1;
  }
  ManualClock clock;
  clock.SetWallMs(1'795'478'400'000);
  auto authority = crypto::SigningKey::Generate().value();
  auto results = crypto::BoxSecretKey::Generate().value();
  terminal::InitOptions init{.site = "BENCH", .name = "bench", .trusted = {}};
  init.trusted.push_back({authority.public_key(), "authority.pub"});
  auto enrollment = [&] {
    auto t = terminal::Terminal::Init(dir / "terminal", init, clock).value();
    return terminal::ReadEnrollment(AsBytes(terminal::WriteEnrollment(t, 0))).value();
  }();

  // Baseline: the same source bytes through secretstream into a file, nothing else.
  std::uint64_t source_bytes = 0;
  const testing::ChildRun raw = testing::RunInChild([&] {
    auto key = crypto::GenerateStreamKey().value();
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir / "src")) {
      if (e.is_regular_file()) files.push_back(e.path());
    }
    std::size_t index = 0;
    std::ifstream in;
    auto read = [&](std::uint8_t* out, std::size_t max) -> Result<std::size_t> {
      for (;;) {
        if (in.is_open()) {
          in.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(max));
          if (in.gcount() > 0) return static_cast<std::size_t>(in.gcount());
          in.close();
        }
        if (index == files.size()) return 0;
        in.open(files[index++], std::ios::binary);
      }
    };
    std::ofstream out(dir / "raw.bin", std::ios::binary);
    auto st = crypto::EncryptStream(key, read, [&](ByteView d) -> Status {
      out.write(reinterpret_cast<const char*>(d.data()), static_cast<std::streamsize>(d.size()));
      return Ok();
    });
    out.flush();
    ::fsync(::open((dir / "raw.bin").c_str(), O_RDONLY));
    return st.has_value();
  });
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir / "src")) {
    if (e.is_regular_file()) source_bytes += e.file_size();
  }

  const testing::ChildRun build = testing::RunInChild([&] {
    auto source = authoring::LoadSource(dir / "src");
    if (!source) return false;
    auto code = crypto::SecretBytes::CopyOf(AsBytes("BENCH-RELEASE-CODE")).value();
    // With a proctor code, as `lontar pack build` is run for a pack that is sat.
    auto proctor = crypto::SecretBytes::CopyOf(AsBytes("BENCH-PROCTOR")).value();
    pack::BuildOptions o;
    o.authority = &authority;
    o.version = 1;
    o.valid_from_ms = clock.WallMs() - 86'400'000;
    o.valid_until_ms = clock.WallMs() + 86'400'000;
    o.now_ms = clock.WallMs();
    o.targets = {enrollment};
    o.release_code = &code;
    o.proctor_code = &proctor;
    o.results_key = results.public_key();
    o.out = dir / "bench.lpk";
    auto h = pack::BuildPack(*source, o);
    if (!h) std::fprintf(stderr, "build: %s\n", h.error().message().c_str());
    return h.has_value();
  });
  const testing::ChildRun load = testing::RunInChild([&] {
    auto t = terminal::Terminal::Open(dir / "terminal", clock);
    if (!t) return false;
    auto r = pack::LoadPack(*t, dir / "bench.lpk", clock);
    if (!r) std::fprintf(stderr, "load: %s\n", r.error().message().c_str());
    return r.has_value();
  });
  const testing::ChildRun yaml =
      testing::RunInChild([&] { return authoring::LoadSource(dir / "src").has_value(); });
  const testing::ChildRun argon = testing::RunInChild([&] {
    const Bytes salt = crypto::RandomBytes(crypto::kKdfSaltSize);
    return pack::DeriveCodeKey(AsBytes("BENCH-RELEASE-CODE"), salt,
                               crypto::Argon2Params::ReleaseCode())
               .has_value() &&
           crypto::HashPin("BENCH-PROCTOR", crypto::Argon2Params::ReleaseCode()).has_value();
  });
  const testing::ChildRun images = testing::RunInChild([&] {
    for (const auto& e : std::filesystem::directory_iterator(dir / "src" / "media")) {
      auto bytes = ReadFile(e.path(), pack::ImageLimits{}.max_bytes + 1);
      if (!bytes || !pack::CheckImage(*bytes)) return false;
    }
    return true;
  });
  if (!raw.ok || !build.ok || !load.ok || !yaml.ok || !argon.ok || !images.ok) return 1;
  const double mb = static_cast<double>(source_bytes) / (1 << 20);
  std::printf("pack: %llu items, %.1f MiB of source\n", static_cast<unsigned long long>(items), mb);
  std::printf("raw secretstream   %8.1f MiB/s  (%.2f s)   peak RSS %6.1f MiB\n", mb / raw.seconds,
              raw.seconds, raw.max_rss_kib / 1024.0);
  std::printf("pack build         %8.1f MiB/s  (%.2f s)   peak RSS %6.1f MiB   %.2f x raw\n",
              mb / build.seconds, build.seconds, build.max_rss_kib / 1024.0,
              raw.seconds / build.seconds);
  std::printf("terminal load      %8.1f MiB/s  (%.2f s)   peak RSS %6.1f MiB   %.2f x raw\n",
              mb / load.seconds, load.seconds, load.max_rss_kib / 1024.0,
              raw.seconds / load.seconds);
  // On a shared machine the wall times above include waiting for a core; CPU time does not (but
  // a build that works on two threads at once gains nothing here, only in wall time).
  std::printf("cpu seconds        raw %.2f   build %.2f (%.2f x raw)   load %.2f (%.2f x raw)\n",
              raw.cpu_seconds, build.cpu_seconds, raw.cpu_seconds / build.cpu_seconds,
              load.cpu_seconds, raw.cpu_seconds / load.cpu_seconds);
  std::printf("goals: build and load >= 0.70 x raw; peak RSS < 64 MiB\n");
  std::printf("parts alone, cpu seconds: read source %.2f   Argon2id x2 %.2f   image check %.2f\n",
              yaml.cpu_seconds, argon.cpu_seconds, images.cpu_seconds);
  // Argon2id runs on the build's first thread while the second checks images, so its wall time
  // is taken off whole only when nothing else waits for it; the CPU figure is exact.
  std::printf("build without Argon2id: %.2f x raw wall, %.2f x raw cpu\n",
              raw.seconds / (build.seconds - argon.seconds),
              raw.cpu_seconds / (build.cpu_seconds - argon.cpu_seconds));
  return 0;
}

#include "core/authoring/synth.hpp"

#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/crypto/kdf.hpp"
#include "core/util/fs.hpp"

namespace lontar::authoring {

Status WriteSynthSource(const std::filesystem::path& dir, const SynthOptions& o) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    return std::unexpected(Error::AlreadyExists(dir.string() + " already exists"));
  }
  LONTAR_TRY(EnsureDir(dir / "items", 0755));
  LONTAR_TRY(EnsureDir(dir / "media", 0755));
  std::mt19937_64 rng(o.seed);
  constexpr std::uint64_t kFileBytes = 8ull << 20;
  const std::uint64_t media_files = (o.media_bytes + kFileBytes - 1) / kFileBytes;
  std::vector<std::string> media;
  for (std::uint64_t m = 0; m < media_files; ++m) {
    const std::string name = "media/synth-" + std::to_string(m) + ".png";
    const std::uint64_t size = std::min(kFileBytes, o.media_bytes - m * kFileBytes);
    std::ofstream f(dir / name, std::ios::binary);
    static const char kPng[8] = {'\x89', 'P', 'N', 'G', '\r', '\n', '\x1a', '\n'};
    f.write(kPng, 8);
    std::vector<std::uint64_t> block(8192);
    for (std::uint64_t done = 8; done < size;) {
      for (auto& w : block) w = rng();
      const std::uint64_t n = std::min<std::uint64_t>(size - done, block.size() * 8);
      f.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(n));
      done += n;
    }
    if (!f) return std::unexpected(Error::Io("cannot write " + (dir / name).string()));
    media.push_back(name);
  }
  std::ofstream exam(dir / "exam.yaml");
  exam << "# Synthetic exam for benchmarks: filler text, not exam content.\n"
          "format: lontar-exam/1\nid: SYNTH\n"
          "title: {id: Ujian Sintetis, en: Synthetic Exam}\n"
          "instructions: {id: Data uji beban., en: Load-test data.}\n"
          "duration_minutes: 120\nsections:\n  - id: main\n"
          "    title: {id: Utama, en: Main}\n    items:\n";
  for (std::uint64_t i = 0; i < o.items; ++i) exam << "      - s-" << i << "\n";
  exam.close();
  for (std::uint64_t i = 0; i < o.items; ++i) {
    std::ofstream item(dir / "items" / ("s-" + std::to_string(i) + ".yaml"));
    item << "id: s-" << i << "\ntype: weighted\nstem:\n  id: \"Soal sintetis nomor " << i
         << ": pilih tindakan yang paling tepat dalam situasi kerja berikut.\"\n"
         << "  en: \"Synthetic item " << i
         << ": choose the most appropriate action in the following work situation.\"\n";
    if (!media.empty() && i < media.size()) item << "media: [" << media[i] << "]\n";
    item << "options:\n";
    for (int k = 0; k < 5; ++k) {
      item << "  - {key: " << static_cast<char>('A' + k) << ", text: {id: \"Pilihan " << k
           << "\", en: \"Option " << k << "\"}, weight: " << (k + 1) << "}\n";
    }
    if (!item) return std::unexpected(Error::Io("cannot write items under " + dir.string()));
  }
  // One real hash shared by every synthetic participant keeps generation fast.
  LONTAR_ASSIGN_OR_RETURN(std::string hash,
                          crypto::HashPin("000000", crypto::Argon2Params::Interactive()));
  std::ofstream roster(dir / "roster.csv");
  roster << "participant,name,position,pin_hash\n";
  for (std::uint64_t p = 0; p < o.participants; ++p) {
    roster << "SYNTH-" << p << ",Peserta " << p << ",," << hash << "\n";
  }
  if (!roster) return std::unexpected(Error::Io("cannot write " + (dir / "roster.csv").string()));
  return Ok();
}

}  // namespace lontar::authoring

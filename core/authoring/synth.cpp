#include "core/authoring/synth.hpp"

#include <stb/stb_image_write.h>

#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/crypto/kdf.hpp"
#include "core/model/exam.hpp"
#include "core/util/fs.hpp"

namespace lontar::authoring {

// The exam model (core/model) by its short names.
using model::Competency;

using model::Exam;

namespace {

Status Check(const std::ofstream& f, const std::filesystem::path& path) {
  if (!f) return std::unexpected(Error::Io("cannot write " + path.string()));
  return Ok();
}

// Width x height of the synthetic images, in turn: figures of about 300 KB on average, so that
// `--items 2000 --media-mb 200` gives more than 500 items an image.
constexpr std::pair<int, int> kSynthSizes[] = {
    {320, 240}, {400, 300}, {480, 320}, {360, 360}, {560, 315}, {300, 400}, {480, 270},
    {640, 360}, {400, 400}, {520, 390}, {320, 240}, {400, 300}, {480, 320}, {360, 360},
    {560, 315}, {300, 400}, {480, 270}, {640, 480}, {400, 400}};
// Every 40th image is a photograph larger than a 1920x1080 screen.
constexpr std::pair<int, int> kSynthLarge = {2560, 1440};

// A chart-like RGB image: a gradient whose hue follows `rng`, bars, and noise in the lowest bit
// so that it does not compress to nothing (about 1 byte a pixel). Empty on failure.
Bytes SynthPng(int w, int h, std::mt19937_64& rng) {
  const std::uint64_t hue = rng();
  const int bars = 3 + static_cast<int>(hue % 6);
  std::vector<std::uint8_t> rgb(static_cast<std::size_t>(w) * h * 3);
  std::uint64_t noise = rng();
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      std::uint8_t* p = &rgb[(static_cast<std::size_t>(y) * w + x) * 3];
      const int bar = x * bars / w;
      const int tall = 1 + static_cast<int>((static_cast<std::uint64_t>(bar) * 7 + hue) % 9);
      const bool in_bar = (x * bars % w) > w / 5 && y > h - h * tall / 10;
      noise = noise * 6364136223846793005ull + 1442695040888963407ull;
      for (int c = 0; c < 3; ++c) {
        const int base = in_bar ? static_cast<int>((hue >> (8 * c)) & 0x7f)
                                : 160 + (c == 0   ? x * 80 / w
                                         : c == 1 ? y * 80 / h
                                                  : 40);
        p[c] = static_cast<std::uint8_t>((base & 0xfe) | ((noise >> (20 + 5 * c)) & 0x01));
      }
    }
  }
  Bytes out;
  const auto append = [](void* to, void* data, int size) {
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    static_cast<Bytes*>(to)->insert(static_cast<Bytes*>(to)->end(), bytes, bytes + size);
  };
  if (stbi_write_png_to_func(append, &out, w, h, 3, rgb.data(), w * 3) == 0) return {};
  return out;
}

// The default shape: one section of weighted items, the first ones each showing a media file.
Status WriteMainExam(const std::filesystem::path& dir, const SynthOptions& o,
                     const std::vector<std::string>& media) {
  std::ofstream exam(dir / "exam.yaml");
  exam << "# Synthetic exam for benchmarks: filler text, not exam content.\n"
          "format: lontar-exam/1\nid: SYNTH\n"
          "title: {id: Ujian Sintetis, en: Synthetic Exam}\n"
          "instructions: {id: Data uji beban., en: Load-test data.}\n"
          "duration_minutes: 120\nsections:\n  - id: main\n"
          "    title: {id: Utama, en: Main}\n    items:\n";
  for (std::uint64_t i = 0; i < o.items; ++i) exam << "      - s-" << i << "\n";
  exam.close();
  LONTAR_TRY(Check(exam, dir / "exam.yaml"));
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
  return Ok();
}

struct SkdSection {
  const char* id;
  const char* title_id;
  const char* title_en;
  int items;
  int minutes;
  int threshold;
  bool weighted;
};

// BKN's SKD: 30 + 35 + 45 items, 100 minutes, thresholds 65/80/166.
constexpr SkdSection kSkdSections[] = {
    {"twk", "Tes Wawasan Kebangsaan", "National Insight Test", 30, 25, 65, false},
    {"tiu", "Tes Intelegensi Umum", "General Intelligence Test", 35, 35, 80, false},
    {"tkp", "Tes Karakteristik Pribadi", "Personal Characteristics Test", 45, 40, 166, true},
};

// The SKD shape (synth.hpp). Item n's right key (single) or its weights (weighted) rotate with
// n, so that no key is always right.
Status WriteSkdExam(const std::filesystem::path& dir) {
  std::ofstream exam(dir / "exam.yaml");
  exam << "# Synthetic exam in the shape of CAT SKD, for benchmarks: filler text, not exam "
          "content.\n"
          "format: lontar-exam/1\nid: SYNTH-SKD\n"
          "title: {id: Seleksi Kompetensi Dasar Sintetis, en: Synthetic Basic Competency "
          "Selection}\n"
          "instructions: {id: Data uji beban., en: Load-test data.}\n"
          "duration_minutes: 100\nsections:\n";
  for (const SkdSection& s : kSkdSections) {
    exam << "  - id: " << s.id << "\n    title: {id: \"" << s.title_id << "\", en: \"" << s.title_en
         << "\"}\n    minutes: " << s.minutes << "\n    pass_threshold: " << s.threshold
         << "\n    items:\n";
    for (int i = 1; i <= s.items; ++i) exam << "      - " << s.id << "-" << i << "\n";
  }
  exam << "pass_rules:\n"
          "  - {id: cumlaude, name: {id: Lulusan cum laude, en: Cum laude graduates}, "
          "min_total: 311, sections: {tiu: 85}}\n"
          "  - {id: disabilitas, name: {id: Penyandang disabilitas, en: Applicants with "
          "disabilities}, min_total: 286, sections: {tiu: 60}}\n"
          "  - {id: papua, name: {id: Putra/putri Papua, en: Applicants from Papua}, "
          "min_total: 286, sections: {tiu: 60}}\n"
          "rank_by: [tkp, tiu, twk]\n";
  exam.close();
  LONTAR_TRY(Check(exam, dir / "exam.yaml"));
  for (const SkdSection& s : kSkdSections) {
    for (int i = 1; i <= s.items; ++i) {
      const std::string id = std::string(s.id) + "-" + std::to_string(i);
      const std::filesystem::path path = dir / "items" / (id + ".yaml");
      std::ofstream item(path);
      item << "id: " << id << "\ntype: " << (s.weighted ? "weighted" : "single")
           << "\nstem:\n  id: \"Soal sintetis " << id
           << ": pilih jawaban yang paling tepat.\"\n  en: \"Synthetic item " << id
           << ": choose the best answer.\"\noptions:\n";
      for (int k = 0; k < 5; ++k) {
        item << "  - {key: " << static_cast<char>('A' + k) << ", text: {id: \"Pilihan " << k
             << "\", en: \"Option " << k << "\"}";
        if (s.weighted) {
          item << ", weight: " << (k + i) % 5 + 1;
        } else if (k == i % 5) {
          item << ", correct: true";
        }
        item << "}\n";
      }
      if (!s.weighted) item << "points: {correct: 5, wrong: 0}\n";
      item.close();
      LONTAR_TRY(Check(item, path));
    }
  }
  return Ok();
}

}  // namespace

Status WriteSynthSource(const std::filesystem::path& dir, const SynthOptions& o) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    return std::unexpected(Error::AlreadyExists(dir.string() + " already exists"));
  }
  LONTAR_TRY(EnsureDir(dir / "items", 0755));
  LONTAR_TRY(EnsureDir(dir / "media", 0755));
  std::mt19937_64 rng(o.seed);
  std::vector<std::string> media;
  std::uint64_t written = 0;
  // Real PNGs, so that benchmarks measure real decoding: sizes cycle from a small figure to one
  // larger than a 1920x1080 screen; the last may be made smaller to end near media_bytes. The
  // default shape gives item i the i-th image, so there are never more images than items.
  const std::uint64_t most = o.skd ? ~std::uint64_t{0} : o.items;
  while (written < o.media_bytes && media.size() < most) {
    const std::string name = "media/synth-" + std::to_string(media.size()) + ".png";
    auto [w, h] =
        media.size() % 40 == 39 ? kSynthLarge : kSynthSizes[media.size() % std::size(kSynthSizes)];
    // About 1 byte a pixel after compression (SynthPng's noise): shrink the last to fit.
    const std::uint64_t left = o.media_bytes - written;
    while (static_cast<std::uint64_t>(w) * h > left && w > 64 && h > 64) {
      w = w * 3 / 4;
      h = h * 3 / 4;
    }
    const Bytes png = SynthPng(w, h, rng);
    if (png.empty()) return std::unexpected(Error::Internal("cannot encode a synthetic PNG"));
    LONTAR_TRY(WriteFileAtomic(dir / name, png, 0644, Overwrite::kRefuse));
    written += png.size();
    media.push_back(name);
  }
  if (o.skd) {
    LONTAR_TRY(WriteSkdExam(dir));
  } else {
    LONTAR_TRY(WriteMainExam(dir, o, media));
  }
  // One real hash shared by every synthetic participant keeps generation fast.
  LONTAR_ASSIGN_OR_RETURN(std::string hash,
                          crypto::HashPin("000000", crypto::Argon2Params::Interactive()));
  std::ofstream roster(dir / "roster.csv");
  roster << "participant,name,position,group,pin_hash\n";
  for (std::uint64_t p = 0; p < o.participants; ++p) {
    const char* group = !o.skd ? "" : p % 20 == 19 ? "cumlaude" : p % 50 == 49 ? "disabilitas" : "";
    roster << "SYNTH-" << p << ",Peserta " << p << ",," << group << "," << hash << "\n";
  }
  if (!roster) return std::unexpected(Error::Io("cannot write " + (dir / "roster.csv").string()));
  return Ok();
}

}  // namespace lontar::authoring

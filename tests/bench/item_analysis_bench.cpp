// Item analysis at a province's scale: 18,000 candidates (Kaltim's count) on an SKD-shaped exam
// (TWK 30 and TIU 35 single 5/0 items, TKP 45 weighted 1..5), with synthetic answers from a fixed
// seed: each candidate has an ability, each item a difficulty, and the chance of the key (or of a
// higher weight) follows the logistic of their difference; about 3% of answers are blank. Two
// items are made faulty on purpose (a miskeyed one, an unchosen distractor) so the flags show.
//
// Measures, separately: building the response matrix through AddCandidate from scoring::Answers
// (as results would be streamed in, one opened bundle at a time), and AnalyseItems plus the two
// CSV texts. Prints the matrix's bytes, and those of an 18,000 x 435 matrix (the largest exam the
// brief names), filled through AddRow.
//
//   lontar_item_analysis_bench [--candidates N] [--pdf items.pdf] [--smoke]
//
// With --pdf, also draws the 110-item analysis as items.pdf (items_pdf.hpp) and times it.
//
// A benchmark, not a test: it asserts nothing about speed.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/report/item_analysis.hpp"
#include "core/report/items_csv.hpp"
#include "core/report/items_pdf.hpp"
#include "core/report/response_matrix.hpp"

namespace {

using Steady = std::chrono::steady_clock;
using lontar::model::Exam;
using lontar::model::Item;
using lontar::model::ItemType;
using lontar::model::Option;

double Ms(Steady::time_point a, Steady::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

std::string Letter(int k) { return std::string(1, static_cast<char>('A' + k)); }

// Sections twk (30), tiu (35), tkp (45) times `scale` (1 = SKD's 110 items).
Exam SkdShapedExam(int scale, std::mt19937_64& rng) {
  Exam exam;
  exam.id = "BENCH";
  const struct {
    const char* id;
    int count;
    bool weighted;
  } kSections[] = {{"twk", 30, false}, {"tiu", 35, false}, {"tkp", 45, true}};
  for (const auto& s : kSections) {
    lontar::model::Section section;
    section.id = s.id;
    for (int n = 0; n < s.count * scale; ++n) {
      Item item;
      item.id = std::string(s.id) + "-" + std::to_string(n + 1);
      item.section = s.id;
      item.type = s.weighted ? ItemType::kWeighted : ItemType::kSingle;
      item.points_correct = s.weighted ? 0 : 5;
      std::vector<int> weights = {1, 2, 3, 4, 5};
      std::shuffle(weights.begin(), weights.end(), rng);
      const int key = static_cast<int>(rng() % 5);
      for (int k = 0; k < 5; ++k) {
        Option o;
        o.key = Letter(k);
        o.correct = !s.weighted && k == key;
        o.weight = s.weighted ? weights[k] : 0;
        item.options.push_back(o);
      }
      section.items.push_back(item.id);
      exam.items[item.id] = std::move(item);
    }
    exam.sections.push_back(std::move(section));
  }
  return exam;
}

// One candidate's answers: the key with probability logistic(ability - difficulty), else a
// distractor; for weighted items a weight drawn around the same probability.
lontar::scoring::Answers Answer(const Exam& exam, const std::vector<double>& difficulty,
                                double ability, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  lontar::scoring::Answers answers;
  std::size_t i = 0;
  for (const auto& section : exam.sections) {
    for (const std::string& id : section.items) {
      const Item& item = exam.items.at(id);
      // Two faulty items, so that the report shows its flags: tiu-6 is miskeyed (the able miss
      // it), and nobody is drawn to twk-11's fifth option.
      const double sign = id == "tiu-6" ? -1 : 1;
      const double p = 1 / (1 + std::exp(difficulty[i++] - sign * ability));
      const int distractors = id == "twk-11" ? 3 : 4;
      if (u(rng) < 0.03) continue;  // blank
      int chosen = 0;
      if (item.type == ItemType::kSingle) {
        int key = 0;
        while (!item.options[key].correct) ++key;
        chosen = u(rng) < p ? key : (key + 1 + static_cast<int>(rng() % distractors)) % 5;
      } else {
        // Target weight 1..5 near 1 + 4p, then the option carrying it.
        const int target = std::clamp(
            static_cast<int>(std::lround(1 + 4 * p + std::normal_distribution<>(0, 0.8)(rng))), 1,
            5);
        while (item.options[chosen].weight != target) ++chosen;
      }
      answers[id] = {Letter(chosen)};
    }
  }
  return answers;
}

long PeakRssKb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t candidates = 18000;
  std::string pdf;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--smoke") == 0) {
      candidates = 300;
    } else if (std::strcmp(argv[i], "--candidates") == 0 && i + 1 < argc) {
      candidates = std::strtoul(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--pdf") == 0 && i + 1 < argc) {
      pdf = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: lontar_item_analysis_bench [--candidates N] [--pdf FILE] [--smoke]\n");
      return 2;
    }
  }
  std::mt19937_64 rng(20261205);
  const Exam exam = SkdShapedExam(1, rng);
  std::vector<double> difficulty;
  std::normal_distribution<double> normal(0, 1);
  for (std::size_t i = 0; i < exam.items.size(); ++i) difficulty.push_back(normal(rng));

  // The answers are made before the clock starts: only the matrix is timed.
  std::vector<lontar::scoring::Answers> answers;
  answers.reserve(candidates);
  for (std::size_t c = 0; c < candidates; ++c) {
    answers.push_back(Answer(exam, difficulty, normal(rng), rng));
  }

  const auto t0 = Steady::now();
  auto matrix = lontar::report::ResponseMatrix::ForExam(exam);
  if (!matrix) {
    std::fprintf(stderr, "%s\n", matrix.error().message().c_str());
    return 1;
  }
  for (std::size_t c = 0; c < candidates; ++c) {
    char participant[32];
    std::snprintf(participant, sizeof participant, "6400%013zu", c + 1);
    if (auto s = matrix->AddCandidate(participant, answers[c]); !s) {
      std::fprintf(stderr, "%s\n", s.error().message().c_str());
      return 1;
    }
  }
  const auto t1 = Steady::now();
  const auto analysis = lontar::report::AnalyseItems(*matrix);
  if (!analysis) {
    std::fprintf(stderr, "%s\n", analysis.error().message().c_str());
    return 1;
  }
  const auto t2 = Steady::now();
  const std::string items_csv = lontar::report::ItemsCsv(*analysis);
  const std::string sections_csv = lontar::report::ItemSectionsCsv(*analysis);
  const auto t3 = Steady::now();

  std::printf(
      "item analysis, %zu candidates x %zu items (SKD-shaped: 30 + 35 single, 45 weighted)\n",
      candidates, matrix->item_count());
  std::printf("  build matrix (AddCandidate)  %9.1f ms  (%.2f us per candidate)\n", Ms(t0, t1),
              1000 * Ms(t0, t1) / static_cast<double>(candidates));
  std::printf("  AnalyseItems                 %9.1f ms\n", Ms(t1, t2));
  std::printf("  items.csv + sections.csv     %9.1f ms  (%zu + %zu bytes)\n", Ms(t2, t3),
              items_csv.size(), sections_csv.size());
  std::printf("  matrix bytes                 %9zu      (%.1f per candidate)\n", matrix->bytes(),
              static_cast<double>(matrix->bytes()) / static_cast<double>(candidates));
  for (const auto& s : analysis->sections) {
    std::printf("  section %-4s mean %6.1f sd %5.1f  %s %s\n", s.id.c_str(), s.mean, s.sd,
                lontar::report::ReliabilityName(s.method),
                lontar::report::FormatFigure(s.reliability).c_str());
  }
  if (!pdf.empty()) {
    auto fonts = lontar::report::Fonts::Create();
    if (!fonts) {
      std::fprintf(stderr, "%s\n", fonts.error().message().c_str());
      return 1;
    }
    const auto p0 = Steady::now();
    const auto s = lontar::report::WriteItemsPdf(
        pdf, **fonts, *analysis,
        {.lang = "id", .exam = "SKD sintetis v1", .header_left = "Lontar: tolok ukur"});
    if (!s) {
      std::fprintf(stderr, "%s\n", s.error().message().c_str());
      return 1;
    }
    std::printf("  items.pdf                    %9.1f ms  (%s)\n", Ms(p0, Steady::now()),
                pdf.c_str());
  }

  // The same cohort on a 435-item exam (4 x 110, cut to 435), rows made directly.
  std::mt19937_64 rng_large(7);
  Exam large = SkdShapedExam(4, rng_large);
  large.sections.back().items.resize(large.sections.back().items.size() - 5);
  auto big = lontar::report::ResponseMatrix::ForExam(large);
  if (!big) return 1;
  big->Reserve(candidates);
  std::vector<lontar::report::ChoiceSet> row(big->item_count());
  const auto t4 = Steady::now();
  for (std::size_t c = 0; c < candidates; ++c) {
    for (auto& choice : row) choice = static_cast<lontar::report::ChoiceSet>(1u << (rng() % 5));
    char participant[32];
    std::snprintf(participant, sizeof participant, "6400%013zu", c + 1);
    if (!big->AddRow(participant, row)) return 1;
  }
  const auto t5 = Steady::now();
  const auto big_analysis = lontar::report::AnalyseItems(*big);
  const auto t6 = Steady::now();
  if (!big_analysis) return 1;
  std::printf("%zu candidates x %zu items\n", candidates, big->item_count());
  std::printf("  matrix bytes                 %9zu      (%.1f MB)\n", big->bytes(),
              static_cast<double>(big->bytes()) / 1e6);
  std::printf("  fill (AddRow)                %9.1f ms\n", Ms(t4, t5));
  std::printf("  AnalyseItems                 %9.1f ms\n", Ms(t5, t6));
  std::printf("peak RSS %ld kB (includes the %zu synthetic Answers maps)\n", PeakRssKb(),
              candidates);
  return 0;
}

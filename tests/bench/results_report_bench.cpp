// `lontar results report` at a province's scale: N sittings of an SKD-shaped exam (Kaltim's
// 18,000 by default) sealed by the real bundle code and stored by the real collection store,
// then each configuration of the report run in a child process of its own:
//
//   open      server::ForEachResult only: every bundle read, verified, opened and re-scored
//             (on one worker thread per core), nothing kept (the baseline every ratio is
//             against); open-1 the same with no worker thread (bundles opened one at a time on
//             the calling thread), at N only;
//   cohort    WriteResultsReport without candidate PDFs and without item analysis: the
//             baseline plus the ranking and cohort.pdf/.csv (the fixed part of a PDF pass);
//   report    WriteResultsReport with the cohort report and the item analysis, no candidate
//             PDFs (the issue's goal: under 10 s at 18,000);
//   pdfs-T    candidate PDFs (each file and candidates.pdf) with T drawing threads, no item
//             analysis (the goal: >= 200 PDFs per second on two cores).
//
// Each child reports its wall seconds, CPU seconds (every thread) and peak RSS (VmHWM): a
// process's high-water mark only grows, so a figure per configuration needs a process per
// configuration. Every configuration runs over a store of N/3 sittings and one of N, so that the
// growth of peak RSS with N can be read off (the report keeps, per candidate, its row without
// answers and one byte per item; everything else is bounded: results_report.hpp).
//
//   lontar_results_report_bench [--n N] [--records R] [--keep DIR] [--smoke]
//
// Defaults: N = 18,000; R = 112 journal records per sitting (its start, one per answered item,
// its end).
// --smoke: N = 200, without the one-thread PDF run. --keep: build the work directory at DIR and
// leave it (stores, exam source, keys) for a look. The exam: `lontar pack synth --skd` (110 items:
// TWK 30, TIU 35, TKP 45, BKN's thresholds and 2024 pass rules), loaded from its source. Candidates
// answer from a fixed seed with an ability each (so items discriminate and about half pass); 3 %
// time up, 0.5 % are voided. Every bundle carries the local score the terminal would have computed,
// so no score-mismatch flags. Generation time is printed but is no part of the figures. Asserts
// nothing; exits non-zero only when something cannot be built or a child fails.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "core/authoring/source.hpp"
#include "core/authoring/synth.hpp"
#include "core/bundle/bundle_format.hpp"
#include "core/crypto/key_file.hpp"
#include "core/report/document.hpp"
#include "core/report/results_report.hpp"
#include "core/scoring/score_json.hpp"
#include "core/server/results.hpp"
#include "core/server/store.hpp"
#include "core/terminal/enrollment.hpp"
#include "core/terminal/terminal.hpp"
#include "core/util/fs.hpp"
#include "tests/support/test_support.hpp"

namespace {

using namespace lontar;
using Steady = std::chrono::steady_clock;

constexpr int kTerminals = 4;
constexpr std::int64_t kSittingMs = 1'795'500'000'000;  // 2026-11-23, the sittings' day

long PeakRssKb() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

double CpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "results_report_bench: %s\n", what.c_str());
  return 1;
}

// ---- Generation -------------------------------------------------------------------------------

// Candidate i's sitting: answers drawn from an ability (a right answer to single item n with
// probability logistic(ability + 0.3 - difficulty n), a TKP weight near 3.7 + 0.8 *
// ability), 1 % of items left blank; the payload as the engine seals it (engine_results.cpp).
bundle::BundleInputs Sitting(const model::Exam& exam, std::uint64_t i, int records) {
  std::mt19937_64 rng(0x5eed0000u + i * 0x9e3779b97f4a7c15ull);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double ability = normal(rng);
  bundle::BundleInputs in;
  in.exam_id = exam.id;
  in.pack_id = "5b1c0e7d2a9f48e6b3c1d0a7f6e5d4c3";
  in.exam_version = 1;
  in.participant = "SYNTH-" + std::to_string(i);
  in.seq = i / kTerminals + 1;
  in.journal_seq = in.seq * 1000;
  in.created_ms = kSittingMs + static_cast<std::int64_t>(i) * 400;
  const bool voided = i % 200 == 117, time_up = i % 33 == 5;
  in.kind = voided ? bundle::Kind::kVoided : bundle::Kind::kSubmitted;
  scoring::Answers answers;
  int n = 0;
  for (const auto& section : exam.sections) {
    for (const std::string& id : section.items) {
      const model::Item& item = exam.items.at(id);
      ++n;
      if (unit(rng) < 0.01) continue;
      std::string key;
      if (item.type == model::ItemType::kWeighted) {
        const int w =
            std::clamp(static_cast<int>(std::lround(3.7 + 0.8 * ability + normal(rng))), 1, 5);
        for (const auto& o : item.options) key = o.weight == w ? o.key : key;
      } else {
        const double difficulty = static_cast<double>(n * 7 % 11) / 5.0 - 1.0;
        const bool right = unit(rng) < 1.0 / (1.0 + std::exp(-(ability + 0.3 - difficulty)));
        std::vector<std::string> wrong;
        for (const auto& o : item.options) {
          if (o.correct && right) key = o.key;
          if (!o.correct) wrong.push_back(o.key);
        }
        if (!right) key = wrong[rng() % wrong.size()];
      }
      answers[id] = {key};
    }
  }
  in.payload.answers = answers;
  in.payload.timings = {{"phase", voided ? "voided" : "submitted"},
                        {"submitted_by", voided    ? ""
                                         : time_up ? "time-up"
                                                   : "candidate"}};
  in.payload.score = scoring::ScoreParticipant(exam, answers, in.participant);
  // The sitting's journal: its start, an answer record per answered item (at most R - 2), its
  // end.
  std::vector<std::pair<std::string, std::string>> events;
  events.emplace_back("sitting.started", R"({"participant":")" + in.participant + "\"}");
  for (const auto& [id, keys] : answers) {
    if (static_cast<int>(events.size()) >= records - 1) break;
    events.emplace_back("item.answered", R"({"item":")" + id + R"(","keys":[")" + keys[0] + "\"]}");
  }
  events.emplace_back(voided ? "sitting.voided" : "sitting.submitted", "{}");
  for (std::size_t k = 0; k < events.size(); ++k) {
    journal::Record r;
    r.seq = in.journal_seq - events.size() + k + 1;
    r.wall_ms = in.created_ms - static_cast<std::int64_t>(events.size() - k) * 30'000;
    r.type = events[k].first;
    r.payload = events[k].second;
    r.hash = journal::ComputeRecordHash(r);
    in.payload.journal.push_back(std::move(r));
  }
  return in;
}

// Work directory: src/ (the synthetic SKD source), results.key, enrolled/, terminals t0.., and
// two stores: store-third (candidates [0, n/3)) and store-full (all n), both filled through
// Store::Accept as the collection server does, from many threads so that the store's group
// commit batches them.
int Generate(const std::filesystem::path& work, int n, int records) {
  const auto t0 = Steady::now();
  authoring::SynthOptions synth;
  synth.skd = true;
  synth.participants = static_cast<std::uint64_t>(n);
  if (auto s = authoring::WriteSynthSource(work / "src", synth); !s)
    return Fail(s.error().message());
  auto source = authoring::LoadSource(work / "src");
  if (!source) return Fail("synthetic source: " + source.error().front().ToString());
  const model::Exam& exam = source->exam;

  auto results = crypto::BoxSecretKey::Generate().value();
  auto key_text = crypto::FormatBoxSecretKey(results, "results").value();
  if (!WriteFileAtomic(work / "results.key", key_text.view(), 0600, Overwrite::kReplace)) {
    return Fail("cannot write results.key");
  }
  const auto authority = crypto::SigningKey::Generate().value();
  SystemClock clock;
  std::filesystem::create_directories(work / "enrolled");
  std::vector<terminal::Terminal> terminals;
  for (int t = 0; t < kTerminals; ++t) {
    terminal::InitOptions o;
    o.site = "SMD-0" + std::to_string(t % 2 + 1);
    o.trusted.push_back({authority.public_key(), "authority"});
    auto term = terminal::Terminal::Init(work / ("t" + std::to_string(t)), o, clock);
    if (!term) return Fail("terminal: " + term.error().message());
    testing::WriteText(work / "enrolled" / (term->id() + ".enroll"),
                       terminal::WriteEnrollment(*term, 0));
    terminals.push_back(std::move(*term));
  }
  std::unique_ptr<server::Store> stores[2];
  const char* names[2] = {"store-third", "store-full"};
  for (int s = 0; s < 2; ++s) {
    auto store = server::Store::Open(work / names[s], work / "enrolled",
                                     crypto::SigningKey::Generate().value(), clock);
    if (!store) return Fail(std::string(names[s]) + ": " + store.error().message());
    stores[s] = std::move(*store);
  }
  const double setup_s = std::chrono::duration<double>(Steady::now() - t0).count();

  const auto g0 = Steady::now();
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  std::atomic<std::uint64_t> bytes{0};
  std::vector<std::thread> pool;
  for (int w = 0; w < 32; ++w) {
    pool.emplace_back([&] {
      for (int i; !failed && (i = next++) < n;) {
        const terminal::Terminal& term = terminals[static_cast<std::size_t>(i % kTerminals)];
        bundle::BundleInputs in = Sitting(exam, static_cast<std::uint64_t>(i), records);
        in.terminal_id = term.id();
        in.site = term.site();
        auto b = bundle::WriteBundle(in, term.signing_key(), results.public_key());
        if (!b) {
          std::fprintf(stderr, "WriteBundle: %s\n", b.error().message().c_str());
          failed = true;
          break;
        }
        bytes += b->size();
        for (int s = i < n / 3 ? 0 : 1; s < 2; ++s) {
          if (auto a = stores[s]->Accept(*b); !a) {
            std::fprintf(stderr, "Accept: %s\n", a.error().message().c_str());
            failed = true;
          }
        }
      }
    });
  }
  for (auto& t : pool) t.join();
  if (failed) return 1;
  const double gen_s = std::chrono::duration<double>(Steady::now() - g0).count();
  std::printf(
      "generated: SKD-shaped exam (%zu items, 3 sections), %d sittings from %d terminals "
      "(%.1f KB per bundle), sealed and stored into a store of %d and one of %d: %.1f s "
      "(+ %.1f s set-up; not part of the figures)\n",
      exam.items.size(), n, kTerminals, static_cast<double>(bytes) / n / 1e3, n / 3, n, gen_s,
      setup_s);
  return 0;
}

// ---- A configuration, in a child process -----------------------------------------------------

// Runs `mode` over work/store and prints "wall cpu hwm_base_kb hwm_kb items" on stdout.
int Child(const std::filesystem::path& work, const std::string& store_name,
          const std::string& mode) {
  auto source = authoring::LoadSource(work / "src");
  if (!source) return Fail("synthetic source: " + source.error().front().ToString());
  const model::Exam& exam = source->exam;
  auto key = crypto::ReadBoxSecretKeyFile(work / "results.key");
  if (!key) return Fail(key.error().message());
  std::vector<crypto::VerifyKey> enrolled;
  for (const auto& e : std::filesystem::directory_iterator(work / "enrolled")) {
    enrolled.push_back(terminal::ReadEnrollmentFile(e.path()).value().signing_key);
  }
  auto store = server::OpenSqliteBackend(work / store_name, server::StoreAccess::kReadOnly);
  if (!store) return Fail(store.error().message());
  report::ReportOptions options;
  options.context.exam = &exam;
  options.context.agency = "BKD Provinsi Kalimantan Timur";
  options.context.zone = report::ParseTimeZone("WITA").value();
  options.generated_ms = kSittingMs + 86'400'000;
  options.out_dir = work / ("out-" + store_name + "-" + mode);
  options.candidate_pdfs = mode.rfind("pdfs-", 0) == 0;
  options.item_analysis = mode == "report";
  if (options.candidate_pdfs) options.threads = static_cast<unsigned>(std::atoi(mode.c_str() + 5));
  report::KeepFreedMemoryForReports();  // as the command does (results_report_command.cpp)

  const long base_kb = PeakRssKb();
  const double cpu0 = CpuSeconds();
  const auto t0 = Steady::now();
  std::size_t items = 0;
  if (mode == "open" || mode == "open-1") {
    auto walked = server::ForEachResult(
        **store, *key, exam, enrolled,
        [&](server::ResultRow&& r) {
          items += r.scored ? 1 : 0;
          return Ok();
        },
        mode == "open-1" ? 0 : server::DefaultOpenThreads());
    if (!walked) return Fail(walked.error().message());
  } else {
    auto summary = report::WriteResultsReport(**store, *key, enrolled, options);
    if (!summary) return Fail(summary.error().message());
    items = options.candidate_pdfs ? summary->candidate_pdfs : summary->opened;
  }
  const double wall = std::chrono::duration<double>(Steady::now() - t0).count();
  std::printf("%.4f %.4f %ld %ld %zu\n", wall, CpuSeconds() - cpu0, base_kb, PeakRssKb(), items);
  return 0;
}

struct Figures {
  double wall = 0, cpu = 0;
  long base_kb = 0, hwm_kb = 0;
  std::size_t items = 0;
  bool ok = false;
};

Figures RunChild(const std::filesystem::path& self, const std::filesystem::path& work,
                 const std::string& store, const std::string& mode) {
  Figures f;
  const std::string command = "'" + self.string() + "' --child " + mode + " --work '" +
                              work.string() + "' --store " + store;
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return f;
  f.ok =
      std::fscanf(p, "%lf %lf %ld %ld %zu", &f.wall, &f.cpu, &f.base_kb, &f.hwm_kb, &f.items) == 5;
  f.ok = ::pclose(p) == 0 && f.ok;
  std::error_code ec;
  std::filesystem::remove_all(work / ("out-" + store + "-" + mode), ec);
  if (!f.ok) std::fprintf(stderr, "child %s over %s failed\n", mode.c_str(), store.c_str());
  return f;
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

}  // namespace

int main(int argc, char** argv) {
  int n = 18000, records = 0;
  bool smoke = false;
  std::filesystem::path keep, work_arg;
  std::string child, store;
  for (int i = 1; i < argc; ++i) {
    const bool more = i + 1 < argc;
    if (std::strcmp(argv[i], "--smoke") == 0) {
      n = 200;
      smoke = true;
    } else if (std::strcmp(argv[i], "--n") == 0 && more) {
      n = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--records") == 0 && more) {
      records = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--keep") == 0 && more) {
      keep = argv[++i];
    } else if (std::strcmp(argv[i], "--child") == 0 && more) {
      child = argv[++i];
    } else if (std::strcmp(argv[i], "--work") == 0 && more) {
      work_arg = argv[++i];
    } else if (std::strcmp(argv[i], "--store") == 0 && more) {
      store = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--n N] [--records R] [--keep DIR] [--smoke]\n", argv[0]);
      return 2;
    }
  }
  if (!child.empty()) return Child(work_arg, store, child);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows when run with nohup into a file
  if (n < 3) return Fail("--n must be at least 3");
  if (records <= 0) records = 2 + 110;

  testing::TempDir scratch;
  const std::filesystem::path work = keep.empty() ? scratch.path() : keep;
  if (int rc = Generate(work, n, records); rc != 0) return rc;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe");
  std::printf("load average before the runs: %s; %u cores\n", LoadAverage().c_str(),
              std::thread::hardware_concurrency());

  const char* modes[] = {"open", "open-1", "cohort", "report", "pdfs-2", "pdfs-1"};
  std::map<std::string, Figures> third, full;
  bool ok = true;
  for (const char* mode : modes) {
    // One thread at N/3 adds nothing to the RSS picture that two threads do not show; the smoke
    // run (only there to see that the benchmark still works) skips it altogether.
    const bool one_thread = std::strcmp(mode, "pdfs-1") == 0 || std::strcmp(mode, "open-1") == 0;
    if (one_thread && smoke) continue;
    if (!one_thread) third[mode] = RunChild(self, work, "store-third", mode);
    full[mode] = RunChild(self, work, "store-full", mode);
    ok = ok && full[mode].ok && (third.count(mode) == 0 || third[mode].ok);
  }
  if (!ok) return 1;
  std::printf("load average after the runs:  %s\n\n", LoadAverage().c_str());

  const Figures& open = full["open"];
  const Figures& cohort = full["cohort"];
  std::printf("%-44s %8s %8s %9s %10s %10s %12s\n",
              ("configuration (N = " + std::to_string(n) + ")").c_str(), "wall s", "x open",
              "CPU s", "RSS@N/3 MB", "RSS@N MB", "MB per 1000");
  for (const char* mode : modes) {
    if (full.count(mode) == 0) continue;
    const Figures& f = full[mode];
    const char* what = std::strcmp(mode, "open") == 0     ? "open + score only (ForEachResult)"
                       : std::strcmp(mode, "open-1") == 0 ? "open + score, no worker thread"
                       : std::strcmp(mode, "cohort") == 0
                           ? "cohort report (ranking, cohort.pdf/csv)"
                       : std::strcmp(mode, "report") == 0 ? "cohort report + item analysis"
                       : std::strcmp(mode, "pdfs-2") == 0 ? "candidate PDFs, 2 threads"
                                                          : "candidate PDFs, 1 thread";
    char rss_third[16] = "-", growth[16] = "-";
    if (third.count(mode) != 0) {
      const Figures& t = third[mode];
      std::snprintf(rss_third, sizeof rss_third, "%.1f", t.hwm_kb / 1024.0);
      std::snprintf(growth, sizeof growth, "%.2f",
                    (f.hwm_kb - t.hwm_kb) / 1024.0 / ((n - n / 3) / 1000.0));
    }
    std::printf("%-44s %8.2f %8.2f %9.2f %10s %10.1f %12s\n", what, f.wall, f.wall / open.wall,
                f.cpu, rss_third, f.hwm_kb / 1024.0, growth);
  }
  std::printf("(peak RSS before each pass, exam and keys loaded: %.1f MB)\n\n",
              full["open"].base_kb / 1024.0);
  for (const char* mode : {"pdfs-2", "pdfs-1"}) {
    if (full.count(mode) == 0) continue;
    const Figures& f = full[mode];
    // The drawing alone: what the PDF pass costs beyond the same pass without PDFs.
    const double draw_cpu = std::max(0.0, f.cpu - cohort.cpu);
    std::printf(
        "%s: %zu PDFs, %.1f PDFs/s over the whole pass; %.2f ms CPU per PDF in all, %.2f ms of it "
        "drawing (beyond the cohort pass)\n",
        mode, f.items, f.items / f.wall, 1e3 * f.cpu / std::max<std::size_t>(1, f.items),
        1e3 * draw_cpu / std::max<std::size_t>(1, f.items));
  }
  const double draw_ms =
      1e3 * std::max(0.0, full["pdfs-2"].cpu - cohort.cpu) / std::max<std::size_t>(1, n);
  std::printf("drawing alone on %u cores (from its CPU cost): at most %.0f PDFs/s\n",
              std::thread::hardware_concurrency(),
              draw_ms > 0 ? 1e3 * std::thread::hardware_concurrency() / draw_ms : 0.0);
  return 0;
}

// How a `--store` collection server behaves as its store grows: a store filled to each of several
// sizes (10,000, 100,000 and 1,000,000 bundles by default) with bundles sealed by the real bundle
// code, and at each size, with the store's page cache warm from the fill:
//
//   restart   `lontar serve` started over the store until it listens, and until it answers a
//             receipt lookup (the open walks every segment record header against the index);
//   upload    U new bundles PUT by C concurrent clients through that server on loopback, each on
//             a connection of its own: rate, p50 and p99;
//   status    one GET /v1/status.json (counts that scan every row), the server's peak RSS;
//   results   `lontar results open --exam` over the whole store, no server running (the index
//             check walks the segments first): wall time and peak RSS;
//   disk      the store's size on disk.
//
// Filling is not what is measured and does not go through HTTP: sealed bundles are written to
// the store through its backend (StoreBackend::Begin / Insert / Commit, the interface the
// server's group commits use) in batches of 4,096, each row carrying a receipt signed with the
// server's key, as the server would have stored them. The exam is the mini test exam
// (tests/fixtures/mini-exam, four items): each bundle is small (about 1.5 KB) and carries a
// journal of three records and the terminal's local score, so `results open` opens, checks and
// scores every one.
//
//   lontar_store_growth_bench [--sizes 10000,100000,1000000] [--uploads U] [--clients C]
//                             [--terminals T] [--work DIR | --resume DIR] [--postgres]
//                             [--smoke]
//
// Defaults: U = 400, C = 8, T = 200 terminals over 4 sites. --work keeps the stores in DIR
// (which must not exist); otherwise a temporary directory is removed at the end. A million
// bundles take about 4 GB of disk. --resume DIR grows (or, given no larger size, measures) the
// store an earlier --work DIR run left, e.g. one stopped during a long fill. --postgres: the
// store in a throwaway PostgreSQL (tests/support/postgres_server.hpp, fsync on) instead of a
// directory; the server runs with --db, results open with --db, and no disk size is printed. Run it
// with `nice -n 10` on a shared machine. --smoke: sizes 300 and 600, 30 uploads. Asserts nothing;
// exits non-zero when something fails.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/authoring/source.hpp"
#include "core/bundle/bundle_format.hpp"
#include "core/bundle/receipt.hpp"
#include "core/bundle/receipt_code.hpp"
#include "core/crypto/key_file.hpp"
#include "core/scoring/score_json.hpp"
#include "core/server/store.hpp"
#include "core/server/store_backend.hpp"
#include "core/terminal/enrollment.hpp"
#include "core/terminal/terminal.hpp"
#include "tests/support/pooled_latencies.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_support.hpp"

extern char** environ;

namespace {

using namespace lontar;
using Steady = std::chrono::steady_clock;

constexpr std::int64_t kSittingMs = 1'795'500'000'000;
constexpr std::size_t kFillBatch = 4096;

int Fail(const std::string& what) {
  std::fprintf(stderr, "store_growth_bench: %s\n", what.c_str());
  return 1;
}

double Since(Steady::time_point t0) {
  return std::chrono::duration<double>(Steady::now() - t0).count();
}

// A sealed bundle with what the store's row needs from it.
struct Sealed {
  Bytes bytes;
  bundle::BundleHeader header;
  std::string digest;
};

class Generator {
 public:
  Generator(const model::Exam& exam, const std::vector<terminal::Terminal>& terminals,
            const crypto::BoxPublicKey& results)
      : exam_(exam), terminals_(terminals), results_(results) {}

  // Bundle number i: terminal i % T, its bundle number i / T + 1, participant "G-<i>".
  Result<Sealed> Make(std::uint64_t i) const {
    const terminal::Terminal& term = terminals_[i % terminals_.size()];
    bundle::BundleInputs in;
    in.terminal_id = term.id();
    in.site = term.site();
    in.exam_id = exam_.id;
    in.pack_id = "6a0d1f3e5b7c49a8b2e4d6f8a0c2e4f6";
    in.exam_version = 1;
    in.seq = i / terminals_.size() + 1;
    in.journal_seq = in.seq * 10;
    in.participant = "G-" + std::to_string(i);
    in.created_ms = kSittingMs + static_cast<std::int64_t>(i % 86'400) * 1000;
    scoring::Answers answers = {{"tiu-01", {i % 2 ? "A" : "B"}},
                                {"tiu-02", {"A"}},
                                {"tkp-01", {i % 3 ? "A" : "C"}},
                                {"tkp-02", {"B"}}};
    in.payload.answers = answers;
    in.payload.timings = {{"phase", "submitted"}, {"submitted_by", "candidate"}};
    in.payload.score = scoring::ScoreParticipant(exam_, answers, in.participant);
    const char* types[] = {"sitting.started", "item.answered", "sitting.submitted"};
    for (std::uint64_t k = 0; k < 3; ++k) {
      journal::Record r;
      r.seq = in.journal_seq - 2 + k;
      r.wall_ms = in.created_ms - static_cast<std::int64_t>(3 - k) * 60'000;
      r.type = types[k];
      r.payload = "{}";
      r.hash = journal::ComputeRecordHash(r);
      in.payload.journal.push_back(std::move(r));
    }
    Sealed s;
    LONTAR_ASSIGN_OR_RETURN(s.bytes, bundle::WriteBundle(in, term.signing_key(), results_));
    // The digest Store::Accept stores (the file digest of one hash pass): a row with another
    // (BundleBytesDigest, rows of 5 Dec 2026) fails the segment record's check when it is read.
    LONTAR_ASSIGN_OR_RETURN(bundle::HashedBundle hashed, bundle::HashBundle(s.bytes));
    LONTAR_ASSIGN_OR_RETURN(s.header, bundle::ParseHeader(hashed.envelope.header_json));
    s.digest = HexEncode(hashed.file_digest);
    return s;
  }

 private:
  const model::Exam& exam_;
  const std::vector<terminal::Terminal>& terminals_;
  const crypto::BoxPublicKey& results_;
};

// The row the server stores for `s`, its receipt signed by `key` (as Store::PrepareRow makes it).
server::StoredBundle RowOf(const Sealed& s, const crypto::SigningKey& key, std::int64_t now) {
  server::StoredBundle row;
  server::FillStoredRow(s.header, s.bytes.size(), now, key, row);
  row.digest = s.digest;
  return row;
}

// Bundles [from, to) sealed on two threads and written in batches to the store at `where`.
// Sets `a_code` to the receipt code of the first bundle written.
Status Fill(const server::StoreLocation& where, const Generator& gen, const crypto::SigningKey& key,
            std::uint64_t from, std::uint64_t to, std::string& a_code) {
  LONTAR_ASSIGN_OR_RETURN(std::unique_ptr<server::StoreBackend> backend,
                          server::OpenStoreBackend(where, server::StoreAccess::kReadWrite));
  for (std::uint64_t start = from; start < to; start += kFillBatch) {
    const std::uint64_t end = std::min(to, start + kFillBatch);
    std::vector<Sealed> sealed(end - start);
    std::vector<server::StoredBundle> rows(end - start);
    std::atomic<std::uint64_t> next = start;
    std::mutex mu;
    std::optional<Error> failed;
    const std::int64_t now = SystemClock().WallMs();
    std::vector<std::thread> workers;
    for (int w = 0; w < 2; ++w) {
      workers.emplace_back([&] {
        for (std::uint64_t i; (i = next++) < end;) {
          auto s = gen.Make(i);
          if (!s) {
            std::lock_guard lock(mu);
            failed = s.error();
            return;
          }
          rows[i - start] = RowOf(*s, key, now);
          sealed[i - start] = std::move(*s);
        }
      });
    }
    for (auto& t : workers) t.join();
    if (failed) return std::unexpected(*failed);
    if (a_code.empty() && !rows.empty()) a_code = rows.front().receipt_code;
    LONTAR_ASSIGN_OR_RETURN(std::unique_ptr<server::StoreBatch> batch, backend->Begin());
    for (std::size_t k = 0; k < rows.size(); ++k) {
      LONTAR_TRY(batch->Insert(rows[k], sealed[k].bytes, {}));
    }
    LONTAR_TRY(batch->Commit());
  }
  return Ok();
}

std::uint64_t DiskBytes(const std::filesystem::path& dir) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec)) total += e.file_size(ec);
  }
  return total;
}

// Runs `lontar ARGS` to its end, output to `log`; its wall seconds and peak RSS (ru_maxrss).
struct ChildRun {
  int status = -1;
  double seconds = 0;
  long max_rss_kb = 0;
};
ChildRun RunTimed(const std::vector<std::string>& args, const std::filesystem::path& log) {
  const std::string lontar = std::string(LONTAR_BIN_DIR) + "/lontar";
  std::vector<char*> argv = {const_cast<char*>(lontar.c_str())};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&files, 1, 2);
  ChildRun r;
  const auto t0 = Steady::now();
  pid_t pid = -1;
  if (posix_spawn(&pid, lontar.c_str(), &files, nullptr, argv.data(), environ) == 0) {
    int status = 0;
    rusage use{};
    if (::wait4(pid, &status, 0, &use) == pid) {
      r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      r.max_rss_kb = use.ru_maxrss;
    }
  }
  r.seconds = Since(t0);
  posix_spawn_file_actions_destroy(&files);
  return r;
}

struct UploadRun {
  double seconds = 0, p50_ms = 0, p99_ms = 0;
  std::size_t created = 0;
};
UploadRun Upload(int port, const std::vector<Sealed>& bundles, int clients) {
  std::atomic<std::size_t> next = 0, created = 0;
  std::vector<std::vector<double>> lat(static_cast<std::size_t>(clients));
  const auto t0 = Steady::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (std::size_t i; (i = next++) < bundles.size();) {
        const Sealed& s = bundles[i];
        const auto u0 = Steady::now();
        auto reply =
            testing::HttpRequest(port, "PUT", "/v1/bundles/" + HexEncode(s.header.bundle_id),
                                 std::string(s.bytes.begin(), s.bytes.end()));
        lat[static_cast<std::size_t>(c)].push_back(
            std::chrono::duration<double, std::milli>(Steady::now() - u0).count());
        if (reply.status == 201) ++created;
      }
    });
  }
  for (auto& t : threads) t.join();
  UploadRun r;
  r.seconds = Since(t0);
  const auto pooled = testing::PoolLatencies(lat);
  r.p50_ms = pooled.p50_ms;
  r.p99_ms = pooled.p99_ms;
  r.created = created;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::uint64_t> sizes = {10'000, 100'000, 1'000'000};
  int uploads = 400, clients = 8, terminal_count = 200;
  std::string keep;
  bool postgres = false;  // --postgres: the store in a throwaway PostgreSQL
  bool resume = false;    // --resume DIR: a --work DIR of an earlier run, grown from where it is
  for (int i = 1; i < argc; ++i) {
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (std::strcmp(argv[i], "--sizes") == 0) {
      sizes.clear();
      const std::string list = value();
      for (std::size_t p = 0; p < list.size();) {
        const std::size_t comma = std::min(list.find(',', p), list.size());
        sizes.push_back(std::strtoull(list.substr(p, comma - p).c_str(), nullptr, 10));
        p = comma + 1;
      }
    } else if (std::strcmp(argv[i], "--uploads") == 0) {
      uploads = std::atoi(value().c_str());
    } else if (std::strcmp(argv[i], "--clients") == 0) {
      clients = std::atoi(value().c_str());
    } else if (std::strcmp(argv[i], "--terminals") == 0) {
      terminal_count = std::atoi(value().c_str());
    } else if (std::strcmp(argv[i], "--work") == 0) {
      keep = value();
    } else if (std::strcmp(argv[i], "--postgres") == 0) {
      postgres = true;
    } else if (std::strcmp(argv[i], "--resume") == 0) {
      keep = value(), resume = true;
    } else if (std::strcmp(argv[i], "--smoke") == 0) {
      sizes = {300, 600}, uploads = 30, clients = 4, terminal_count = 8;
    } else {
      return Fail(std::string("unknown option ") + argv[i] +
                  " (options: --sizes N,N,... --uploads N --clients N --terminals N --work DIR "
                  "--resume DIR --postgres --smoke)");
    }
  }
  std::sort(sizes.begin(), sizes.end());
  std::optional<testing::TempDir> temp;
  std::filesystem::path work;
  if (keep.empty()) {
    temp.emplace();
    work = temp->path();
  } else {
    work = keep;
    if (!resume && std::filesystem::exists(work)) {
      return Fail(keep + " exists: give a new directory, or --resume it");
    }
    if (resume && !std::filesystem::exists(work / "store")) return Fail(keep + ": no store");
    std::filesystem::create_directories(work);
  }

  const std::filesystem::path exam_dir = testing::kFixtures + "/mini-exam";
  auto source = authoring::LoadSource(exam_dir);
  if (!source) return Fail("mini exam: " + source.error().front().ToString());
  for (const char* kind : {"results", "server"}) {
    if (resume) break;
    auto k = testing::RunLontar({"keys", "new", kind, "--out", (work / "keys").string()});
    if (k.exit_code != 0) return Fail("keys new: " + k.err);
  }
  auto results = crypto::ReadBoxPublicKeyFile(work / "keys" / "results.pub");
  auto server_key = crypto::ReadSigningSecretKeyFile(work / "keys" / "server.key");
  if (!results || !server_key) return Fail("cannot read the keys just made");
  const auto authority = crypto::SigningKey::Generate().value();
  SystemClock clock;
  std::filesystem::create_directories(work / "enrolled");
  std::vector<terminal::Terminal> terminals;
  for (int t = 0; resume; ++t) {
    const std::filesystem::path home = work / "terminals" / ("t" + std::to_string(t));
    if (!std::filesystem::exists(home)) break;
    auto term = terminal::Terminal::Open(home, clock);
    if (!term) return Fail("terminal: " + term.error().message());
    terminals.push_back(std::move(*term));
    terminal_count = t + 1;
  }
  for (int t = 0; t < terminal_count && !resume; ++t) {
    terminal::InitOptions o;
    o.site = "SITE-0" + std::to_string(t % 4 + 1);
    o.trusted.push_back({authority.public_key(), "authority"});
    auto term = terminal::Terminal::Init(work / "terminals" / ("t" + std::to_string(t)), o, clock);
    if (!term) return Fail("terminal: " + term.error().message());
    testing::WriteText(work / "enrolled" / (term->id() + ".enroll"),
                       terminal::WriteEnrollment(*term, 0));
    terminals.push_back(std::move(*term));
  }
  const Generator gen(source->exam, terminals, *results);
  const std::filesystem::path store = work / "store";
  // --postgres: a throwaway PostgreSQL (fsync on) instead of the directory.
  std::optional<testing::PostgresServer> pg;
  server::StoreLocation where{.dir = store, .database_url = ""};
  if (postgres) {
    if (resume) return Fail("--resume is for a --store directory only");
    pg.emplace(testing::PostgresServer::Options{.durable = true});
    where = {.dir = {}, .database_url = pg->ok() ? pg->CreateDatabase("growth") : ""};
    if (where.database_url.empty()) return Fail("postgres: " + pg->error());
  }
  const std::vector<std::string> location =
      postgres ? std::vector<std::string>{"--db", where.database_url}
               : std::vector<std::string>{"--store", store.string()};
  std::vector<std::string> serve = {"--enrolled", (work / "enrolled").string(), "--key",
                                    (work / "keys" / "server.key").string()};
  serve.insert(serve.begin(), location.begin(), location.end());

  std::printf(
      "store growth: mini exam bundles from %d terminals; %d uploads by %d clients per "
      "size (a connection each); page cache warm\n",
      terminal_count, uploads, clients);
  std::printf("%10s %9s %9s %8s %8s %8s %9s %9s %9s %9s %9s\n", "bundles", "listen ms", "answer ms",
              "up /s", "p50 ms", "p99 ms", "status ms", "serve MB", "open s", "open MB", "disk MB");
  std::uint64_t stored = 0;
  std::string lookup;  // a stored bundle's receipt code, looked up after each restart
  if (resume) {
    // Bundle i + 1 follows bundle i on its terminal, so the next index is the count. Opened
    // read-write, which indexes what a run stopped mid-batch left in the segments.
    auto reader = server::OpenSqliteBackend(store);
    if (!reader) return Fail(reader.error().message());
    auto count = (*reader)->CountBundles();
    auto scan = (*reader)->ScanBundles();
    if (!count || !scan) return Fail("cannot read the store to resume");
    auto first = (*scan)->Next();
    if (!first || !*first) return Fail("an empty store to resume");
    stored = *count;
    lookup = (*first)->receipt_code;
    std::erase_if(sizes, [&](std::uint64_t size) { return size < stored; });
    if (sizes.empty()) sizes.push_back(stored);
  }
  bool ok = true;
  for (const std::uint64_t size : sizes) {
    if (size > stored) {
      const auto f0 = Steady::now();
      if (auto s = Fill(where, gen, *server_key, stored, size, lookup); !s) {
        return Fail(s.error().message());
      }
      std::printf("  (filled %llu -> %llu in %.1f s)\n", static_cast<unsigned long long>(stored),
                  static_cast<unsigned long long>(size), Since(f0));
      std::fflush(stdout);
      stored = size;
    }
    std::vector<Sealed> fresh;
    for (int u = 0; u < uploads; ++u) {
      auto s = gen.Make(stored + static_cast<std::uint64_t>(u));
      if (!s) return Fail(s.error().message());
      fresh.push_back(std::move(*s));
    }

    const auto r0 = Steady::now();
    testing::ServerProcess server(serve, work);
    const double listen_ms = Since(r0) * 1e3;
    if (server.port() == 0) return Fail("serve did not start: " + server.Stderr());
    const int code = testing::HttpRequest(server.port(), "GET", "/v1/receipts/" + lookup).status;
    const double answer_ms = Since(r0) * 1e3;
    if (code != 200) ok = false;
    const UploadRun up = Upload(server.port(), fresh, clients);
    stored += fresh.size();
    if (up.created != fresh.size()) ok = false;
    const auto s0 = Steady::now();
    const int status_code = testing::HttpRequest(server.port(), "GET", "/v1/status.json").status;
    const double status_ms = Since(s0) * 1e3;
    if (status_code != 200) ok = false;
    const double serve_mb = static_cast<double>(testing::PeakRssBytes(server.pid())) / 1e6;
    if (server.Stop() != 0) return Fail("serve did not stop cleanly: " + server.Stderr());

    std::vector<std::string> open_args = location;
    open_args.insert(open_args.begin(), {"results", "open"});
    open_args.insert(open_args.end(),
                     {"--key", (work / "keys" / "results.key").string(), "--exam",
                      exam_dir.string(), "--out", (work / "results.csv").string()});
    const ChildRun open = RunTimed(open_args, work / "results-open.log");
    if (open.status != 0) {
      std::fprintf(stderr, "results open failed: %s\n",
                   testing::ReadText(work / "results-open.log").c_str());
      ok = false;
    } else if (const std::string said = testing::ReadText(work / "results-open.log");
               said.find("mismatches, 0 unopenable") == std::string::npos) {
      // Every bundle the fill wrote must open, or the figure is of refusals, not of results.
      std::fprintf(stderr, "results open found unopenable bundles: %s\n", said.c_str());
      ok = false;
    }
    std::printf("%10llu %9.0f %9.0f %8.0f %8.1f %8.1f %9.0f %9.1f %9.1f %9.1f %9.0f\n",
                static_cast<unsigned long long>(stored), listen_ms, answer_ms,
                static_cast<double>(fresh.size()) / up.seconds, up.p50_ms, up.p99_ms, status_ms,
                serve_mb, open.seconds, static_cast<double>(open.max_rss_kb) / 1e3,
                postgres ? 0.0 : static_cast<double>(DiskBytes(store)) / 1e6);
    std::fflush(stdout);
  }
  return ok ? 0 : 1;
}

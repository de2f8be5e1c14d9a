// Collection server throughput on loopback: N result bundles from several enrolled terminals
// uploaded by C concurrent clients to a real `lontar serve`, once per store backend (SQLite +
// files in a directory; PostgreSQL, a throwaway server started here with fsync on), against two
// baselines measured in the same run:
//   - the same bytes PUT to the same server at a path it refuses after reading the body (a
//     malformed bundle id): HTTP, a connection per request and the body transfer, nothing else;
//   - the Ed25519-verify limit: VerifyBundle of every bundle, in this process, on one core and
//     on every core;
// and, to say what bounds the stored rate: the sync rate of the disk under the store (a bundle
// appended and fdatasync'd, one at a time and in batches), and the CPU time the server and the
// clients spend per bundle (a machine with C cores serves at most C / (both) bundles a second);
// and how long a restart over the full store takes until it listens (SQLite: the open checks
// every segment record against the index).
//
//   lontar_server_bench [--n N] [--clients C] [--terminals T] [--records R]
//                       [--server-threads W] [--backends sqlite,postgres]
//                       [--connection-per-upload] [--pair] [--commits serial,pipelined]
//                       [--smoke]
//
// --commits: the group commit's modes to run each backend in, each over a store of its own:
// serial (the default of `lontar serve`) and pipelined (`lontar serve --pipelined-commits`: the
// next batch written while the previous one syncs, store.hpp (6)); both by default, so that one
// run compares them under the same load.
//
// Each client keeps one connection open for all its uploads, as `lontar sync` and `bundles
// import` do; --connection-per-upload opens one per upload instead (how this benchmark ran
// before 5 Dec 2026).
//
// Defaults: 18,000 bundles (one province's assessment), 16 clients, 4 terminals, 200 journal
// records per bundle, both backends. Asserts nothing; prints throughput, p50/p99 latency and the
// ratio to the verify limit. Without PostgreSQL's binaries the postgres run is skipped, or fails
// the benchmark when CI=true.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/bundle/bundle_format.hpp"
#include "core/crypto/key_file.hpp"
#include "core/terminal/terminal.hpp"
#include "tests/support/child_run.hpp"
#include "tests/support/pooled_latencies.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/put_client.hpp"
#include "tests/support/sample_bundles.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_support.hpp"

namespace {

using Steady = std::chrono::steady_clock;
using namespace lontar;

struct Upload {
  std::string path;
  const std::string* body;  // shared between the runs: 18,000 bundles are hundreds of MB
};

struct Run {
  double seconds = 0;
  double p50_ms = 0, p99_ms = 0;
  std::size_t ok = 0;
  double server_cpu_s = 0, client_cpu_s = 0;  // CPU time (user + system) spent in the run
};

bool g_keep_alive = true;  // --connection-per-upload clears it

// `clients` threads share the uploads 0..n-1 in order; each thread makes its sender with
// `make_sender()` (its own connections) and times every `send(i)`, which returns the HTTP status.
// `server_cpu()` reads the CPU seconds of the server processes under test.
template <typename ServerCpu, typename MakeSender>
Run HammerWith(std::size_t n, int clients, int expect_status, ServerCpu server_cpu,
               MakeSender make_sender) {
  std::atomic<std::size_t> next = 0, ok = 0;
  std::vector<std::vector<double>> lat(static_cast<std::size_t>(clients));
  const double server_cpu0 = server_cpu(), client_cpu0 = testing::SelfCpuSeconds();
  const auto start = Steady::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      auto send = make_sender();
      for (std::size_t i; (i = next++) < n;) {
        const auto t0 = Steady::now();
        const int status = send(i);
        lat[static_cast<std::size_t>(c)].push_back(
            std::chrono::duration<double, std::milli>(Steady::now() - t0).count());
        if (status == expect_status) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  Run r;
  r.seconds = std::chrono::duration<double>(Steady::now() - start).count();
  r.server_cpu_s = server_cpu() - server_cpu0;
  r.client_cpu_s = testing::SelfCpuSeconds() - client_cpu0;
  const auto pooled = testing::PoolLatencies(lat);
  r.p50_ms = pooled.p50_ms;
  r.p99_ms = pooled.p99_ms;
  r.ok = ok;
  return r;
}

Run Hammer(const testing::ServerProcess& server, const std::vector<Upload>& uploads, int clients,
           int expect_status) {
  const int port = server.port();
  return HammerWith(
      uploads.size(), clients, expect_status,
      [&] { return testing::ProcessCpuSeconds(server.pid()); },
      [&] {
        return [&, client = std::make_unique<testing::LoopbackPutClient>(port)](std::size_t i) {
          return g_keep_alive
                     ? client->Put(uploads[i].path, *uploads[i].body)
                     : testing::HttpRequest(port, "PUT", uploads[i].path, *uploads[i].body).status;
        };
      });
}

double Print(const std::string& what, const Run& r, std::size_t n) {
  const double rate = static_cast<double>(n) / r.seconds;
  const double per = 1e3 / static_cast<double>(n);
  std::printf(
      "%-56s %8.0f /s   p50 %6.2f ms   p99 %7.2f ms   (%zu of %zu as expected)   CPU ms/bundle: "
      "server %.2f, clients %.2f\n",
      what.c_str(), rate, r.p50_ms, r.p99_ms, r.ok, n, r.server_cpu_s * per, r.client_cpu_s * per);
  return rate;
}

// The disk under `dir`: bundles of `size` bytes appended to one file, `batch` at a time, one
// fdatasync per batch; returns bundles per second.
double SyncRate(const std::filesystem::path& dir, std::size_t size, int batch, int bundles) {
  const std::filesystem::path file = dir / "throughput-sync-probe";
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return 0;
  const std::string data(size, 'x');
  const auto t0 = Steady::now();
  for (int i = 0; i < bundles; ++i) {
    if (::write(fd, data.data(), data.size()) != static_cast<ssize_t>(data.size())) break;
    if ((i + 1) % batch == 0 && ::fdatasync(fd) != 0) break;
  }
  const double s = std::chrono::duration<double>(Steady::now() - t0).count();
  ::close(fd);
  std::filesystem::remove(file);
  return static_cast<double>(bundles) / s;
}

// One backend: a server over it, the HTTP baseline, the uploads, the duplicates. False if the
// server did not start or did not stop cleanly. (An upload that gets no answer at all, a
// connection dropped from the listen backlog, shows as one fewer "as expected".)
bool RunBackend(const std::string& name, const std::vector<std::string>& store_args,
                const testing::TempDir& dir, const std::vector<Upload>& uploads,
                const std::vector<Upload>& baseline, int clients, int server_threads,
                double verify_limit, double verify_ms) {
  std::vector<std::string> args = store_args;
  args.insert(args.end(), {"--enrolled", (dir / "enrolled").string(), "--key",
                           (dir / "keys" / "server.key").string(), "--threads",
                           std::to_string(server_threads)});
  testing::ServerProcess server(args, dir.path());
  if (server.port() == 0) return false;
  const Run base = Hammer(server, baseline, clients, 400);
  Print(name + ": PUT same bytes, refused after reading (base)", base, baseline.size());
  const Run stored = Hammer(server, uploads, clients, 201);
  const double rate =
      Print(name + ": PUT /v1/bundles/{id}: verify, store, receipt", stored, uploads.size());
  const Run dups = Hammer(server, uploads, clients, 200);
  Print(name + ": PUT again: duplicates, original receipt", dups, uploads.size());
  std::printf("%-56s %8.2fx the verify limit, p99 %.1f ms\n", (name + ": stored").c_str(),
              rate / verify_limit, stored.p99_ms);
  // Issue 21's ratios: the server's CPU per bundle against one VerifyBundle of it.
  const double n_bundles = static_cast<double>(uploads.size());
  std::printf(
      "%-56s %8.2fx one verify (%.3f ms)\n", (name + ": server CPU per stored bundle").c_str(),
      stored.server_cpu_s * 1e3 / n_bundles / verify_ms, stored.server_cpu_s * 1e3 / n_bundles);
  std::printf("%-56s %8.2fx one verify (%.3f ms)\n", (name + ": server CPU per duplicate").c_str(),
              dups.server_cpu_s * 1e3 / n_bundles / verify_ms, dups.server_cpu_s * 1e3 / n_bundles);
  // What the machine's cores allow, clients included (they run here too): at the CPU cost per
  // bundle measured above, and with no storage at all (the base run's HTTP cost plus a verify).
  const double cores = std::max(1u, std::thread::hardware_concurrency());
  const double per_stored =
      (stored.server_cpu_s + stored.client_cpu_s) * 1e3 / static_cast<double>(uploads.size());
  const double per_bare =
      (base.server_cpu_s + base.client_cpu_s) * 1e3 / static_cast<double>(baseline.size()) +
      verify_ms;
  std::printf("%-56s %8.0f /s   (%.2fx the verify limit; %.2f ms CPU per bundle)\n",
              (name + ": CPU ceiling at the stored run's cost").c_str(), cores * 1e3 / per_stored,
              cores * 1e3 / per_stored / verify_limit, per_stored);
  std::printf("%-56s %8.0f /s   (%.2fx the verify limit; %.2f ms CPU per bundle)\n",
              (name + ": CPU ceiling of HTTP + verify, no store").c_str(), cores * 1e3 / per_bare,
              cores * 1e3 / per_bare / verify_limit, per_bare);
  std::printf("%-56s %8.2fx\n", (name + ": stored / the HTTP + verify ceiling").c_str(),
              rate / (cores * 1e3 / per_bare));
  if (server.Stop() != 0) return false;
  // A restart over the full store, until it listens: with --store, the open walks every
  // segment record against the index (page cache warm from the run).
  const auto t0 = Steady::now();
  testing::ServerProcess again(args, dir.path());
  const double ms = std::chrono::duration<double, std::milli>(Steady::now() - t0).count();
  if (again.port() == 0) return false;
  std::printf("%-56s %8.0f ms\n", (name + ": restart over the full store, until listening").c_str(),
              ms);
  return again.Stop() == 0;
}

// --pair: two `lontar serve` on one PostgreSQL database `url` (the advisory lock of
// postgres_backend.cpp lets their group commits take turns), the clients split between them,
// each bundle sent once; then every bundle again through the server that did not store it
// (duplicates). Prints the pair's rate, latency and CPU per bundle of both servers together.
bool RunPair(const std::string& url, const testing::TempDir& dir,
             const std::vector<Upload>& uploads, int clients, int server_threads,
             double verify_limit) {
  std::vector<std::string> args = {"--db",       url,
                                   "--enrolled", (dir / "enrolled").string(),
                                   "--key",      (dir / "keys" / "server.key").string(),
                                   "--threads",  std::to_string(server_threads)};
  std::filesystem::create_directories(dir / "pair-a");
  std::filesystem::create_directories(dir / "pair-b");
  testing::ServerProcess a(args, dir / "pair-a"), b(args, dir / "pair-b");
  if (a.port() == 0 || b.port() == 0) return false;
  auto hammer = [&](int flip, int expect_status) {
    return HammerWith(
        uploads.size(), clients, expect_status,
        [&] { return testing::ProcessCpuSeconds(a.pid()) + testing::ProcessCpuSeconds(b.pid()); },
        [&] {
          // Each client sends bundle i to one server or the other by i's parity, so that each
          // bundle's second pass (flip) goes to the server its first did not.
          return [&, to_a = std::make_unique<testing::LoopbackPutClient>(a.port()),
                  to_b = std::make_unique<testing::LoopbackPutClient>(b.port())](std::size_t i) {
            testing::LoopbackPutClient& client =
                (i + static_cast<std::size_t>(flip)) % 2 == 0 ? *to_a : *to_b;
            return client.Put(uploads[i].path, *uploads[i].body);
          };
        });
  };
  const Run stored = hammer(0, 201);
  const double rate =
      Print("postgres pair: two servers, one database, stored", stored, uploads.size());
  Print("postgres pair: again via the other server (duplicates)", hammer(1, 200), uploads.size());
  std::printf("%-56s %8.2fx the verify limit\n", "postgres pair: stored", rate / verify_limit);
  return a.Stop() == 0 && b.Stop() == 0;
}

}  // namespace

int main(int argc, char** argv) {
  int n = 18000, clients = 16, terminals = 4, records = 200, server_threads = 32;
  std::string backends = "sqlite,postgres";
  bool pair = false;  // --pair: also two servers on one PostgreSQL database (RunPair)
  std::string commits = "serial,pipelined";
  for (int i = 1; i < argc; ++i) {
    auto next = [&] { return i + 1 < argc ? std::atoi(argv[++i]) : 0; };
    if (std::strcmp(argv[i], "--n") == 0)
      n = next();
    else if (std::strcmp(argv[i], "--clients") == 0)
      clients = next();
    else if (std::strcmp(argv[i], "--terminals") == 0)
      terminals = next();
    else if (std::strcmp(argv[i], "--records") == 0)
      records = next();
    else if (std::strcmp(argv[i], "--server-threads") == 0)
      server_threads = next();
    else if (std::strcmp(argv[i], "--backends") == 0 && i + 1 < argc)
      backends = argv[++i];
    else if (std::strcmp(argv[i], "--connection-per-upload") == 0)
      g_keep_alive = false;
    else if (std::strcmp(argv[i], "--pair") == 0)
      pair = true;
    else if (std::strcmp(argv[i], "--commits") == 0 && i + 1 < argc)
      commits = argv[++i];
    else if (std::strcmp(argv[i], "--smoke") == 0)
      n = 20, clients = 2, terminals = 2, records = 5;
  }
  testing::TempDir dir;
  for (const char* kind : {"authority", "results", "server"}) {
    if (testing::RunLontar({"keys", "new", kind, "--out", (dir / "keys").string()}).exit_code) {
      std::fprintf(stderr, "keys new %s failed\n", kind);
      return 1;
    }
  }
  std::filesystem::create_directories(dir / "enrolled");
  auto results = crypto::ReadBoxPublicKeyFile(dir / "keys" / "results.pub").value();
  SystemClock clock;
  std::vector<Upload> uploads, baseline;
  std::vector<Bytes> raw;
  std::vector<std::string> bodies;
  bodies.reserve(static_cast<std::size_t>(n));  // Upload points into it
  std::vector<crypto::VerifyKey> keys;
  for (int t = 0; t < terminals; ++t) {
    const std::string home = (dir / ("t" + std::to_string(t))).string();
    auto init = testing::RunLontar({"terminal", "init", "--home", home, "--site", "SITE-01",
                                    "--trust", (dir / "keys" / "authority.pub").string()});
    const std::string id = init.out.substr(0, init.out.find('\n'));
    if (init.exit_code != 0 ||
        testing::RunLontar({"terminal", "enrollment", "--home", home, "--out",
                            (dir / "enrolled" / (id + ".enroll")).string()})
                .exit_code != 0) {
      std::fprintf(stderr, "terminal init failed: %s\n", init.err.c_str());
      return 1;
    }
    auto term = terminal::Terminal::Open(home, clock).value();
    keys.push_back(term.signing_key().public_key());
    const int mine = n / terminals + (t < n % terminals ? 1 : 0);
    for (int s = 1; s <= mine; ++s) {
      bundle::BundleInputs in =
          testing::SampleBundleInputs(term, "CACT-2026", static_cast<std::uint64_t>(s));
      in.participant = "P-" + std::to_string(t * 100000 + s);
      in.journal_seq = static_cast<std::uint64_t>(s * 1000);
      in.payload.answers.clear();
      for (int k = 0; k < 110; ++k) in.payload.answers["item-" + std::to_string(k)] = "C";
      for (int k = 0; k < records; ++k) {
        journal::Record r;
        r.seq = static_cast<std::uint64_t>(s * 1000 + k);
        r.type = "sitting.checkpoint";
        r.payload = R"({"elapsed_ms":)" + std::to_string(k * 5000) + "}";
        r.hash = journal::ComputeRecordHash(r);
        in.payload.journal.push_back(std::move(r));
      }
      auto b = bundle::WriteBundle(in, term.signing_key(), results);
      if (!b) {
        std::fprintf(stderr, "WriteBundle: %s\n", b.error().message().c_str());
        return 1;
      }
      auto env = bundle::ParseEnvelope(*b).value();
      const std::string id_hex = HexEncode(bundle::ParseHeader(env.header_json)->bundle_id);
      bodies.emplace_back(b->begin(), b->end());
      uploads.push_back({"/v1/bundles/" + id_hex, &bodies.back()});
      baseline.push_back({"/v1/bundles/baseline-not-an-id", &bodies.back()});
      raw.push_back(std::move(*b));
    }
  }
  std::size_t bytes = 0;
  for (const auto& u : uploads) bytes += u.body->size();
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::printf(
      "%d bundles (%.1f KB each), %d terminals, %d clients (%s), %d server workers, %u cores\n", n,
      static_cast<double>(bytes) / static_cast<double>(n) / 1e3, terminals, clients,
      g_keep_alive ? "one kept-alive connection each" : "a connection per upload", server_threads,
      cores);

  // The verify limit: one core, then every core, verifying bundles, nothing else.
  auto verify_rate = [&](unsigned threads_wanted) {
    std::atomic<std::size_t> next = 0;
    const auto t0 = Steady::now();
    std::vector<std::thread> threads;
    for (unsigned c = 0; c < threads_wanted; ++c) {
      threads.emplace_back([&] {
        for (std::size_t i; (i = next++) < raw.size();) (void)bundle::VerifyBundle(raw[i], keys);
      });
    }
    for (auto& t : threads) t.join();
    return static_cast<double>(n) / std::chrono::duration<double>(Steady::now() - t0).count();
  };
  // One verify's cost as CPU time, not wall time: on a machine shared with other work the wall
  // time of a verify grows with the neighbours' load. The least of three passes over up to 1,000
  // bundles, since a busy neighbour inflates even CPU time (caches, frequency) now and then.
  const double verify_one = verify_rate(1);
  double verify_cpu_ms = 1e9;
  const std::size_t sample = std::min<std::size_t>(raw.size(), 1000);
  for (int pass = 0; pass < 3; ++pass) {
    const double cpu0 = testing::SelfCpuSeconds();
    for (std::size_t i = 0; i < sample; ++i) (void)bundle::VerifyBundle(raw[i], keys);
    verify_cpu_ms = std::min(verify_cpu_ms, (testing::SelfCpuSeconds() - cpu0) * 1e3 / sample);
  }
  std::printf("%-56s %8.0f /s   (%.3f ms CPU per bundle, %.3f ms wall)\n",
              "VerifyBundle on one core", verify_one, verify_cpu_ms, 1e3 / verify_one);
  const double verify_limit = verify_rate(cores);
  std::printf("%-56s %8.0f /s\n", "VerifyBundle on every core (the limit)", verify_limit);

  // What the disk allows: one sync per bundle (the old layout paid two), or one per batch.
  const std::size_t bundle_size = bytes / static_cast<std::size_t>(std::max(1, n));
  const int probe = std::min(n, 400);
  for (int batch : {1, 16, 64}) {
    std::printf("%-56s %8.0f /s\n",
                ("disk: bundle appended, fdatasync every " + std::to_string(batch)).c_str(),
                SyncRate(dir.path(), bundle_size, batch, batch == 1 ? probe / 4 : probe * 4));
  }

  // (name suffix, extra `lontar serve` arguments) per group-commit mode asked for.
  std::vector<std::pair<std::string, std::vector<std::string>>> modes;
  if (commits.find("serial") != std::string::npos) modes.push_back({"", {}});
  if (commits.find("pipelined") != std::string::npos) {
    modes.push_back({" pipelined", {"--pipelined-commits"}});
  }
  auto with = [](std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  bool ok = true;
  if (backends.find("sqlite") != std::string::npos) {
    for (const auto& [suffix, extra] : modes) {
      const std::string store = suffix.empty() ? "store" : "store-pipelined";
      ok &= RunBackend("sqlite" + suffix, with({"--store", (dir / store).string()}, extra), dir,
                       uploads, baseline, clients, server_threads, verify_limit, verify_cpu_ms);
    }
  }
  if (backends.find("postgres") != std::string::npos) {
    if (testing::PostgresServer::BinDir().empty()) {
      std::printf("postgres: skipped, PostgreSQL binaries missing (install `postgresql`)\n");
      ok &= !testing::PostgresRequired();
    } else {
      testing::PostgresServer pg({.durable = true});
      const std::string url = pg.ok() ? pg.CreateDatabase("bench") : "";
      if (url.empty()) {
        std::fprintf(stderr, "postgres: %s\n", pg.error().c_str());
        ok = false;
      } else {
        for (const auto& [suffix, extra] : modes) {
          const std::string db = suffix.empty() ? url : pg.CreateDatabase("bench_pipelined");
          ok &= !db.empty() &&
                RunBackend("postgres" + suffix, with({"--db", db}, extra), dir, uploads, baseline,
                           clients, server_threads, verify_limit, verify_cpu_ms);
        }
        const std::string pair_url = pair ? pg.CreateDatabase("pair") : "";
        if (pair)
          ok &= !pair_url.empty() &&
                RunPair(pair_url, dir, uploads, clients, server_threads, verify_limit);
      }
    }
  }
  return ok ? 0 : 1;
}

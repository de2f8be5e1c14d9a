// Collection server throughput on loopback: N result bundles from several enrolled terminals
// uploaded by C concurrent clients to a real `lontar serve`, once per store backend (SQLite +
// files in a directory; PostgreSQL, a throwaway server started here with fsync on), against two
// baselines measured in the same run:
//   - the same bytes PUT to the same server at a path it refuses after reading the body (a
//     malformed bundle id): HTTP, a connection per request and the body transfer, nothing else;
//   - the Ed25519-verify limit: VerifyBundle of every bundle, in this process, on every core.
//
//   lontar_server_bench [--n N] [--clients C] [--terminals T] [--records R]
//                       [--server-threads W] [--backends sqlite,postgres] [--smoke]
//
// Defaults: 18,000 bundles (one province's assessment), 16 clients, 4 terminals, 200 journal
// records per bundle, both backends. Asserts nothing; prints throughput, p50/p99 latency and the
// ratio to the verify limit. Without PostgreSQL's binaries the postgres run is skipped, or fails
// the benchmark when CI=true.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "core/bundle/bundle_format.hpp"
#include "core/crypto/key_file.hpp"
#include "core/terminal/terminal.hpp"
#include "tests/support/postgres_server.hpp"
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
};

Run Hammer(int port, const std::vector<Upload>& uploads, int clients, int expect_status) {
  std::atomic<std::size_t> next = 0, ok = 0;
  std::vector<std::vector<double>> lat(static_cast<std::size_t>(clients));
  const auto start = Steady::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      for (;;) {
        const std::size_t i = next++;
        if (i >= uploads.size()) return;
        const auto t0 = Steady::now();
        auto reply = testing::HttpRequest(port, "PUT", uploads[i].path, *uploads[i].body);
        lat[static_cast<std::size_t>(c)].push_back(
            std::chrono::duration<double, std::milli>(Steady::now() - t0).count());
        if (reply.status == expect_status) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  Run r;
  r.seconds = std::chrono::duration<double>(Steady::now() - start).count();
  std::vector<double> all;
  for (auto& v : lat) all.insert(all.end(), v.begin(), v.end());
  std::sort(all.begin(), all.end());
  r.p50_ms = all[all.size() / 2];
  r.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  r.ok = ok;
  return r;
}

double Print(const std::string& what, const Run& r, std::size_t n) {
  const double rate = static_cast<double>(n) / r.seconds;
  std::printf("%-56s %8.0f /s   p50 %6.2f ms   p99 %7.2f ms   (%zu of %zu as expected)\n",
              what.c_str(), rate, r.p50_ms, r.p99_ms, r.ok, n);
  return rate;
}

// One backend: a server over it, the HTTP baseline, the uploads, the duplicates. False if the
// server did not start or did not stop cleanly. (An upload that gets no answer at all, a
// connection dropped from the listen backlog, shows as one fewer "as expected".)
bool RunBackend(const std::string& name, const std::vector<std::string>& store_args,
                const testing::TempDir& dir, const std::vector<Upload>& uploads,
                const std::vector<Upload>& baseline, int clients, int server_threads,
                double verify_limit) {
  std::vector<std::string> args = store_args;
  args.insert(args.end(), {"--enrolled", (dir / "enrolled").string(), "--key",
                           (dir / "keys" / "server.key").string(), "--threads",
                           std::to_string(server_threads)});
  testing::ServerProcess server(args, dir.path());
  if (server.port() == 0) return false;
  Print(name + ": PUT same bytes, refused after reading (base)",
        Hammer(server.port(), baseline, clients, 400), baseline.size());
  const Run stored = Hammer(server.port(), uploads, clients, 201);
  const double rate =
      Print(name + ": PUT /v1/bundles/{id}: verify, store, receipt", stored, uploads.size());
  Print(name + ": PUT again: duplicates, original receipt",
        Hammer(server.port(), uploads, clients, 200), uploads.size());
  std::printf("%-56s %8.2fx the verify limit, p99 %.1f ms\n", (name + ": stored").c_str(),
              rate / verify_limit, stored.p99_ms);
  return server.Stop() == 0;
}

}  // namespace

int main(int argc, char** argv) {
  int n = 18000, clients = 16, terminals = 4, records = 200, server_threads = 32;
  std::string backends = "sqlite,postgres";
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
      bundle::BundleInputs in;
      in.terminal_id = term.id();
      in.site = term.site();
      in.exam_id = "CACT-2026";
      in.pack_id = "0123456789abcdef0123456789abcdef";
      in.exam_version = 1;
      in.seq = static_cast<std::uint64_t>(s);
      in.participant = "P-" + std::to_string(t * 100000 + s);
      in.created_ms = 1'795'500'000'000;
      in.journal_seq = static_cast<std::uint64_t>(s * 1000);
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
      const std::string id_hex = HexEncode(crypto::Blake2b256(env.sealed_payload));
      bodies.emplace_back(b->begin(), b->end());
      uploads.push_back({"/v1/bundles/" + id_hex, &bodies.back()});
      baseline.push_back({"/v1/bundles/baseline-not-an-id", &bodies.back()});
      raw.push_back(std::move(*b));
    }
  }
  std::size_t bytes = 0;
  for (const auto& u : uploads) bytes += u.body->size();
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::printf("%d bundles (%.1f KB each), %d terminals, %d clients, %d server workers, %u cores\n",
              n, static_cast<double>(bytes) / static_cast<double>(n) / 1e3, terminals, clients,
              server_threads, cores);

  // The verify limit: every core verifying bundles, nothing else.
  double verify_limit = 0;
  {
    std::atomic<std::size_t> next = 0;
    const auto t0 = Steady::now();
    std::vector<std::thread> threads;
    for (unsigned c = 0; c < cores; ++c) {
      threads.emplace_back([&] {
        for (std::size_t i; (i = next++) < raw.size();) (void)bundle::VerifyBundle(raw[i], keys);
      });
    }
    for (auto& t : threads) t.join();
    const double s = std::chrono::duration<double>(Steady::now() - t0).count();
    verify_limit = static_cast<double>(n) / s;
    std::printf("%-56s %8.0f /s\n", "VerifyBundle on every core (the limit)", verify_limit);
  }

  bool ok = true;
  if (backends.find("sqlite") != std::string::npos) {
    ok &= RunBackend("sqlite", {"--store", (dir / "store").string()}, dir, uploads, baseline,
                     clients, server_threads, verify_limit);
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
        ok &= RunBackend("postgres", {"--db", url}, dir, uploads, baseline, clients, server_threads,
                         verify_limit);
      }
    }
  }
  return ok ? 0 : 1;
}

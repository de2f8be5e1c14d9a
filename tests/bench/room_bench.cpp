// The site relay's room view under a full room: T enrolled terminals each sending a signed
// heartbeat every I seconds to one real `lontar serve` on loopback for D seconds, while a
// proctor's browser asks for the status page (with the room view) once a second.
//
//   lontar_room_bench [--terminals T] [--interval I] [--duration D] [--smoke]
//
// Defaults: 200 terminals, every 5 s, for 600 s (issue 19's load). --smoke: 5 terminals, every
// 1 s, for 3 s. Asserts nothing; prints heartbeats sent, taken (stored, superseded) and refused,
// the page's render time (request to last byte) p50 / p99 / max, /v1/room.json's p50, and the
// relay's resident memory at the start (after the first round), the middle and the end.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "core/sync/heartbeat.hpp"
#include "core/terminal/enrollment.hpp"
#include "core/terminal/terminal.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_support.hpp"

namespace {

using Steady = std::chrono::steady_clock;
using namespace lontar;

// VmRSS of `pid` in KiB (0 if unknown).
long RssKiB(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

const char* kPhases[] = {"not-started", "in-progress", "in-progress", "in-progress",
                         "paused",      "finished",    "voided",      "handed-off"};

}  // namespace

int main(int argc, char** argv) {
  int terminals = 200;
  double interval_s = 5, duration_s = 600;
  for (int i = 1; i < argc; ++i) {
    auto next = [&] { return i + 1 < argc ? std::atof(argv[++i]) : 0.0; };
    if (std::strcmp(argv[i], "--terminals") == 0)
      terminals = static_cast<int>(next());
    else if (std::strcmp(argv[i], "--interval") == 0)
      interval_s = next();
    else if (std::strcmp(argv[i], "--duration") == 0)
      duration_s = next();
    else if (std::strcmp(argv[i], "--smoke") == 0)
      terminals = 5, interval_s = 1, duration_s = 3;
  }
  if (terminals < 1 || interval_s <= 0 || duration_s <= 0) {
    std::fprintf(stderr,
                 "usage: lontar_room_bench [--terminals T] [--interval I] "
                 "[--duration D] [--smoke]\n");
    return 2;
  }
  testing::TempDir dir;
  if (testing::RunLontar({"keys", "new", "server", "--out", (dir / "keys").string()}).exit_code) {
    std::fprintf(stderr, "keys new server failed\n");
    return 1;
  }
  std::filesystem::create_directories(dir / "enrolled");
  SystemClock clock;
  auto authority = crypto::SigningKey::Generate().value();
  std::vector<terminal::Terminal> homes;
  const auto setup_start = Steady::now();
  for (int t = 0; t < terminals; ++t) {
    terminal::InitOptions o{.site = "SITE-01",
                            .name = "Ruang 1 / PC " + std::to_string(t + 1),
                            .trusted = {{authority.public_key(), "authority"}}};
    auto term = terminal::Terminal::Init(dir / ("t" + std::to_string(t)), o, clock);
    if (!term) {
      std::fprintf(stderr, "terminal init: %s\n", term.error().message().c_str());
      return 1;
    }
    testing::WriteText(dir / "enrolled" / (term->id() + ".enroll"),
                       terminal::WriteEnrollment(*term, clock.WallMs()));
    homes.push_back(std::move(*term));
  }
  std::printf("set up %d enrolled terminals in %.1f s\n", terminals,
              std::chrono::duration<double>(Steady::now() - setup_start).count());

  testing::ServerProcess server(
      {"--store", (dir / "store").string(), "--enrolled", (dir / "enrolled").string(), "--key",
       (dir / "keys" / "server.key").string()},
      dir.path());
  if (server.port() == 0) return 1;
  const int port = server.port();

  std::atomic<std::uint64_t> sent = 0, ok = 0, refused = 0;
  std::atomic<bool> stop = false;
  const auto start = Steady::now();
  const auto end = start + std::chrono::milliseconds(static_cast<long>(duration_s * 1e3));
  const auto interval = std::chrono::milliseconds(static_cast<long>(interval_s * 1e3));
  // Each sender thread owns every kSenders-th terminal; terminal t's heartbeats are due at
  // start + (t / T) * I + k * I, so the room's heartbeats are spread evenly over the interval.
  constexpr int kSenders = 8;
  std::vector<std::thread> senders;
  for (int w = 0; w < kSenders; ++w) {
    senders.emplace_back([&, w] {
      std::vector<std::uint64_t> rounds(static_cast<std::size_t>(terminals), 0);
      for (;;) {
        // The next due heartbeat among this thread's terminals.
        int who = -1;
        Steady::time_point due = Steady::time_point::max();
        for (int t = w; t < terminals; t += kSenders) {
          const auto at = start + interval * t / terminals +
                          interval * static_cast<long>(rounds[static_cast<std::size_t>(t)]);
          if (at < due) due = at, who = t;
        }
        if (who < 0 || due >= end || stop) return;
        std::this_thread::sleep_until(due);
        const terminal::Terminal& term = homes[static_cast<std::size_t>(who)];
        const std::uint64_t k = ++rounds[static_cast<std::size_t>(who)];
        sync::Heartbeat hb;
        hb.terminal_id = term.id();
        hb.site = term.site();
        hb.name = term.name();
        hb.seat = "A-" + std::to_string(who + 1);
        hb.seq = k;
        hb.sent_ms = clock.WallMs();
        hb.clock_offset_ms = 0;
        hb.pack_id = "0123456789abcdef0123456789abcdef";
        hb.exam_id = "SKD-2026";
        hb.title = "SKD sesi 1";
        hb.participant = "P-" + std::to_string(100000 + who);
        hb.phase = kPhases[(static_cast<std::size_t>(who) + k / 24) % std::size(kPhases)];
        hb.section = 1 + k % 3;
        hb.section_title = "TIU";
        hb.items = 110;
        hb.answered = std::min<std::uint64_t>(k, 110);
        hb.time_left_s = 6000 - static_cast<std::int64_t>(k * 5);
        hb.last_answer_ms = hb.sent_ms - 7000;
        const std::string body = sync::WriteHeartbeat(hb, term.signing_key());
        ++sent;
        auto reply = testing::HttpRequest(port, "POST", "/v1/heartbeat", body);
        (reply.status == 200 ? ok : refused) += 1;
      }
    });
  }

  std::vector<double> page_ms, json_ms;
  long rss_start = 0, rss_middle = 0, rss_end = 0;
  bool middle_taken = false;
  std::size_t page_bytes = 0;
  for (auto next = start + interval + std::chrono::seconds(1); next < end;
       next += std::chrono::seconds(1)) {
    std::this_thread::sleep_until(next);
    if (rss_start == 0) rss_start = RssKiB(server.pid());  // after the first round
    if (!middle_taken && next >= start + (end - start) / 2) {
      rss_middle = RssKiB(server.pid());
      middle_taken = true;
    }
    const auto t0 = Steady::now();
    auto page = testing::HttpRequest(port, "GET", "/status");
    const auto t1 = Steady::now();
    auto room = testing::HttpRequest(port, "GET", "/v1/room.json");
    const auto t2 = Steady::now();
    if (page.status == 200) {
      page_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
      page_bytes = page.body.size();
    }
    if (room.status == 200) {
      json_ms.push_back(std::chrono::duration<double, std::milli>(t2 - t1).count());
    }
  }
  stop = true;
  for (auto& s : senders) s.join();
  rss_end = RssKiB(server.pid());
  auto room = testing::HttpRequest(port, "GET", "/v1/room.json");
  const auto j = nlohmann::json::parse(room.body, nullptr, false);
  if (!j.is_object()) {
    std::fprintf(stderr, "no room view: %s\n", room.body.c_str());
    return 1;
  }
  const auto& c = j["counters"];
  std::size_t tiles = 0;
  for (const auto& s : j["sessions"]) tiles += s["seats"].size();
  std::printf("%d terminals, a heartbeat every %.1f s each, %.0f s on loopback\n", terminals,
              interval_s, duration_s);
  std::printf("heartbeats: %llu sent, %llu answered 200, %llu refused or lost\n",
              static_cast<unsigned long long>(sent.load()),
              static_cast<unsigned long long>(ok.load()),
              static_cast<unsigned long long>(refused.load()));
  std::printf(
      "relay counters: %llu stored (%llu superseded), %llu stale, %llu forged, "
      "%llu unenrolled, %llu malformed; %zu tiles\n",
      c["stored"].get<unsigned long long>(), c["superseded"].get<unsigned long long>(),
      c["stale"].get<unsigned long long>(), c["forged"].get<unsigned long long>(),
      c["unenrolled"].get<unsigned long long>(), c["malformed"].get<unsigned long long>(), tiles);
  std::printf(
      "status page with the room view (%zu bytes): p50 %.2f ms, p99 %.2f ms, max %.2f ms "
      "over %zu requests\n",
      page_bytes, Percentile(page_ms, 0.5), Percentile(page_ms, 0.99),
      page_ms.empty() ? 0.0 : *std::max_element(page_ms.begin(), page_ms.end()), page_ms.size());
  std::printf("/v1/room.json: p50 %.2f ms, p99 %.2f ms\n", Percentile(json_ms, 0.5),
              Percentile(json_ms, 0.99));
  std::printf("relay RSS: start %ld KiB, middle %ld KiB, end %ld KiB\n", rss_start, rss_middle,
              rss_end);
  return 0;
}

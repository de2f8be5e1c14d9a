// What one client can make the collection server hold (provision/http_limits.hpp): each attack
// runs against a real `lontar serve` on loopback with --max-bundle-mb 1, and the server's peak
// resident memory (VmHWM) is read before and after. Before the limits, a 64 MiB chunked PUT took
// the server from 17 to 146 MB before its 413, and a slow client held a worker for as long as
// it kept sending.
#include <gtest/gtest.h>
#include <unistd.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "tests/support/prepared_dir.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::HttpSendRaw;
using testing::PeakRssBytes;
using testing::ServerProcess;
using testing::TempDir;

constexpr std::uint64_t kMiB = 1 << 20;
// Growth of the server's peak memory that an attack may cause: the limits keep it to the head
// (16 KiB) and a declared body under the 1 MiB cap; what is left is allocator and stack noise.
constexpr std::uint64_t kAllowedGrowth = 8 * kMiB;
const std::string kPath = "/v1/bundles/" + std::string(64, 'a');

class ServerLimitsTest : public ::testing::Test {
 protected:
  // A server key and one enrolled terminal (the server refuses to start with none).
  // Made once by the `lontar` binary and copied for each test (tests/support/prepared_dir.hpp).
  void SetUp() override {
    ASSERT_TRUE(testing::CopyPrepared("server-limits-test", MakeSite, dir_.path()));
  }

  static void MakeSite(const std::filesystem::path& dir) {
    for (const char* kind : {"authority", "server"}) {
      auto k = testing::RunLontar({"keys", "new", kind, "--out", (dir / "keys").string()});
      ASSERT_EQ(k.exit_code, 0) << k.err;
    }
    const std::string home = (dir / "home").string();
    auto init = testing::RunLontar({"terminal", "init", "--home", home, "--site", "SITE-01",
                                    "--trust", (dir / "keys" / "authority.pub").string()});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    const std::string id = init.out.substr(0, init.out.find('\n'));
    std::filesystem::create_directories(dir / "enrolled");
    auto e = testing::RunLontar({"terminal", "enrollment", "--home", home, "--out",
                                 (dir / "enrolled" / (id + ".enroll")).string()});
    ASSERT_EQ(e.exit_code, 0) << e.err;
  }

  std::vector<std::string> Args(std::vector<std::string> extra = {}) const {
    std::vector<std::string> args = {"--store",         (dir_ / "store").string(),
                                     "--enrolled",      (dir_ / "enrolled").string(),
                                     "--key",           (dir_ / "keys" / "server.key").string(),
                                     "--max-bundle-mb", "1",
                                     "--read-timeout",  "5"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  // The server's error body, with its message checked.
  static void ExpectJsonError(const testing::HttpReply& reply, int status,
                              const std::string& message) {
    EXPECT_EQ(reply.status, status) << reply.body;
    auto j = nlohmann::json::parse(reply.body, nullptr, false);
    ASSERT_TRUE(j.is_object() && j.contains("error")) << reply.body;
    EXPECT_NE(j["error"].get<std::string>().find(message), std::string::npos) << j["error"];
  }

  // Runs `attack` against a fresh server and returns how much its peak memory grew.
  template <typename F>
  std::uint64_t PeakGrowth(F attack, std::vector<std::string> extra_args = {}) {
    ServerProcess server(Args(std::move(extra_args)), dir_.path());
    EXPECT_NE(server.port(), 0);
    if (server.port() == 0) return 0;
    // One well-formed request first, so that the worker's allocator is set up before measuring.
    testing::HttpRequest(server.port(), "GET", "/v1/status.json");
    const std::uint64_t before = PeakRssBytes(server.pid());
    attack(server.port());
    const std::uint64_t after = PeakRssBytes(server.pid());
    EXPECT_TRUE(server.Running());
    std::cerr << "server peak memory " << before / kMiB << " MiB -> " << after / kMiB << " MiB\n";
    return after - before;
  }

  TempDir dir_;
};

// 64 chunks of 1 MiB: refused from its head, before any chunk is read.
TEST_F(ServerLimitsTest, AChunkedUploadIsRefusedBeforeItsBodyIsRead) {
  const std::string chunk = "100000\r\n" + std::string(kMiB, 'x') + "\r\n";
  const std::uint64_t growth = PeakGrowth([&](int port) {
    auto r = HttpSendRaw(
        port, "PUT " + kPath + " HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", chunk,
        64, "0\r\n\r\n");
    ExpectJsonError(r.reply, 411, "Transfer-Encoding 'chunked' is refused");
  });
  EXPECT_LT(growth, kAllowedGrowth);
}

// 64 MiB and then the end of the stream, with no size given.
TEST_F(ServerLimitsTest, AnUploadWithoutContentLengthIsRefusedBeforeItsBodyIsRead) {
  const std::uint64_t growth = PeakGrowth([&](int port) {
    auto r = HttpSendRaw(port, "PUT " + kPath + " HTTP/1.1\r\nHost: a\r\n\r\n",
                         std::string(kMiB, 'x'), 64);
    ExpectJsonError(r.reply, 411, "a PUT needs a Content-Length");
  });
  EXPECT_LT(growth, kAllowedGrowth);
}

TEST_F(ServerLimitsTest, ADeclaredOversizedBodyIsRefusedBeforeItIsRead) {
  const std::uint64_t growth = PeakGrowth([&](int port) {
    auto r = HttpSendRaw(port,
                         "PUT " + kPath + " HTTP/1.1\r\nHost: a\r\nContent-Length: " +
                             std::to_string(64 * kMiB) + "\r\n\r\n",
                         std::string(kMiB, 'x'), 64);
    ExpectJsonError(r.reply, 413, "bundle oversized: Content-Length 67108864 exceeds");
  });
  EXPECT_LT(growth, kAllowedGrowth);
}

// A header line of 64 MiB that never ends.
TEST_F(ServerLimitsTest, AnEndlessHeaderLineIsCutOff) {
  const std::uint64_t growth = PeakGrowth([&](int port) {
    auto r =
        HttpSendRaw(port, "PUT " + kPath + " HTTP/1.1\r\nX-Long: ", std::string(kMiB, 'x'), 64);
    ExpectJsonError(r.reply, 431, "request line and headers exceed 16384 bytes");
  });
  EXPECT_LT(growth, kAllowedGrowth);
}

// So is a request line that never ends.
TEST_F(ServerLimitsTest, AnEndlessRequestLineIsCutOff) {
  const std::uint64_t growth = PeakGrowth([&](int port) {
    auto r = HttpSendRaw(port, "GET /", std::string(kMiB, 'x'), 64);
    ExpectJsonError(r.reply, 431, "request line and headers exceed");
  });
  EXPECT_LT(growth, kAllowedGrowth);
}

// 2 MB of short header lines (260,000 of them), each of which the library would keep.
TEST_F(ServerLimitsTest, ManyHeaderLinesAreRefused) {
  std::string lines;
  for (int i = 0; i < 13000; ++i) lines += "X-A: b\r\n";  // 104,000 bytes
  const std::uint64_t growth = PeakGrowth([&](int port) {
    auto r = HttpSendRaw(port, "GET /v1/status.json HTTP/1.1\r\nHost: a\r\n", lines, 20, "\r\n");
    EXPECT_TRUE(r.reply.status == 431) << r.reply.status << " " << r.reply.body;
  });
  EXPECT_LT(growth, kAllowedGrowth);
}

TEST_F(ServerLimitsTest, MoreThan64HeaderLinesAreRefused) {
  ServerProcess server(Args(), dir_.path());
  ASSERT_NE(server.port(), 0);
  std::string head = "GET /v1/status.json HTTP/1.1\r\n";
  for (int i = 0; i < 65; ++i) head += "X-" + std::to_string(i) + ": b\r\n";
  ExpectJsonError(HttpSendRaw(server.port(), head + "\r\n", "", 0).reply, 431,
                  "more than 64 header lines");
  // 64 are fine.
  head = "GET /v1/status.json HTTP/1.1\r\n";
  for (int i = 0; i < 64; ++i) head += "X-" + std::to_string(i) + ": b\r\n";
  EXPECT_EQ(HttpSendRaw(server.port(), head + "\r\n", "", 0).reply.status, 200);
}

// One test per other refusal from the head, each with its message.
TEST_F(ServerLimitsTest, MalformedLengthsAreRefused) {
  ServerProcess server(Args(), dir_.path());
  ASSERT_NE(server.port(), 0);
  const std::string put = "PUT " + kPath + " HTTP/1.1\r\nHost: a\r\n";
  struct Case {
    std::string headers;
    int status;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"Content-Length: 12x\r\n", 400, "malformed Content-Length '12x'"},
      {"Content-Length: -1\r\n", 400, "malformed Content-Length '-1'"},
      {"Content-Length: 99999999999999999999\r\n", 400, "malformed Content-Length"},
      {"Content-Length: 5\r\nContent-Length: 6\r\n", 400, "two different Content-Length"},
      {"Content-Length : 5\r\n", 400, "contains white space"},
      {"Transfer-Encoding: gzip\r\nContent-Length: 5\r\n", 411, "Transfer-Encoding 'gzip'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.headers);
    ExpectJsonError(HttpSendRaw(server.port(), put + c.headers + "\r\n", "", 0).reply, c.status,
                    c.message);
  }
  // The server is still there, and a sized body goes on to the handler (not a bundle: 400).
  auto r = testing::HttpRequest(server.port(), "PUT", kPath, "hello");
  ExpectJsonError(r, 400, "bundle");
}

// Request lines the library cannot parse get a 400 (or the connection closed) and nothing else;
// the next well-formed request is served.
TEST_F(ServerLimitsTest, MalformedRequestLinesAreRefused) {
  ServerProcess server(Args(), dir_.path());
  ASSERT_NE(server.port(), 0);
  const std::vector<std::string> heads = {
      "GARBAGE\r\n\r\n",
      "GET\r\n\r\n",
      "GET /v1/status.json\r\n\r\n",
      "GET /v1/status.json HTTP/1.1 extra words\r\n\r\n",
      std::string("\x00\x01\x02\xff /\x7f HTTP/1.1\r\n\r\n", 20),
      "PUT " + kPath + " HTTP/1.1\r\nNo colon in this header line\r\nContent-Length: 0\r\n\r\n",
      "\r\n\r\n",
  };
  for (const auto& head : heads) {
    SCOPED_TRACE(::testing::PrintToString(head));
    auto r = HttpSendRaw(server.port(), head, "", 0);
    EXPECT_TRUE(r.reply.status == 0 || (r.reply.status >= 400 && r.reply.status < 500))
        << r.reply.status << " " << r.reply.body;
  }
  EXPECT_EQ(testing::HttpRequest(server.port(), "GET", "/v1/status.json").status, 200);
  EXPECT_TRUE(server.Running());
}

// Hundreds of connections that send nothing hold no worker: with 2 workers and 300 idle
// connections, requests on new connections are served at once (before, each idle connection
// held one of the workers until its keep-alive timeout, and these requests waited minutes).
TEST_F(ServerLimitsTest, HundredsOfIdleConnectionsDoNotHoldRequestsBack) {
  std::vector<int> idle;
  const std::uint64_t growth = PeakGrowth(
      [&](int port) {
        for (int i = 0; i < 300; ++i) {
          const int fd = testing::ConnectLoopback(port);
          ASSERT_GE(fd, 0);
          idle.push_back(fd);
        }
        for (int i = 0; i < 20; ++i) {
          EXPECT_EQ(testing::HttpRequest(port, "GET", "/v1/status.json").status, 200);
        }
      },
      {"--threads", "2"});
  for (int fd : idle) ::close(fd);
  EXPECT_LT(growth, kAllowedGrowth);
}

// A client sending a byte every 200 ms (never stalling as long as --read-timeout) is cut off by
// the request's time limit, in its headers or in its body.
TEST_F(ServerLimitsTest, ASlowClientIsCutOffByTheRequestTimeLimit) {
  ServerProcess server(Args({"--request-timeout", "2"}), dir_.path());
  ASSERT_NE(server.port(), 0);
  const auto bound = std::chrono::seconds(2);
  const auto interval = std::chrono::milliseconds(200);
  {
    SCOPED_TRACE("slow headers");
    auto t = testing::HttpTrickle(server.port(), "GET /v1/status.json HTTP/1.1\r\n",
                                  "X-Slow: a\r\n", interval, 10 * bound);
    EXPECT_FALSE(t.gave_up);
    EXPECT_LT(t.held.count(), 3 * std::chrono::milliseconds(bound).count());
    ExpectJsonError(t.reply, 408, "did not arrive within 2 s");
  }
  {
    SCOPED_TRACE("slow body");
    auto t = testing::HttpTrickle(
        server.port(), "PUT " + kPath + " HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n", "x",
        interval, 10 * bound);
    EXPECT_FALSE(t.gave_up);
    EXPECT_LT(t.held.count(), 3 * std::chrono::milliseconds(bound).count());
    ExpectJsonError(t.reply, 408, "not received within 2 s");
  }
  EXPECT_TRUE(server.Running());
}

}  // namespace
}  // namespace lontar

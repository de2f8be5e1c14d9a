// HTTP front ends for the collection server, measured against each other on loopback doing
// only what HTTP costs a stored upload: "PUT a 53 KB body, read it whole, answer 200". No
// verify, no store. Each front end serves from a child process of its own (so that its CPU time
// is its own, read from /proc), and the same clients in this process drive each in turn:
//
//   bounded    today's: BoundedServer (provision/http_limits.hpp, http_event_loop.cpp), one
//              epoll thread holding idle connections and W workers, each request's head read and
//              checked by Lontar, the body read by cpp-httplib 0.11 through the bounded stream;
//   mhd        libmicrohttpd 0.9.75 (Debian bookworm), its epoll mode with a thread pool of P
//              threads (MHD_USE_EPOLL_INTERNAL_THREAD, MHD_OPTION_THREAD_POOL_SIZE), the body
//              handed over in pieces as it arrives and appended to a string per request;
//   httplib    cpp-httplib's own listen loop: a pool of W threads, each holding one connection
//              for its whole life (keep-alive included), TCP_NODELAY set.
//
// Clients: C threads, each with one connection kept alive for all its requests (as `lontar sync`
// and `bundles import` keep theirs), TCP_NODELAY as libcurl sets it; then the same with a new
// connection per request. Each configuration runs R rounds, interleaved (every front end once
// per round), so that a busy neighbour on a shared machine spreads over all of them. Printed
// per run: requests/s, p50/p99 latency, CPU ms per request of the server process and of the
// clients.
//
//   lontar_http_front_end_bench [--n N] [--clients C] [--workers W] [--pool P] [--rounds R]
//                               [--size BYTES] [--smoke]
//
// Defaults: N = 6,000 requests per run, C = 16, W = 32 (the server's default --threads),
// P = 2 (one per core), R = 2, 53,000 bytes. Asserts nothing; exits non-zero when a front end
// does not start or answers anything but 200.
#include <microhttpd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "provision/http_limits.hpp"
#include "tests/support/child_run.hpp"
#include "tests/support/pooled_latencies.hpp"
#include "tests/support/put_client.hpp"
#include "tests/support/server_process.hpp"

namespace {

using Steady = std::chrono::steady_clock;

// ---- The front ends (each runs in a child process until killed) -------------------------------

constexpr char kPath[] = "/v1/bundles/0123456789abcdef";

[[noreturn]] void ServeBounded(int workers, int port_pipe) {
  lontar::cli::BoundedServer http(lontar::cli::HttpLimits{});
  http.Put("/v1/bundles/(.*)", [](const httplib::Request& req, httplib::Response& res) {
    res.status = 200;
    res.set_content(std::to_string(req.body.size()), "text/plain");
  });
  const int port = http.bind_to_any_port("127.0.0.1");
  (void)::write(port_pipe, &port, sizeof port);
  (void)http.Run(static_cast<std::size_t>(workers));
  std::_Exit(0);
}

[[noreturn]] void ServeHttplib(int workers, int port_pipe) {
  httplib::Server http;
  http.new_task_queue = [workers] {
    return new httplib::ThreadPool(static_cast<std::size_t>(workers));
  };
  http.set_keep_alive_max_count(1'000'000);
  // Its reply goes out in two writes (head, body): without TCP_NODELAY the second waits for the
  // client's delayed ACK of the first, 40 ms per request on a kept-alive connection.
  http.set_tcp_nodelay(true);
  http.Put("/v1/bundles/(.*)", [](const httplib::Request& req, httplib::Response& res) {
    res.status = 200;
    res.set_content(std::to_string(req.body.size()), "text/plain");
  });
  const int port = http.bind_to_any_port("127.0.0.1");
  (void)::write(port_pipe, &port, sizeof port);
  (void)http.listen_after_bind();
  std::_Exit(0);
}

// libmicrohttpd calls the handler first with no data (the head has arrived), then once per piece
// of body, then once more with none: the reply is queued on that last call.
MHD_Result MhdHandler(void*, MHD_Connection* connection, const char*, const char*, const char*,
                      const char* upload_data, size_t* upload_data_size, void** request) {
  if (*request == nullptr) {
    auto* body = new std::string();
    if (const char* length =
            MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Content-Length")) {
      body->reserve(std::strtoull(length, nullptr, 10));
    }
    *request = body;
    return MHD_YES;
  }
  auto* body = static_cast<std::string*>(*request);
  if (*upload_data_size > 0) {
    body->append(upload_data, *upload_data_size);
    *upload_data_size = 0;
    return MHD_YES;
  }
  const std::string answer = std::to_string(body->size());
  MHD_Response* response = MHD_create_response_from_buffer(
      answer.size(), const_cast<char*>(answer.data()), MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header(response, "Content-Type", "text/plain");
  const MHD_Result queued = MHD_queue_response(connection, 200, response);
  MHD_destroy_response(response);
  return queued;
}

void MhdCompleted(void*, MHD_Connection*, void** request, MHD_RequestTerminationCode) {
  delete static_cast<std::string*>(*request);
  *request = nullptr;
}

[[noreturn]] void ServeMhd(int pool, int port_pipe) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && ::listen(fd, 1024) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  MHD_Daemon* daemon = MHD_start_daemon(
      MHD_USE_EPOLL_INTERNAL_THREAD, 0, nullptr, nullptr, &MhdHandler, nullptr,
      MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_THREAD_POOL_SIZE, static_cast<unsigned>(pool),
      // The per-connection buffer: the default (32 KiB) would read a 53 KB body in small pieces.
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, static_cast<size_t>(256 << 10),
      MHD_OPTION_CONNECTION_TIMEOUT, 5u, MHD_OPTION_NOTIFY_COMPLETED, &MhdCompleted, nullptr,
      MHD_OPTION_END);
  if (daemon == nullptr) port = -1;
  (void)::write(port_pipe, &port, sizeof port);
  for (;;) ::pause();
}

struct Child {
  pid_t pid = -1;
  int port = -1;
};

// Forks a child serving with `serve`; its port, or -1 when it did not start.
Child Start(void (*serve)(int, int), int threads) {
  int fds[2];
  if (::pipe(fds) != 0) return {};
  Child c;
  c.pid = ::fork();
  if (c.pid == 0) {
    ::close(fds[0]);
    serve(threads, fds[1]);
  }
  ::close(fds[1]);
  if (c.pid < 0 || ::read(fds[0], &c.port, sizeof c.port) != sizeof c.port) c.port = -1;
  ::close(fds[0]);
  return c;
}

void End(const Child& c) {
  if (c.pid <= 0) return;
  ::kill(c.pid, SIGKILL);
  int status = 0;
  ::waitpid(c.pid, &status, 0);
}

// ---- The clients -------------------------------------------------------------------------------

struct Run {
  double rate = 0, p50_ms = 0, p99_ms = 0, server_ms = 0, client_ms = 0;
  int n = 0, ok = 0;
};

Run Drive(const Child& server, const std::string& body, int n, int clients, bool keep_alive) {
  // A few requests first, so that each front end's threads and connections are up.
  {
    lontar::testing::LoopbackPutClient warm(server.port, keep_alive);
    for (int i = 0; i < 20; ++i) (void)warm.Put(kPath, body);
  }
  std::atomic<int> next = 0, ok = 0;
  std::vector<std::vector<double>> lat(static_cast<std::size_t>(clients));
  const double server0 = lontar::testing::ProcessCpuSeconds(server.pid),
               self0 = lontar::testing::SelfCpuSeconds();
  const auto t0 = Steady::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      lontar::testing::LoopbackPutClient client(server.port, keep_alive);
      while (next++ < n) {
        const auto r0 = Steady::now();
        if (client.Put(kPath, body) == 200) ++ok;
        lat[static_cast<std::size_t>(c)].push_back(
            std::chrono::duration<double, std::milli>(Steady::now() - r0).count());
      }
    });
  }
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Steady::now() - t0).count();
  Run r;
  r.n = n;
  r.ok = ok;
  r.rate = n / seconds;
  r.server_ms = (lontar::testing::ProcessCpuSeconds(server.pid) - server0) * 1e3 / n;
  r.client_ms = (lontar::testing::SelfCpuSeconds() - self0) * 1e3 / n;
  const auto pooled = lontar::testing::PoolLatencies(lat);
  r.p50_ms = pooled.p50_ms;
  r.p99_ms = pooled.p99_ms;
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  int n = 6000, clients = 16, workers = 32, pool = 2, rounds = 2;
  std::size_t size = 53'000;
  for (int i = 1; i < argc; ++i) {
    auto next = [&] { return i + 1 < argc ? std::atoi(argv[++i]) : 0; };
    if (std::strcmp(argv[i], "--n") == 0)
      n = next();
    else if (std::strcmp(argv[i], "--clients") == 0)
      clients = next();
    else if (std::strcmp(argv[i], "--workers") == 0)
      workers = next();
    else if (std::strcmp(argv[i], "--pool") == 0)
      pool = next();
    else if (std::strcmp(argv[i], "--rounds") == 0)
      rounds = next();
    else if (std::strcmp(argv[i], "--size") == 0)
      size = static_cast<std::size_t>(next());
    else if (std::strcmp(argv[i], "--smoke") == 0)
      n = 200, clients = 4, rounds = 1;
    else {
      std::fprintf(stderr,
                   "unknown option %s (options: --n N --clients N --workers N --pool N --rounds "
                   "N --size BYTES --smoke)\n",
                   argv[i]);
      return 2;
    }
  }
  std::string body(size, '\0');
  for (std::size_t i = 0; i < size; ++i) body[i] = static_cast<char>((i * 2654435761u) >> 13);

  struct FrontEnd {
    const char* name;
    void (*serve)(int, int);
    int threads;
  };
  const FrontEnd front_ends[] = {{"bounded (today)", &ServeBounded, workers},
                                 {"libmicrohttpd epoll+pool", &ServeMhd, pool},
                                 {"cpp-httplib listen loop", &ServeHttplib, workers}};
  std::printf(
      "PUT %zu-byte body, read it, answer 200; %d requests per run, %d clients, %u cores; "
      "bounded and httplib %d threads, libmicrohttpd pool %d\n",
      size, n, clients, std::max(1u, std::thread::hardware_concurrency()), workers, pool);
  bool ok = true;
  for (const bool keep_alive : {true, false}) {
    for (int round = 1; round <= rounds; ++round) {
      for (const FrontEnd& f : front_ends) {
        const Child child = Start(f.serve, f.threads);
        if (child.port <= 0) {
          std::fprintf(stderr, "%s did not start\n", f.name);
          End(child);
          return 1;
        }
        const Run r = Drive(child, body, n, clients, keep_alive);
        End(child);
        ok &= r.ok == r.n;
        std::printf(
            "%-26s %-14s round %d: %7.0f /s   p50 %6.2f ms   p99 %7.2f ms   CPU ms/request: "
            "server %.3f, clients %.3f   (%d of %d answered 200)\n",
            f.name, keep_alive ? "keep-alive" : "conn/request", round, r.rate, r.p50_ms, r.p99_ms,
            r.server_ms, r.client_ms, r.ok, r.n);
        std::fflush(stdout);
      }
    }
  }
  return ok ? 0 : 1;
}

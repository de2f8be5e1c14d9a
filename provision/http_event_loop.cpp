// BoundedServer::Run: the collection server's connections, waited on by one epoll thread and
// served by a pool of workers only while they have a request to read (http_limits.hpp).
//
// Why: cpp-httplib's own loop hands every accepted connection to a worker for its whole life,
// and a keep-alive connection waiting for its next request holds that worker for the library's
// keep-alive timeout. With 32 workers, 32 idle connections (a terminal between two bundles, a
// laptop left open, or a client that connects and says nothing) kept every upload waiting, so
// keep-alive could not be offered, and each upload paid a new connection and a thread wake-up.
//
// A connection is in exactly one of two places, under mu:
//   armed    registered in epoll (EPOLLONESHOT), no worker; closed by the sweep once idle
//            longer than keep_alive_idle, or at Stop;
//   serving  taken by a worker (its event fired, which disarmed it); the worker re-arms it when
//            its ready requests are served, or closes it.
// The sweep and the worker's re-arm both hold mu, so a descriptor is never closed while
// another thread still uses it, and never re-armed after it was closed (and perhaps reused).
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>
#include <unordered_map>

#include "provision/http_limits.hpp"

namespace lontar::cli {
namespace {

using SteadyClock = std::chrono::steady_clock;

struct Connection {
  SteadyClock::time_point idle_since;
  std::size_t requests_left = 0;
  bool armed = true;
};

// The open-file limit raised to its hard limit; connections are kept well below it.
std::size_t OpenFileLimit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0) return 1024;
  if (r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &r);
    (void)::getrlimit(RLIMIT_NOFILE, &r);
  }
  return r.rlim_cur == RLIM_INFINITY ? 1 << 20 : static_cast<std::size_t>(r.rlim_cur);
}

}  // namespace

BoundedServer::BoundedServer(HttpLimits limits)
    : limits_(limits), stop_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

BoundedServer::~BoundedServer() {
  if (stop_fd_ >= 0) ::close(stop_fd_);
}

void BoundedServer::Stop() {
  const std::uint64_t one = 1;
  if (stop_fd_ >= 0) (void)!::write(stop_fd_, &one, sizeof one);
}

bool BoundedServer::Run(std::size_t workers) {
  const int listen_fd = svr_sock_;
  if (listen_fd == INVALID_SOCKET || stop_fd_ < 0) return false;
  const int ep = ::epoll_create1(EPOLL_CLOEXEC);
  if (ep < 0) return false;
  ::fcntl(listen_fd, F_SETFL, ::fcntl(listen_fd, F_GETFL) | O_NONBLOCK);
  const std::size_t files = OpenFileLimit();
  const std::size_t max_connections =
      std::min(limits_.max_connections, files > 256 ? files - 128 : files / 2);

  auto add = [ep](int fd, std::uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    return ::epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) == 0;
  };
  bool ok = add(stop_fd_, EPOLLIN) && add(listen_fd, EPOLLIN);
  bool listening = ok;

  std::mutex mu;
  std::unordered_map<int, Connection> conns;  // guarded by mu
  bool stopping = false;                      // guarded by mu
  // Both with mu held.
  auto close_connection = [&](int fd) {
    ::epoll_ctl(ep, EPOLL_CTL_DEL, fd, nullptr);
    ::shutdown(fd, SHUT_RDWR);
    ::close(fd);
    conns.erase(fd);
  };
  auto arm = [&](int fd, Connection& c) {
    c.armed = true;
    c.idle_since = SteadyClock::now();
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
    ev.data.fd = fd;
    if (::epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev) != 0) close_connection(fd);
  };

  {
    httplib::ThreadPool pool(workers);
    auto serve = [&](int fd) {
      std::size_t left = 0;
      {
        std::lock_guard lock(mu);
        left = conns.at(fd).requests_left;
      }
      const bool keep = ServeReady(fd, left);
      std::lock_guard lock(mu);
      auto it = conns.find(fd);
      if (!keep || stopping) return close_connection(fd);
      it->second.requests_left = left;
      arm(fd, it->second);
    };
    epoll_event events[256];
    bool out_of_files = false;
    while (ok) {
      const int n = ::epoll_wait(ep, events, 256, 1000);
      if (n < 0 && errno != EINTR) ok = false;
      std::lock_guard lock(mu);
      for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        if (fd == stop_fd_) {
          stopping = true;
        } else if (fd == listen_fd) {
          while (conns.size() < max_connections) {
            const int c = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (c < 0) {
              // EAGAIN: all taken. Out of descriptors or memory: listening pauses until the
              // next wake-up (at most a second), or the listening socket would wake us at once.
              out_of_files = errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
                             errno != ECONNABORTED;
              break;
            }
            const int on = 1;
            ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
            conns[c] = {SteadyClock::now(), limits_.keep_alive_requests, true};
            if (!add(c, EPOLLIN | EPOLLRDHUP | EPOLLONESHOT)) close_connection(c);
          }
        } else if (auto it = conns.find(fd); it != conns.end() && it->second.armed) {
          it->second.armed = false;
          pool.enqueue([&serve, fd] { serve(fd); });
        }
      }
      if (stopping) break;
      // Idle connections past their time are closed.
      const auto now = SteadyClock::now();
      for (auto it = conns.begin(); it != conns.end();) {
        const int fd = it->first;
        const bool expired =
            it->second.armed && now - it->second.idle_since > limits_.keep_alive_idle;
        ++it;
        if (expired) close_connection(fd);
      }
      // At the connection cap (or out of descriptors) new connections wait in the backlog.
      const bool full = conns.size() >= max_connections || out_of_files;
      out_of_files = false;
      if (listening && full) {
        listening = ::epoll_ctl(ep, EPOLL_CTL_DEL, listen_fd, nullptr) != 0;
      } else if (!listening && !full) {
        listening = add(listen_fd, EPOLLIN);
      }
    }
    {
      // No new requests: idle connections close now, those being served when their worker ends.
      std::lock_guard lock(mu);
      stopping = true;
      for (auto it = conns.begin(); it != conns.end();) {
        const int fd = it->first;
        const bool armed = it->second.armed;
        ++it;
        if (armed) close_connection(fd);
      }
    }
    pool.shutdown();
  }
  for (auto it = conns.begin(); it != conns.end();) {
    const int fd = it->first;
    ++it;
    close_connection(fd);
  }
  ::close(ep);
  return ok;
}

}  // namespace lontar::cli

// The bounded request stream under `lontar serve` (see http_limits.hpp for what it bounds and why
// cpp-httplib's own settings cannot).
#include "provision/http_limits.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <nlohmann/json.hpp>
#include <string_view>
#include <variant>

#include "core/sync/request_head.hpp"

namespace lontar::cli {
namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// After a refusal the reply is sent, our side shut for writing, and what the client is still
// sending read and dropped for up to this long: closing a socket with unread input makes the
// kernel send a reset, which can destroy the reply before the client reads it.
constexpr milliseconds kLingerAfterRefusal{2000};

thread_local std::optional<std::pair<int, std::string>> t_cut_off;
class BoundedStream;
thread_local BoundedStream* t_stream = nullptr;  // the request this worker serves, if any

// The most of a body read from the socket at once (BoundedStream::read), and of a request head
// (ReadHead: with it, usually the start of the body).
constexpr std::size_t kBodyReadBytes = 256 << 10;
constexpr std::size_t kHeadReadBytes = 16 << 10;

enum class Wait { kReady, kStalled, kDeadline, kError };

// Waits for `events` on `fd` for at most `io`, and never past `deadline`.
Wait WaitFor(int fd, short events, milliseconds io, SteadyClock::time_point deadline) {
  for (;;) {
    const auto now = SteadyClock::now();
    if (now >= deadline) return Wait::kDeadline;
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - now) + milliseconds(1);
    const bool deadline_first = left <= io;
    pollfd p{.fd = fd, .events = events, .revents = 0};
    const int n = ::poll(&p, 1, static_cast<int>(std::min(left, io).count()));
    if (n > 0) return Wait::kReady;  // readable, writable, or an error the next call reports
    if (n == 0) return deadline_first ? Wait::kDeadline : Wait::kStalled;
    if (errno != EINTR) return Wait::kError;
  }
}

// One recv or send that does not block: the socket is tried first and waited on (WaitFor) only
// when it has nothing to give or no room, so that a request whose bytes are there (most are: the
// event loop hands a connection over once it is readable) costs no poll per call. The deadline
// is checked before each try too, so a client that always has a little more ready is still cut
// off at it. Returns the bytes moved, 0 at the end of the stream, or -1 with the wait's outcome
// in `why` (kError for a socket error).
template <typename Io>
ssize_t TryThenWait(int fd, short events, milliseconds io, SteadyClock::time_point deadline,
                    Wait& why, Io io_call) {
  for (;;) {
    if (SteadyClock::now() >= deadline) {
      why = Wait::kDeadline;
      return -1;
    }
    const ssize_t n = io_call();
    if (n >= 0) return n;
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      why = Wait::kError;
      return -1;
    }
    why = WaitFor(fd, events, io, deadline);
    if (why != Wait::kReady) return -1;
  }
}

ssize_t RecvSome(int fd, char* into, std::size_t size, milliseconds io,
                 SteadyClock::time_point deadline, Wait& why) {
  return TryThenWait(fd, POLLIN, io, deadline, why,
                     [&] { return ::recv(fd, into, size, MSG_DONTWAIT); });
}

ssize_t SendSome(int fd, const char* from, std::size_t size, milliseconds io,
                 SteadyClock::time_point deadline) {
  Wait why = Wait::kReady;
  return TryThenWait(fd, POLLOUT, io, deadline, why,
                     [&] { return ::send(fd, from, size, MSG_NOSIGNAL | MSG_DONTWAIT); });
}

bool SendAll(int fd, std::string_view data, milliseconds io, SteadyClock::time_point deadline) {
  while (!data.empty()) {
    const ssize_t n = SendSome(fd, data.data(), data.size(), io, deadline);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

struct Refusal {
  int status;
  std::string message;
};

const char* ReasonPhrase(int status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 431:
      return "Request Header Fields Too Large";
    default:
      return "Error";
  }
}

// Answers a request refused from its head with the server's JSON error body, then closes the
// connection (lingering, see kLingerAfterRefusal).
void Refuse(int fd, const Refusal& r, milliseconds io) {
  nlohmann::ordered_json j;
  j["error"] = r.message;
  j["kind"] = r.status == 408 ? "io" : "malformed";
  const std::string body = j.dump() + "\n";
  const std::string reply =
      "HTTP/1.1 " + std::to_string(r.status) + " " + ReasonPhrase(r.status) +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n" + body;
  const auto until = SteadyClock::now() + kLingerAfterRefusal;
  if (!SendAll(fd, reply, io, until)) return;
  ::shutdown(fd, SHUT_WR);
  char sink[16384];
  while (WaitFor(fd, POLLIN, io, until) == Wait::kReady) {
    const ssize_t n = ::recv(fd, sink, sizeof sink, 0);
    if (n == 0 || (n < 0 && errno != EINTR)) break;
  }
}

struct Head {
  std::string text;  // request line and headers, through the blank line
  std::uint64_t content_length = 0;
  std::size_t carry_start = 0;  // where the carry's bytes past the head begin
};

// Checks a complete head against the limits and finds its Content-Length (core/sync's check).
std::optional<Refusal> CheckHead(Head& head, const HttpLimits& limits) {
  auto checked = sync::CheckRequestHead(head.text, {.max_body_bytes = limits.max_body_bytes,
                                                    .max_header_lines = limits.max_header_lines});
  if (auto* refusal = std::get_if<sync::HeadRefusal>(&checked)) {
    return Refusal{refusal->status, std::move(refusal->message)};
  }
  head.content_length = std::get<std::uint64_t>(checked);
  return std::nullopt;
}

struct Closed {};

// Reads one request head from `fd`, starting with what an earlier request left in `carry`;
// leaves in `carry`, from the head's carry_start on, the bytes read past the head (the start of
// the body).
std::variant<Head, Refusal, Closed> ReadHead(int fd, std::string& carry, const HttpLimits& limits,
                                             SteadyClock::time_point deadline) {
  const milliseconds io = limits.io_timeout;
  std::string buffer = std::move(carry);
  carry.clear();
  std::size_t scanned = 0;
  for (;;) {
    const auto end = buffer.find("\r\n\r\n", scanned);
    if (end != std::string::npos && end + 4 <= limits.max_head_bytes) {
      // The head is copied out (a few hundred bytes); what was read past it (usually the start
      // of the body) stays where it is, in the carry, from carry_start on.
      Head head{.text = buffer.substr(0, end + 4), .carry_start = end + 4};
      carry = std::move(buffer);
      if (auto refusal = CheckHead(head, limits)) return *refusal;
      return head;
    }
    if (buffer.size() >= limits.max_head_bytes) {
      return Refusal{431, "request line and headers exceed " +
                              std::to_string(limits.max_head_bytes) +
                              " bytes: this server takes at most that many"};
    }
    scanned = buffer.size() < 3 ? 0 : buffer.size() - 3;
    // Straight into the buffer's end (no zero fill, no chunk copied in after).
    Wait w = Wait::kReady;
    ssize_t n = 0;
    const std::size_t had = buffer.size();
    buffer.resize_and_overwrite(had + kHeadReadBytes, [&](char* p, std::size_t) {
      n = RecvSome(fd, p + had, kHeadReadBytes, io, deadline, w);
      return had + static_cast<std::size_t>(std::max<ssize_t>(n, 0));
    });
    if (n == 0 || w == Wait::kError) return Closed{};
    if (n < 0) {
      if (buffer.empty()) return Closed{};
      return Refusal{408, w == Wait::kDeadline
                              ? "the request's headers did not arrive within " +
                                    std::to_string(limits.request_timeout.count()) + " s"
                              : "the client sent nothing for " +
                                    std::to_string(limits.io_timeout.count()) + " s"};
    }
  }
}

// What cpp-httplib reads one request from: the head already read and checked, then at most
// Content-Length body bytes (from `carry` first, then the socket), each read and write ending at
// the request's deadline.
class BoundedStream final : public httplib::Stream {
 public:
  BoundedStream(int fd, Head head, std::string& carry, const HttpLimits& limits,
                SteadyClock::time_point read_deadline)
      : fd_(fd),
        head_(std::move(head.text)),
        body_left_(head.content_length),
        carry_(carry),
        carry_off_(head.carry_start),
        limits_(limits),
        read_deadline_(read_deadline) {}

  ~BoundedStream() override { carry_.erase(0, carry_off_); }
  BoundedStream(const BoundedStream&) = delete;
  BoundedStream& operator=(const BoundedStream&) = delete;

  bool BodyConsumed() const { return body_left_ == 0; }

  bool is_readable() const override {
    if (head_off_ < head_.size() || (body_left_ > 0 && carry_.size() > carry_off_)) return true;
    return WaitFor(fd_, POLLIN, limits_.io_timeout, read_deadline_) == Wait::kReady;
  }

  bool is_writable() const override {
    return WaitFor(fd_, POLLOUT, limits_.io_timeout, WriteDeadline()) == Wait::kReady;
  }

  ssize_t read(char* ptr, size_t size) override {
    if (head_off_ < head_.size()) {
      const std::size_t n = std::min(size, head_.size() - head_off_);
      std::copy_n(head_.data() + head_off_, n, ptr);
      head_off_ += n;
      return static_cast<ssize_t>(n);
    }
    // Past the declared body the request has ended, whatever the client sends next.
    size = static_cast<std::size_t>(std::min<std::uint64_t>(size, body_left_));
    if (size == 0) return 0;
    if (CarryLeft() > 0) return static_cast<ssize_t>(TakeCarry(ptr, size));
    // One large read of what the body still owes (up to kBodyReadBytes) instead of the
    // library's 4 KiB at a time: a 53 KB bundle in one or two system calls, not fourteen.
    // Never past the declared body: the next request's bytes stay in the socket.
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(body_left_, kBodyReadBytes));
    ssize_t n = 0;
    // The carry is empty here (CarryLeft() == 0 cleared it); filled without a zero fill first.
    carry_.resize_and_overwrite(want, [&](char* p, std::size_t) {
      n = RecvBody(p, want);
      return static_cast<std::size_t>(std::max<ssize_t>(n, 0));
    });
    if (n <= 0) return n;
    return static_cast<ssize_t>(TakeCarry(ptr, size));
  }

  // The whole declared body (what is left of it) into `out`, sized once and filled by the
  // socket itself: no zero fill, no steps through the library's 4 KiB buffer, no copy grown by
  // appending. For a handler that takes the body itself (ReadCurrentRequestBody). False when it
  // could not be read whole (the reason, for a time limit, in CurrentRequestCutOff).
  bool ReadBody(std::string& out) {
    const auto total = static_cast<std::size_t>(body_left_);
    bool whole = true;
    out.resize_and_overwrite(total, [&](char* p, std::size_t) {
      std::size_t got = TakeCarry(p, total);
      while (got < total) {
        const ssize_t n = RecvBody(p + got, total - got);
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
        body_left_ -= static_cast<std::size_t>(n);
      }
      whole = got == total;
      return got;
    });
    return whole;
  }

  ssize_t write(const char* ptr, size_t size) override {
    return SendSome(fd_, ptr, size, limits_.io_timeout, WriteDeadline());
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    Address(::getpeername, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    Address(::getsockname, ip, port);
  }
  socket_t socket() const override { return fd_; }

 private:
  // One recv of at most `size` body bytes into `into`; 0 at the end of the stream, -1 when it
  // failed or timed out (t_cut_off says which limit). Either ends the body's reading.
  ssize_t RecvBody(char* into, std::size_t size) {
    Wait w = Wait::kReady;
    const ssize_t n = RecvSome(fd_, into, size, limits_.io_timeout, read_deadline_, w);
    if (n > 0) return n;
    read_ended_ = true;
    if (n < 0 && w == Wait::kDeadline) {
      t_cut_off = {408, "the request was not received within " +
                            std::to_string(limits_.request_timeout.count()) +
                            " s (this server's limit per request): send it again"};
    } else if (n < 0 && w == Wait::kStalled) {
      t_cut_off = {408, "the client sent nothing for " +
                            std::to_string(limits_.io_timeout.count()) + " s: send it again"};
    }
    return n;
  }

  // Bytes of the carry not yet handed to the library; an emptied carry is cleared, so that the
  // next large read reuses its buffer from the start.
  std::size_t CarryLeft() {
    if (carry_off_ == carry_.size() && carry_off_ > 0) {
      carry_.clear();
      carry_off_ = 0;
    }
    return carry_.size() - carry_off_;
  }
  // Copies up to `size` body bytes from the carry (never more than the body still owes).
  std::size_t TakeCarry(char* ptr, std::size_t size) {
    const std::size_t n = static_cast<std::size_t>(
        std::min<std::uint64_t>({size, carry_.size() - carry_off_, body_left_}));
    std::copy_n(carry_.data() + carry_off_, n, ptr);
    carry_off_ += n;
    body_left_ -= n;
    return n;
  }

  // A write while the body is still due (a "100 Continue") counts against reading the request;
  // the reply's own clock starts at its first write once the body is in (or reading it failed:
  // the reply then says why).
  SteadyClock::time_point WriteDeadline() const {
    if (body_left_ > 0 && !read_ended_) return read_deadline_;
    if (!reply_deadline_) reply_deadline_ = SteadyClock::now() + limits_.request_timeout;
    return *reply_deadline_;
  }

  template <typename F>
  void Address(F get, std::string& ip, int& port) const {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    ip.clear();
    port = 0;
    if (get(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return;
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    if (::getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host, sizeof host, serv, sizeof serv,
                      NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
      return;
    }
    ip = host;
    port = std::atoi(serv);
  }

  int fd_;
  std::string head_;
  std::size_t head_off_ = 0;
  std::uint64_t body_left_;
  std::string& carry_;
  std::size_t carry_off_ = 0;  // carry_ bytes before it are the library's already
  const HttpLimits& limits_;
  SteadyClock::time_point read_deadline_;
  bool read_ended_ = false;  // a read of the body failed or met the end of the stream
  mutable std::optional<SteadyClock::time_point> reply_deadline_;
};

}  // namespace

std::optional<std::pair<int, std::string>> CurrentRequestCutOff() { return t_cut_off; }

bool ReadCurrentRequestBody(std::string& out) {
  out.clear();
  return t_stream != nullptr && t_stream->ReadBody(out);
}

bool BoundedServer::ServeReady(int fd, std::size_t& requests_left) {
  std::string carry;  // bytes read past one request, the start of the next
  for (;;) {
    if (requests_left == 0) return false;
    // The request's own clock starts now that its first byte is there.
    const auto deadline = SteadyClock::now() + limits_.request_timeout;
    auto head = ReadHead(fd, carry, limits_, deadline);
    if (std::holds_alternative<Closed>(head)) return false;
    if (auto* refusal = std::get_if<Refusal>(&head)) {
      Refuse(fd, *refusal, limits_.io_timeout);
      return false;
    }
    t_cut_off.reset();
    BoundedStream strm(fd, std::move(std::get<Head>(head)), carry, limits_, deadline);
    bool connection_closed = false;
    t_stream = &strm;
    const bool ok = process_request(strm, --requests_left == 0, connection_closed, nullptr);
    t_stream = nullptr;
    t_cut_off.reset();
    // A body the handler left unread would be taken for the next request: close instead.
    if (!ok || connection_closed || !strm.BodyConsumed()) return false;
    // Nothing more has arrived: the connection waits for its next request without a worker.
    if (carry.empty()) return true;
  }
}

bool BoundedServer::process_and_close_socket(socket_t sock) {
  // Only the library's own listen loop calls this (Run does not): the same requests, with the
  // connection's idle time spent on this worker.
  std::size_t left = limits_.keep_alive_requests;
  const milliseconds idle = limits_.keep_alive_idle;
  while (svr_sock_ != INVALID_SOCKET &&
         WaitFor(sock, POLLIN, idle, SteadyClock::now() + idle + milliseconds(1)) == Wait::kReady &&
         ServeReady(sock, left)) {
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return true;
}

}  // namespace lontar::cli

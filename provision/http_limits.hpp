// The collection server's bounds on what one HTTP client may make it hold: every limit on a
// request's size and time lives here, in one place, so that a change of HTTP front end (or a
// restructuring for speed) carries them along with their tests (tests/unit/server_limits_test.cpp).
//
// Why this wraps the socket instead of configuring cpp-httplib: Debian's cpp-httplib 0.11.4 is
// a compiled library (libcpp-httplib.so), so the CPPHTTPLIB_* macros a caller defines before
// including the header change nothing in the code that reads requests, and that code
//   - reads a request line or header line byte by byte into a string that grows until '\n'
//     (its length checks run after the whole line is in memory);
//   - keeps every header line, with no bound on their number;
//   - checks set_payload_max_length only against a declared Content-Length: a chunked body is
//     appended whole, and a body without Content-Length is read until the client closes;
//   - bounds each read (read timeout) but not a request's total time, so a client sending a byte
//     every few seconds holds a worker for ever;
//   - runs the pre-routing handler only after the body has been read.
// So BoundedServer replaces the one per-connection entry point the library lets a subclass
// replace (Server::process_and_close_socket, virtual) and feeds the library's request parser
// through its own stream, which:
//   1. reads the request head (request line and headers, up to the blank line) itself, at most
//      max_head_bytes and max_header_lines lines, within the request's deadline, and refuses
//      (with a JSON body, then closes) before any body byte is asked for:
//        431 a head larger than max_head_bytes, or more header lines than max_header_lines
//        411 any Transfer-Encoding (chunked) and a PUT/POST/PATCH without Content-Length
//        413 a Content-Length above max_body_bytes
//        400 a malformed or repeated Content-Length, a header name with white space
//        408 the head not complete within request_timeout
//   2. then hands the library that head followed by at most Content-Length body bytes: it never
//      reads more from the socket than the request declared;
//   3. ends every read and write at the request's deadline: request_timeout from the request's
//      first byte for reading it, and again from the first byte of the reply for writing that
//      (the handler's own time, e.g. a relay's wait for its upstream, is between the two).
// Memory per connection is thus bounded by max_head_bytes plus the declared body (itself at most
// max_body_bytes), and time per request by twice request_timeout plus the handler's time.
//
// Connections: at most max_connections open (Run stops accepting past it); an idle one holds no
// worker (Run). Not bounded here: connections from one address, a limit for the host firewall.
#pragma once

#include <httplib.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace lontar::cli {

struct HttpLimits {
  std::uint64_t max_body_bytes = 16 << 20;
  std::size_t max_head_bytes = 16 << 10;  // request line + headers; a terminal sends ~200 bytes
  std::size_t max_header_lines = 64;
  std::chrono::seconds io_timeout{10};       // one read or write waiting for the client
  std::chrono::seconds request_timeout{60};  // reading a whole request; writing a whole reply
  // Keep-alive: a connection may wait this long for its next request (holding no worker, see
  // BoundedServer::Run), and carry at most this many requests.
  std::chrono::seconds keep_alive_idle{5};
  std::size_t keep_alive_requests = 100000;
  // Open connections at most; past it the server stops accepting (the kernel's listen backlog
  // holds new ones) until one closes. Also kept below the process's open-file limit.
  std::size_t max_connections = 4096;
};

// Why the current request (on this worker thread) was cut off in the middle of its body, for the
// error handler to answer with: {408, "..."} when its deadline passed while the library was
// reading the body. nullopt otherwise. Valid only inside the server's handlers.
[[nodiscard]] std::optional<std::pair<int, std::string>> CurrentRequestCutOff();

// The body of the request this worker thread serves, read whole from the socket into `out`,
// which is sized once to the declared Content-Length and filled by the socket itself (no zero
// fill, no steps through the library's 4 KiB buffer, no copy grown by appending), within the
// request's limits. For a handler registered with a ContentReader (the library then leaves the
// body to it), which calls this instead of the reader. False when the body could not be read
// whole: the client stopped, or a limit cut it off (CurrentRequestCutOff says which); the
// connection is then closed after the reply. Valid only inside the server's handlers.
[[nodiscard]] bool ReadCurrentRequestBody(std::string& out);

// An httplib::Server whose connections are served through the bounded stream described above.
// Everything else (routes, handlers, error handler, set_read_timeout...) is the library's; the
// library's own read and write timeouts are not used (io_timeout is).
class BoundedServer : public httplib::Server {
 public:
  explicit BoundedServer(HttpLimits limits);
  ~BoundedServer() override;

  // Serves on the socket that bind_to_port / bind_to_any_port bound, until Stop (instead of the
  // library's listen_after_bind, which gives each connection a worker for its whole life, idle
  // time included). One thread waits (epoll) on the listening socket and on every connection
  // between requests; a connection with bytes to read is handed to one of `workers` threads,
  // which serves the requests it has ready and hands it back. So an idle keep-alive connection
  // holds a file descriptor and no thread, and hundreds of them do not keep uploads waiting.
  // Connections idle longer than limits.keep_alive_idle are closed. Returns false if the
  // socket could not be served (not bound, epoll failed). Requests under way when Stop is
  // called are finished (and their connections closed) before Run returns.
  [[nodiscard]] bool Run(std::size_t workers);
  // Ends Run (from any thread, also before Run starts). Async-signal-unsafe: call it from a
  // thread, not a handler.
  void Stop();

 private:
  // Serves the requests that `fd` has ready (the first one's bytes have arrived), counting them
  // down from `requests_left`; true when the connection stays open for more.
  bool ServeReady(int fd, std::size_t& requests_left);
  bool process_and_close_socket(socket_t sock) override;

  HttpLimits limits_;
  int stop_fd_ = -1;  // eventfd: Stop writes, Run's wait wakes
};

}  // namespace lontar::cli

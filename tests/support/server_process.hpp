// A real `lontar serve` for tests: started on a free loopback port, stopped with SIGTERM, and a
// minimal HTTP/1.1 client over a raw socket (so that tests can also misbehave: send half a body,
// hang up, send garbage).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace lontar::testing {

class ServerProcess {
 public:
  // Runs `lontar serve --listen 127.0.0.1:0 <args>` (unless `args` has its own --listen) and waits
  // (up to 20 s) for its "listening" line. Fails the current test (and leaves port() 0) if it does
  // not come.
  ServerProcess(const std::vector<std::string>& args, const std::filesystem::path& log_dir);
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;
  ~ServerProcess();

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  bool Running();
  // SIGTERM and wait; returns the exit status (128 + signal if killed), -1 if already gone.
  int Stop();
  // SIGKILL and wait: a crash, with requests under way.
  void Kill();
  std::string Stderr() const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  std::filesystem::path out_, err_;
};

// A loopback port nothing listens on, for an upstream that is down: starts `lontar serve
// <args>` to learn a free port, then stops it. 0 (and the current test failed) if it did not
// start.
int PortNobodyListensOn(const std::vector<std::string>& args, const std::filesystem::path& log_dir);

struct HttpReply {
  int status = 0;  // 0: no reply (connection failed or closed early)
  std::string body;
};

// One request with "Connection: close"; reads the reply to the end.
HttpReply HttpRequest(int port, const std::string& method, const std::string& path,
                      const std::string& body = {});

// Opens a connection, sends the request line and headers claiming `content_length` bytes, then
// `partial` of the body, and closes the socket without reading. For mid-body disconnects.
void HttpSendPartialAndHangUp(int port, const std::string& path, std::size_t content_length,
                              const std::string& partial);

// Sends `head`, then `piece` `count` times and then `tail` from a second thread (stopping at the
// first send that fails) while this thread reads the reply to the end, then shuts the sending
// side. Every receive gives up after 30 s. For clients that misbehave at scale: chunked or
// unsized bodies, header lines that never end.
struct RawExchange {
  HttpReply reply;
  std::uint64_t sent = 0;  // bytes of head, pieces and tail the server took
};
RawExchange HttpSendRaw(int port, const std::string& head, const std::string& piece,
                        std::size_t count, const std::string& tail = {});

// A slow client: sends `head`, then one byte of `trickle` every `interval` until the server
// answers or closes the connection, or `give_up` passes. Returns the reply (status 0 if the
// server closed without one) and how long the server let it go on.
struct TrickleResult {
  HttpReply reply;
  std::chrono::milliseconds held{0};
  bool gave_up = false;  // the server was still reading at `give_up`
};
TrickleResult HttpTrickle(int port, const std::string& head, const std::string& trickle,
                          std::chrono::milliseconds interval, std::chrono::milliseconds give_up);

// GET /v1/status.json from `server`, parsed; fails the current test unless the reply is 200
// (and returns a discarded value when the body is not JSON).
nlohmann::json StatusJson(const ServerProcess& server);

// A connection to 127.0.0.1:port that sends nothing (the caller closes it); -1 if refused.
int ConnectLoopback(int port);

// The peak resident memory of process `pid` (VmHWM in /proc/PID/status), in bytes; 0 if unknown.
std::uint64_t PeakRssBytes(pid_t pid);

}  // namespace lontar::testing

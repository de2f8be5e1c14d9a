// The HTTP/1.1 client the server benchmarks drive a collection server with: PUTs over one loopback
// connection, as `lontar sync` and `bundles import` send them (libcurl keeps its connection and
// sets TCP_NODELAY).
#pragma once

#include <string>

namespace lontar::testing {

// One connection to 127.0.0.1:port, kept open across PUTs when `keep_alive` (else each PUT asks
// `Connection: close` and opens its own); reopened once when the server closed it. Each reply is
// read whole by its Content-Length. Not thread-safe: one client a thread.
class LoopbackPutClient {
 public:
  explicit LoopbackPutClient(int port, bool keep_alive = true)
      : port_(port), keep_alive_(keep_alive) {}
  LoopbackPutClient(const LoopbackPutClient&) = delete;
  LoopbackPutClient& operator=(const LoopbackPutClient&) = delete;
  ~LoopbackPutClient() { Drop(); }

  // PUTs `body` to `path`; the reply's status, 0 when no reply came on two connections.
  int Put(const std::string& path, const std::string& body);

 private:
  bool SendAll(const std::string& data);
  int ReadReply();
  void Drop();

  int port_;
  bool keep_alive_;
  int fd_ = -1;
};

}  // namespace lontar::testing

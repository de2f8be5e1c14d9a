#include "tests/support/put_client.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "tests/support/server_process.hpp"

namespace lontar::testing {

int LoopbackPutClient::Put(const std::string& path, const std::string& body) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (fd_ < 0) {
      fd_ = ConnectLoopback(port_);
      if (fd_ < 0) return 0;
      // As libcurl does: without it the body's first segment waits for the head's delayed ACK
      // (40 ms) on every request after a connection's first.
      const int on = 1;
      ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
    }
    const std::string head = "PUT " + path + " HTTP/1.1\r\nHost: bench\r\nContent-Length: " +
                             std::to_string(body.size()) + "\r\n" +
                             (keep_alive_ ? "" : "Connection: close\r\n") + "\r\n";
    int status = 0;
    if (SendAll(head) && SendAll(body)) status = ReadReply();
    if (!keep_alive_) Drop();
    if (status > 0) return status;
    Drop();  // the server closed an idle connection: once more on a new one
  }
  return 0;
}

bool LoopbackPutClient::SendAll(const std::string& data) {
  for (std::size_t off = 0; off < data.size();) {
    const ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

int LoopbackPutClient::ReadReply() {
  std::string in;
  std::size_t end;
  char buf[16384];
  while ((end = in.find("\r\n\r\n")) == std::string::npos) {
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return 0;
    in.append(buf, static_cast<std::size_t>(n));
  }
  const int status = std::atoi(in.c_str() + 9);
  std::size_t length = 0;
  for (const char* name : {"Content-Length: ", "content-length: "}) {
    const auto at = in.find(name);
    if (at != std::string::npos && at < end) {
      length = std::strtoull(in.c_str() + at + 16, nullptr, 10);
    }
  }
  for (std::size_t have = in.size() - end - 4; have < length;) {
    const ssize_t n = ::recv(fd_, buf, std::min(sizeof buf, length - have), 0);
    if (n <= 0) return 0;
    have += static_cast<std::size_t>(n);
  }
  if (in.find("Connection: close") < end) Drop();
  return status;
}

void LoopbackPutClient::Drop() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace lontar::testing

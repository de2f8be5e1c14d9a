#include "tests/support/server_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "tests/support/test_support.hpp"

namespace lontar::testing {

ServerProcess::ServerProcess(const std::vector<std::string>& args,
                             const std::filesystem::path& log_dir) {
  out_ = log_dir / "serve.out";
  err_ = log_dir / "serve.err";
  // A previous server's output names its port: gone before the new one starts.
  std::filesystem::remove(out_);
  std::filesystem::remove(err_);
  std::vector<std::string> all = {std::string(LONTAR_BIN_DIR) + "/lontar", "serve"};
  if (std::find(args.begin(), args.end(), "--listen") == args.end()) {
    all.insert(all.end(), {"--listen", "127.0.0.1:0"});
  }
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : all) argv.push_back(s.data());
  argv.push_back(nullptr);
  pid_ = ::fork();
  if (pid_ == 0) {
    const int out = ::open(out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  const std::regex listening(R"(listening on http://127\.0\.0\.1:(\d+)/)");
  for (int i = 0; i < 400; ++i) {
    std::smatch m;
    const std::string text = std::filesystem::exists(out_) ? ReadText(out_) : "";
    if (std::regex_search(text, m, listening)) {
      port_ = std::stoi(m[1]);
      return;
    }
    if (!Running()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "lontar serve did not start: " << Stderr();
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
}

bool ServerProcess::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

int ServerProcess::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void ServerProcess::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::string ServerProcess::Stderr() const {
  return std::filesystem::exists(err_) ? ReadText(err_) : "";
}

namespace {

int Connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

int ConnectLoopback(int port) { return Connect(port); }

namespace {

bool SendAll(int fd, const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

HttpReply ParseReply(const std::string& in) {
  HttpReply reply;
  if (in.rfind("HTTP/1.1 ", 0) != 0 || in.size() < 12) return reply;
  reply.status = std::stoi(in.substr(9, 3));
  const auto end = in.find("\r\n\r\n");
  if (end != std::string::npos) reply.body = in.substr(end + 4);
  return reply;
}

std::string ReadToEnd(int fd) {
  std::string in;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    in.append(buf, static_cast<std::size_t>(n));
  }
  return in;
}

}  // namespace

HttpReply HttpRequest(int port, const std::string& method, const std::string& path,
                      const std::string& body) {
  HttpReply reply;
  const int fd = Connect(port);
  if (fd < 0) return reply;
  std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (method == "PUT" || method == "POST") {
    req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  req += "\r\n";
  // The server may answer (413) before the body is sent and close: that is not our failure.
  (void)(SendAll(fd, req) && SendAll(fd, body));
  const std::string in = ReadToEnd(fd);
  ::close(fd);
  return ParseReply(in);
}

void HttpSendPartialAndHangUp(int port, const std::string& path, std::size_t content_length,
                              const std::string& partial) {
  const int fd = Connect(port);
  if (fd < 0) return;
  (void)SendAll(fd, "PUT " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
                        std::to_string(content_length) + "\r\n\r\n" + partial);
  ::close(fd);
}

RawExchange HttpSendRaw(int port, const std::string& head, const std::string& piece,
                        std::size_t count, const std::string& tail) {
  RawExchange result;
  const int fd = Connect(port);
  if (fd < 0) return result;
  const timeval thirty{.tv_sec = 30, .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &thirty, sizeof thirty);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &thirty, sizeof thirty);
  std::uint64_t sent = 0;
  std::thread sender([&] {
    bool ok = SendAll(fd, head);
    if (ok) sent += head.size();
    for (std::size_t i = 0; ok && i < count; ++i) {
      ok = SendAll(fd, piece);
      if (ok) sent += piece.size();
    }
    if (ok && SendAll(fd, tail)) sent += tail.size();
    ::shutdown(fd, SHUT_WR);
  });
  const std::string in = ReadToEnd(fd);
  // The reply came (or the server closed): stop a sender still blocked on a full socket.
  ::shutdown(fd, SHUT_RDWR);
  sender.join();
  ::close(fd);
  result.reply = ParseReply(in);
  result.sent = sent;
  return result;
}

TrickleResult HttpTrickle(int port, const std::string& head, const std::string& trickle,
                          std::chrono::milliseconds interval, std::chrono::milliseconds give_up) {
  TrickleResult result;
  const int fd = Connect(port);
  if (fd < 0) return result;
  const auto start = std::chrono::steady_clock::now();
  bool ok = SendAll(fd, head);
  for (std::size_t i = 0; ok; ++i) {
    // Readable: the server answered or closed.
    pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
    if (::poll(&p, 1, static_cast<int>(interval.count())) != 0) break;
    if (std::chrono::steady_clock::now() - start >= give_up) {
      result.gave_up = true;
      break;
    }
    ok = SendAll(fd, trickle.substr(i % trickle.size(), 1));
  }
  result.held = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  if (!result.gave_up) {
    const timeval thirty{.tv_sec = 30, .tv_usec = 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &thirty, sizeof thirty);
    result.reply = ParseReply(ReadToEnd(fd));
  }
  ::close(fd);
  return result;
}

std::uint64_t PeakRssBytes(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6)) * 1024;  // "... kB"
  }
  return 0;
}

int PortNobodyListensOn(const std::vector<std::string>& args,
                        const std::filesystem::path& log_dir) {
  ServerProcess probe(args, log_dir);
  const int port = probe.port();
  probe.Stop();
  return port;
}

nlohmann::json StatusJson(const ServerProcess& server) {
  auto reply = HttpRequest(server.port(), "GET", "/v1/status.json");
  EXPECT_EQ(reply.status, 200) << reply.body;
  return nlohmann::json::parse(reply.body, nullptr, false);
}

}  // namespace lontar::testing

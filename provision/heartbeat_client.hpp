// POST of one signed heartbeat to a site relay over libcurl (`lontar sync`): the transport that
// core/sync/terminal_heartbeat.hpp is given.
#pragma once

#include <curl/curl.h>

#include <string>
#include <string_view>

#include "core/util/error.hpp"

namespace lontar::cli {

// One libcurl handle, reused between heartbeats. Not thread-safe.
class HeartbeatClient {
 public:
  explicit HeartbeatClient(std::string server);
  ~HeartbeatClient();
  HeartbeatClient(const HeartbeatClient&) = delete;
  HeartbeatClient& operator=(const HeartbeatClient&) = delete;

  // POST /v1/heartbeat; returns the relay's clock (relay_ms) from a 200 answer. kIo when no
  // answer came (or one without relay_ms); for a refusal, kMalformed with the relay's message.
  [[nodiscard]] Result<std::int64_t> Post(std::string_view heartbeat);

 private:
  static std::size_t Collect(char* data, std::size_t size, std::size_t n, void* out);
  std::string url_;
  CURL* curl_;
};

}  // namespace lontar::cli

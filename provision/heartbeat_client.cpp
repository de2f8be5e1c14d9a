#include "provision/heartbeat_client.hpp"

#include <nlohmann/json.hpp>

namespace lontar::cli {

HeartbeatClient::HeartbeatClient(std::string server) : curl_(curl_easy_init()) {
  while (!server.empty() && server.back() == '/') server.pop_back();
  url_ = server + "/v1/heartbeat";
}

HeartbeatClient::~HeartbeatClient() { curl_easy_cleanup(curl_); }

Result<std::int64_t> HeartbeatClient::Post(std::string_view heartbeat) {
  if (curl_ == nullptr) return std::unexpected(Error::Internal("curl_easy_init failed"));
  std::string body;
  curl_easy_reset(curl_);
  curl_easy_setopt(curl_, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(curl_, CURLOPT_POST, 1L);
  curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, heartbeat.data());
  curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(heartbeat.size()));
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
  // A heartbeat is small and the next one comes in seconds: give up quickly.
  curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT, 3L);
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT, 5L);
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &HeartbeatClient::Collect);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &body);
  const CURLcode rc = curl_easy_perform(curl_);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) return std::unexpected(Error::Io(url_ + ": " + curl_easy_strerror(rc)));
  long status = 0;
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
  const auto j = nlohmann::json::parse(body, nullptr, false);
  if (status != 200) {
    std::string message = "HTTP " + std::to_string(status);
    if (j.is_object() && j.contains("error") && j["error"].is_string()) {
      message += ": " + j["error"].get<std::string>();
    }
    return std::unexpected(Error::Malformed(url_ + " refused the heartbeat: " + message));
  }
  if (!j.is_object() || !j.contains("relay_ms") || !j["relay_ms"].is_number_integer()) {
    return std::unexpected(Error::Io(url_ + ": the answer carries no relay_ms"));
  }
  return j["relay_ms"].get<std::int64_t>();
}

std::size_t HeartbeatClient::Collect(char* data, std::size_t size, std::size_t n, void* out) {
  auto* body = static_cast<std::string*>(out);
  if (body->size() + size * n > 64 * 1024) return 0;  // a heartbeat's answer is tiny
  body->append(data, size * n);
  return size * n;
}

}  // namespace lontar::cli

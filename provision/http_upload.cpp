#include "provision/http_upload.hpp"

#include <nlohmann/json.hpp>

#include "core/server/receipt.hpp"

namespace lontar::cli {

HttpUploader::HttpUploader(std::string server)
    : server_(std::move(server)), curl_(curl_easy_init()) {
  while (!server_.empty() && server_.back() == '/') server_.pop_back();
}

HttpUploader::~HttpUploader() { curl_easy_cleanup(curl_); }

Result<std::string> HttpUploader::Put(const std::string& id_hex, ByteView bundle) {
  if (curl_ == nullptr) return std::unexpected(Error::Internal("curl_easy_init failed"));
  const std::string url = server_ + "/v1/bundles/" + id_hex;
  std::string body;
  curl_easy_reset(curl_);
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, "PUT");
  curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, bundle.data());
  curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(bundle.size()));
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/octet-stream");
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT, 300L);
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &HttpUploader::Collect);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &body);
  const CURLcode rc = curl_easy_perform(curl_);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    return std::unexpected(Error::Io(url + ": " + curl_easy_strerror(rc)));
  }
  long status = 0;
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
  if (status == 200 || status == 201) {
    if (body.size() > server::kMaxReceiptBytes) {
      return std::unexpected(Error::Malformed(url + ": receipt over the size limit"));
    }
    return body;
  }
  auto j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  const bool has_error = j.is_object() && j.contains("error") && j["error"].is_string();
  if (status == 202) {
    // A relay stored the bundle but has not reached the collection server: not delivered yet.
    return std::unexpected(
        Error::Io("the relay holds the bundle; the collection server has not confirmed it yet" +
                  (has_error ? " (" + j["error"].get<std::string>() + ")" : std::string())));
  }
  std::string message = "HTTP " + std::to_string(status);
  if (has_error) message += ": " + j["error"].get<std::string>();
  message = "server refused the bundle (" + message + ")";
  if (status >= 500 || status == 408 || status == 429) return std::unexpected(Error::Io(message));
  if (status == 403) return std::unexpected(Error::Untrusted(message));
  if (status == 422) return std::unexpected(Error::BadSignature(message));
  return std::unexpected(Error::Malformed(message));
}

std::size_t HttpUploader::Collect(char* data, std::size_t size, std::size_t n, void* out) {
  auto* body = static_cast<std::string*>(out);
  if (body->size() + size * n > server::kMaxReceiptBytes + 1) return 0;  // abort: too big
  body->append(data, size * n);
  return size * n;
}

}  // namespace lontar::cli

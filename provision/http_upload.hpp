// PUT of one result bundle to a collection server (or relay) over libcurl, shared by
// `lontar sync`, `lontar bundles import` and a relay forwarding upstream.
#pragma once

#include <curl/curl.h>

#include <string>

#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::cli {

// One libcurl handle, reused so that uploads share a kept-alive connection. Not thread-safe.
class HttpUploader {
 public:
  explicit HttpUploader(std::string server);
  ~HttpUploader();
  HttpUploader(const HttpUploader&) = delete;
  HttpUploader& operator=(const HttpUploader&) = delete;

  // PUT /v1/bundles/{id_hex}. Returns the receipt text (200 or 201). Errors, per the contract of
  // sync::Uploader: kIo for what may pass on retry (no connection, timeout, 5xx, 408, 429, and a
  // 202 from a relay that holds the bundle but has no receipt from upstream yet); kUntrusted
  // (403), kBadSignature (422) and kMalformed (other 4xx) for refusals, with the server's message.
  [[nodiscard]] Result<std::string> Put(const std::string& id_hex, ByteView bundle);

 private:
  static std::size_t Collect(char* data, std::size_t size, std::size_t n, void* out);

  std::string server_;
  CURL* curl_;
};

}  // namespace lontar::cli

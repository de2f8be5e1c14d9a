// PUT of one result bundle to a collection server (or relay) over libcurl, shared by
// `lontar sync`, `lontar bundles import` (both through core/sync/deliver.hpp) and a relay
// forwarding upstream. Paths, statuses and error kinds are core/sync/protocol.hpp's.
#pragma once

#include <curl/curl.h>

#include <string>

#include "core/sync/sync.hpp"
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
  // sync::Uploader and the table in core/sync/protocol.hpp: kIo for what may pass on retry (no
  // connection, timeout, 5xx, 408, 429, and a 202 from a relay that holds the bundle but has no
  // receipt from upstream yet); kUntrusted (403), kBadSignature (422) and kMalformed (other 4xx)
  // for refusals, with the server's message.
  [[nodiscard]] Result<std::string> Put(const std::string& id_hex, ByteView bundle);

  // As Put, but a relay's 202 is an answer, not an error: its own receipt (the "relay_receipt"
  // field) with relay_held set and its reason in `note`. What sync::Uploader wants.
  [[nodiscard]] Result<sync::UploadAnswer> Send(const std::string& id_hex, ByteView bundle);

  // Sends sync::kOutboxHighestHeader with every later request (0: not sent).
  void set_outbox_highest(std::uint64_t seq) { outbox_highest_ = seq; }
  // Sends sync::kTerminalClockHeader (this machine's wall clock as each request leaves) with
  // every later request: for a terminal's own uploads only, never a relay forwarding others'.
  void set_send_clock(bool send) { send_clock_ = send; }

 private:
  struct Reply {
    std::string url, body;
    long status = 0;
  };
  // One PUT; kIo when no HTTP reply came.
  Result<Reply> Exchange(const std::string& id_hex, ByteView bundle);
  static std::size_t Collect(char* data, std::size_t size, std::size_t n, void* out);

  std::string server_;
  CURL* curl_;
  std::uint64_t outbox_highest_ = 0;
  bool send_clock_ = false;
};

}  // namespace lontar::cli

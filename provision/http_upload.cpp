#include "provision/http_upload.hpp"

#include <nlohmann/json.hpp>

#include "core/bundle/receipt.hpp"
#include "core/sync/protocol.hpp"
#include "core/util/clock.hpp"

namespace lontar::cli {

HttpUploader::HttpUploader(std::string server)
    : server_(std::move(server)), curl_(curl_easy_init()) {
  while (!server_.empty() && server_.back() == '/') server_.pop_back();
}

HttpUploader::~HttpUploader() { curl_easy_cleanup(curl_); }

Result<HttpUploader::Reply> HttpUploader::Exchange(const std::string& id_hex, ByteView bundle) {
  if (curl_ == nullptr) return std::unexpected(Error::Internal("curl_easy_init failed"));
  Reply reply;
  reply.url = server_ + std::string(sync::kBundlesPath) + id_hex;
  curl_easy_reset(curl_);
  curl_easy_setopt(curl_, CURLOPT_URL, reply.url.c_str());
  curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, "PUT");
  curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, bundle.data());
  curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(bundle.size()));
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/octet-stream");
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  if (outbox_highest_ > 0) {
    const std::string h =
        std::string(sync::kOutboxHighestHeader) + ": " + std::to_string(outbox_highest_);
    headers = curl_slist_append(headers, h.c_str());
  }
  if (send_clock_) {
    const std::string h =
        std::string(sync::kTerminalClockHeader) + ": " + std::to_string(SystemClock().WallMs());
    headers = curl_slist_append(headers, h.c_str());
  }
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT, 300L);
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, &HttpUploader::Collect);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &reply.body);
  const CURLcode rc = curl_easy_perform(curl_);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    return std::unexpected(Error::Io(reply.url + ": " + curl_easy_strerror(rc)));
  }
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

namespace {

std::string StringField(const nlohmann::json& j, const char* name) {
  return j.is_object() && j.contains(name) && j[name].is_string() ? j[name].get<std::string>()
                                                                  : std::string();
}

}  // namespace

Result<sync::UploadAnswer> HttpUploader::Send(const std::string& id_hex, ByteView bundle) {
  LONTAR_ASSIGN_OR_RETURN(Reply reply, Exchange(id_hex, bundle));
  if (reply.status == sync::kStatusDuplicate || reply.status == sync::kStatusStored) {
    if (reply.body.size() > bundle::kMaxReceiptBytes) {
      return std::unexpected(Error::Malformed(reply.url + ": receipt over the size limit"));
    }
    return sync::UploadAnswer{.receipt = std::move(reply.body),
                              .relay_held = false,
                              .already_stored = reply.status == sync::kStatusDuplicate,
                              .note = {}};
  }
  auto j = nlohmann::json::parse(reply.body, nullptr, /*allow_exceptions=*/false);
  if (reply.status == sync::kStatusRelayHeld) {
    // A relay stored the bundle and signed for it; the collection server has not confirmed it.
    sync::UploadAnswer a{.receipt = StringField(j, "relay_receipt"),
                         .relay_held = true,
                         .already_stored = false,
                         .note = StringField(j, "error")};
    if (a.receipt.empty()) {
      // A relay too old to sign for what it holds: only the central receipt will do.
      return std::unexpected(Error::Io("the relay holds the bundle but sent no receipt of its own" +
                                       (a.note.empty() ? std::string() : " (" + a.note + ")")));
    }
    return a;
  }
  return std::unexpected(sync::ErrorForStatus(reply.status, StringField(j, "error")));
}

Result<std::string> HttpUploader::Put(const std::string& id_hex, ByteView bundle) {
  LONTAR_ASSIGN_OR_RETURN(sync::UploadAnswer a, Send(id_hex, bundle));
  if (a.relay_held) {
    // Not delivered yet: the caller wants the collection server's receipt and nothing less.
    return std::unexpected(
        Error::Io("the relay holds the bundle and the collection server has not confirmed it yet" +
                  (a.note.empty() ? std::string() : ": " + a.note)));
  }
  return std::move(a.receipt);
}

std::size_t HttpUploader::Collect(char* data, std::size_t size, std::size_t n, void* out) {
  auto* body = static_cast<std::string*>(out);
  if (body->size() + size * n > bundle::kMaxReceiptBytes + 1) return 0;  // abort: too big
  body->append(data, size * n);
  return size * n;
}

}  // namespace lontar::cli

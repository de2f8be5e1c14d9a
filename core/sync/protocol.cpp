#include "core/sync/protocol.hpp"

namespace lontar::sync {

int StatusFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kUntrusted:
      return 403;
    case ErrorKind::kNotFound:
      return 404;
    case ErrorKind::kBadSignature:
    case ErrorKind::kCorruption:
      return 422;
    case ErrorKind::kMalformed:
    case ErrorKind::kTooNew:
    case ErrorKind::kInvalidArgument:
      return 400;
    case ErrorKind::kConflict:
      return 409;  // another bundle already holds this id (core/server/store.hpp invariant 3)
    case ErrorKind::kDiskFull:
      return 507;
    default:
      return 500;
  }
}

Error ErrorForStatus(long status, std::string_view server_message) {
  std::string message = "HTTP " + std::to_string(status);
  if (!server_message.empty()) message += ": " + std::string(server_message);
  message = "server refused the bundle (" + message + ")";
  if (status >= 500 || status == 408 || status == 429) return Error::Io(message);
  if (status == 403) return Error::Untrusted(message);
  if (status == 422) return Error::BadSignature(message);
  return Error::Malformed(message);
}

bool IsBundleIdHex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace lontar::sync

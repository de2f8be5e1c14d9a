#include "core/util/error.hpp"

#include <cerrno>
#include <cstring>

namespace lontar {

std::string_view ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidArgument:
      return "invalid-argument";
    case ErrorKind::kNotFound:
      return "not-found";
    case ErrorKind::kAlreadyExists:
      return "already-exists";
    case ErrorKind::kIo:
      return "io";
    case ErrorKind::kDiskFull:
      return "disk-full";
    case ErrorKind::kReadOnly:
      return "read-only";
    case ErrorKind::kPermission:
      return "permission";
    case ErrorKind::kCorruption:
      return "corruption";
    case ErrorKind::kWrongKey:
      return "wrong-key";
    case ErrorKind::kNotAVault:
      return "not-a-vault";
    case ErrorKind::kTooNew:
      return "too-new";
    case ErrorKind::kBadSignature:
      return "bad-signature";
    case ErrorKind::kUntrusted:
      return "untrusted";
    case ErrorKind::kMalformed:
      return "malformed";
    case ErrorKind::kCrypto:
      return "crypto";
    case ErrorKind::kInternal:
      return "internal";
    case ErrorKind::kConflict:
      return "conflict";
  }
  return "unknown";
}

Error Error::FromErrno(std::string_view context, int err) {
  std::string message = std::string(context) + ": " + std::strerror(err);
  switch (err) {
    case ENOSPC:
    case EDQUOT:
      return DiskFull(message + " (free space on the disk, then retry)");
    case EROFS:
      return ReadOnly(message + " (the file system is mounted read-only)");
    case EACCES:
    case EPERM:
      return Permission(std::move(message));
    case ENOENT:
      return NotFound(std::move(message));
    case EEXIST:
      return AlreadyExists(std::move(message));
    default:
      return Io(std::move(message));
  }
}

Error Error::WithContext(std::string_view context) const {
  return Error(kind_, std::string(context) + ": " + message_);
}

}  // namespace lontar

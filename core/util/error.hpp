// Lontar's single error type.
//
// Every fallible function in core/ returns Result<T> (std::expected<T, Error>). An Error carries a
// kind, which callers branch on, and a message written for the person who has to act on it: it
// names the file or key involved and, where there is one, what to do next. Messages never contain
// secret material.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace lontar {

enum class ErrorKind {
  kInvalidArgument,  // the caller (or the operator) asked for something malformed
  kNotFound,         // a file, key or record that should exist does not
  kAlreadyExists,    // refusing to overwrite something that exists
  kIo,               // the operating system reported an I/O error (EIO and friends)
  kDiskFull,         // ENOSPC / SQLITE_FULL
  kReadOnly,         // the file system or file is not writable
  kPermission,       // EACCES / EPERM
  kCorruption,       // bytes on disk failed an integrity check
  kWrongKey,         // a key was found but does not open the thing it should
  kNotAVault,        // the file exists but is not a Lontar vault
  kTooNew,           // written by a newer Lontar than this build
  kBadSignature,     // a signature did not verify
  kUntrusted,        // a valid signature by a key this terminal does not trust
  kMalformed,        // input crossing a trust boundary did not parse
  kCrypto,           // libsodium refused (e.g. out of secure memory)
  kInternal,         // a database or library failure with no better classification
  kConflict,         // another process changed what this operation was decided on: re-read, retry
};

// Name of a kind, for --json output and logs ("disk-full").
std::string_view ErrorKindName(ErrorKind kind);

class [[nodiscard]] Error {
 public:
  Error(ErrorKind kind, std::string message) : kind_(kind), message_(std::move(message)) {}

  static Error InvalidArgument(std::string m) {
    return {ErrorKind::kInvalidArgument, std::move(m)};
  }
  static Error NotFound(std::string m) { return {ErrorKind::kNotFound, std::move(m)}; }
  static Error AlreadyExists(std::string m) { return {ErrorKind::kAlreadyExists, std::move(m)}; }
  static Error Io(std::string m) { return {ErrorKind::kIo, std::move(m)}; }
  static Error DiskFull(std::string m) { return {ErrorKind::kDiskFull, std::move(m)}; }
  static Error ReadOnly(std::string m) { return {ErrorKind::kReadOnly, std::move(m)}; }
  static Error Permission(std::string m) { return {ErrorKind::kPermission, std::move(m)}; }
  static Error Corruption(std::string m) { return {ErrorKind::kCorruption, std::move(m)}; }
  static Error WrongKey(std::string m) { return {ErrorKind::kWrongKey, std::move(m)}; }
  static Error NotAVault(std::string m) { return {ErrorKind::kNotAVault, std::move(m)}; }
  static Error TooNew(std::string m) { return {ErrorKind::kTooNew, std::move(m)}; }
  static Error BadSignature(std::string m) { return {ErrorKind::kBadSignature, std::move(m)}; }
  static Error Untrusted(std::string m) { return {ErrorKind::kUntrusted, std::move(m)}; }
  static Error Malformed(std::string m) { return {ErrorKind::kMalformed, std::move(m)}; }
  static Error Crypto(std::string m) { return {ErrorKind::kCrypto, std::move(m)}; }
  static Error Internal(std::string m) { return {ErrorKind::kInternal, std::move(m)}; }
  static Error Conflict(std::string m) { return {ErrorKind::kConflict, std::move(m)}; }

  // The one place errno becomes an Error: "CONTEXT: strerror(err)" with a kind chosen from err
  // (ENOSPC -> kDiskFull, EROFS -> kReadOnly, EACCES -> kPermission, ENOENT -> kNotFound, ...).
  static Error FromErrno(std::string_view context, int err);

  ErrorKind kind() const { return kind_; }
  const std::string& message() const { return message_; }

  // Returns a copy whose message is "CONTEXT: <message>".
  Error WithContext(std::string_view context) const;

 private:
  ErrorKind kind_;
  std::string message_;
};

template <class T>
using Result = std::expected<T, Error>;
using Status = std::expected<void, Error>;

inline Status Ok() { return {}; }

}  // namespace lontar

// Propagates the error of an expression returning Status/Result<T>.
#define LONTAR_TRY(expr)                                             \
  do {                                                               \
    if (auto lontar_try_result_ = (expr); !lontar_try_result_)       \
      return std::unexpected(std::move(lontar_try_result_).error()); \
  } while (0)

#define LONTAR_CONCAT_INNER_(a, b) a##b
#define LONTAR_CONCAT_(a, b) LONTAR_CONCAT_INNER_(a, b)

// LONTAR_ASSIGN_OR_RETURN(auto key, LoadKey(path)); declares `key` with the value or returns the
// error from the enclosing function.
#define LONTAR_ASSIGN_OR_RETURN(decl, expr) \
  LONTAR_ASSIGN_OR_RETURN_IMPL_(LONTAR_CONCAT_(lontar_aor_, __LINE__), decl, expr)
#define LONTAR_ASSIGN_OR_RETURN_IMPL_(tmp, decl, expr)      \
  auto tmp = (expr);                                        \
  if (!tmp) return std::unexpected(std::move(tmp).error()); \
  decl = std::move(*tmp)

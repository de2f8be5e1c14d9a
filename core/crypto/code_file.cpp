#include "core/crypto/code_file.hpp"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <string>

#include "core/util/fs.hpp"

namespace lontar::crypto {
namespace {

inline constexpr std::size_t kMaxCodeBytes = 4096;

// The first line of `raw` that is not blank, without surrounding spaces, in secure memory.
Result<SecretBytes> FirstLine(ByteView raw, std::string_view what) {
  std::size_t begin = 0;
  while (begin < raw.size() && std::isspace(raw[begin])) ++begin;
  std::size_t end = begin;
  while (end < raw.size() && raw[end] != '\n' && raw[end] != '\r') ++end;
  while (end > begin && std::isspace(raw[end - 1])) --end;
  if (end == begin) {
    return std::unexpected(Error::InvalidArgument(std::string(what) + " holds no code"));
  }
  return SecretBytes::CopyOf(raw.subspan(begin, end - begin));
}

}  // namespace

Result<SecretBytes> ReadCodeFile(const std::filesystem::path& path) {
  LONTAR_ASSIGN_OR_RETURN(Bytes raw, ReadFile(path, kMaxCodeBytes));
  auto code = FirstLine(raw, path.string());
  Wipe(raw);
  return code;
}

Result<SecretBytes> ReadCodeFromFd(int fd, std::string_view what) {
  // The bytes go straight into secure memory, one at a time so that nothing past the code's line
  // is consumed (a caller may read more from the same descriptor).
  LONTAR_ASSIGN_OR_RETURN(SecretBytes buffer, SecretBytes::Allocate(kMaxCodeBytes + 1));
  std::size_t used = 0;
  bool seen_code = false;
  while (used < buffer.size()) {
    ssize_t n = ::read(fd, buffer.data() + used, 1);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::unexpected(Error::FromErrno("read " + std::string(what), errno));
    }
    if (n == 0) break;
    const std::uint8_t c = buffer.data()[used++];
    if (c == '\n' && seen_code) break;
    if (!std::isspace(c)) seen_code = true;
  }
  if (used > kMaxCodeBytes) {
    return std::unexpected(Error::Malformed(std::string(what) + ": a code is at most " +
                                            std::to_string(kMaxCodeBytes) + " bytes"));
  }
  return FirstLine(ByteView(buffer.data(), used), what);
}

}  // namespace lontar::crypto

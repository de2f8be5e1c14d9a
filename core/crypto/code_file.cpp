#include "core/crypto/code_file.hpp"

#include <cctype>

#include "core/util/fs.hpp"

namespace lontar::crypto {

Result<SecretBytes> ReadCodeFile(const std::filesystem::path& path) {
  LONTAR_ASSIGN_OR_RETURN(Bytes raw, ReadFile(path, 4096));
  std::size_t begin = 0;
  while (begin < raw.size() && std::isspace(raw[begin])) ++begin;
  std::size_t end = begin;
  while (end < raw.size() && raw[end] != '\n' && raw[end] != '\r') ++end;
  while (end > begin && std::isspace(raw[end - 1])) --end;
  auto code = SecretBytes::CopyOf(ByteView(raw.data() + begin, end - begin));
  Wipe(raw);
  if (code && code->empty()) {
    return std::unexpected(Error::InvalidArgument(path.string() + " holds no code"));
  }
  return code;
}

}  // namespace lontar::crypto

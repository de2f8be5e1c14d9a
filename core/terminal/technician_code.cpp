#include "core/terminal/technician_code.hpp"

#include <string>

#include "core/util/fs.hpp"

namespace lontar::terminal {
namespace {

// Argon2id strings are about 100 bytes; anything much larger is not a hash file.
inline constexpr std::uint64_t kMaxHashFileBytes = 1024;

std::size_t CodePoints(ByteView text) {
  std::size_t n = 0;
  for (std::uint8_t c : text) {
    if ((c & 0xC0) != 0x80) ++n;  // every byte but UTF-8 continuation bytes starts a character
  }
  return n;
}

crypto::Argon2Params ParamsFor(TechnicianCodeCost cost) {
  return cost == TechnicianCodeCost::kModerate ? crypto::Argon2Params::Moderate()
                                               : crypto::Argon2Params::Interactive();
}

}  // namespace

Status CheckTechnicianCodeCharacters(ByteView code) {
  for (std::uint8_t c : code) {
    if (c < 0x20 || c == 0x7F) {
      return std::unexpected(Error::InvalidArgument(
          "the technician code holds a control character; use letters, digits, spaces and "
          "punctuation that can be typed on the kiosk's keyboard"));
    }
    if (c >= 0x80) {
      return std::unexpected(Error::InvalidArgument(
          "the technician code holds a character outside ASCII (an accented letter or a symbol); "
          "use plain letters, digits, spaces and punctuation"));
    }
    if (c == '"' || c == '\\') {
      return std::unexpected(Error::InvalidArgument(
          std::string("the technician code holds a ") + (c == '"' ? "double quote" : "backslash") +
          ", which the USB gate does not accept; use other punctuation"));
    }
  }
  return Ok();
}

Status CheckTechnicianCodeStrength(ByteView code) {
  const std::string min = std::to_string(kMinTechnicianCodeLength);
  if (code.size() > kMaxTechnicianCodeBytes) {
    return std::unexpected(Error::InvalidArgument(
        "the technician code is longer than " + std::to_string(kMaxTechnicianCodeBytes) +
        " bytes; choose a shorter one (" + min + " to 40 characters is plenty)"));
  }
  LONTAR_TRY(CheckTechnicianCodeCharacters(code));
  if (CodePoints(code) < kMinTechnicianCodeLength) {
    return std::unexpected(
        Error::InvalidArgument("the technician code has " + std::to_string(CodePoints(code)) +
                               " characters; it needs at least " + min +
                               " (e.g. four random words, or letters and digits)"));
  }
  bool all_same = true;
  for (std::uint8_t c : code) all_same = all_same && c == code[0];
  if (all_same) {
    return std::unexpected(Error::InvalidArgument(
        "the technician code repeats one character; choose one that is hard to guess"));
  }
  return Ok();
}

Result<std::string> HashTechnicianCode(ByteView code, TechnicianCodeCost cost) {
  LONTAR_TRY(CheckTechnicianCodeStrength(code));
  LONTAR_ASSIGN_OR_RETURN(std::string hash, crypto::HashPin(AsChars(code), ParamsFor(cost)));
  return hash + "\n";
}

Status WriteTechnicianCodeFile(const std::filesystem::path& path, ByteView code,
                               TechnicianCodeCost cost) {
  LONTAR_ASSIGN_OR_RETURN(std::string text, HashTechnicianCode(code, cost));
  return WriteFileAtomic(path, AsBytes(text), 0644, Overwrite::kReplace);
}

Result<std::string> ReadTechnicianCodeHash(const std::filesystem::path& path) {
  auto raw = ReadFile(path, kMaxHashFileBytes);
  if (!raw) {
    if (raw.error().kind() == ErrorKind::kNotFound) {
      return std::unexpected(
          Error::NotFound(path.string() +
                          " does not exist: no technician code is set on this terminal (make one "
                          "with `lontar technician code --out " +
                          path.string() + "`)"));
    }
    return std::unexpected(raw.error());
  }
  std::string text(AsChars(*raw));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (!text.starts_with("$argon2id$") || text.find_first_of("\n\r ") != std::string::npos) {
    return std::unexpected(
        Error::Malformed(path.string() +
                         " does not hold a technician code hash; make it again with `lontar "
                         "technician code --out " +
                         path.string() + "`"));
  }
  return text;
}

Result<bool> VerifyTechnicianCode(const std::filesystem::path& path, ByteView code) {
  LONTAR_ASSIGN_OR_RETURN(std::string hash, ReadTechnicianCodeHash(path));
  if (code.empty() || code.size() > kMaxTechnicianCodeBytes) return false;
  auto ok = crypto::VerifyPin(hash, AsChars(code));
  if (!ok) return std::unexpected(ok.error().WithContext(path.string()));
  return *ok;
}

}  // namespace lontar::terminal

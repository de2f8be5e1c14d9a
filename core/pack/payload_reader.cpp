#include "core/pack/payload_reader.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "core/crypto/stream.hpp"
#include "core/pack/pack_format.hpp"

namespace lontar::pack {

Status DecryptPayload(const std::filesystem::path& file, const crypto::SecretBytes& content_key,
                      ArchiveParser& parser) {
  LONTAR_ASSIGN_OR_RETURN(Envelope envelope, ReadEnvelope(file));
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(Error::FromErrno("open " + file.string(), errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::lseek(fd, static_cast<off_t>(envelope.payload_offset), SEEK_SET) < 0) {
    return std::unexpected(Error::FromErrno("seek " + file.string(), errno));
  }
  auto read = [&](std::uint8_t* out, std::size_t max) -> Result<std::size_t> {
    for (;;) {
      ssize_t n = ::read(fd, out, max);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR) return std::unexpected(Error::FromErrno("read " + file.string(), errno));
    }
  };
  auto st =
      crypto::DecryptStream(content_key, read, [&](ByteView chunk) { return parser.Feed(chunk); });
  if (!st) return std::unexpected(st.error().WithContext(file.string()));
  return parser.Finish();
}

Result<authoring::Exam> ReadPackExam(const std::filesystem::path& file,
                                     const crypto::SecretBytes& content_key) {
  std::string exam_json, roster_json;
  ArchiveParser parser([](const std::string& name,
                          std::uint64_t) { return name == "exam.json" || name == "roster.json"; },
                       [&](const std::string& name, Bytes data) {
                         (name == "exam.json" ? exam_json : roster_json).assign(AsChars(data));
                       });
  LONTAR_TRY(DecryptPayload(file, content_key, parser));
  return authoring::ExamFromJson(exam_json, roster_json);
}

}  // namespace lontar::pack

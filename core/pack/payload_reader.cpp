#include "core/pack/payload_reader.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <set>

#include "core/crypto/stream.hpp"
#include "core/pack/pack_format.hpp"
#include "core/util/fs.hpp"

namespace lontar::pack {

Status DecryptPayload(const std::filesystem::path& file, const crypto::SecretBytes& content_key,
                      ArchiveParser& parser, const std::function<bool()>& enough) {
  LONTAR_ASSIGN_OR_RETURN(Envelope envelope, ReadEnvelope(file));
  LONTAR_ASSIGN_OR_RETURN(InputFile in, InputFile::Open(file));
  if (::lseek(in.fd(), static_cast<off_t>(envelope.payload_offset), SEEK_SET) < 0) {
    return std::unexpected(Error::FromErrno("seek " + file.string(), errno));
  }
  const crypto::ReadFn read = crypto::FdReader(in.fd(), file);
  bool stopped = false;
  auto st = crypto::DecryptStream(content_key, read, [&](ByteView chunk) -> Status {
    LONTAR_TRY(parser.Feed(chunk));
    if (enough && enough()) {
      stopped = true;
      return std::unexpected(Error::Internal("enough read"));  // ends the stream early
    }
    return Ok();
  });
  if (stopped) return Ok();
  if (!st) return std::unexpected(st.error().WithContext(file.string()));
  return parser.Finish();
}

Result<model::Exam> ReadPackExam(const std::filesystem::path& file,
                                 const crypto::SecretBytes& content_key) {
  std::string exam_json, roster_json;
  bool have_exam = false, have_roster = false;
  ArchiveParser parser([](const std::string& name,
                          std::uint64_t) { return name == "exam.json" || name == "roster.json"; },
                       [&](const std::string& name, Bytes data) {
                         (name == "exam.json" ? have_exam : have_roster) = true;
                         (name == "exam.json" ? exam_json : roster_json).assign(AsChars(data));
                       });
  // The exam and roster come first in the archive (archive.hpp): stop there, so that opening a
  // pack with 200 MB of media does not decrypt them (the kiosk reads media on demand).
  LONTAR_TRY(DecryptPayload(file, content_key, parser, [&] { return have_exam && have_roster; }));
  return model::ExamFromJson(exam_json, roster_json);
}

Status CheckPackMedia(const std::filesystem::path& file, const crypto::SecretBytes& content_key) {
  std::string exam_json, roster_json;
  std::set<std::string> media;
  ArchiveParser parser(
      [&](const std::string& name, std::uint64_t) {
        if (name.starts_with("media/")) media.insert(name);
        return name == "exam.json" || name == "roster.json";
      },
      [&](const std::string& name, Bytes data) {
        (name == "exam.json" ? exam_json : roster_json).assign(AsChars(data));
      });
  LONTAR_TRY(DecryptPayload(file, content_key, parser));
  LONTAR_ASSIGN_OR_RETURN(model::Exam exam, model::ExamFromJson(exam_json, roster_json));
  for (const auto& [id, item] : exam.items) {
    for (const std::string& name : item.media) {
      if (media.contains(name)) continue;
      return std::unexpected(Error::Corruption(
          file.string() + ": item " + id + " shows " + name +
          ", which is not in the pack: a candidate would see the item without its image. Ask "
          "the exam authority for a pack rebuilt with a current `lontar pack build`"));
    }
  }
  return Ok();
}

}  // namespace lontar::pack

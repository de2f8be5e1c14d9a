#include "core/pack/build.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <functional>
#include <future>
#include <map>

#include "core/crypto/hash.hpp"
#include "core/crypto/kdf.hpp"
#include "core/crypto/parallel_hasher.hpp"
#include "core/crypto/stream.hpp"
#include "core/pack/archive.hpp"
#include "core/pack/image_check.hpp"
#include "core/pack/key_wrap.hpp"
#include "core/util/fs.hpp"

namespace lontar::pack {
namespace {

// Every image decoded once, with the kiosk's decoder, before the pack is published: an image that
// does not decode, decodes only in part, is too large or has absurd dimensions never reaches a
// candidate. All of them are named, each with the items that show it.
//
// The checks are shared out to whichever threads call Run (each image taken by exactly one), so
// that a thread that finished its own work joins in. Memory: one image per thread running.
class ImageChecks {
 public:
  explicit ImageChecks(const authoring::Source& source)
      : source_(source), results_(source.media.size()) {}

  // Checks images no thread has taken yet, until none are left. Any number of threads at once.
  void Run() {
    for (;;) {
      const std::size_t i = next_.fetch_add(1, std::memory_order_relaxed);
      if (i >= results_.size()) return;
      const authoring::MediaFile& m = source_.media[i];
      auto bytes = ReadFile(m.path, ImageLimits{}.max_bytes + 1);
      results_[i] = bytes ? CheckImage(*bytes) : Status(std::unexpected(bytes.error()));
    }
  }

  // Once every Run has returned: Ok, or one error naming every bad image and its items.
  Status Verdict() const {
    std::map<std::string, std::vector<std::string>> users;
    for (const auto& [id, item] : source_.exam.items) {
      for (const std::string& name : item.media) users[name].push_back(id);
    }
    std::string problems;
    std::size_t bad = 0;
    for (std::size_t i = 0; i < results_.size(); ++i) {
      if (results_[i]) continue;
      ++bad;
      const std::string& name = source_.media[i].name;
      std::string items;
      for (const std::string& id : users[name]) items += (items.empty() ? "" : ", ") + id;
      problems += "\n  " + name + " (" + (items.empty() ? "no item" : "item " + items) +
                  "): " + results_[i].error().message();
    }
    if (bad == 0) return Ok();
    return std::unexpected(
        Error::InvalidArgument(std::to_string(bad) +
                               " image(s) cannot be shown on a terminal; fix or replace them, "
                               "nothing was built:" +
                               problems));
  }

 private:
  const authoring::Source& source_;
  std::atomic<std::size_t> next_{0};
  std::vector<Status> results_;  // by media index, each written by the thread that took it
};

// Derives the keys, encrypts the payload into a temporary file beside o.out, hashes it on the
// way, writes the signed header, and publishes the file once `before_publish` returns Ok.
Result<PackHeader> EncryptPack(const authoring::Source& source, const BuildOptions& o,
                               const std::function<Status()>& before_publish);

}  // namespace

Result<PackHeader> BuildPack(const authoring::Source& source, const BuildOptions& o) {
  if (o.authority == nullptr || o.release_code == nullptr) {
    return std::unexpected(
        Error::InvalidArgument("pack build needs the authority key and a release code"));
  }
  if (o.version == 0)
    return std::unexpected(Error::InvalidArgument("--version must be at least 1"));
  if (o.valid_until_ms <= o.valid_from_ms) {
    return std::unexpected(Error::InvalidArgument("--valid-until must be after --valid-from"));
  }
  if (o.valid_until_ms <= o.now_ms) {
    return std::unexpected(Error::InvalidArgument(
        "--valid-until is in the past: the pack would be expired on arrival"));
  }
  if (o.targets.empty()) {
    return std::unexpected(
        Error::InvalidArgument("a pack needs at least one target terminal (--for T.enroll)"));
  }
  if (o.release_code->size() < 8) {
    return std::unexpected(
        Error::InvalidArgument("the release code must be at least 8 characters"));
  }
  std::error_code ec;
  if (std::filesystem::exists(o.out, ec)) {
    return std::unexpected(
        Error::AlreadyExists(o.out.string() + " already exists; refusing to overwrite it"));
  }
  // The images are checked on a second thread while the first derives the keys (Argon2id) and
  // encrypts the payload, which reads the same media; once the payload is written the first
  // thread checks images too, until none is left. The pack is published only once every image
  // passed, so a bad image still builds nothing. On an image-heavy pack the check is the largest
  // share of the build's CPU (docs/durability.md): this way it keeps both cores busy.
  ImageChecks checks(source);
  std::future<void> helper = std::async(std::launch::async, [&checks] { checks.Run(); });
  Result<PackHeader> built = EncryptPack(source, o, [&checks, &helper] {
    checks.Run();
    helper.get();
    return checks.Verdict();
  });
  // Bad images are the error to tell, as when they were checked first, whatever else failed
  // before the check was waited for.
  if (helper.valid()) {
    checks.Run();
    helper.get();
    if (Status verdict = checks.Verdict(); !verdict) return std::unexpected(verdict.error());
  }
  return built;
}

namespace {

Result<PackHeader> EncryptPack(const authoring::Source& source, const BuildOptions& o,
                               const std::function<Status()>& before_publish) {
  PackHeader h;
  h.pack_id = crypto::RandomId();
  h.exam_id = source.exam.id;
  h.exam_version = o.version;
  h.title = {source.exam.title.id, source.exam.title.en};
  h.valid_from_ms = o.valid_from_ms;
  h.valid_until_ms = o.valid_until_ms;
  h.created_ms = o.now_ms;
  h.kdf = o.kdf;
  h.kdf_salt = crypto::RandomBytes(crypto::kKdfSaltSize);
  h.results_key = o.results_key;
  h.items = source.exam.items.size();
  h.participants = source.exam.roster.size();
  h.proctor_code = o.proctor_code != nullptr;

  // Checked before the release code's Argon2id, so that a short code is told at once. Its own
  // Argon2id runs after that one, not beside it: both at once would hold 64 MiB, over the
  // build's memory goal (tests/bench/pack_bench.cpp), for a tenth of a second saved.
  if (o.proctor_code != nullptr && o.proctor_code->size() < 6) {
    return std::unexpected(
        Error::InvalidArgument("the proctor code must be at least 6 characters"));
  }
  LONTAR_ASSIGN_OR_RETURN(crypto::SecretBytes content_key, crypto::GenerateStreamKey());
  LONTAR_ASSIGN_OR_RETURN(crypto::SecretBytes code_key,
                          DeriveCodeKey(o.release_code->view(), h.kdf_salt, h.kdf));
  for (const terminal::Enrollment& t : o.targets) {
    LONTAR_ASSIGN_OR_RETURN(Bytes slot,
                            WrapContentKey(content_key, code_key, t.box_key, h.pack_id));
    h.targets.push_back({t.terminal_id, t.site, t.box_key.id(), std::move(slot)});
  }
  h.results_slot = crypto::Seal(h.results_key, content_key.view());

  // The payload: archive -> secretstream -> temporary file, hashed on the way.
  std::vector<ArchiveEntry> entries;
  model::Exam exam = source.exam;
  if (o.proctor_code != nullptr) {
    LONTAR_ASSIGN_OR_RETURN(
        exam.proctor_code_hash,
        crypto::HashPin(AsChars(o.proctor_code->view()), crypto::Argon2Params::ReleaseCode()));
  }
  entries.push_back({"exam.json", ToBytes(model::ExamToJson(exam)), {}, 0});
  entries.push_back({"roster.json", ToBytes(model::RosterToJson(source.exam.roster)), {}, 0});
  for (ArchiveEntry& e : entries) e.size = e.data.size();
  std::uint64_t total = entries[0].size + entries[1].size;
  for (const authoring::MediaFile& m : source.media) {
    entries.push_back({m.name, {}, m.path, m.bytes});
    h.media_bytes += m.bytes;
    total += m.bytes;
  }
  // The payload's exact length is known before encrypting (secretstream adds a fixed 37-byte
  // preamble and 17 bytes per chunk), so the header can be laid out first and the payload
  // encrypted straight into its final place: one pass over the media, no second copy.
  std::uint64_t archive_bytes = 8 + 2;  // magic and end marker
  for (const ArchiveEntry& e : entries) archive_bytes += 2 + e.name.size() + 8 + e.size;
  const std::uint64_t chunk = crypto::kDefaultChunkSize;
  const std::uint64_t chunks = archive_bytes == 0 ? 1 : (archive_bytes + chunk - 1) / chunk;
  h.payload_bytes = 13 + 24 + archive_bytes + 17 * chunks;
  const std::size_t envelope_bytes =
      SerializeEnvelope({PackSignature{}}, SerializeHeader(h)).size();

  LONTAR_ASSIGN_OR_RETURN(TempFile file, TempFile::Beside(o.out));
  if (::lseek(file.fd(), static_cast<off_t>(envelope_bytes), SEEK_SET) < 0) {
    return std::unexpected(Error::FromErrno("seek " + file.path().string(), errno));
  }
  crypto::ParallelHasher hasher(32);
  std::uint64_t written = 0;
  auto progress = [&](std::uint64_t done) {
    if (o.progress) o.progress(done, total);
  };
  LONTAR_TRY(crypto::EncryptStream(content_key, ArchiveReader(std::move(entries), progress),
                                   [&](ByteView chunk_bytes) -> Status {
                                     hasher.Update(chunk_bytes);
                                     written += chunk_bytes.size();
                                     return file.WriteAll(chunk_bytes);
                                   }));
  if (written != h.payload_bytes) {
    return std::unexpected(Error::Internal("payload came out " + std::to_string(written) +
                                           " bytes, " + std::to_string(h.payload_bytes) +
                                           " expected (a media file changed during the build?)"));
  }
  Bytes digest = hasher.Finish();
  std::copy(digest.begin(), digest.end(), h.payload_hash.begin());

  // The real header has the same length as the placeholder: only the hash's hex digits differ.
  const std::string header = SerializeHeader(h);
  const PackSignature sig{o.authority->id(), o.authority->Sign(SignedMessage(header))};
  const Bytes envelope = SerializeEnvelope({sig}, header);
  if (envelope.size() != envelope_bytes) {
    return std::unexpected(Error::Internal("pack header changed length while building"));
  }
  if (::pwrite(file.fd(), envelope.data(), envelope.size(), 0) !=
      static_cast<ssize_t>(envelope.size())) {
    return std::unexpected(Error::FromErrno("write " + file.path().string(), errno));
  }
  LONTAR_TRY(before_publish());
  LONTAR_TRY(file.Publish(0644, Overwrite::kRefuse));
  return h;
}

}  // namespace

}  // namespace lontar::pack

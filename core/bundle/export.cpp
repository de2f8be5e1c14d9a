#include "core/bundle/export.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <set>

#include "core/crypto/key_file.hpp"
#include "core/format/signed_envelope.hpp"
#include "core/util/fs.hpp"

namespace lontar::bundle {
namespace {

using Json = nlohmann::ordered_json;

// Writes `data` to `path` via a temporary beside it: fsync, rename, fsync the directory. No
// chmod (FAT). The temporary is removed if anything fails.
Status WriteDurably(const std::filesystem::path& path, ByteView data) {
  LONTAR_ASSIGN_OR_RETURN(TempFile tmp, TempFile::Beside(path));
  LONTAR_TRY(tmp.WriteAll(data));
  if (::fsync(tmp.fd()) != 0) {
    return std::unexpected(Error::FromErrno("fsync " + tmp.path().string(), errno));
  }
  if (::rename(tmp.path().c_str(), path.c_str()) != 0) {
    return std::unexpected(Error::FromErrno("rename into " + path.string(), errno));
  }
  // The TempFile now names nothing; its destructor's unlink finds no file.
  return FsyncDir(path.parent_path());
}

// Reads `path` back from the device rather than the page cache where the kernel allows: the
// pages are clean after fsync, so DONTNEED drops them and the read goes to the stick.
Result<Bytes> ReadBackFromDevice(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::unexpected(Error::FromErrno("open " + path.string(), errno));
  (void)::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);  // advisory: a failure only weakens it
  ::close(fd);
  return ReadFile(path, kMaxBundleBytes);
}

// Writes `text` to `path` durably and reads it back from the device, unless the file already
// holds exactly that text. True when it wrote.
Result<bool> WriteIfChanged(const std::filesystem::path& path, std::string_view text) {
  auto existing = ReadFile(path, kMaxManifestBytes);
  if (existing && AsChars(*existing) == text) return false;
  LONTAR_TRY(WriteDurably(path, AsBytes(text)));
  LONTAR_ASSIGN_OR_RETURN(Bytes back, ReadBackFromDevice(path));
  if (AsChars(back) != text) {
    return std::unexpected(Error::Io(path.string() +
                                     " reads back different from what was written: the stick "
                                     "is failing. Use another stick and export again"));
  }
  return true;
}

void RemoveStaleTemporaries(const std::filesystem::path& dir) {
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.starts_with(".") && name.find(".tmp-") != std::string::npos) {
      std::filesystem::remove(e.path(), ec);
    }
  }
}

}  // namespace

std::string ExportFileName(const OutboxEntry& entry) {
  char seq[32];
  std::snprintf(seq, sizeof seq, "%06llu", static_cast<unsigned long long>(entry.seq));
  return std::string(seq) + "-" + entry.receipt_code + ".lrb";
}

Result<ExportReport> ExportOutbox(terminal::Terminal& t, const std::filesystem::path& to,
                                  const std::function<void(const ExportProgress&)>& progress) {
  std::error_code ec;
  if (!std::filesystem::is_directory(to, ec)) {
    return std::unexpected(Error::NotFound(
        to.string() + " is not a directory: mount the USB stick and give its mount point"));
  }
  ExportReport report;
  report.dir = to / kExportDir / t.id();
  LONTAR_TRY(EnsureDir(report.dir, 0755));
  RemoveStaleTemporaries(report.dir);
  LONTAR_ASSIGN_OR_RETURN(std::vector<OutboxEntry> entries, ListOutbox(t));
  report.total = entries.size();

  Json listed = Json::array();
  ExportProgress p{0, entries.size(), 0};
  for (const OutboxEntry& entry : entries) {
    LONTAR_ASSIGN_OR_RETURN(Bytes bytes, ReadOutboxBundle(t, entry));  // invariant (1)
    const std::filesystem::path dest = report.dir / ExportFileName(entry);
    bool present = false, differs = false;
    if (std::filesystem::exists(dest, ec)) {
      auto on_stick = ReadFile(dest, kMaxBundleBytes);
      present = on_stick && *on_stick == bytes;
      differs = !present;
    }
    if (present) {
      ++report.already;
    } else {
      LONTAR_TRY(WriteDurably(dest, bytes));  // invariant (2)
      LONTAR_ASSIGN_OR_RETURN(Bytes back, ReadBackFromDevice(dest));
      if (back != bytes || !VerifyBundle(back, t.signing_key().public_key(), dest.string())) {
        return std::unexpected(
            Error::Io(dest.string() + " reads back different from what was written: the stick is "
                                      "failing. Use another stick and export again"));
      }
      ++report.written;
      if (differs) ++report.replaced;
      report.bytes_written += bytes.size();
      p.bytes_written += bytes.size();
    }
    listed.push_back({{"file", dest.filename().string()},
                      {"seq", entry.seq},
                      {"bundle_id", HexEncode(entry.bundle_id)},
                      {"receipt_code", entry.receipt_code},
                      {"participant", entry.participant},
                      {"exam_id", entry.exam_id},
                      {"kind", KindName(entry.kind)},
                      {"bytes", bytes.size()}});
    ++p.done;
    if (progress) progress(p);
  }

  // Invariant (4): the manifest last, and only when it says something new (3); then (5) its
  // minisign signature and the terminal's public key in minisign's format.
  Json body;
  body["terminal_id"] = t.id();
  body["site"] = t.site();
  body["bundles"] = std::move(listed);
  const std::string manifest =
      format::WriteSignedEnvelope(kManifestFormat, kManifestVersion, t.signing_key(), body.dump());
  const std::string pub = crypto::FormatSigningPublicKey(
      t.signing_key().public_key(), "minisign public key of Lontar terminal " + t.id());
  LONTAR_TRY(WriteIfChanged(report.dir / kTerminalPubName, pub));
  LONTAR_ASSIGN_OR_RETURN(report.manifest_written,
                          WriteIfChanged(report.dir / kManifestName, manifest));
  LONTAR_ASSIGN_OR_RETURN(
      std::string minisig,
      crypto::MinisignSign(t.signing_key(), AsBytes(manifest),
                           "lontar bundle manifest terminal " + t.id() + " site " + t.site() +
                               " bundles " + std::to_string(report.total)));
  LONTAR_TRY(WriteIfChanged(report.dir / kManifestSignatureName, minisig));
  return report;
}

Result<Manifest> ReadManifest(const std::filesystem::path& path) {
  LONTAR_ASSIGN_OR_RETURN(Bytes bytes, ReadFile(path, kMaxManifestBytes));
  auto e = format::ReadSignedEnvelope(bytes, kManifestFormat, kManifestVersion, kMaxManifestBytes);
  if (!e) return std::unexpected(e.error().WithContext(path.string()));
  return Manifest{e->signer, std::move(e->body)};
}

Result<ExportCheck> CheckExport(const std::filesystem::path& dir,
                                std::span<const crypto::VerifyKey> terminals) {
  LONTAR_ASSIGN_OR_RETURN(Manifest m, ReadManifest(dir / kManifestName));
  const crypto::VerifyKey* signer = nullptr;
  for (const crypto::VerifyKey& k : terminals) {
    if (k == m.signer) signer = &k;
  }
  const std::string signer_id = terminal::TerminalIdFor(m.signer);
  if (signer == nullptr) {
    return std::unexpected(Error::Untrusted((dir / kManifestName).string() +
                                            " is signed by terminal " + signer_id +
                                            ", which is not among the enrolled terminals given"));
  }
  auto malformed = [&](const std::string& why) {
    return std::unexpected(Error::Malformed((dir / kManifestName).string() + ": " + why));
  };
  const Json body = Json::parse(m.body, nullptr, /*allow_exceptions=*/false);
  if (!body.is_object() || !body.contains("terminal_id") || !body["terminal_id"].is_string() ||
      !body.contains("bundles") || !body["bundles"].is_array()) {
    return malformed("not a bundle manifest");
  }
  ExportCheck check;
  check.terminal_id = body["terminal_id"].get<std::string>();
  if (check.terminal_id != signer_id) {
    return malformed("names terminal " + check.terminal_id + " but is signed by " + signer_id);
  }
  std::set<std::string> listed_files;
  std::set<std::uint64_t> seqs;
  for (const Json& b : body["bundles"]) {
    if (!b.is_object() || !b.contains("file") || !b["file"].is_string() || !b.contains("seq") ||
        !b["seq"].is_number_unsigned() || !b.contains("bundle_id") || !b["bundle_id"].is_string()) {
      return malformed("a listed bundle lacks file, seq or bundle_id");
    }
    const std::string file = b["file"].get<std::string>();
    if (file.empty() || file.find('/') != std::string::npos || file.starts_with(".")) {
      return malformed("listed file name '" + file + "' is not a plain file name");
    }
    ++check.listed;
    listed_files.insert(file);
    const std::uint64_t seq = b["seq"].get<std::uint64_t>();
    seqs.insert(seq);
    const std::filesystem::path path = dir / file;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      check.missing.push_back(file);
      continue;
    }
    auto bytes = ReadFile(path, kMaxBundleBytes);
    Result<BundleHeader> h = bytes ? VerifyBundle(*bytes, *signer, file)
                                   : Result<BundleHeader>(std::unexpected(bytes.error()));
    if (!h) {
      check.bad.push_back(h.error().message());
    } else if (HexEncode(h->bundle_id) != b["bundle_id"].get<std::string>() || h->seq != seq) {
      check.bad.push_back(file + ": is another bundle than the manifest lists under that name");
    } else {
      check.good.push_back(path);
    }
  }
  if (!seqs.empty()) {
    const std::uint64_t highest = *seqs.rbegin();
    for (std::uint64_t n = 1; n <= highest && check.gaps.size() < 1000; ++n) {
      if (!seqs.contains(n)) check.gaps.push_back(n);
    }
  }
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() == ".lrb" && !name.starts_with(".") && !listed_files.contains(name)) {
      check.unlisted.push_back(name);
    }
  }
  std::sort(check.unlisted.begin(), check.unlisted.end());
  return check;
}

std::vector<std::filesystem::path> ExportedTerminalDirs(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir / kManifestName, ec)) return {dir};
  const std::filesystem::path root =
      std::filesystem::is_directory(dir / kExportDir, ec) ? dir / kExportDir : dir;
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::directory_iterator(root, ec)) {
    if (e.is_directory() && std::filesystem::exists(e.path() / kManifestName, ec)) {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace lontar::bundle

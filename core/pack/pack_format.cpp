#include "core/pack/pack_format.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/crypto/parallel_hasher.hpp"
#include "core/util/fs.hpp"
#include "core/util/json_fields.hpp"

namespace lontar::pack {
namespace {

using Json = nlohmann::ordered_json;

constexpr char kSignatureDomain[] = "lontar-pack-v1";  // followed by a NUL in the message

class File {
 public:
  explicit File(const std::filesystem::path& path)
      : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {}
  ~File() {
    if (fd_ >= 0) ::close(fd_);
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  // Reads exactly n bytes, or fewer at end of file.
  Result<std::size_t> Read(std::uint8_t* out, std::size_t n, const std::filesystem::path& path) {
    std::size_t got = 0;
    while (got < n) {
      ssize_t r = ::read(fd_, out + got, n - got);
      if (r < 0) {
        if (errno == EINTR) continue;
        return std::unexpected(Error::FromErrno("read " + path.string(), errno));
      }
      if (r == 0) break;
      got += static_cast<std::size_t>(r);
    }
    return got;
  }

 private:
  int fd_;
};

Error NotAPack(const std::filesystem::path& path, const std::string& why) {
  return Error::Malformed(path.string() + ": " + why +
                          ". Copy the pack again from the exam authority's original");
}

}  // namespace

std::string FormatTime(std::int64_t unix_ms) {
  std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<std::int64_t> ParseTime(std::string_view iso) {
  std::tm tm{};
  const std::string s(iso);
  const char* end = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  if (end == nullptr || *end != '\0') {
    return std::unexpected(
        Error::InvalidArgument("time '" + s + "' is not in the form 2026-11-24T07:30:00Z (UTC)"));
  }
  return static_cast<std::int64_t>(timegm(&tm)) * 1000;
}

std::string_view ProctorCodeState(const PackHeader& h) {
  if (!h.proctor_code.has_value()) return "unknown";
  return *h.proctor_code ? "yes" : "no";
}

std::string SerializeHeader(const PackHeader& h) {
  Json j;
  j["format"] = "lontar-pack";
  j["pack_id"] = h.pack_id;
  j["exam_id"] = h.exam_id;
  j["exam_version"] = h.exam_version;
  j["title_id"] = h.title.id;
  j["title_en"] = h.title.en;
  j["valid_from"] = FormatTime(h.valid_from_ms);
  j["valid_until"] = FormatTime(h.valid_until_ms);
  j["created"] = FormatTime(h.created_ms);
  Json targets = Json::array();
  for (const Target& t : h.targets) {
    targets.push_back({{"terminal_id", t.terminal_id},
                       {"site", t.site},
                       {"box_key_id", t.box_key_id.ToString()},
                       {"slot", Base64Encode(t.slot)}});
  }
  j["targets"] = targets;
  j["kdf"] = {{"alg", "argon2id13"},
              {"salt", Base64Encode(h.kdf_salt)},
              {"opslimit", h.kdf.opslimit},
              {"memlimit", h.kdf.memlimit}};
  j["results_key"] = Base64Encode(h.results_key.view());
  j["results_key_id"] = h.results_key.id().ToString();
  if (!h.results_slot.empty()) j["results_slot"] = Base64Encode(h.results_slot);
  if (h.proctor_code.has_value()) j["proctor_code"] = *h.proctor_code;
  j["payload"] = {{"bytes", h.payload_bytes},
                  {"hash", HexEncode(h.payload_hash)},
                  {"items", h.items},
                  {"media_bytes", h.media_bytes},
                  {"participants", h.participants}};
  return j.dump();
}

Result<PackHeader> ParseHeader(std::string_view json) {
  Json j = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return std::unexpected(Error::Malformed("pack header is not a JSON object"));
  }
  PackHeader h;
  std::string problem;  // the first, from any of the readers below
  OrderedJsonFields r(j, "header field", problem);
  if (r.Str("format") != "lontar-pack") r.Fail("not a pack header");
  h.pack_id = r.Str("pack_id", 64);
  h.exam_id = r.Str("exam_id", 64);
  h.exam_version = r.Unsigned("exam_version", 1ull << 40);
  h.title.id = r.Str("title_id", 512);
  h.title.en = r.Str("title_en", 512);
  auto time_field = [&](const char* name) -> std::int64_t {
    auto t = ParseTime(r.Str(name, 32));
    if (!t) r.FailField(name, "is not a time");
    return t.value_or(0);
  };
  h.valid_from_ms = time_field("valid_from");
  h.valid_until_ms = time_field("valid_until");
  h.created_ms = time_field("created");
  const Json& targets = r.Array("targets");
  if (targets.size() > kMaxTargets) r.Fail("too many targets");
  for (const Json& t : targets) {
    if (!t.is_object()) {
      r.Fail("a target is not an object");
      break;
    }
    OrderedJsonFields tr(t, "target field", problem);
    Target target;
    target.terminal_id = tr.Str("terminal_id", 64);
    target.site = tr.Str("site", 64);
    auto id = crypto::KeyId::Parse(tr.Str("box_key_id", 16));
    target.slot = tr.Base64("slot", 256);
    if (!id) tr.Fail("target box_key_id is not a key id");
    if (!r.ok()) break;
    target.box_key_id = *id;
    h.targets.push_back(std::move(target));
  }
  if (const Json* kdf = r.Object("kdf")) {
    OrderedJsonFields kr(*kdf, "kdf field", problem);
    if (kr.Str("alg") != "argon2id13") kr.Fail("kdf: unknown release KDF");
    h.kdf_salt = kr.Base64("salt", crypto::kKdfSaltSize);
    h.kdf.opslimit = kr.Unsigned("opslimit", 64);
    // A terminal will not spend more than 1 GiB on a release code, whoever signed the pack.
    h.kdf.memlimit = static_cast<std::size_t>(kr.Unsigned("memlimit", 1ull << 30));
    if (h.kdf_salt.size() != crypto::kKdfSaltSize) kr.Fail("kdf: bad KDF salt");
  }
  Bytes results = r.Base64("results_key", 32);
  auto results_key = crypto::BoxPublicKey::FromBytes(results);
  if (!results_key) r.Fail("results_key is not an X25519 key");
  if (results_key) h.results_key = *results_key;
  if (r.Has("results_slot")) {
    h.results_slot = r.Base64("results_slot", 32 + crypto::kSealOverhead);
    if (h.results_slot.size() != 32 + crypto::kSealOverhead) {
      r.Fail("results_slot has the wrong length");
    }
  }
  if (r.Has("proctor_code")) h.proctor_code = r.Bool("proctor_code");
  if (const Json* p = r.Object("payload")) {
    OrderedJsonFields pr(*p, "payload field", problem);
    h.payload_bytes = pr.Unsigned("bytes", kMaxPayloadBytes);
    const Bytes hash = pr.Hex("hash", h.payload_hash.size());
    if (hash.size() == h.payload_hash.size()) {
      std::copy(hash.begin(), hash.end(), h.payload_hash.begin());
    }
    h.items = pr.Unsigned("items", 1'000'000);
    h.media_bytes = pr.Unsigned("media_bytes", kMaxPayloadBytes);
    h.participants = pr.Unsigned("participants", 10'000'000);
  }
  if (h.valid_until_ms <= h.valid_from_ms) r.Fail("valid_until is not after valid_from");
  if (h.targets.empty()) r.Fail("the pack has no target terminals");
  if (!r.ok()) return std::unexpected(Error::Malformed("pack header: " + problem));
  return h;
}

Bytes SignedMessage(std::string_view header_json) {
  Bytes m(kSignatureDomain, kSignatureDomain + sizeof kSignatureDomain);  // with its NUL
  AppendU32(m, static_cast<std::uint32_t>(header_json.size()));
  Append(m, AsBytes(header_json));
  return m;
}

Bytes SerializeEnvelope(const std::vector<PackSignature>& signatures, std::string_view header) {
  Bytes out(kMagic, kMagic + sizeof kMagic);
  AppendU16(out, kFormatVersion);
  out.push_back(static_cast<std::uint8_t>(signatures.size()));
  for (const PackSignature& s : signatures) {
    Append(out, s.key_id.bytes);
    Append(out, s.signature);
  }
  AppendU32(out, static_cast<std::uint32_t>(header.size()));
  Append(out, AsBytes(header));
  return out;
}

Result<Envelope> ParseEnvelope(ByteView in, std::string_view name) {
  const std::filesystem::path path(name);
  if (in.size() < 8 || std::memcmp(in.data(), kMagic, 8) != 0) {
    return std::unexpected(Error::Malformed(path.string() + " is not a Lontar item pack (.lpk)"));
  }
  if (in.size() < 11) return std::unexpected(NotAPack(path, "the file is truncated"));
  const std::uint16_t version = static_cast<std::uint16_t>(in[8] | in[9] << 8);
  if (version != kFormatVersion) {
    return std::unexpected(Error::TooNew(
        path.string() + ": pack format " + std::to_string(version) + " (this Lontar reads " +
        std::to_string(kFormatVersion) + "); upgrade Lontar on this terminal"));
  }
  const std::size_t count = in[10];
  if (count == 0 || count > kMaxSignatures) {
    return std::unexpected(NotAPack(path, "it declares " + std::to_string(count) + " signatures"));
  }
  std::size_t at = 11;
  Envelope e;
  for (std::size_t i = 0; i < count; ++i, at += 72) {
    if (in.size() < at + 72) return std::unexpected(NotAPack(path, "the file is truncated"));
    PackSignature s;
    std::memcpy(s.key_id.bytes.data(), in.data() + at, 8);
    std::memcpy(s.signature.data(), in.data() + at + 8, 64);
    e.signatures.push_back(s);
  }
  if (in.size() < at + 4) return std::unexpected(NotAPack(path, "the file is truncated"));
  const std::uint32_t header_len = LoadU32(in.subspan(at, 4));
  at += 4;
  if (header_len == 0 || header_len > kMaxHeaderBytes) {
    return std::unexpected(NotAPack(path, "its header length is " + std::to_string(header_len)));
  }
  if (in.size() < at + header_len) return std::unexpected(NotAPack(path, "the file is truncated"));
  e.header_json.assign(reinterpret_cast<const char*>(in.data() + at), header_len);
  e.payload_offset = at + header_len;
  return e;
}

Result<Envelope> ReadEnvelope(const std::filesystem::path& path) {
  File f(path);
  if (!f.ok()) return std::unexpected(Error::FromErrno("open " + path.string(), errno));
  // Read only as far as the envelope can reach; the header length bounds it.
  Bytes prefix(11 + kMaxSignatures * 72 + 4);
  LONTAR_ASSIGN_OR_RETURN(std::size_t got, f.Read(prefix.data(), prefix.size(), path));
  prefix.resize(got);
  auto e = ParseEnvelope(prefix, path.string());
  if (e || got < 11 || e.error().message().find("truncated") == std::string::npos) return e;
  // The header lies beyond the first read: fetch exactly what the length field asks for.
  const std::size_t count = prefix[10];
  const std::size_t len_at = 11 + count * 72;
  if (count == 0 || count > kMaxSignatures || got < len_at + 4) return e;
  const std::uint32_t header_len = LoadU32(ByteView(prefix).subspan(len_at, 4));
  if (header_len == 0 || header_len > kMaxHeaderBytes) return e;
  const std::size_t want = len_at + 4 + header_len;
  if (want > prefix.size()) {
    const std::size_t old = prefix.size();
    prefix.resize(want);
    LONTAR_ASSIGN_OR_RETURN(std::size_t more, f.Read(prefix.data() + old, want - old, path));
    prefix.resize(old + more);
  }
  return ParseEnvelope(prefix, path.string());
}

Result<crypto::KeyId> VerifyEnvelope(const Envelope& envelope,
                                     const std::vector<crypto::VerifyKey>& trusted) {
  const Bytes message = SignedMessage(envelope.header_json);
  std::string signers, trusted_ids;
  for (const PackSignature& s : envelope.signatures) {
    if (!signers.empty()) signers += ", ";
    signers += s.key_id.ToString();
    for (const crypto::VerifyKey& k : trusted) {
      if (k.id() != s.key_id) continue;
      if (k.Verify(message, s.signature)) return s.key_id;
      return std::unexpected(Error::BadSignature(
          "pack signature by key " + s.key_id.ToString() +
          " does not verify: the pack was altered or damaged after it was signed. Copy it again "
          "from the exam authority's original"));
    }
  }
  for (const crypto::VerifyKey& k : trusted) {
    if (!trusted_ids.empty()) trusted_ids += ", ";
    trusted_ids += k.id().ToString();
  }
  return std::unexpected(Error::Untrusted(
      "pack is signed by key " + signers + ", which this terminal does not trust (trusted keys: " +
      trusted_ids + "). Get a pack signed by your exam authority, or install a trust update"));
}

Status VerifyPayload(const std::filesystem::path& path, const Envelope& envelope,
                     const PackHeader& header, TempFile* copy_to) {
  File f(path);
  if (!f.ok()) return std::unexpected(Error::FromErrno("open " + path.string(), errno));
  crypto::ParallelHasher hasher(32);
  // Read in pieces of up to 1 MiB, the buffer no larger than the file and not zeroed first (each
  // byte used is read into before): loading a small pack touched and cleared a whole MiB.
  constexpr std::uint64_t kPiece = 1 << 20;
  std::error_code size_error;
  const std::uint64_t file_size = std::filesystem::file_size(path, size_error);
  const auto capacity = static_cast<std::size_t>(
      size_error ? kPiece : std::clamp<std::uint64_t>(file_size, 1, kPiece));
  const auto buf = std::make_unique_for_overwrite<std::uint8_t[]>(capacity);
  std::uint64_t offset = 0, payload = 0;
  for (;;) {
    LONTAR_ASSIGN_OR_RETURN(std::size_t got, f.Read(buf.get(), capacity, path));
    if (got == 0) break;
    if (copy_to != nullptr) LONTAR_TRY(copy_to->WriteAll(ByteView(buf.get(), got)));
    // Hash only the bytes past the envelope.
    std::size_t skip = 0;
    if (offset < envelope.payload_offset) {
      skip =
          static_cast<std::size_t>(std::min<std::uint64_t>(got, envelope.payload_offset - offset));
    }
    hasher.Update(ByteView(buf.get() + skip, got - skip));
    payload += got - skip;
    offset += got;
    if (payload > header.payload_bytes) break;
  }
  if (payload != header.payload_bytes) {
    return std::unexpected(Error::Malformed(
        path.string() + ": payload is " + std::to_string(payload) +
        " bytes, the signed header says " + std::to_string(header.payload_bytes) +
        (payload < header.payload_bytes ? " (the file is truncated: an interrupted copy?)"
                                        : " (bytes were appended)") +
        ". Copy the pack again from the exam authority's original"));
  }
  if (!crypto::ConstantTimeEqual(hasher.Finish(), header.payload_hash)) {
    return std::unexpected(
        Error::Corruption(path.string() +
                          ": payload does not match the hash in the signed header (the file was "
                          "altered or damaged). Copy the pack again"));
  }
  return Ok();
}

}  // namespace lontar::pack

#include "core/crypto/key_file.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

#include "core/crypto/hash.hpp"
#include "core/crypto/stream.hpp"
#include "core/util/fs.hpp"

namespace lontar::crypto {
namespace {

constexpr std::size_t kIdSize = 8;
constexpr std::size_t kEdPublicBlob = 2 + kIdSize + kSignPublicKeySize;            // 42
constexpr std::size_t kEdSecretBlob = 2 + 2 + 2 + 32 + 8 + 8 + kIdSize + 64 + 32;  // 158
constexpr std::size_t kX2PublicBlob = 2 + kIdSize + kBoxPublicKeySize;             // 42
constexpr std::size_t kX2SecretBlob = 2 + kIdSize + kBoxSecretKeySize + 32;        // 74
constexpr std::size_t kEdSecretIdOffset = 54;

// Splits "untrusted comment: ...\nBASE64\n" into the base64 line. Comments are not trusted and
// not returned. Strict: nothing but one optional line ending may follow the key line, so two keys
// pasted into one file, or a key with junk appended, are refused rather than half-read.
Result<std::string_view> KeyLine(std::string_view text, std::string_view what) {
  if (!text.starts_with("untrusted comment:")) {
    return std::unexpected(Error::Malformed("not a " + std::string(what) +
                                            " file (it must start with 'untrusted comment:')"));
  }
  size_t nl = text.find('\n');
  if (nl == std::string_view::npos) {
    return std::unexpected(
        Error::Malformed(std::string(what) + " file is truncated: it has no key line"));
  }
  std::string_view rest = text.substr(nl + 1);
  size_t end = rest.find_first_of("\r\n");
  std::string_view line = rest.substr(0, end);
  if (line.empty()) {
    return std::unexpected(
        Error::Malformed(std::string(what) + " file is truncated: its key line is empty"));
  }
  std::string_view after = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  if (after.starts_with("\r\n")) {
    after.remove_prefix(2);
  } else if (after.starts_with("\n")) {
    after.remove_prefix(1);
  }
  if (!after.empty()) {
    return std::unexpected(Error::Malformed(
        std::string(what) + " file has extra content after its key line (two keys in one file?)"));
  }
  return line;
}

// The untrusted comment of a key file, for display: at most 200 characters, control bytes
// shown as '?' so that a hostile file cannot drive the operator's terminal. Empty if none.
std::string CommentOf(std::string_view text) {
  constexpr std::string_view kPrefix = "untrusted comment:";
  if (!text.starts_with(kPrefix)) return {};
  std::string_view line = text.substr(kPrefix.size(), text.find('\n') - kPrefix.size());
  while (!line.empty() && (line.front() == ' ')) line.remove_prefix(1);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
  std::string out(line.substr(0, 200));
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return out;
}

// Comments are one line; anything else would break the file's shape.
std::string OneLine(std::string_view comment) {
  std::string out(comment);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

// What a decoded key line of `size` bytes starting with `tag` is, for error messages; empty when
// it is none of Lontar's key kinds.
std::string_view DescribeBlob(const std::uint8_t* tag, std::size_t size) {
  const bool ed = tag[0] == 'E' && tag[1] == 'd';
  const bool x2 = tag[0] == 'X' && tag[1] == '2';
  if (ed && size == kEdPublicBlob) return "an Ed25519 public key (.pub), not a secret key";
  if (ed && size == kEdSecretBlob) return "an Ed25519 secret key (.key), not a public key";
  if (x2 && size == kX2PublicBlob) return "an X25519 results public key, not an Ed25519 key";
  if (x2 && size == kX2SecretBlob) return "an X25519 results secret key, not an Ed25519 key";
  return {};
}

// A two-byte algorithm tag from an untrusted file, printable.
std::string TagText(const std::uint8_t* tag) {
  if (std::isalnum(tag[0]) && std::isalnum(tag[1])) return {char(tag[0]), char(tag[1])};
  return "0x" + HexEncode(ByteView(tag, 2));
}

Result<Bytes> DecodeBlob(std::string_view text, std::string_view what, std::size_t expected) {
  LONTAR_ASSIGN_OR_RETURN(std::string_view line, KeyLine(text, what));
  auto blob = Base64Decode(line);
  if (!blob) {
    return std::unexpected(Error::Malformed("not a Lontar/minisign " + std::string(what) +
                                            " (key line is not base64)"));
  }
  if (blob->size() != expected) {
    std::string hint;
    if (blob->size() >= 2) {
      const std::string_view what_it_is = DescribeBlob(blob->data(), blob->size());
      if (!what_it_is.empty()) hint = " (this file is " + std::string(what_it_is) + ")";
    }
    Wipe(*blob);
    return std::unexpected(Error::Malformed(
        "not a Lontar/minisign " + std::string(what) + " (expected " + std::to_string(expected) +
        " bytes after base64, got " + std::to_string(blob->size()) + ")" + hint));
  }
  return blob;
}

Status CheckAlgorithm(ByteView blob, std::string_view alg, std::string_view what) {
  if (blob.size() < 2 || std::memcmp(blob.data(), alg.data(), 2) != 0) {
    return std::unexpected(
        Error::Malformed(std::string(what) + " file: algorithm is not " + std::string(alg)));
  }
  return Ok();
}

Status CheckId(ByteView stored, const KeyId& derived, std::string_view what) {
  if (!ConstantTimeEqual(stored, derived.bytes)) {
    return std::unexpected(Error::Corruption(
        std::string(what) +
        " file: key id does not match the key (a damaged or edited file, or a key made by "
        "another tool: Lontar derives key ids from keys, so make keys with `lontar keys new`)"));
  }
  return Ok();
}

// "untrusted comment: COMMENT\n" + base64(blob) + "\n" written into secure memory.
Result<SecretBytes> SecretFileText(std::string_view comment, ByteView blob) {
  const std::string header = "untrusted comment: " + OneLine(comment) + "\n";
  const std::size_t b64_len =
      sodium_base64_encoded_len(blob.size(), sodium_base64_VARIANT_ORIGINAL);
  LONTAR_ASSIGN_OR_RETURN(SecretBytes out, SecretBytes::Allocate(header.size() + b64_len));
  std::memcpy(out.data(), header.data(), header.size());
  char* b64 = reinterpret_cast<char*>(out.data() + header.size());
  sodium_bin2base64(b64, b64_len, blob.data(), blob.size(), sodium_base64_VARIANT_ORIGINAL);
  out.data()[out.size() - 1] = '\n';  // replaces the terminating NUL
  return out;
}

std::string PublicFileText(std::string_view comment, ByteView blob) {
  return "untrusted comment: " + OneLine(comment) + "\n" + Base64Encode(blob) + "\n";
}

Result<Bytes> ReadKeyFile(const std::filesystem::path& path, bool secret) {
  if (secret) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
      char mode[8];
      std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
      return std::unexpected(
          Error::Permission(path.string() + " is readable by other users (mode " + mode +
                            "); a secret key must be private: run `chmod 600 " + path.string() +
                            "` (and consider whether the key was copied while it was open)"));
    }
  }
  return ReadFile(path, kMaxKeyFileBytes);
}

template <class T>
Result<T> WithPath(Result<T> r, const std::filesystem::path& path) {
  if (!r) return std::unexpected(r.error().WithContext(path.string()));
  return r;
}

}  // namespace

std::string FormatSigningPublicKey(const VerifyKey& key, std::string_view comment) {
  Bytes blob = ToBytes("Ed");
  Append(blob, key.id().bytes);
  Append(blob, key.view());
  return PublicFileText(comment, blob);
}

std::string FormatBoxPublicKey(const BoxPublicKey& key, std::string_view comment) {
  Bytes blob = ToBytes("X2");
  Append(blob, key.id().bytes);
  Append(blob, key.view());
  return PublicFileText(comment, blob);
}

Result<SecretBytes> FormatSigningSecretKey(const SigningKey& key, std::string_view comment) {
  LONTAR_ASSIGN_OR_RETURN(SecretBytes blob, SecretBytes::Allocate(kEdSecretBlob));
  std::uint8_t* p = blob.data();
  std::memcpy(p, "Ed\0\0B2", 6);  // signature alg, no KDF, BLAKE2b checksum; salt/limits zero
  std::uint8_t* id = p + kEdSecretIdOffset;
  std::memcpy(id, key.id().bytes.data(), kIdSize);
  std::memcpy(id + kIdSize, key.secret_view().data(), kSignSecretKeySize);
  Blake2bHasher h(32);
  h.Update(AsBytes("Ed")).Update(ByteView(id, kIdSize + kSignSecretKeySize));
  Bytes checksum = h.Finish();
  std::memcpy(id + kIdSize + kSignSecretKeySize, checksum.data(), checksum.size());
  return SecretFileText(comment, blob.view());
}

Result<SecretBytes> FormatBoxSecretKey(const BoxSecretKey& key, std::string_view comment) {
  LONTAR_ASSIGN_OR_RETURN(SecretBytes blob, SecretBytes::Allocate(kX2SecretBlob));
  std::uint8_t* p = blob.data();
  std::memcpy(p, "X2", 2);
  std::memcpy(p + 2, key.public_key().id().bytes.data(), kIdSize);
  std::memcpy(p + 2 + kIdSize, key.secret_view().data(), kBoxSecretKeySize);
  Blake2bHasher h(32);
  h.Update(ByteView(p, 2 + kIdSize + kBoxSecretKeySize));
  Bytes checksum = h.Finish();
  std::memcpy(p + 2 + kIdSize + kBoxSecretKeySize, checksum.data(), checksum.size());
  return SecretFileText(comment, blob.view());
}

namespace {

// A public key file's key (`what`): a blob of `blob_size` bytes, the algorithm `alg`, the key id,
// then the key (Key::FromBytes), whose own id must be the one stored.
template <class Key>
Result<Key> ParsePublicKey(std::string_view text, std::string_view what, std::string_view alg,
                           std::size_t blob_size) {
  LONTAR_ASSIGN_OR_RETURN(Bytes blob, DecodeBlob(text, what, blob_size));
  LONTAR_TRY(CheckAlgorithm(blob, alg, what));
  LONTAR_ASSIGN_OR_RETURN(Key key, Key::FromBytes(ByteView(blob).subspan(2 + kIdSize)));
  LONTAR_TRY(CheckId(ByteView(blob).subspan(2, kIdSize), key.id(), what));
  return key;
}

// A secret key file's key (`what`): its blob of `blob_size` bytes given to `parse`, then wiped
// whatever `parse` made of it.
template <class Parse>
auto ParseSecretBlob(ByteView text, std::string_view what, std::size_t blob_size, Parse parse)
    -> decltype(parse(std::declval<const Bytes&>())) {
  LONTAR_ASSIGN_OR_RETURN(Bytes blob, DecodeBlob(AsChars(text), what, blob_size));
  auto key = parse(std::as_const(blob));
  Wipe(blob);
  return key;
}

// A secret key file read and parsed (`parse`); the file's text is wiped whatever the outcome.
template <class Key>
Result<Key> ReadSecretKeyFile(const std::filesystem::path& path, Result<Key> (*parse)(ByteView)) {
  LONTAR_ASSIGN_OR_RETURN(Bytes text, ReadKeyFile(path, true));
  auto key = parse(text);
  Wipe(text);
  return WithPath(std::move(key), path);
}

}  // namespace

Result<VerifyKey> ParseSigningPublicKey(std::string_view text) {
  return ParsePublicKey<VerifyKey>(text, "Ed25519 public key", "Ed", kEdPublicBlob);
}

Result<BoxPublicKey> ParseBoxPublicKey(std::string_view text) {
  return ParsePublicKey<BoxPublicKey>(text, "X25519 public key", "X2", kX2PublicBlob);
}

Result<SigningKey> ParseSigningSecretKey(ByteView text) {
  constexpr std::string_view what = "Ed25519 secret key";
  return ParseSecretBlob(text, what, kEdSecretBlob, [&](const Bytes& blob) -> Result<SigningKey> {
    LONTAR_TRY(CheckAlgorithm(blob, "Ed", what));
    if (blob[2] != 0 || blob[3] != 0) {
      return std::unexpected(Error::Malformed(
          "Ed25519 secret key file is password-encrypted; Lontar reads unencrypted keys only "
          "(make keys with `lontar keys new`, or `minisign -G -W`)"));
    }
    const std::uint8_t* id = blob.data() + kEdSecretIdOffset;
    ByteView sk(id + kIdSize, kSignSecretKeySize);
    ByteView stored_checksum(id + kIdSize + kSignSecretKeySize, 32);
    bool zero = std::all_of(stored_checksum.begin(), stored_checksum.end(),
                            [](std::uint8_t b) { return b == 0; });
    if (!zero) {
      Blake2bHasher h(32);
      h.Update(AsBytes("Ed")).Update(ByteView(id, kIdSize + kSignSecretKeySize));
      if (!ConstantTimeEqual(h.Finish(), stored_checksum)) {
        return std::unexpected(
            Error::Corruption("Ed25519 secret key file: checksum mismatch "
                              "(the file is damaged)"));
      }
    }
    LONTAR_ASSIGN_OR_RETURN(SigningKey key, SigningKey::FromSecretKey(sk));
    LONTAR_TRY(CheckId(ByteView(id, kIdSize), key.id(), what));
    return key;
  });
}

Result<BoxSecretKey> ParseBoxSecretKey(ByteView text) {
  constexpr std::string_view what = "X25519 secret key";
  return ParseSecretBlob(text, what, kX2SecretBlob, [&](const Bytes& blob) -> Result<BoxSecretKey> {
    LONTAR_TRY(CheckAlgorithm(blob, "X2", what));
    ByteView body(blob.data(), 2 + kIdSize + kBoxSecretKeySize);
    Blake2bHasher h(32);
    h.Update(body);
    if (!ConstantTimeEqual(h.Finish(), ByteView(blob).subspan(body.size()))) {
      return std::unexpected(
          Error::Corruption("X25519 secret key file: checksum mismatch (the file is damaged)"));
    }
    LONTAR_ASSIGN_OR_RETURN(BoxSecretKey key, BoxSecretKey::FromBytes(body.subspan(2 + kIdSize)));
    LONTAR_TRY(CheckId(body.subspan(2, kIdSize), key.public_key().id(), what));
    return key;
  });
}

Result<VerifyKey> ReadSigningPublicKeyFile(const std::filesystem::path& path) {
  LONTAR_ASSIGN_OR_RETURN(Bytes text, ReadKeyFile(path, false));
  return WithPath(ParseSigningPublicKey(AsChars(text)), path);
}

Result<BoxPublicKey> ReadBoxPublicKeyFile(const std::filesystem::path& path) {
  LONTAR_ASSIGN_OR_RETURN(Bytes text, ReadKeyFile(path, false));
  return WithPath(ParseBoxPublicKey(AsChars(text)), path);
}

Result<SigningKey> ReadSigningSecretKeyFile(const std::filesystem::path& path) {
  return ReadSecretKeyFile(path, &ParseSigningSecretKey);
}

Result<BoxSecretKey> ReadBoxSecretKeyFile(const std::filesystem::path& path) {
  return ReadSecretKeyFile(path, &ParseBoxSecretKey);
}

Result<KeyFileInfo> InspectKeyFile(const std::filesystem::path& path) {
  LONTAR_ASSIGN_OR_RETURN(Bytes text, ReadFile(path, kMaxKeyFileBytes));
  std::string_view t = AsChars(text);
  auto info = [&]() -> Result<KeyFileInfo> {
    LONTAR_ASSIGN_OR_RETURN(std::string_view line, KeyLine(t, "key"));
    auto blob = Base64Decode(line);
    if (!blob || blob->size() < 2) {
      return std::unexpected(Error::Malformed("not a key file (its key line is not base64)"));
    }
    const std::string alg = TagText(blob->data());
    const std::size_t size = blob->size();
    Wipe(*blob);
    if (alg == "Ed" && size == kEdPublicBlob) {
      LONTAR_ASSIGN_OR_RETURN(VerifyKey k, ParseSigningPublicKey(t));
      return KeyFileInfo{"Ed25519", false, k.id(), CommentOf(t)};
    }
    if (alg == "Ed" && size == kEdSecretBlob) {
      LONTAR_ASSIGN_OR_RETURN(SigningKey k, ParseSigningSecretKey(text));
      return KeyFileInfo{"Ed25519", true, k.id(), CommentOf(t)};
    }
    if (alg == "X2" && size == kX2PublicBlob) {
      LONTAR_ASSIGN_OR_RETURN(BoxPublicKey k, ParseBoxPublicKey(t));
      return KeyFileInfo{"X25519", false, k.id(), CommentOf(t)};
    }
    if (alg == "X2" && size == kX2SecretBlob) {
      LONTAR_ASSIGN_OR_RETURN(BoxSecretKey k, ParseBoxSecretKey(text));
      return KeyFileInfo{"X25519", true, k.id(), CommentOf(t)};
    }
    return std::unexpected(Error::Malformed(
        "not a Lontar or minisign key file (a " + std::to_string(size) + "-byte '" + alg +
        "' key line; expected 42 or 158 bytes for Ed, 42 or 74 for X2)"));
  }();
  Wipe(text);
  return WithPath(std::move(info), path);
}

namespace {

constexpr std::string_view kTrustedPrefix = "trusted comment: ";
// minisign's own limit on comments (COMMENTMAXBYTES); longer trusted comments would also push
// a signature file past kMaxKeyFileBytes.
constexpr std::size_t kMaxTrustedComment = 1024;
// A legacy (non-prehashed "Ed") signature covers the raw content, which must then be in memory.
constexpr std::uint64_t kMaxLegacySignedFile = 64u << 20;

Status CheckTrustedComment(std::string_view comment) {
  if (comment.find_first_of("\r\n") != std::string_view::npos) {
    return std::unexpected(
        Error::InvalidArgument("a minisign trusted comment must be one line of text"));
  }
  if (comment.size() > kMaxTrustedComment) {
    return std::unexpected(Error::InvalidArgument("a minisign trusted comment is at most " +
                                                  std::to_string(kMaxTrustedComment) + " bytes"));
  }
  return Ok();
}

// BLAKE2b-512 of a file, read in bounded memory.
Result<Bytes> PrehashFile(const std::filesystem::path& path) {
  LONTAR_ASSIGN_OR_RETURN(InputFile file, InputFile::Open(path));
  const ReadFn read = FdReader(file.fd(), path);
  Blake2bHasher prehash(crypto_generichash_BYTES_MAX);
  std::vector<std::uint8_t> buffer(64 * 1024);
  for (;;) {
    LONTAR_ASSIGN_OR_RETURN(const std::size_t n, read(buffer.data(), buffer.size()));
    if (n == 0) break;
    prehash.Update(ByteView(buffer.data(), n));
  }
  return prehash.Finish();
}

Bytes Prehash(ByteView content) {
  Blake2bHasher prehash(crypto_generichash_BYTES_MAX);
  prehash.Update(content);
  return prehash.Finish();
}

// Builds the four-line .minisig text over a BLAKE2b-512 prehash.
Result<std::string> SignPrehashed(const SigningKey& key, ByteView prehash,
                                  std::string_view trusted_comment) {
  LONTAR_TRY(CheckTrustedComment(trusted_comment));
  Signature sig = key.Sign(prehash);
  Bytes sig_blob = ToBytes("ED");
  Append(sig_blob, key.id().bytes);
  Append(sig_blob, sig);
  Bytes global_message(sig.begin(), sig.end());
  Append(global_message, AsBytes(trusted_comment));
  Signature global = key.Sign(global_message);
  return "untrusted comment: signature from lontar secret key " + key.id().ToString() + "\n" +
         Base64Encode(sig_blob) + "\n" + std::string(kTrustedPrefix) +
         std::string(trusted_comment) + "\n" + Base64Encode(global) + "\n";
}

struct ParsedSignature {
  bool prehashed = true;  // "ED"; false for legacy "Ed"
  KeyId signer;
  Bytes signature;
  std::string trusted_comment;
  Bytes global;
};

Result<ParsedSignature> ParseSignature(const VerifyKey& key, std::string_view text) {
  auto bad = [](const std::string& what) {
    return std::unexpected(Error::Malformed("minisign signature: " + what));
  };
  if (text.size() > kMaxKeyFileBytes) return bad("file too large");
  std::vector<std::string_view> lines;
  std::string_view rest = text;
  while (!rest.empty() && lines.size() < 5) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  }
  if (lines.size() != 4 || !lines[0].starts_with("untrusted comment:") ||
      !lines[2].starts_with(kTrustedPrefix)) {
    return bad(
        "expected four lines (untrusted comment, signature, trusted comment, global "
        "signature)");
  }
  auto sig_blob = Base64Decode(lines[1]);
  if (!sig_blob || sig_blob->size() != 2 + kIdSize + kSignatureSize) {
    return bad("signature line is not base64 of 74 bytes");
  }
  auto global = Base64Decode(lines[3]);
  if (!global || global->size() != kSignatureSize) {
    return bad("global signature line is not base64 of 64 bytes");
  }
  ParsedSignature p;
  const std::string alg(reinterpret_cast<const char*>(sig_blob->data()), 2);
  if (alg != "ED" && alg != "Ed") return bad("unknown signature algorithm '" + alg + "'");
  p.prehashed = alg == "ED";
  std::copy_n(sig_blob->begin() + 2, kIdSize, p.signer.bytes.begin());
  if (p.signer != key.id()) {
    return std::unexpected(Error::Untrusted("signed by key " + p.signer.ToString() +
                                            ", not by the expected key " + key.id().ToString()));
  }
  p.signature.assign(sig_blob->begin() + 2 + kIdSize, sig_blob->end());
  p.trusted_comment = std::string(lines[2].substr(kTrustedPrefix.size()));
  p.global = std::move(*global);
  return p;
}

// Checks the signature over the (pre)hashed content, then the global signature over the
// trusted comment, as minisign does.
Result<std::string> CheckSignature(const VerifyKey& key, const ParsedSignature& p,
                                   ByteView signed_message) {
  if (auto st = key.Verify(signed_message, p.signature); !st) {
    return std::unexpected(Error::BadSignature(
        "minisign signature by key " + key.id().ToString() +
        " does not match the content: the file was changed after signing, or is another file"));
  }
  Bytes global_message(p.signature.begin(), p.signature.end());
  Append(global_message, AsBytes(p.trusted_comment));
  if (auto st = key.Verify(global_message, p.global); !st) {
    return std::unexpected(
        Error::BadSignature("minisign signature: the trusted comment was altered"));
  }
  return p.trusted_comment;
}

}  // namespace

Result<std::string> MinisignSign(const SigningKey& key, ByteView content,
                                 std::string_view trusted_comment) {
  return SignPrehashed(key, Prehash(content), trusted_comment);
}

Result<std::string> MinisignSignFile(const SigningKey& key, const std::filesystem::path& path,
                                     std::string_view trusted_comment) {
  LONTAR_TRY(CheckTrustedComment(trusted_comment));
  LONTAR_ASSIGN_OR_RETURN(Bytes prehash, PrehashFile(path));
  return SignPrehashed(key, prehash, trusted_comment);
}

Status WriteMinisignSignature(const SigningKey& key, const std::filesystem::path& path,
                              std::string_view trusted_comment, Overwrite overwrite) {
  LONTAR_ASSIGN_OR_RETURN(std::string text, MinisignSignFile(key, path, trusted_comment));
  std::filesystem::path sig_path = path;
  sig_path += ".minisig";
  return WriteFileAtomic(sig_path, AsBytes(text), 0644, overwrite);
}

Result<std::string> MinisignVerify(const VerifyKey& key, ByteView content,
                                   std::string_view signature_file) {
  LONTAR_ASSIGN_OR_RETURN(ParsedSignature p, ParseSignature(key, signature_file));
  if (p.prehashed) return CheckSignature(key, p, Prehash(content));
  return CheckSignature(key, p, content);
}

Result<std::string> MinisignVerifyFile(const VerifyKey& key, const std::filesystem::path& path,
                                       const std::filesystem::path& signature_path) {
  LONTAR_ASSIGN_OR_RETURN(Bytes text, ReadFile(signature_path, kMaxKeyFileBytes));
  auto verified = [&]() -> Result<std::string> {
    LONTAR_ASSIGN_OR_RETURN(ParsedSignature p, ParseSignature(key, AsChars(text)));
    if (p.prehashed) {
      LONTAR_ASSIGN_OR_RETURN(Bytes prehash, PrehashFile(path));
      return CheckSignature(key, p, prehash);
    }
    auto content = ReadFile(path, kMaxLegacySignedFile);
    if (!content && content.error().kind() == ErrorKind::kMalformed) {
      return std::unexpected(Error::Malformed(
          "legacy (non-prehashed) minisign signature over a file larger than " +
          std::to_string(kMaxLegacySignedFile >> 20) +
          " MiB; sign it again with a current minisign (prehashed is the default)"));
    }
    if (!content) return std::unexpected(content.error());
    return CheckSignature(key, p, *content);
  }();
  if (!verified) return std::unexpected(verified.error().WithContext(signature_path.string()));
  return verified;
}

}  // namespace lontar::crypto

#include "core/crypto/key_file.hpp"

#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>

#include "core/crypto/hash.hpp"
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
// not returned.
Result<std::string_view> KeyLine(std::string_view text, std::string_view what) {
  if (!text.starts_with("untrusted comment:")) {
    return std::unexpected(Error::Malformed("not a " + std::string(what) +
                                            " file (it must start with 'untrusted comment:')"));
  }
  size_t nl = text.find('\n');
  if (nl == std::string_view::npos) {
    return std::unexpected(Error::Malformed(std::string(what) + " file is truncated"));
  }
  std::string_view rest = text.substr(nl + 1);
  size_t end = rest.find_first_of("\r\n");
  std::string_view line = rest.substr(0, end);
  if (line.empty()) {
    return std::unexpected(Error::Malformed(std::string(what) + " file is truncated"));
  }
  return line;
}

Result<Bytes> DecodeBlob(std::string_view text, std::string_view what, std::size_t expected) {
  LONTAR_ASSIGN_OR_RETURN(std::string_view line, KeyLine(text, what));
  auto blob = Base64Decode(line);
  if (!blob) {
    return std::unexpected(Error::Malformed(std::string(what) + " file: key line is not base64"));
  }
  if (blob->size() != expected) {
    std::string hint;
    if (blob->size() >= 2) {
      std::string alg(reinterpret_cast<const char*>(blob->data()), 2);
      if (alg == "X2") hint = " (this is an X25519 results key, not an Ed25519 signing key)";
      if (alg == "Ed") hint = " (this is an Ed25519 signing key, not an X25519 results key)";
    }
    Wipe(*blob);
    return std::unexpected(Error::Malformed(std::string(what) + " file: expected " +
                                            std::to_string(expected) + " bytes after base64, got " +
                                            std::to_string(blob->size()) + hint));
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
  const std::string header = "untrusted comment: " + std::string(comment) + "\n";
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
  return "untrusted comment: " + std::string(comment) + "\n" + Base64Encode(blob) + "\n";
}

Result<Bytes> ReadKeyFile(const std::filesystem::path& path, bool secret) {
  if (secret) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
      return std::unexpected(
          Error::Permission(path.string() +
                            " is readable by other users; a secret key must be private: run "
                            "`chmod 600 " +
                            path.string() + "` (and consider whether it was copied)"));
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

Result<VerifyKey> ParseSigningPublicKey(std::string_view text) {
  constexpr std::string_view what = "Ed25519 public key";
  LONTAR_ASSIGN_OR_RETURN(Bytes blob, DecodeBlob(text, what, kEdPublicBlob));
  LONTAR_TRY(CheckAlgorithm(blob, "Ed", what));
  LONTAR_ASSIGN_OR_RETURN(VerifyKey key, VerifyKey::FromBytes(ByteView(blob).subspan(2 + kIdSize)));
  LONTAR_TRY(CheckId(ByteView(blob).subspan(2, kIdSize), key.id(), what));
  return key;
}

Result<BoxPublicKey> ParseBoxPublicKey(std::string_view text) {
  constexpr std::string_view what = "X25519 public key";
  LONTAR_ASSIGN_OR_RETURN(Bytes blob, DecodeBlob(text, what, kX2PublicBlob));
  LONTAR_TRY(CheckAlgorithm(blob, "X2", what));
  LONTAR_ASSIGN_OR_RETURN(BoxPublicKey key,
                          BoxPublicKey::FromBytes(ByteView(blob).subspan(2 + kIdSize)));
  LONTAR_TRY(CheckId(ByteView(blob).subspan(2, kIdSize), key.id(), what));
  return key;
}

Result<SigningKey> ParseSigningSecretKey(ByteView text) {
  constexpr std::string_view what = "Ed25519 secret key";
  LONTAR_ASSIGN_OR_RETURN(Bytes blob, DecodeBlob(AsChars(text), what, kEdSecretBlob));
  auto parse = [&]() -> Result<SigningKey> {
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
  };
  auto key = parse();
  Wipe(blob);
  return key;
}

Result<BoxSecretKey> ParseBoxSecretKey(ByteView text) {
  constexpr std::string_view what = "X25519 secret key";
  LONTAR_ASSIGN_OR_RETURN(Bytes blob, DecodeBlob(AsChars(text), what, kX2SecretBlob));
  auto parse = [&]() -> Result<BoxSecretKey> {
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
  };
  auto key = parse();
  Wipe(blob);
  return key;
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
  LONTAR_ASSIGN_OR_RETURN(Bytes text, ReadKeyFile(path, true));
  auto key = ParseSigningSecretKey(text);
  Wipe(text);
  return WithPath(std::move(key), path);
}

Result<BoxSecretKey> ReadBoxSecretKeyFile(const std::filesystem::path& path) {
  LONTAR_ASSIGN_OR_RETURN(Bytes text, ReadKeyFile(path, true));
  auto key = ParseBoxSecretKey(text);
  Wipe(text);
  return WithPath(std::move(key), path);
}

Result<KeyFileInfo> InspectKeyFile(const std::filesystem::path& path) {
  LONTAR_ASSIGN_OR_RETURN(Bytes text, ReadFile(path, kMaxKeyFileBytes));
  std::string_view t = AsChars(text);
  auto info = [&]() -> Result<KeyFileInfo> {
    LONTAR_ASSIGN_OR_RETURN(std::string_view line, KeyLine(t, "key"));
    auto blob = Base64Decode(line);
    if (!blob || blob->size() < 2) return std::unexpected(Error::Malformed("not a key file"));
    const std::string alg(reinterpret_cast<const char*>(blob->data()), 2);
    const std::size_t size = blob->size();
    Wipe(*blob);
    if (alg == "Ed" && size == kEdPublicBlob) {
      LONTAR_ASSIGN_OR_RETURN(VerifyKey k, ParseSigningPublicKey(t));
      return KeyFileInfo{"Ed25519", false, k.id()};
    }
    if (alg == "Ed" && size == kEdSecretBlob) {
      LONTAR_ASSIGN_OR_RETURN(SigningKey k, ParseSigningSecretKey(text));
      return KeyFileInfo{"Ed25519", true, k.id()};
    }
    if (alg == "X2" && size == kX2PublicBlob) {
      LONTAR_ASSIGN_OR_RETURN(BoxPublicKey k, ParseBoxPublicKey(t));
      return KeyFileInfo{"X25519", false, k.id()};
    }
    if (alg == "X2" && size == kX2SecretBlob) {
      LONTAR_ASSIGN_OR_RETURN(BoxSecretKey k, ParseBoxSecretKey(text));
      return KeyFileInfo{"X25519", true, k.public_key().id()};
    }
    return std::unexpected(Error::Malformed("not a Lontar or minisign key file"));
  }();
  Wipe(text);
  return WithPath(std::move(info), path);
}

std::string MinisignSign(const SigningKey& key, ByteView content,
                         std::string_view trusted_comment) {
  Blake2bHasher prehash(crypto_generichash_BYTES_MAX);
  prehash.Update(content);
  Signature sig = key.Sign(prehash.Finish());
  Bytes sig_blob = ToBytes("ED");
  Append(sig_blob, key.id().bytes);
  Append(sig_blob, sig);
  Bytes global_message(sig.begin(), sig.end());
  Append(global_message, AsBytes(trusted_comment));
  Signature global = key.Sign(global_message);
  return "untrusted comment: signature from lontar secret key " + key.id().ToString() + "\n" +
         Base64Encode(sig_blob) + "\ntrusted comment: " + std::string(trusted_comment) + "\n" +
         Base64Encode(global) + "\n";
}

Result<std::string> MinisignVerify(const VerifyKey& key, ByteView content,
                                   std::string_view signature_file) {
  auto bad = [](const char* what) {
    return std::unexpected(Error::Malformed(std::string("minisign signature: ") + what));
  };
  if (signature_file.size() > kMaxKeyFileBytes) return bad("file too large");
  std::vector<std::string_view> lines;
  std::string_view rest = signature_file;
  while (!rest.empty() && lines.size() < 5) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  }
  if (lines.size() < 4 || !lines[0].starts_with("untrusted comment:") ||
      !lines[2].starts_with("trusted comment: ")) {
    return bad(
        "expected four lines (untrusted comment, signature, trusted comment, global "
        "signature)");
  }
  auto sig_blob = Base64Decode(lines[1]);
  if (!sig_blob || sig_blob->size() != 2 + kIdSize + kSignatureSize)
    return bad("bad signature line");
  auto global = Base64Decode(lines[3]);
  if (!global || global->size() != kSignatureSize) return bad("bad global signature line");
  const std::string alg(reinterpret_cast<const char*>(sig_blob->data()), 2);
  if (alg != "ED" && alg != "Ed") return bad("unknown signature algorithm");
  KeyId signer;
  std::copy_n(sig_blob->begin() + 2, kIdSize, signer.bytes.begin());
  if (signer != key.id()) {
    return std::unexpected(Error::Untrusted("signed by key " + signer.ToString() +
                                            ", not by the expected key " + key.id().ToString()));
  }
  ByteView sig = ByteView(*sig_blob).subspan(2 + kIdSize);
  if (alg == "ED") {
    Blake2bHasher prehash(crypto_generichash_BYTES_MAX);
    prehash.Update(content);
    LONTAR_TRY(key.Verify(prehash.Finish(), sig));
  } else {
    LONTAR_TRY(key.Verify(content, sig));
  }
  const std::string_view trusted = lines[2].substr(std::string_view("trusted comment: ").size());
  Bytes global_message(sig.begin(), sig.end());
  Append(global_message, AsBytes(trusted));
  if (auto st = key.Verify(global_message, *global); !st) {
    return std::unexpected(
        Error::BadSignature("minisign signature: the trusted comment was "
                            "altered"));
  }
  return std::string(trusted);
}

}  // namespace lontar::crypto

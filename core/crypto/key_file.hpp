// Key files and minisign signatures.
//
// Ed25519 keys (authority, server, terminals' exports) use minisign's formats, so an operator can
// check Lontar's signatures with the stock `minisign` tool they already trust:
//
//   NAME.pub   "untrusted comment: <text>\n" base64("Ed" | key id (8) | public key (32)) "\n"
//   NAME.key   "untrusted comment: <text>\n" base64(158 bytes) "\n", minisign's unencrypted
//              secret key (`minisign -G -W`):
//                "Ed" | kdf "\0\0" (none) | "B2" | salt (32, zero) | opslimit (8, zero) |
//                memlimit (8, zero) | key id (8) | secret key (64) | checksum (32)
//              checksum = BLAKE2b-256("Ed" | key id | secret key). minisign 0.11 writes zeros
//              there for unencrypted keys and does not check it; we write the real value and
//              accept either, so a damaged key is caught when the checksum is present.
//
// X25519 keys (results) have no minisign equivalent; they use the same two-line shape with
// algorithm "X2":
//   NAME.pub   base64("X2" | key id (8) | public key (32))
//   NAME.key   base64("X2" | key id (8) | secret key (32) | BLAKE2b-256("X2" | key id | secret))
//
// The key id is KeyId::Derive (sign.hpp), never taken from the file on trust: a file whose id
// does not match its key is rejected. Secret key files are written 0600 and refused when group-
// or world-readable. A truncated file fails base64 or length checks and is rejected.
//
// minisign signatures (.minisig), prehashed ("ED"):
//   "untrusted comment: <text>\n" base64("ED" | key id (8) | Ed25519(BLAKE2b-512(content))) "\n"
//   "trusted comment: <text>\n" base64(Ed25519(signature (64) | trusted comment text)) "\n"
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/crypto/box.hpp"
#include "core/crypto/sign.hpp"
#include "core/util/error.hpp"

namespace lontar::crypto {

inline constexpr std::size_t kMaxKeyFileBytes = 4096;

// Public key file text. Pure.
std::string FormatSigningPublicKey(const VerifyKey& key, std::string_view comment);
std::string FormatBoxPublicKey(const BoxPublicKey& key, std::string_view comment);
// Secret key file text, built in secure memory. Pure.
[[nodiscard]] Result<SecretBytes> FormatSigningSecretKey(const SigningKey& key,
                                                         std::string_view comment);
[[nodiscard]] Result<SecretBytes> FormatBoxSecretKey(const BoxSecretKey& key,
                                                     std::string_view comment);

// Parsers: kMalformed naming what is wrong ("not a public key", "for X25519, not Ed25519", ...),
// kCorruption for a checksum or key id that does not match. Pure.
[[nodiscard]] Result<VerifyKey> ParseSigningPublicKey(std::string_view text);
[[nodiscard]] Result<BoxPublicKey> ParseBoxPublicKey(std::string_view text);
[[nodiscard]] Result<SigningKey> ParseSigningSecretKey(ByteView text);
[[nodiscard]] Result<BoxSecretKey> ParseBoxSecretKey(ByteView text);

// File readers: as the parsers, errors prefixed with the path; secret key files must not be
// readable by group or others (kPermission). Read disk.
[[nodiscard]] Result<VerifyKey> ReadSigningPublicKeyFile(const std::filesystem::path& path);
[[nodiscard]] Result<BoxPublicKey> ReadBoxPublicKeyFile(const std::filesystem::path& path);
[[nodiscard]] Result<SigningKey> ReadSigningSecretKeyFile(const std::filesystem::path& path);
[[nodiscard]] Result<BoxSecretKey> ReadBoxSecretKeyFile(const std::filesystem::path& path);

// What a key file holds, for `lontar keys show`: "Ed"/"X2", public or secret, and the key id.
struct KeyFileInfo {
  std::string algorithm;  // "Ed25519" or "X25519"
  bool secret = false;
  KeyId id;
};
[[nodiscard]] Result<KeyFileInfo> InspectKeyFile(const std::filesystem::path& path);

// A minisign signature file over `content`. Pure.
std::string MinisignSign(const SigningKey& key, ByteView content, std::string_view trusted_comment);
// Verifies a minisign signature file (prehashed "ED" or legacy "Ed") and its trusted comment.
// Returns the trusted comment. kMalformed / kUntrusted (signed by another key id) /
// kBadSignature. Pure.
[[nodiscard]] Result<std::string> MinisignVerify(const VerifyKey& key, ByteView content,
                                                 std::string_view signature_file);

}  // namespace lontar::crypto

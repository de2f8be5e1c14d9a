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
// does not match its key is rejected. This is why keys made by `minisign -G` itself (random key
// ids) are refused, although their layout is the one above: a Lontar key id must name exactly
// one key. Parsing is strict: one comment line, one key line, at most one line ending after it,
// at most kMaxKeyFileBytes. A truncated or edited file fails the base64, length, id or checksum
// check and is rejected with what failed.
//
// Secret key files are written 0600 and, when read, refused if group or others have any access
// (kPermission, saying to chmod 600): a key that others could read may already be copied, and
// the operator should know before it signs anything. `lontar keys show` reads secret key files
// without this check, since it prints only the public id.
//
// minisign signatures (.minisig), prehashed ("ED"), written by MinisignSign*:
//   "untrusted comment: <text>\n" base64("ED" | key id (8) | Ed25519(BLAKE2b-512(content))) "\n"
//   "trusted comment: <text>\n" base64(Ed25519(signature (64) | trusted comment text)) "\n"
// The second signature (minisign's "global signature") binds the trusted comment to the first.
// Verification also accepts minisign's legacy "Ed" signatures (the signature is over the raw
// content). A cut signature file has fewer than four lines and is refused as malformed.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/crypto/box.hpp"
#include "core/crypto/sign.hpp"
#include "core/util/error.hpp"
#include "core/util/fs.hpp"

namespace lontar::crypto {

inline constexpr std::size_t kMaxKeyFileBytes = 4096;

// Public key file text. Line breaks in `comment` become spaces. Pure.
std::string FormatSigningPublicKey(const VerifyKey& key, std::string_view comment);
std::string FormatBoxPublicKey(const BoxPublicKey& key, std::string_view comment);
// Secret key file text, built in secure memory. Pure.
[[nodiscard]] Result<SecretBytes> FormatSigningSecretKey(const SigningKey& key,
                                                         std::string_view comment);
[[nodiscard]] Result<SecretBytes> FormatBoxSecretKey(const BoxSecretKey& key,
                                                     std::string_view comment);

// Parsers: kMalformed naming what is wrong ("not a Lontar/minisign Ed25519 secret key (expected
// 158 bytes after base64, got 42) (this file is an Ed25519 public key (.pub), not a secret
// key)"), kCorruption for a checksum or key id that does not match. Secret bytes decoded on the
// way are wiped. Pure.
[[nodiscard]] Result<VerifyKey> ParseSigningPublicKey(std::string_view text);
[[nodiscard]] Result<BoxPublicKey> ParseBoxPublicKey(std::string_view text);
[[nodiscard]] Result<SigningKey> ParseSigningSecretKey(ByteView text);
[[nodiscard]] Result<BoxSecretKey> ParseBoxSecretKey(ByteView text);

// File readers: as the parsers, errors prefixed with the path ("authority.key: ..."); kNotFound
// and friends from the OS naming the path; kMalformed for a file over kMaxKeyFileBytes; secret
// key files must not be accessible by group or others (kPermission). Read disk.
[[nodiscard]] Result<VerifyKey> ReadSigningPublicKeyFile(const std::filesystem::path& path);
[[nodiscard]] Result<BoxPublicKey> ReadBoxPublicKeyFile(const std::filesystem::path& path);
[[nodiscard]] Result<SigningKey> ReadSigningSecretKeyFile(const std::filesystem::path& path);
[[nodiscard]] Result<BoxSecretKey> ReadBoxSecretKeyFile(const std::filesystem::path& path);

// What a key file holds, for `lontar keys show`: algorithm, public or secret, the key id (of the
// public key, also for a secret key file) and the untrusted comment. Never any secret bytes.
struct KeyFileInfo {
  std::string algorithm;  // "Ed25519" or "X25519"
  bool secret = false;
  KeyId id;
  std::string comment;  // the file's "untrusted comment:" text: informative, not authenticated
};
// Parses the file fully (ids and checksums checked), whatever kind it is. Errors as the parsers,
// prefixed with the path. Reads disk.
[[nodiscard]] Result<KeyFileInfo> InspectKeyFile(const std::filesystem::path& path);

// The text of a minisign signature file over `content` (prehashed "ED"). kInvalidArgument when
// `trusted_comment` has a line break or exceeds 1024 bytes (minisign's limit). Pure.
[[nodiscard]] Result<std::string> MinisignSign(const SigningKey& key, ByteView content,
                                               std::string_view trusted_comment);
// As MinisignSign over the file at `path`, hashed in bounded memory whatever its size. Errors
// from the OS name the path. Reads disk.
[[nodiscard]] Result<std::string> MinisignSignFile(const SigningKey& key,
                                                   const std::filesystem::path& path,
                                                   std::string_view trusted_comment);
// Signs the file at `path` and writes PATH.minisig atomically (mode 0644); kAlreadyExists when
// it exists and `overwrite` is kRefuse. `minisign -Vm PATH -p KEY.pub` accepts the result.
// Touches disk.
[[nodiscard]] Status WriteMinisignSignature(const SigningKey& key,
                                            const std::filesystem::path& path,
                                            std::string_view trusted_comment, Overwrite overwrite);

// Verifies a minisign signature file (prehashed "ED" or legacy "Ed") over `content`, and its
// trusted comment; returns the trusted comment. kMalformed for a file that is not four lines of
// the shape above; kUntrusted when signed by another key id (naming both ids); kBadSignature when
// the content or the trusted comment was changed. Pure.
[[nodiscard]] Result<std::string> MinisignVerify(const VerifyKey& key, ByteView content,
                                                 std::string_view signature_file);
// As MinisignVerify, reading the signature from `signature_path` and hashing the file at `path`
// in bounded memory (legacy "Ed" signatures need the content in memory: kMalformed above
// 64 MiB). Errors are prefixed with `signature_path`. Reads disk.
[[nodiscard]] Result<std::string> MinisignVerifyFile(const VerifyKey& key,
                                                     const std::filesystem::path& path,
                                                     const std::filesystem::path& signature_path);

}  // namespace lontar::crypto

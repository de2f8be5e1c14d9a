// XChaCha20-Poly1305 secretstream over data of any size, in bounded memory (two chunks).
//
// Layout (written by EncryptStream; all integers little-endian):
//   preamble   magic "LNTRSTRM" (8) | version u8 = 1 | chunk_size u32 (1..1 MiB)      13 bytes
//   header     secretstream header (random nonce material)                           24 bytes
//   chunk 1 .. chunk n, each: secretstream message = tag byte (encrypted) | ciphertext | MAC (16)
// Every chunk but the last holds exactly chunk_size plaintext bytes and so is chunk_size + 17
// bytes on disk; the last holds 0..chunk_size bytes and carries the FINAL tag (an empty input
// is one empty FINAL chunk). The length framing is implicit: the reader cuts the stream every
// chunk_size + 17 bytes, and the only shorter piece allowed is the FINAL one at the end. The
// first chunk's additional data is the 13-byte preamble, so magic, version and chunk size are
// authenticated. Total size: EncryptedStreamSize().
//
// What a reader sees of damage, each with its own message:
//   cut at a chunk boundary      kCorruption "truncated: it ends after chunk N, before its final
//                                chunk"
//   cut inside a chunk           kCorruption "truncated inside chunk N, or that chunk was
//                                altered or appended to" (a short last piece that fails its
//                                MAC: implicit framing cannot tell a cut from a damaged FINAL
//                                chunk, nor from one with much data appended)
//   a flipped byte in a chunk    kCorruption "altered: chunk N fails authentication"
//   bytes after the FINAL chunk  kCorruption "trailing data after its final chunk" (always
//                                after a full-size FINAL chunk; after a short one when at most
//                                64 bytes were appended, which the reader probes for)
//   wrong key                    kWrongKey (the first chunk fails; a damaged first chunk looks
//                                the same, and the message says so)
//   not a stream / newer format  kMalformed "bad magic" / kTooNew
// Decryption into a file writes to a temporary name and publishes only when the whole stream
// verified (fsync, link): a half-decrypted file never appears under the final name.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>

#include "core/crypto/secret.hpp"
#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::crypto {

inline constexpr std::size_t kStreamKeySize = 32;
inline constexpr std::uint32_t kDefaultChunkSize = 64 * 1024;
inline constexpr std::uint32_t kMaxChunkSize = 1 << 20;

// A fresh random 32-byte key in secure memory. kCrypto only when secure memory is exhausted.
[[nodiscard]] Result<SecretBytes> GenerateStreamKey();

// The exact encrypted size of `plaintext_bytes` of input, so that a container (a pack) can lay
// out its header before encrypting. Pure.
constexpr std::uint64_t EncryptedStreamSize(std::uint64_t plaintext_bytes,
                                            std::uint32_t chunk_size = kDefaultChunkSize) {
  const std::uint64_t chunks =
      plaintext_bytes == 0 ? 1 : (plaintext_bytes + chunk_size - 1) / chunk_size;
  return 13 + 24 + plaintext_bytes + 17 * chunks;
}

// Pulls up to `max` bytes into `buffer`; returns how many (0 at end) or an error.
using ReadFn = std::function<Result<std::size_t>(std::uint8_t* buffer, std::size_t max)>;
using WriteFn = std::function<Status(ByteView data)>;

// Reads the open file `fd` (which outlives the reader), retrying reads interrupted by a signal;
// other errno errors name `path`.
ReadFn FdReader(int fd, const std::filesystem::path& path);

// Encrypts everything `read` yields into `write`, chunk by chunk. Memory: two chunks whatever
// the input size. kInvalidArgument for a key that is not 32 bytes or a chunk size outside
// 1..kMaxChunkSize; otherwise fails only with the callbacks' errors. Pure apart from the
// callbacks.
[[nodiscard]] Status EncryptStream(const SecretBytes& key, const ReadFn& read, const WriteFn& write,
                                   std::uint32_t chunk_size = kDefaultChunkSize);
// Decrypts and verifies; `write` receives plaintext chunk by chunk as each chunk verifies, so a
// caller that must not act on partial output buffers it (the file and bytes helpers below do).
// Errors as listed at the top of this file. Memory: two chunks of the stream's chunk size,
// which the preamble may declare up to kMaxChunkSize. Pure apart from the callbacks.
[[nodiscard]] Status DecryptStream(const SecretBytes& key, const ReadFn& read,
                                   const WriteFn& write);

// Whole files of any size. `out` appears (atomically, mode 0600) only on success; while working
// the output lives under a temporary name beside `out`, removed on any failure. kAlreadyExists
// if `out` exists (never overwritten); kNotFound etc. naming `in`; stream errors are prefixed
// with `in`. Touch disk.
[[nodiscard]] Status EncryptFile(const SecretBytes& key, const std::filesystem::path& in,
                                 const std::filesystem::path& out);
[[nodiscard]] Status DecryptFile(const SecretBytes& key, const std::filesystem::path& in,
                                 const std::filesystem::path& out);

// In memory. DecryptBytes wipes its partial output on failure and returns nothing of it; its
// output is an ordinary vector, so it stages chunks in ordinary memory too (wiped on return),
// not in guarded pages as DecryptStream does. Pure.
[[nodiscard]] Result<Bytes> EncryptBytes(const SecretBytes& key, ByteView plaintext,
                                         std::uint32_t chunk_size = kDefaultChunkSize);
[[nodiscard]] Result<Bytes> DecryptBytes(const SecretBytes& key, ByteView ciphertext);

}  // namespace lontar::crypto

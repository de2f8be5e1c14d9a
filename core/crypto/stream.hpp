// XChaCha20-Poly1305 secretstream over data of any size, in bounded memory.
//
// Layout (written by EncryptStream):
//   magic "LNTRSTRM" (8) | version u8 = 1 | chunk_size u32 LE | secretstream header (24)
//   chunk 1 | chunk 2 | ... | chunk n
// Every chunk but the last holds exactly chunk_size plaintext bytes and is chunk_size + 17 bytes
// on disk; the last holds 0..chunk_size bytes and carries the FINAL tag. The first chunk's
// additional data is the 13-byte preamble, so magic, version and chunk size are authenticated.
//
// What a reader sees of damage: a stream cut anywhere ends before a FINAL-tagged chunk
// ("truncated"); a flipped byte fails that chunk's tag ("altered"); bytes after the FINAL chunk
// are refused ("trailing data"); a wrong key fails the first chunk. Decryption writes output only
// when the whole stream verified (files: temp name, fsync, rename).
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

// A fresh random 32-byte key in secure memory.
[[nodiscard]] Result<SecretBytes> GenerateStreamKey();

// Pulls up to `max` bytes into `buffer`; returns how many (0 at end) or an error.
using ReadFn = std::function<Result<std::size_t>(std::uint8_t* buffer, std::size_t max)>;
using WriteFn = std::function<Status(ByteView data)>;

// Encrypts everything `read` yields into `write`. Memory: two chunks. Pure apart from the
// callbacks.
[[nodiscard]] Status EncryptStream(const SecretBytes& key, const ReadFn& read, const WriteFn& write,
                                   std::uint32_t chunk_size = kDefaultChunkSize);
// Decrypts and verifies; `write` receives plaintext chunk by chunk as each verifies, so a caller
// that must not act on partial output buffers it (the file and bytes helpers below do).
[[nodiscard]] Status DecryptStream(const SecretBytes& key, const ReadFn& read,
                                   const WriteFn& write);

// Whole files. `out` appears (atomically, mode 0600) only on success; refuses to overwrite.
// Touch disk.
[[nodiscard]] Status EncryptFile(const SecretBytes& key, const std::filesystem::path& in,
                                 const std::filesystem::path& out);
[[nodiscard]] Status DecryptFile(const SecretBytes& key, const std::filesystem::path& in,
                                 const std::filesystem::path& out);

// In memory. Pure.
[[nodiscard]] Result<Bytes> EncryptBytes(const SecretBytes& key, ByteView plaintext,
                                         std::uint32_t chunk_size = kDefaultChunkSize);
[[nodiscard]] Result<Bytes> DecryptBytes(const SecretBytes& key, ByteView ciphertext);

}  // namespace lontar::crypto

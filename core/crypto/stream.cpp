#include "core/crypto/stream.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <vector>

#include "core/util/fs.hpp"

namespace lontar::crypto {
namespace {

constexpr char kMagic[8] = {'L', 'N', 'T', 'R', 'S', 'T', 'R', 'M'};
constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kPreambleSize = 8 + 1 + 4;
constexpr std::size_t kHeaderSize = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
constexpr std::size_t kTagBytes = crypto_secretstream_xchacha20poly1305_ABYTES;
// EncryptedStreamSize in the header spells these out as 13 + 24 and 17.
static_assert(kPreambleSize + kHeaderSize == 37 && kTagBytes == 17);
static_assert(EncryptedStreamSize(0, 10) == 37 + 17 && EncryptedStreamSize(10, 10) == 37 + 27 &&
              EncryptedStreamSize(11, 10) == 37 + 11 + 34);

// Reads until `want` bytes or end of input.
Result<std::size_t> ReadFull(const ReadFn& read, std::uint8_t* buffer, std::size_t want) {
  std::size_t got = 0;
  while (got < want) {
    LONTAR_ASSIGN_OR_RETURN(std::size_t n, read(buffer + got, want - got));
    if (n == 0) break;
    got += n;
  }
  return got;
}

// `chunks` whole chunks verified before the input ended.
Error Truncated(std::uint64_t chunks) {
  return Error::Corruption("encrypted stream is truncated: it ends after " +
                           std::to_string(chunks) + (chunks == 1 ? " chunk" : " chunks") +
                           ", before its final chunk (an interrupted copy? copy the file again)");
}

Error TrailingData(std::uint64_t final_chunk) {
  return Error::Corruption("encrypted stream has trailing data after its final chunk (" +
                           std::to_string(final_chunk) +
                           "); it was appended to, or is not one stream");
}

// How many appended bytes DecryptStream looks for behind a failing short last chunk.
constexpr std::size_t kAppendedProbe = 64;

WriteFn FdWriter(int fd, const std::filesystem::path& path) {
  return [fd, path](ByteView data) -> Status {
    std::size_t done = 0;
    while (done < data.size()) {
      ssize_t n = ::write(fd, data.data() + done, data.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return std::unexpected(Error::FromErrno("write " + path.string(), errno));
      }
      done += static_cast<std::size_t>(n);
    }
    return Ok();
  };
}

// Runs `transform` from `in` into a temporary file beside `out`, then publishes it (fsync, link,
// mode 0600). On any failure the temporary is removed and `out` never appears.
Status TransformFile(const std::filesystem::path& in, const std::filesystem::path& out,
                     const std::function<Status(const ReadFn&, const WriteFn&)>& transform) {
  std::error_code ec;
  if (std::filesystem::exists(out, ec)) {
    return std::unexpected(
        Error::AlreadyExists(out.string() + " already exists; refusing to overwrite it"));
  }
  LONTAR_ASSIGN_OR_RETURN(InputFile in_file, InputFile::Open(in));
  LONTAR_ASSIGN_OR_RETURN(TempFile temp, TempFile::Beside(out));
  LONTAR_TRY(transform(FdReader(in_file.fd(), in), FdWriter(temp.fd(), out)));
  return temp.Publish(0600, Overwrite::kRefuse);
}

ReadFn MemoryReader(ByteView data) {
  auto offset = std::make_shared<std::size_t>(0);
  return [data, offset](std::uint8_t* buffer, std::size_t max) -> Result<std::size_t> {
    std::size_t n = std::min(max, data.size() - *offset);
    if (n > 0) std::memcpy(buffer, data.data() + *offset, n);
    *offset += n;
    return n;
  };
}

}  // namespace

ReadFn FdReader(int fd, const std::filesystem::path& path) {
  return [fd, path](std::uint8_t* buffer, std::size_t max) -> Result<std::size_t> {
    for (;;) {
      ssize_t n = ::read(fd, buffer, max);
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR) return std::unexpected(Error::FromErrno("read " + path.string(), errno));
    }
  };
}

Result<SecretBytes> GenerateStreamKey() {
  EnsureSodium();
  LONTAR_ASSIGN_OR_RETURN(SecretBytes key, SecretBytes::Allocate(kStreamKeySize));
  crypto_secretstream_xchacha20poly1305_keygen(key.data());
  return key;
}

Status EncryptStream(const SecretBytes& key, const ReadFn& read, const WriteFn& write,
                     std::uint32_t chunk_size) {
  EnsureSodium();
  if (key.size() != kStreamKeySize) {
    return std::unexpected(Error::InvalidArgument("stream key must be 32 bytes"));
  }
  if (chunk_size == 0 || chunk_size > kMaxChunkSize) {
    return std::unexpected(Error::InvalidArgument("chunk size must be 1..1 MiB"));
  }
  Bytes preamble(kMagic, kMagic + 8);
  preamble.push_back(kVersion);
  AppendU32(preamble, chunk_size);
  crypto_secretstream_xchacha20poly1305_state state;
  std::uint8_t header[kHeaderSize];
  crypto_secretstream_xchacha20poly1305_init_push(&state, header, key.data());
  LONTAR_TRY(write(preamble));
  LONTAR_TRY(write(ByteView(header, kHeaderSize)));

  // Read one chunk ahead so that the last chunk can carry FINAL, even when the input length is
  // an exact multiple of the chunk size.
  std::vector<std::uint8_t> current(chunk_size), next(chunk_size), out(chunk_size + kTagBytes);
  LONTAR_ASSIGN_OR_RETURN(std::size_t current_len, ReadFull(read, current.data(), chunk_size));
  bool first = true;
  for (;;) {
    std::size_t next_len = 0;
    if (current_len == chunk_size) {
      LONTAR_ASSIGN_OR_RETURN(next_len, ReadFull(read, next.data(), chunk_size));
    }
    const bool last = current_len < chunk_size || next_len == 0;
    unsigned long long out_len = 0;
    crypto_secretstream_xchacha20poly1305_push(
        &state, out.data(), &out_len, current.data(), current_len,
        first ? preamble.data() : nullptr, first ? preamble.size() : 0,
        last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
    LONTAR_TRY(write(ByteView(out.data(), static_cast<std::size_t>(out_len))));
    first = false;
    if (last) break;
    std::swap(current, next);
    current_len = next_len;
  }
  sodium_memzero(&state, sizeof state);
  return Ok();
}

namespace {

// DecryptStream's body. Each verified chunk is staged in `guarded` memory (sodium_malloc: guard
// pages, never swapped) or in an ordinary buffer wiped on return. DecryptBytes stages in ordinary
// memory: its output is an ordinary vector anyway, and mapping and unmapping guarded pages for
// every bundle was a fifth of the CPU of opening a store's results (docs/results.md).
Status DecryptStreamStaged(const SecretBytes& key, const ReadFn& read, const WriteFn& write,
                           bool guarded) {
  EnsureSodium();
  if (key.size() != kStreamKeySize) {
    return std::unexpected(Error::InvalidArgument("stream key must be 32 bytes"));
  }
  std::uint8_t preamble[kPreambleSize];
  LONTAR_ASSIGN_OR_RETURN(std::size_t got, ReadFull(read, preamble, kPreambleSize));
  if (got < 8 || std::memcmp(preamble, kMagic, 8) != 0) {
    return std::unexpected(Error::Malformed("not a Lontar encrypted stream (bad magic)"));
  }
  if (got < kPreambleSize) return std::unexpected(Truncated(0));
  if (preamble[8] != kVersion) {
    return std::unexpected(Error::TooNew("encrypted stream has format version " +
                                         std::to_string(preamble[8]) + "; this Lontar reads 1"));
  }
  const std::uint32_t chunk_size = LoadU32(ByteView(preamble + 9, 4));
  if (chunk_size == 0 || chunk_size > kMaxChunkSize) {
    return std::unexpected(Error::Malformed("encrypted stream declares a chunk size of " +
                                            std::to_string(chunk_size) + " bytes"));
  }
  std::uint8_t header[kHeaderSize];
  LONTAR_ASSIGN_OR_RETURN(got, ReadFull(read, header, kHeaderSize));
  if (got < kHeaderSize) return std::unexpected(Truncated(0));
  // The states hold key material: wiped however this function returns.
  crypto_secretstream_xchacha20poly1305_state state, saved, probe;
  struct StateWiper {
    std::initializer_list<crypto_secretstream_xchacha20poly1305_state*> states;
    ~StateWiper() {
      for (auto* s : states) sodium_memzero(s, sizeof *s);
    }
  } wiper{{&state, &saved, &probe}};
  if (crypto_secretstream_xchacha20poly1305_init_pull(&state, header, key.data()) != 0) {
    return std::unexpected(Error::Malformed("encrypted stream has an invalid header"));
  }
  std::vector<std::uint8_t> in(chunk_size + kTagBytes);
  std::optional<SecretBytes> guarded_plain;
  std::vector<std::uint8_t> plain_buffer;
  struct BufferWiper {
    std::vector<std::uint8_t>& buffer;
    ~BufferWiper() { sodium_memzero(buffer.data(), buffer.size()); }
  } buffer_wiper{plain_buffer};
  std::uint8_t* plain = nullptr;
  if (guarded) {
    LONTAR_ASSIGN_OR_RETURN(SecretBytes chunk, SecretBytes::Allocate(chunk_size));
    guarded_plain.emplace(std::move(chunk));
    plain = guarded_plain->data();
  } else {
    plain_buffer.resize(chunk_size);
    plain = plain_buffer.data();
  }
  bool first = true;
  for (std::uint64_t index = 1;; ++index) {
    LONTAR_ASSIGN_OR_RETURN(got, ReadFull(read, in.data(), in.size()));
    if (got == 0) return std::unexpected(Truncated(index - 1));
    const bool short_piece = got < in.size();
    if (got < kTagBytes) {
      return std::unexpected(Error::Corruption("encrypted stream is truncated inside chunk " +
                                               std::to_string(index) +
                                               " (an interrupted copy? copy the file again)"));
    }
    unsigned long long plain_len = 0;
    unsigned char tag = 0;
    const std::uint8_t* ad = first ? preamble : nullptr;
    const std::size_t ad_len = first ? kPreambleSize : 0;
    saved = state;  // for the appended-data probe below
    if (crypto_secretstream_xchacha20poly1305_pull(&state, plain, &plain_len, &tag, in.data(), got,
                                                   ad, ad_len) != 0) {
      // The reader cuts pieces by the full chunk length, so bytes appended after a short FINAL
      // chunk arrive glued to it and make it fail. Probe for a FINAL chunk followed by a few
      // appended bytes (a stray newline, a padding block): at most kAppendedProbe tries of one
      // MAC each, on an already-failed stream only.
      for (std::size_t cut = 1; cut <= kAppendedProbe && got - cut >= kTagBytes; ++cut) {
        probe = saved;
        if (crypto_secretstream_xchacha20poly1305_pull(&probe, plain, &plain_len, &tag, in.data(),
                                                       got - cut, ad, ad_len) == 0 &&
            tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
          return std::unexpected(TrailingData(index));
        }
      }
      if (first) {
        return std::unexpected(Error::WrongKey(
            short_piece ? "encrypted stream cannot be opened: wrong key, or the stream was cut "
                          "short, altered or appended to within its first chunk"
                        : "encrypted stream cannot be opened: wrong key, or its first chunk was "
                          "altered"));
      }
      if (short_piece) {
        // A short piece is only allowed as the FINAL chunk; failing its MAC means the copy was
        // cut inside a chunk, or the final chunk was damaged or had data appended. Implicit
        // framing cannot tell these apart.
        return std::unexpected(Error::Corruption(
            "encrypted stream is truncated inside chunk " + std::to_string(index) +
            ", or that chunk was altered or appended to; copy the file again"));
      }
      return std::unexpected(Error::Corruption("encrypted stream was altered: chunk " +
                                               std::to_string(index) + " fails authentication"));
    }
    first = false;
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
      std::uint8_t extra = 0;
      LONTAR_ASSIGN_OR_RETURN(std::size_t more, ReadFull(read, &extra, 1));
      if (more != 0) return std::unexpected(TrailingData(index));
      return write(ByteView(plain, static_cast<std::size_t>(plain_len)));
    }
    if (short_piece || tag != 0) {
      // Only EncryptStream's writer can make a chunk that verifies, and it never writes a short
      // non-final chunk or another tag; treat it as damage rather than guess.
      return std::unexpected(Error::Corruption("encrypted stream chunk " + std::to_string(index) +
                                               " is framed inconsistently"));
    }
    LONTAR_TRY(write(ByteView(plain, static_cast<std::size_t>(plain_len))));
  }
}

}  // namespace

Status DecryptStream(const SecretBytes& key, const ReadFn& read, const WriteFn& write) {
  return DecryptStreamStaged(key, read, write, /*guarded=*/true);
}

Status EncryptFile(const SecretBytes& key, const std::filesystem::path& in,
                   const std::filesystem::path& out) {
  return TransformFile(in, out,
                       [&](const ReadFn& r, const WriteFn& w) { return EncryptStream(key, r, w); });
}

Status DecryptFile(const SecretBytes& key, const std::filesystem::path& in,
                   const std::filesystem::path& out) {
  return TransformFile(in, out, [&](const ReadFn& r, const WriteFn& w) {
    auto st = DecryptStream(key, r, w);
    if (!st) return Status(std::unexpected(st.error().WithContext(in.string())));
    return st;
  });
}

Result<Bytes> EncryptBytes(const SecretBytes& key, ByteView plaintext, std::uint32_t chunk_size) {
  Bytes out;
  LONTAR_TRY(EncryptStream(
      key, MemoryReader(plaintext),
      [&](ByteView d) {
        Append(out, d);
        return Ok();
      },
      chunk_size));
  return out;
}

Result<Bytes> DecryptBytes(const SecretBytes& key, ByteView ciphertext) {
  Bytes out;
  auto st = DecryptStreamStaged(
      key, MemoryReader(ciphertext),
      [&](ByteView d) {
        Append(out, d);
        return Ok();
      },
      /*guarded=*/false);
  if (!st) {
    Wipe(out);
    return std::unexpected(st.error());
  }
  return out;
}

}  // namespace lontar::crypto

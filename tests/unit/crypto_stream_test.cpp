// Secretstream files: sizes around chunk boundaries, and each kind of damage with its own message,
// in memory and on disk (where no output may be left behind on failure).
#include "core/crypto/stream.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <optional>

#include "core/crypto/hash.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::crypto {
namespace {

using lontar::testing::ReadText;
using lontar::testing::TempDir;
using lontar::testing::WriteText;

constexpr std::size_t kStart = 13 + 24;  // preamble and secretstream header
constexpr std::uint32_t kSmall = 256;    // small chunks keep exhaustive tests fast

class Stream : public ::testing::Test {
 protected:
  void SetUp() override {
    auto k = GenerateStreamKey();
    ASSERT_TRUE(k);
    key_.emplace(std::move(*k));
  }
  // Offset of chunk `i` (1-based) in a stream of `chunk`-sized chunks.
  static std::size_t ChunkAt(std::size_t i, std::uint32_t chunk = kSmall) {
    return kStart + (i - 1) * (chunk + 17);
  }
  std::optional<SecretBytes> key_;
};

bool Contains(const Error& e, std::string_view text) {
  return e.message().find(text) != std::string::npos;
}

TEST_F(Stream, RoundTripsEveryBoundarySize) {
  for (size_t n : {size_t{0}, size_t{1}, size_t{kSmall - 1}, size_t{kSmall}, size_t{kSmall + 1},
                   size_t{3 * kSmall}, size_t{3 * kSmall + 7}}) {
    SCOPED_TRACE(n);
    const Bytes plain = RandomBytes(n);
    auto enc = EncryptBytes(*key_, plain, kSmall);
    ASSERT_TRUE(enc);
    // Full chunks, then the rest; the last chunk carries FINAL even when it is full.
    const size_t chunks = n == 0 ? 1 : (n + kSmall - 1) / kSmall;
    EXPECT_EQ(enc->size(), kStart + n + 17 * chunks);
    EXPECT_EQ(enc->size(), EncryptedStreamSize(n, kSmall));
    EXPECT_EQ(AsChars(ByteView(enc->data(), 8)), "LNTRSTRM");
    auto dec = DecryptBytes(*key_, *enc);
    ASSERT_TRUE(dec) << dec.error().message();
    EXPECT_EQ(*dec, plain);
  }
}

TEST_F(Stream, DefaultChunkSizesOnDisk) {
  TempDir dir;
  for (size_t n : {size_t{0}, size_t{kDefaultChunkSize}, size_t{kDefaultChunkSize + 1}}) {
    SCOPED_TRACE(n);
    const std::string name = std::to_string(n);
    WriteText(dir / name, std::string(AsChars(RandomBytes(n))));
    ASSERT_TRUE(EncryptFile(*key_, dir / name, dir / (name + ".enc")));
    EXPECT_EQ(std::filesystem::file_size(dir / (name + ".enc")), EncryptedStreamSize(n));
    auto st = DecryptFile(*key_, dir / (name + ".enc"), dir / (name + ".dec"));
    ASSERT_TRUE(st) << st.error().message();
    EXPECT_EQ(ReadText(dir / (name + ".dec")), ReadText(dir / name));
    struct stat info {};
    ASSERT_EQ(::stat((dir / (name + ".dec")).c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
  }
}

TEST_F(Stream, FiveMegabytesRoundTripThroughFiles) {
  TempDir dir;
  const Bytes plain = RandomBytes(5 * 1024 * 1024 + 3);  // 81 default-size chunks
  WriteText(dir / "plain", std::string(AsChars(plain)));
  ASSERT_TRUE(EncryptFile(*key_, dir / "plain", dir / "enc"));
  ASSERT_TRUE(DecryptFile(*key_, dir / "enc", dir / "dec"));
  EXPECT_EQ(ReadText(dir / "dec"), ReadText(dir / "plain"));
}

TEST_F(Stream, ReadsOfAnySizeMakeTheSameStream) {
  // A reader that hands over 1..997 bytes at a time (pipes, sockets) still fills whole chunks.
  const Bytes plain = RandomBytes(10 * kSmall + 5);
  std::size_t offset = 0, step = 0;
  ReadFn dribble = [&](std::uint8_t* out, std::size_t max) -> Result<std::size_t> {
    std::size_t n = std::min({max, plain.size() - offset, 1 + (step++ * 37) % 997});
    std::copy_n(plain.data() + offset, n, out);
    offset += n;
    return n;
  };
  Bytes enc;
  ASSERT_TRUE(EncryptStream(
      *key_, dribble,
      [&](ByteView d) {
        Append(enc, d);
        return Ok();
      },
      kSmall));
  EXPECT_EQ(enc.size(), EncryptedStreamSize(plain.size(), kSmall));
  EXPECT_EQ(DecryptBytes(*key_, enc).value(), plain);
}

TEST_F(Stream, CallbackErrorsArePassedOn) {
  const Bytes enc = EncryptBytes(*key_, RandomBytes(3 * kSmall), kSmall).value();
  auto full = DecryptStream(
      *key_,
      [&, offset = std::size_t{0}](std::uint8_t* out,
                                   std::size_t max) mutable -> Result<std::size_t> {
        std::size_t n = std::min(max, enc.size() - offset);
        std::copy_n(enc.data() + offset, n, out);
        offset += n;
        return n;
      },
      [](ByteView) -> Status { return std::unexpected(Error::DiskFull("out: no space")); });
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error().kind(), ErrorKind::kDiskFull);
  auto failing_read = EncryptStream(
      *key_,
      [](std::uint8_t*, std::size_t) -> Result<std::size_t> {
        return std::unexpected(Error::Io("in: EIO"));
      },
      [](ByteView) { return Ok(); });
  ASSERT_FALSE(failing_read);
  EXPECT_EQ(failing_read.error().kind(), ErrorKind::kIo);
}

TEST_F(Stream, BadKeysAndChunkSizesAreRefused) {
  auto short_key = SecretBytes::Allocate(31);
  ASSERT_TRUE(short_key);
  EXPECT_EQ(EncryptBytes(*short_key, ToBytes("x")).error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(DecryptBytes(*short_key, Bytes(100)).error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(EncryptBytes(*key_, ToBytes("x"), 0).error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(EncryptBytes(*key_, ToBytes("x"), kMaxChunkSize + 1).error().kind(),
            ErrorKind::kInvalidArgument);
}

TEST_F(Stream, TruncationAtEveryChunkBoundarySaysHowFarItGot) {
  const Bytes enc = EncryptBytes(*key_, RandomBytes(4 * kSmall + 10), kSmall).value();
  ASSERT_EQ(enc.size(), ChunkAt(5) + 10 + 17);
  for (size_t chunks = 0; chunks <= 4; ++chunks) {
    SCOPED_TRACE(chunks);
    auto dec = DecryptBytes(*key_, ByteView(enc.data(), ChunkAt(chunks + 1)));
    ASSERT_FALSE(dec);
    EXPECT_EQ(dec.error().kind(), ErrorKind::kCorruption);
    EXPECT_TRUE(Contains(dec.error(), "truncated: it ends after " + std::to_string(chunks) +
                                          (chunks == 1 ? " chunk," : " chunks,")))
        << dec.error().message();
  }
}

TEST_F(Stream, TruncationAnywhereIsAnError) {
  const Bytes enc = EncryptBytes(*key_, RandomBytes(4 * kSmall + 10), kSmall).value();
  for (size_t keep = 0; keep < enc.size(); ++keep) {
    auto dec = DecryptBytes(*key_, ByteView(enc.data(), keep));
    ASSERT_FALSE(dec) << "cut at " << keep << " of " << enc.size() << " was accepted";
    const Error& e = dec.error();
    if (keep < 8) {
      EXPECT_EQ(e.kind(), ErrorKind::kMalformed) << keep;  // not even the magic
    } else if (keep <= ChunkAt(1)) {
      EXPECT_TRUE(Contains(e, "truncated: it ends after 0 chunks")) << keep << ": " << e.message();
    } else if (keep < ChunkAt(1) + 17) {
      // Shorter than any chunk can be: certainly cut.
      EXPECT_TRUE(Contains(e, "truncated inside chunk 1")) << keep << ": " << e.message();
    } else if (keep < ChunkAt(2)) {
      // Inside the first chunk: indistinguishable from a wrong key, and the message says both.
      EXPECT_EQ(e.kind(), ErrorKind::kWrongKey) << keep;
      EXPECT_TRUE(Contains(e, "cut short, altered or appended to within its first chunk"))
          << e.message();
    } else {
      EXPECT_EQ(e.kind(), ErrorKind::kCorruption) << keep << ": " << e.message();
      EXPECT_TRUE(Contains(e, "truncated")) << keep << ": " << e.message();
    }
  }
  // Mid-chunk, the message names the chunk.
  auto mid = DecryptBytes(*key_, ByteView(enc.data(), ChunkAt(3) + 100));
  ASSERT_FALSE(mid);
  EXPECT_TRUE(Contains(mid.error(), "truncated inside chunk 3")) << mid.error().message();
}

TEST_F(Stream, AlteredChunksAreNamed) {
  const Bytes enc = EncryptBytes(*key_, RandomBytes(3 * kSmall + 5), kSmall).value();
  for (size_t chunk = 1; chunk <= 4; ++chunk) {
    SCOPED_TRACE(chunk);
    Bytes altered = enc;
    altered[ChunkAt(chunk) + 3] ^= 0x20;
    auto dec = DecryptBytes(*key_, altered);
    ASSERT_FALSE(dec);
    if (chunk == 1) {
      EXPECT_EQ(dec.error().kind(), ErrorKind::kWrongKey);
      EXPECT_TRUE(Contains(dec.error(), "its first chunk was altered")) << dec.error().message();
    } else if (chunk == 4) {  // the short FINAL chunk
      EXPECT_EQ(dec.error().kind(), ErrorKind::kCorruption);
      EXPECT_TRUE(Contains(dec.error(), "or that chunk was altered")) << dec.error().message();
    } else {
      EXPECT_EQ(dec.error().kind(), ErrorKind::kCorruption);
      EXPECT_TRUE(Contains(dec.error(),
                           "altered: chunk " + std::to_string(chunk) + " fails authentication"))
          << dec.error().message();
    }
  }
}

TEST_F(Stream, ReorderedDroppedAndDuplicatedChunksFail) {
  const Bytes enc = EncryptBytes(*key_, RandomBytes(4 * kSmall), kSmall).value();
  const std::size_t len = kSmall + 17;
  auto chunk = [&](size_t i) { return ByteView(enc.data() + ChunkAt(i), len); };
  Bytes swapped(enc.begin(), enc.begin() + ChunkAt(2));
  Append(swapped, chunk(3));
  Append(swapped, chunk(2));
  Append(swapped, chunk(4));
  EXPECT_TRUE(Contains(DecryptBytes(*key_, swapped).error(), "chunk 2 fails authentication"));
  Bytes dropped(enc.begin(), enc.begin() + ChunkAt(2));
  Append(dropped, chunk(3));
  Append(dropped, chunk(4));
  EXPECT_TRUE(Contains(DecryptBytes(*key_, dropped).error(), "chunk 2 fails authentication"));
  Bytes duplicated(enc.begin(), enc.begin() + ChunkAt(3));
  Append(duplicated, chunk(2));
  Append(duplicated, chunk(3));
  Append(duplicated, chunk(4));
  EXPECT_FALSE(DecryptBytes(*key_, duplicated));
}

TEST_F(Stream, TrailingDataIsRefused) {
  for (size_t n : {size_t{2 * kSmall + 1}, size_t{3 * kSmall}, size_t{5}}) {
    SCOPED_TRACE(n);
    const Bytes enc = EncryptBytes(*key_, RandomBytes(n), kSmall).value();
    const std::string final_chunk = "(" + std::to_string((n + kSmall - 1) / kSmall) + ")";
    // A few bytes (a stray newline, padding) are found behind a short final chunk too.
    for (const Bytes& tail : {Bytes{'\n'}, Bytes(64, 0), RandomBytes(kSmall + 17)}) {
      Bytes trailing = enc;
      Append(trailing, tail);
      auto t = DecryptBytes(*key_, trailing);
      ASSERT_FALSE(t);
      if (tail.size() <= 64 || n % kSmall == 0) {
        EXPECT_EQ(t.error().kind(), ErrorKind::kCorruption);
        EXPECT_TRUE(Contains(t.error(), "trailing data after its final chunk " + final_chunk))
            << t.error().message();
      } else {
        // Much appended behind a short final chunk fills a whole piece, which then fails its
        // MAC like an altered chunk (or, in a one-chunk stream, like a wrong key).
        EXPECT_TRUE(t.error().kind() == ErrorKind::kCorruption ||
                    t.error().kind() == ErrorKind::kWrongKey)
            << t.error().message();
      }
    }
  }
}

TEST_F(Stream, WrongKeyPreambleAndVersion) {
  const Bytes enc = EncryptBytes(*key_, RandomBytes(3 * kSmall), kSmall).value();
  auto other = GenerateStreamKey();
  ASSERT_TRUE(other);
  auto w = DecryptBytes(*other, enc);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().kind(), ErrorKind::kWrongKey);
  EXPECT_TRUE(Contains(w.error(), "wrong key")) << w.error().message();

  Bytes magic = enc;
  magic[0] = 'X';
  EXPECT_TRUE(Contains(DecryptBytes(*key_, magic).error(), "not a Lontar encrypted stream"));
  Bytes version = enc;
  version[8] = 2;
  EXPECT_EQ(DecryptBytes(*key_, version).error().kind(), ErrorKind::kTooNew);
  Bytes chunk_size = enc;
  chunk_size[9] ^= 1;  // the preamble is authenticated with the first chunk
  EXPECT_FALSE(DecryptBytes(*key_, chunk_size));
  Bytes huge_chunks = enc;
  huge_chunks[12] = 0x7f;  // declares a 2 GiB chunk: refused before allocating
  EXPECT_TRUE(Contains(DecryptBytes(*key_, huge_chunks).error(), "declares a chunk size"));
  Bytes header = enc;
  header[13 + 5] ^= 1;
  EXPECT_EQ(DecryptBytes(*key_, header).error().kind(), ErrorKind::kWrongKey);
}

// Every failure on disk: the error names the input, and neither the output nor a temporary
// file is left behind.
TEST_F(Stream, FailedDecryptionLeavesNoFile) {
  TempDir dir;
  WriteText(dir / "plain", std::string(AsChars(RandomBytes(3 * kDefaultChunkSize + 99))));
  ASSERT_TRUE(EncryptFile(*key_, dir / "plain", dir / "enc"));
  const std::string enc = ReadText(dir / "enc");
  std::string tampered = enc;
  tampered[ChunkAt(2, kDefaultChunkSize) + 10] ^= 1;
  auto other = GenerateStreamKey();
  ASSERT_TRUE(other);
  struct Case {
    const char* name;
    std::string bytes;
    const SecretBytes* key;
    const char* says;
  };
  const Case cases[] = {
      {"cut-at-boundary", enc.substr(0, ChunkAt(3, kDefaultChunkSize)), &*key_,
       "ends after 2 chunks"},
      {"cut-mid-chunk", enc.substr(0, enc.size() - 50), &*key_, "truncated inside chunk 4"},
      {"tampered", tampered, &*key_, "chunk 2 fails authentication"},
      {"trailing", enc + "x", &*key_, "trailing data"},
      {"wrong-key", enc, &*other, "wrong key"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    WriteText(dir / c.name, c.bytes);
    const auto out = dir / (std::string(c.name) + ".out");
    auto st = DecryptFile(*c.key, dir / c.name, out);
    ASSERT_FALSE(st);
    EXPECT_TRUE(Contains(st.error(), c.says)) << st.error().message();
    EXPECT_TRUE(Contains(st.error(), (dir / c.name).string())) << st.error().message();
    EXPECT_FALSE(std::filesystem::exists(out));
  }
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos)
        << "temporary left behind: " << e.path();
  }
}

TEST_F(Stream, ExistingOutputIsNeverOverwritten) {
  TempDir dir;
  WriteText(dir / "plain", "abc");
  WriteText(dir / "taken", "keep me");
  auto enc = EncryptFile(*key_, dir / "plain", dir / "taken");
  ASSERT_FALSE(enc);
  EXPECT_EQ(enc.error().kind(), ErrorKind::kAlreadyExists);
  ASSERT_TRUE(EncryptFile(*key_, dir / "plain", dir / "enc"));
  auto dec = DecryptFile(*key_, dir / "enc", dir / "taken");
  ASSERT_FALSE(dec);
  EXPECT_EQ(dec.error().kind(), ErrorKind::kAlreadyExists);
  EXPECT_EQ(ReadText(dir / "taken"), "keep me");
  auto missing = DecryptFile(*key_, dir / "nope", dir / "out");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind(), ErrorKind::kNotFound);
  EXPECT_TRUE(Contains(missing.error(), "nope"));
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
}

}  // namespace
}  // namespace lontar::crypto

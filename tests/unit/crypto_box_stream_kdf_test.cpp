#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "core/crypto/box.hpp"
#include "core/crypto/hash.hpp"
#include "core/crypto/kdf.hpp"
#include "core/crypto/stream.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::crypto {
namespace {

using lontar::testing::ReadText;
using lontar::testing::TempDir;
using lontar::testing::WriteText;

// ---- sealed boxes --------------------------------------------------------------------------

TEST(SealedBox, RoundTripsAndIsAnonymous) {
  auto key = BoxSecretKey::Generate();
  ASSERT_TRUE(key);
  const Bytes message = ToBytes("content key share");
  Bytes a = Seal(key->public_key(), message);
  Bytes b = Seal(key->public_key(), message);
  EXPECT_EQ(a.size(), message.size() + kSealOverhead);
  EXPECT_NE(a, b) << "each seal uses a fresh ephemeral key";
  auto opened = OpenSealed(*key, a);
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(AsChars(opened->view()), "content key share");
}

TEST(SealedBox, PublicKeyIsRecomputedFromTheSecret) {
  auto key = BoxSecretKey::Generate();
  ASSERT_TRUE(key);
  auto again = BoxSecretKey::FromBytes(key->secret_view());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->public_key(), key->public_key());
  EXPECT_EQ(again->public_key().id(), key->public_key().id());
}

TEST(SealedBox, OtherKeyAlteredOrShortFail) {
  auto key = BoxSecretKey::Generate();
  auto other = BoxSecretKey::Generate();
  ASSERT_TRUE(key && other);
  Bytes sealed = Seal(key->public_key(), ToBytes("x"));
  auto wrong = OpenSealed(*other, sealed);
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().kind(), ErrorKind::kCrypto);
  EXPECT_NE(wrong.error().message().find("sealed to another key or was altered"),
            std::string::npos);
  sealed[40] ^= 1;
  EXPECT_FALSE(OpenSealed(*key, sealed));
  auto short_box = OpenSealed(*key, Bytes(47));
  ASSERT_FALSE(short_box);
  EXPECT_EQ(short_box.error().kind(), ErrorKind::kMalformed);
  EXPECT_EQ(BoxPublicKey::FromBytes(Bytes(31)).error().kind(), ErrorKind::kMalformed);
  // Low-order points: zero, one, and the order-8 point from the curve's list of small-order
  // points (RFC 7748 section 6.1 calls these out; libsodium refuses them).
  Bytes one(32, 0);
  one[0] = 1;
  auto order8 = HexDecode("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800");
  ASSERT_TRUE(order8);
  for (const Bytes& low : {Bytes(32, 0), one, *order8}) {
    auto k = BoxPublicKey::FromBytes(low);
    ASSERT_FALSE(k) << HexEncode(low);
    EXPECT_NE(k.error().message().find("low-order"), std::string::npos);
  }
  EXPECT_EQ(BoxSecretKey::FromBytes(Bytes(33)).error().kind(), ErrorKind::kMalformed);
}

// ---- secretstream ----------------------------------------------------------------------------

class Stream : public ::testing::Test {
 protected:
  void SetUp() override {
    auto k = GenerateStreamKey();
    ASSERT_TRUE(k);
    key_.emplace(std::move(*k));
  }
  static Bytes Random(size_t n) { return RandomBytes(n); }
  std::optional<SecretBytes> key_;
};

TEST_F(Stream, RoundTripsEveryBoundarySize) {
  constexpr std::uint32_t kChunk = 1024;
  for (size_t n : {size_t{0}, size_t{1}, size_t{kChunk - 1}, size_t{kChunk}, size_t{kChunk + 1},
                   size_t{3 * kChunk}, size_t{3 * kChunk + 7}}) {
    SCOPED_TRACE(n);
    const Bytes plain = Random(n);
    auto enc = EncryptBytes(*key_, plain, kChunk);
    ASSERT_TRUE(enc);
    // Full chunks, then the rest; the last chunk carries FINAL even when it is full.
    const size_t chunks = n == 0 ? 1 : (n + kChunk - 1) / kChunk;
    EXPECT_EQ(enc->size(), 13 + 24 + n + 17 * chunks);
    auto dec = DecryptBytes(*key_, *enc);
    ASSERT_TRUE(dec) << dec.error().message();
    EXPECT_EQ(*dec, plain);
  }
}

TEST_F(Stream, TruncationAnywhereIsAnError) {
  constexpr std::uint32_t kChunk = 256;
  const Bytes plain = Random(4 * kChunk + 10);
  auto enc = EncryptBytes(*key_, plain, kChunk);
  ASSERT_TRUE(enc);
  for (size_t keep = 0; keep < enc->size(); ++keep) {
    auto dec = DecryptBytes(*key_, ByteView(enc->data(), keep));
    ASSERT_FALSE(dec) << "cut at " << keep << " of " << enc->size() << " was accepted";
    if (keep >= 8) {
      EXPECT_TRUE(dec.error().kind() == ErrorKind::kCorruption ||
                  dec.error().kind() == ErrorKind::kWrongKey)
          << keep << ": " << dec.error().message();
    }
  }
  // At exact chunk boundaries the message says what happened.
  auto at_boundary = DecryptBytes(*key_, ByteView(enc->data(), 13 + 24 + 2 * (kChunk + 17)));
  ASSERT_FALSE(at_boundary);
  EXPECT_NE(at_boundary.error().message().find("truncated"), std::string::npos);
}

TEST_F(Stream, AlteredChunkTrailingDataWrongKeyAndBadMagic) {
  constexpr std::uint32_t kChunk = 256;
  auto enc = EncryptBytes(*key_, Random(3 * kChunk), kChunk);
  ASSERT_TRUE(enc);
  Bytes altered = *enc;
  altered[13 + 24 + (kChunk + 17) + 5] ^= 1;  // inside chunk 2
  auto a = DecryptBytes(*key_, altered);
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().message().find("chunk 2"), std::string::npos) << a.error().message();

  Bytes trailing = *enc;
  trailing.push_back(0);
  auto t = DecryptBytes(*key_, trailing);
  ASSERT_FALSE(t);
  EXPECT_NE(t.error().message().find("trailing data"), std::string::npos);

  auto other = GenerateStreamKey();
  ASSERT_TRUE(other);
  auto w = DecryptBytes(*other, *enc);
  ASSERT_FALSE(w);
  EXPECT_EQ(w.error().kind(), ErrorKind::kWrongKey);

  Bytes magic = *enc;
  magic[0] = 'X';
  EXPECT_EQ(DecryptBytes(*key_, magic).error().kind(), ErrorKind::kMalformed);

  Bytes chunk_size = *enc;
  chunk_size[9] ^= 1;  // the preamble is authenticated with the first chunk
  EXPECT_FALSE(DecryptBytes(*key_, chunk_size));
}

TEST_F(Stream, FilesAppearOnlyWhenComplete) {
  TempDir dir;
  const Bytes plain = Random(5 * 1024 * 1024 + 3);  // many default-size chunks
  WriteText(dir / "plain", std::string(AsChars(plain)));
  ASSERT_TRUE(EncryptFile(*key_, dir / "plain", dir / "enc"));
  ASSERT_TRUE(DecryptFile(*key_, dir / "enc", dir / "dec"));
  EXPECT_EQ(ReadText(dir / "dec"), ReadText(dir / "plain"));
  auto again = EncryptFile(*key_, dir / "plain", dir / "enc");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind(), ErrorKind::kAlreadyExists);

  std::string enc = ReadText(dir / "enc");
  WriteText(dir / "cut", enc.substr(0, enc.size() - 100));
  auto cut = DecryptFile(*key_, dir / "cut", dir / "cut.out");
  ASSERT_FALSE(cut);
  EXPECT_NE(cut.error().message().find("truncated"), std::string::npos);
  EXPECT_NE(cut.error().message().find("cut"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir / "cut.out"));
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos)
        << "temporary left behind: " << e.path();
  }
}

// ---- Argon2id --------------------------------------------------------------------------------

constexpr Argon2Params kFast{1, 8 * 1024 * 1024};  // tests only: the fastest valid setting

TEST(Argon2id, DeriveIsDeterministicAndSaltBound) {
  const Bytes salt(16, 0x11);
  auto a = DeriveKey(AsBytes("482 913"), salt, kFast);
  auto b = DeriveKey(AsBytes("482 913"), salt, kFast);
  auto c = DeriveKey(AsBytes("482 913"), Bytes(16, 0x12), kFast);
  auto d = DeriveKey(AsBytes("482 914"), salt, kFast);
  ASSERT_TRUE(a && b && c && d);
  EXPECT_TRUE(ConstantTimeEqual(a->view(), b->view()));
  EXPECT_FALSE(ConstantTimeEqual(a->view(), c->view()));
  EXPECT_FALSE(ConstantTimeEqual(a->view(), d->view()));
}

TEST(Argon2id, KnownAnswerIsPinned) {
  // Computed independently with the reference implementation's CLI (Debian's argon2 package):
  //   echo -n password | argon2 somesalt12345678 -id -t 1 -k 8192 -p 1 -l 32 -r
  // A change here would make every pack built before it unreleasable.
  auto key = DeriveKey(AsBytes("password"), AsBytes("somesalt12345678"), kFast);
  ASSERT_TRUE(key);
  EXPECT_EQ(HexEncode(key->view()),
            "a4a8f129595673e7f3529c51a49cc840a5a1d6f40a5a605162754e39ccc0f8d6");
}

TEST(Argon2id, RejectsBadInputs) {
  EXPECT_EQ(DeriveKey(AsBytes("x"), Bytes(15), kFast).error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(DeriveKey(AsBytes("x"), Bytes(16), kFast, 8).error().kind(),
            ErrorKind::kInvalidArgument);
  EXPECT_EQ(DeriveKey(AsBytes("x"), Bytes(16), Argon2Params{0, 1024}).error().kind(),
            ErrorKind::kInvalidArgument);
}

TEST(Argon2id, PinHashesVerifyAndDamagedHashesAreNotWrongPins) {
  auto hash = HashPin("739251", kFast);
  ASSERT_TRUE(hash);
  EXPECT_TRUE(hash->starts_with("$argon2id$"));
  auto right = VerifyPin(*hash, "739251");
  auto wrong = VerifyPin(*hash, "739252");
  ASSERT_TRUE(right && wrong);
  EXPECT_TRUE(*right);
  EXPECT_FALSE(*wrong);
  for (const std::string& bad : {std::string(""), std::string("$2b$10$abc"), hash->substr(0, 20),
                                 std::string("$argon2id$v=19$garbage")}) {
    auto r = VerifyPin(bad, "739251");
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().kind(), ErrorKind::kMalformed);
  }
}

}  // namespace
}  // namespace lontar::crypto

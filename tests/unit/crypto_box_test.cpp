// Sealed boxes: round trips, RFC 7748 key derivation, and every way a box fails to open.
#include "core/crypto/box.hpp"

#include <gtest/gtest.h>

#include "core/crypto/hash.hpp"

namespace lontar::crypto {
namespace {

Bytes HexBytes(const char* s) { return HexDecode(s).value(); }

TEST(SealedBox, RoundTripsAndIsAnonymous) {
  auto key = BoxSecretKey::Generate();
  ASSERT_TRUE(key);
  const Bytes message = ToBytes("content key share");
  Bytes a = Seal(key->public_key(), message);
  Bytes b = Seal(key->public_key(), message);
  EXPECT_EQ(a.size(), message.size() + kSealOverhead);
  EXPECT_NE(a, b) << "each seal uses a fresh ephemeral key";
  for (const Bytes& box : {a, b}) {
    auto opened = OpenSealed(*key, box);
    ASSERT_TRUE(opened) << opened.error().message();
    EXPECT_EQ(AsChars(opened->view()), "content key share");
  }
}

TEST(SealedBox, EmptyAndLargeMessages) {
  auto key = BoxSecretKey::Generate();
  ASSERT_TRUE(key);
  for (size_t n : {size_t{0}, size_t{1}, size_t{100000}}) {
    const Bytes message = RandomBytes(n);
    auto opened = OpenSealed(*key, Seal(key->public_key(), message));
    ASSERT_TRUE(opened) << n;
    EXPECT_EQ(Bytes(opened->view().begin(), opened->view().end()), message);
  }
}

TEST(SealedBox, PublicKeyFollowsRfc7748) {
  // RFC 7748 section 6.1: Alice's and Bob's X25519 key pairs.
  struct Pair {
    const char* secret;
    const char* public_key;
  };
  const Pair pairs[] = {
      {"77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a",
       "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a"},
      {"5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb",
       "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f"},
  };
  for (const Pair& p : pairs) {
    auto key = BoxSecretKey::FromBytes(HexBytes(p.secret));
    ASSERT_TRUE(key);
    EXPECT_EQ(HexEncode(key->public_key().view()), p.public_key);
    EXPECT_EQ(key->id(), KeyId::Derive("X2", HexBytes(p.public_key)));
  }
}

TEST(SealedBox, PublicKeyIsRecomputedFromTheSecret) {
  auto key = BoxSecretKey::Generate();
  ASSERT_TRUE(key);
  auto again = BoxSecretKey::FromBytes(key->secret_view());
  ASSERT_TRUE(again);
  EXPECT_EQ(again->public_key(), key->public_key());
  EXPECT_EQ(again->public_key().id(), key->public_key().id());
}

TEST(SealedBox, OtherKeySaysWhichKeyCouldNotOpenIt) {
  auto key = BoxSecretKey::Generate();
  auto other = BoxSecretKey::Generate();
  ASSERT_TRUE(key && other);
  auto wrong = OpenSealed(*other, Seal(key->public_key(), ToBytes("x")));
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().kind(), ErrorKind::kWrongKey);
  EXPECT_EQ(wrong.error().message(), "sealed box cannot be opened with key " +
                                         other->id().ToString() +
                                         ": not addressed to it, or damaged");
}

TEST(SealedBox, EveryFlippedByteIsCaught) {
  auto key = BoxSecretKey::Generate();
  ASSERT_TRUE(key);
  const Bytes sealed = Seal(key->public_key(), ToBytes("a content key"));
  // Ephemeral public key, MAC and ciphertext alike.
  for (size_t i = 0; i < sealed.size(); ++i) {
    Bytes bad = sealed;
    bad[i] ^= 0x01;
    auto r = OpenSealed(*key, bad);
    ASSERT_FALSE(r) << "flip at " << i << " was accepted";
    EXPECT_EQ(r.error().kind(), ErrorKind::kWrongKey);
  }
}

TEST(SealedBox, TruncatedAndExtendedBoxesFail) {
  auto key = BoxSecretKey::Generate();
  ASSERT_TRUE(key);
  Bytes sealed = Seal(key->public_key(), ToBytes("abc"));
  EXPECT_EQ(OpenSealed(*key, ByteView(sealed.data(), sealed.size() - 1)).error().kind(),
            ErrorKind::kWrongKey);
  sealed.push_back(0);
  EXPECT_EQ(OpenSealed(*key, sealed).error().kind(), ErrorKind::kWrongKey);
  for (size_t n : {size_t{0}, size_t{1}, size_t{47}}) {
    auto r = OpenSealed(*key, Bytes(n));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind(), ErrorKind::kMalformed);
    EXPECT_NE(r.error().message().find("shorter than its 48-byte overhead"), std::string::npos);
  }
  // Exactly the overhead is a well-formed box of an empty message, but forged.
  EXPECT_EQ(OpenSealed(*key, Bytes(48, 0x42)).error().kind(), ErrorKind::kWrongKey);
}

TEST(SealedBox, WrongLengthsAndLowOrderKeysAreRefused) {
  EXPECT_EQ(BoxPublicKey::FromBytes(Bytes(31)).error().kind(), ErrorKind::kMalformed);
  EXPECT_EQ(BoxPublicKey::FromBytes(Bytes(33)).error().kind(), ErrorKind::kMalformed);
  EXPECT_EQ(BoxSecretKey::FromBytes(Bytes(31)).error().kind(), ErrorKind::kMalformed);
  EXPECT_EQ(BoxSecretKey::FromBytes(Bytes(33)).error().kind(), ErrorKind::kMalformed);
  // u = 0, u = 1 and u = p - 1 are points of order 1..4: anything sealed to them is readable.
  Bytes one(32, 0);
  one[0] = 1;
  for (const Bytes& low :
       {Bytes(32, 0), one,
        HexBytes("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")}) {
    auto r = BoxPublicKey::FromBytes(low);
    ASSERT_FALSE(r) << HexEncode(low);
    EXPECT_EQ(r.error().kind(), ErrorKind::kMalformed);
    EXPECT_NE(r.error().message().find("low-order"), std::string::npos);
  }
}

}  // namespace
}  // namespace lontar::crypto

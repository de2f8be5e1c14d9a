#include "core/crypto/sign.hpp"

#include <gtest/gtest.h>

namespace lontar::crypto {
namespace {

struct Vector {
  const char* name;
  const char* seed;
  const char* public_key;
  const char* message;
  const char* signature;
};

// RFC 8032 section 7.1, Ed25519 test vectors.
constexpr Vector kRfc8032[] = {
    {"TEST 1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
     "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
     "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e3970"
     "1cf9b46bd25bf5f0595bbe24655141438e7a100b"},
    {"TEST 2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
     "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
     "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613"
     "d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
    {"TEST 3", "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
     "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
     "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760"
     "984dc6594a7c15e9716ed28dc027beceea1ec40a"},
    {"TEST SHA(abc)", "833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42",
     "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23"
     "a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
     "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c6"
     "6431e0303dca179c138ac17ad9bef1177331a704"},
};

Bytes Hex(const char* s) { return HexDecode(s).value(); }

TEST(Ed25519, Rfc8032KnownAnswers) {
  for (const Vector& v : kRfc8032) {
    SCOPED_TRACE(v.name);
    auto key = SigningKey::FromSeed(Hex(v.seed));
    ASSERT_TRUE(key) << key.error().message();
    EXPECT_EQ(HexEncode(key->public_key().view()), v.public_key);
    const Bytes message = Hex(v.message);
    const Signature sig = key->Sign(message);
    EXPECT_EQ(HexEncode(sig), v.signature);
    auto pk = VerifyKey::FromBytes(Hex(v.public_key));
    ASSERT_TRUE(pk);
    EXPECT_TRUE(pk->Verify(message, Hex(v.signature)));
  }
}

class Ed25519Negative : public ::testing::Test {
 protected:
  void SetUp() override {
    auto k = SigningKey::FromSeed(Hex(kRfc8032[2].seed));
    ASSERT_TRUE(k);
    key_.emplace(std::move(*k));
    message_ = Hex(kRfc8032[2].message);
    sig_ = Hex(kRfc8032[2].signature);
  }
  std::optional<SigningKey> key_;
  Bytes message_, sig_;
};

TEST_F(Ed25519Negative, FlippedMessageBitFails) {
  message_[0] ^= 0x01;
  auto st = key_->public_key().Verify(message_, sig_);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind(), ErrorKind::kBadSignature);
  EXPECT_NE(st.error().message().find(key_->id().ToString()), std::string::npos);
}

TEST_F(Ed25519Negative, FlippedSignatureBitFails) {
  for (size_t i : {size_t{0}, size_t{31}, size_t{32}, size_t{63}}) {
    Bytes bad = sig_;
    bad[i] ^= 0x80;
    EXPECT_FALSE(key_->public_key().Verify(message_, bad)) << "byte " << i;
  }
}

TEST_F(Ed25519Negative, OtherKeyFails) {
  auto other = VerifyKey::FromBytes(Hex(kRfc8032[0].public_key));
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->Verify(message_, sig_));
}

TEST_F(Ed25519Negative, WrongLengthsAreRejected) {
  EXPECT_EQ(key_->public_key().Verify(message_, Bytes(63)).error().kind(),
            ErrorKind::kBadSignature);
  EXPECT_EQ(VerifyKey::FromBytes(Bytes(31)).error().kind(), ErrorKind::kMalformed);
  EXPECT_EQ(SigningKey::FromSeed(Bytes(31)).error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(SigningKey::FromSecretKey(Bytes(63)).error().kind(), ErrorKind::kMalformed);
}

TEST_F(Ed25519Negative, InvalidPointsAreRejectedAtTheDoor) {
  // The identity point (small order) and a non-canonical encoding (y >= p).
  Bytes identity(32, 0);
  identity[0] = 1;
  EXPECT_EQ(VerifyKey::FromBytes(identity).error().kind(), ErrorKind::kMalformed);
  Bytes noncanonical(32, 0xff);
  noncanonical[31] = 0x7f;
  EXPECT_EQ(VerifyKey::FromBytes(noncanonical).error().kind(), ErrorKind::kMalformed);
}

TEST_F(Ed25519Negative, DamagedSecretKeyIsCaught) {
  Bytes sk(key_->secret_view().begin(), key_->secret_view().end());
  sk[40] ^= 0x01;  // in the public half
  auto loaded = SigningKey::FromSecretKey(sk);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().kind(), ErrorKind::kCorruption);
}

TEST(KeyId, PrintsInMinisignOrderAndParsesBack) {
  KeyId id;
  for (int i = 0; i < 8; ++i) id.bytes[i] = static_cast<std::uint8_t>(i + 1);
  EXPECT_EQ(id.ToString(), "0807060504030201");
  auto parsed = KeyId::Parse("0807060504030201");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, id);
  EXPECT_FALSE(KeyId::Parse("08070605040302"));
  EXPECT_FALSE(KeyId::Parse("zz07060504030201"));
}

TEST(KeyId, DependsOnAlgorithmAndKey) {
  const Bytes a = Hex(kRfc8032[0].public_key);
  const Bytes b = Hex(kRfc8032[1].public_key);
  EXPECT_NE(KeyId::Derive("Ed", a), KeyId::Derive("Ed", b));
  EXPECT_NE(KeyId::Derive("Ed", a), KeyId::Derive("X2", a));
  EXPECT_EQ(KeyId::Derive("Ed", a), KeyId::Derive("Ed", a));
}

}  // namespace
}  // namespace lontar::crypto

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
    {"TEST 1024", "f5e5767cf153319517630f226876b86c8160cc583bc013744c6bf255f5cc0ee5",
     "278117fc144c72340f67d0f2316e8386ceffbf2b2428c9c51fef7c597f1d426e",
     "08b8b2b733424243760fe426a4b54908632110a66c2f6591eabd3345e3e4eb98fa6e264bf09efe12ee50f8f5"
     "4e9f77b1e355f6c50544e23fb1433ddf73be84d879de7c0046dc4996d9e773f4bc9efe5738829adb26c81b37"
     "c93a1b270b20329d658675fc6ea534e0810a4432826bf58c941efb65d57a338bbd2e26640f89ffbc1a858efc"
     "b8550ee3a5e1998bd177e93a7363c344fe6b199ee5d02e82d522c4feba15452f80288a821a579116ec6dad2b"
     "3b310da903401aa62100ab5d1a36553e06203b33890cc9b832f79ef80560ccb9a39ce767967ed628c6ad573c"
     "b116dbefefd75499da96bd68a8a97b928a8bbc103b6621fcde2beca1231d206be6cd9ec7aff6f6c94fcd7204"
     "ed3455c68c83f4a41da4af2b74ef5c53f1d8ac70bdcb7ed185ce81bd84359d44254d95629e9855a94a7c1958"
     "d1f8ada5d0532ed8a5aa3fb2d17ba70eb6248e594e1a2297acbbb39d502f1a8c6eb6f1ce22b3de1a1f40cc24"
     "554119a831a9aad6079cad88425de6bde1a9187ebb6092cf67bf2b13fd65f27088d78b7e883c8759d2c4f5c6"
     "5adb7553878ad575f9fad878e80a0c9ba63bcbcc2732e69485bbc9c90bfbd62481d9089beccf80cfe2df16a2"
     "cf65bd92dd597b0707e0917af48bbb75fed413d238f5555a7a569d80c3414a8d0859dc65a46128bab27af87a"
     "71314f318c782b23ebfe808b82b0ce26401d2e22f04d83d1255dc51addd3b75a2b1ae0784504df543af8969b"
     "e3ea7082ff7fc9888c144da2af58429ec96031dbcad3dad9af0dcbaaaf268cb8fcffead94f3c7ca495e056a9"
     "b47acdb751fb73e666c6c655ade8297297d07ad1ba5e43f1bca32301651339e22904cc8c42f58c30c04aafdb"
     "038dda0847dd988dcda6f3bfd15c4b4c4525004aa06eeff8ca61783aacec57fb3d1f92b0fe2fd1a85f672451"
     "7b65e614ad6808d6f6ee34dff7310fdc82aebfd904b01e1dc54b2927094b2db68d6f903b68401adebf5a7e08"
     "d78ff4ef5d63653a65040cf9bfd4aca7984a74d37145986780fc0b16ac451649de6188a7dbdf191f64b5fc5e"
     "2ab47b57f7f7276cd419c17a3ca8e1b939ae49e488acba6b965610b5480109c8b17b80e1b7b750dfc7598d5d"
     "5011fd2dcc5600a32ef5b52a1ecc820e308aa342721aac0943bf6686b64b2579376504ccc493d97e6aed3fb0"
     "f9cd71a43dd497f01f17c0e2cb3797aa2a2f256656168e6c496afc5fb93246f6b1116398a346f1a641f3b041"
     "e989f7914f90cc2c7fff357876e506b50d334ba77c225bc307ba537152f3f1610e4eafe595f6d9d90d11faa9"
     "33a15ef1369546868a7f3a45a96768d40fd9d03412c091c6315cf4fde7cb68606937380db2eaaa707b4c4185"
     "c32eddcdd306705e4dc1ffc872eeee475a64dfac86aba41c0618983f8741c5ef68d3a101e8a3b8cac60c905c"
     "15fc910840b94c00a0b9d0",
     "0aab4c900501b3e24d7cdf4663326a3a87df5e4843b2cbdb67cbf6e460fec350aa5371b1508f9f4528ecea23"
     "c436d94b5e8fcd4f681e30a6ac00a9704a188a03"},
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
    if (std::string_view(v.name) == "TEST 1024") {
      ASSERT_EQ(message.size(), 1023u);
    }
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

TEST_F(Ed25519Negative, NonCanonicalScalarIsRejected) {
  // S + L (the group order) verifies under a lax check; RFC 8032 requires S < L.
  static constexpr std::uint8_t kOrder[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
                                              0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                                              0,    0,    0,    0,    0,    0,    0,    0,
                                              0,    0,    0,    0,    0,    0,    0,    0x10};
  Bytes bad = sig_;
  unsigned carry = 0;
  for (size_t i = 0; i < 32; ++i) {
    carry += bad[32 + i] + kOrder[i];
    bad[32 + i] = static_cast<std::uint8_t>(carry);
    carry >>= 8;
  }
  ASSERT_EQ(carry, 0u);
  auto st = key_->public_key().Verify(message_, bad);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().kind(), ErrorKind::kBadSignature);
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

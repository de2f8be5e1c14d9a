// Argon2id key derivation and PIN hashes: known answers, determinism, and refusals.
#include "core/crypto/kdf.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

namespace lontar::crypto {
namespace {

constexpr Argon2Params kFast{1, 8 * 1024 * 1024};  // tests only: the fastest valid setting

TEST(Argon2id, KnownAnswersArePinned) {
  // Computed independently with the reference implementation's CLI (Debian's argon2 package):
  //   echo -n SECRET | argon2 SALT -id -t 1 -k 8192 -p 1 -l 32 -r
  // A change here would make every pack built before it unreleasable.
  struct Vector {
    const char* secret;
    const char* salt;
    const char* key;
  };
  const Vector vectors[] = {
      {"password", "somesalt12345678",
       "a4a8f129595673e7f3529c51a49cc840a5a1d6f40a5a605162754e39ccc0f8d6"},
      {"482 913", "lontar-salt-0001",
       "84bd49bc01e557780cb6b4794e0d4f6f5fab94a86671a12d2780990ee2efb23e"},
  };
  for (const Vector& v : vectors) {
    auto key = DeriveKey(AsBytes(v.secret), AsBytes(v.salt), kFast);
    ASSERT_TRUE(key) << key.error().message();
    EXPECT_EQ(HexEncode(key->view()), v.key) << v.secret;
  }
}

TEST(Argon2id, DeriveIsDeterministicAndBoundToSaltAndSecret) {
  const Bytes salt(16, 0x11);
  auto a = DeriveKey(AsBytes("482 913"), salt, kFast);
  auto b = DeriveKey(AsBytes("482 913"), salt, kFast);
  auto c = DeriveKey(AsBytes("482 913"), Bytes(16, 0x12), kFast);
  auto d = DeriveKey(AsBytes("482 914"), salt, kFast);
  auto e = DeriveKey(AsBytes("482 913"), salt, Argon2Params{2, kFast.memlimit});
  ASSERT_TRUE(a && b && c && d && e);
  EXPECT_EQ(a->size(), 32u);
  EXPECT_TRUE(ConstantTimeEqual(a->view(), b->view()));
  EXPECT_FALSE(ConstantTimeEqual(a->view(), c->view()));
  EXPECT_FALSE(ConstantTimeEqual(a->view(), d->view()));
  EXPECT_FALSE(ConstantTimeEqual(a->view(), e->view()));
  auto longer = DeriveKey(AsBytes("482 913"), salt, kFast, 64);
  ASSERT_TRUE(longer);
  EXPECT_EQ(longer->size(), 64u);
  EXPECT_TRUE(DeriveKey(ByteView(), salt, kFast)) << "an empty secret is still a valid input";
}

TEST(Argon2id, PresetsAreLibsodiumsAndStayUnderThePinCaps) {
  EXPECT_EQ(Argon2Params::Interactive().opslimit, crypto_pwhash_OPSLIMIT_INTERACTIVE);
  EXPECT_EQ(Argon2Params::Interactive().memlimit, crypto_pwhash_MEMLIMIT_INTERACTIVE);
  EXPECT_EQ(Argon2Params::Moderate().opslimit, crypto_pwhash_OPSLIMIT_MODERATE);
  EXPECT_EQ(Argon2Params::Moderate().memlimit, crypto_pwhash_MEMLIMIT_MODERATE);
  EXPECT_EQ(Argon2Params::ReleaseCode().memlimit, 32u << 20);
  for (const Argon2Params& p :
       {Argon2Params::Interactive(), Argon2Params::Moderate(), Argon2Params::ReleaseCode()}) {
    EXPECT_LE(p.memlimit, kMaxPinHashMemory);
    EXPECT_LE(p.opslimit, kMaxPinHashOpslimit);
  }
}

TEST(Argon2id, RejectsBadInputs) {
  auto salt = DeriveKey(AsBytes("x"), Bytes(15), kFast);
  ASSERT_FALSE(salt);
  EXPECT_EQ(salt.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(salt.error().message().find("salt must be 16 bytes"), std::string::npos);
  EXPECT_EQ(DeriveKey(AsBytes("x"), Bytes(17), kFast).error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_EQ(DeriveKey(AsBytes("x"), Bytes(16), kFast, 8).error().kind(),
            ErrorKind::kInvalidArgument);
  EXPECT_EQ(DeriveKey(AsBytes("x"), Bytes(16), kFast, 65).error().kind(),
            ErrorKind::kInvalidArgument);
  auto params = DeriveKey(AsBytes("x"), Bytes(16), Argon2Params{0, 1024});
  ASSERT_FALSE(params);
  EXPECT_EQ(params.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(params.error().message().find("out of range"), std::string::npos);
}

TEST(PinHash, VerifiesTheRightPinOnly) {
  auto hash = HashPin("739251", kFast);
  ASSERT_TRUE(hash);
  EXPECT_TRUE(hash->starts_with("$argon2id$v=19$m=8192,t=1,p=1$")) << *hash;
  auto again = HashPin("739251", kFast);
  ASSERT_TRUE(again);
  EXPECT_NE(*hash, *again) << "each hash has a fresh salt";
  for (const std::string& h : {*hash, *again}) {
    EXPECT_TRUE(VerifyPin(h, "739251").value());
    EXPECT_FALSE(VerifyPin(h, "739252").value());
    EXPECT_FALSE(VerifyPin(h, "").value());
    EXPECT_FALSE(VerifyPin(h, "7392510").value());
  }
}

TEST(PinHash, DamagedHashesAreNotWrongPins) {
  auto hash = HashPin("739251", kFast);
  ASSERT_TRUE(hash);
  const std::string bad[] = {
      "",
      "$2b$10$abc",
      "$argon2i$v=19$m=8192,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaA",
      hash->substr(0, 20),
      hash->substr(0, hash->size() - 10),
      "$argon2id$v=19$garbage",
      "$argon2id$v=18$m=8192,t=1,p=1$c2FsdA$aGFzaA",
      "$argon2id$v=19$m=,t=1,p=1$c2FsdA$aGFzaA",
      std::string("$argon2id$v=19$m=8192,t=1,p=1$\0salt", 35),
      std::string(200, '$'),
  };
  for (const std::string& b : bad) {
    auto r = VerifyPin(b, "739251");
    ASSERT_FALSE(r) << b;
    EXPECT_EQ(r.error().kind(), ErrorKind::kMalformed) << b;
  }
}

TEST(PinHash, ExcessiveCostIsRefusedBeforeRunning) {
  // 4 GiB: would take the terminal down if run. Refused at once.
  auto r = VerifyPin("$argon2id$v=19$m=4194304,t=1,p=1$c29tZXNhbHQxMjM0NTY3OA$aGFzaGhhc2hoYXNo",
                     "739251");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kMalformed);
  EXPECT_NE(r.error().message().find("4096 MiB"), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("lontar pack hash-pin"), std::string::npos);
  auto passes = VerifyPin("$argon2id$v=19$m=8192,t=1000,p=1$c29tZXNhbHQxMjM0NTY3OA$aGFzaA", "1");
  ASSERT_FALSE(passes);
  EXPECT_EQ(passes.error().kind(), ErrorKind::kMalformed);
  auto hash = HashPin("1", Argon2Params{1, kMaxPinHashMemory + 1024});
  ASSERT_FALSE(hash);
  EXPECT_EQ(hash.error().kind(), ErrorKind::kInvalidArgument);
}

}  // namespace
}  // namespace lontar::crypto

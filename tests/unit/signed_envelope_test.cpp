#include "core/format/signed_envelope.hpp"

#include <gtest/gtest.h>

#include <random>

namespace lontar::format {
namespace {

class SignedEnvelopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto k = crypto::SigningKey::Generate();
    ASSERT_TRUE(k);
    key_.emplace(std::move(*k));
  }
  std::string Write(std::string_view body = R"({"site":"SITE-01"})") {
    return WriteSignedEnvelope("lontar-test", 1, *key_, body);
  }
  Result<SignedEnvelope> Read(const std::string& text, int max_version = 1) {
    return ReadSignedEnvelope(AsBytes(text), "lontar-test", max_version, 4096);
  }
  // Reading `text` fails with `kind`, in a message that says `says`.
  void ExpectRefused(const std::string& text, ErrorKind kind, std::string_view says) {
    auto e = Read(text);
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().kind(), kind) << e.error().message();
    EXPECT_NE(e.error().message().find(says), std::string::npos) << e.error().message();
  }
  std::optional<crypto::SigningKey> key_;
};

TEST_F(SignedEnvelopeTest, RoundTrips) {
  auto e = Read(Write());
  ASSERT_TRUE(e) << e.error().message();
  EXPECT_EQ(e->body, R"({"site":"SITE-01"})");
  EXPECT_EQ(e->signer, key_->public_key());
  EXPECT_EQ(e->version, 1);
}

TEST_F(SignedEnvelopeTest, AlteredBodyFailsSignature) {
  std::string text = Write();
  text.replace(text.find("SITE-01"), 7, "SITE-02");
  ExpectRefused(text, ErrorKind::kBadSignature, "altered or damaged");
}

TEST_F(SignedEnvelopeTest, OtherFormatIsNamed) {
  ExpectRefused(WriteSignedEnvelope("lontar-other", 1, *key_, "{}"), ErrorKind::kMalformed,
                "'lontar-other' record");
}

TEST_F(SignedEnvelopeTest, NewerVersionSaysUpgrade) {
  ExpectRefused(WriteSignedEnvelope("lontar-test", 2, *key_, "{}"), ErrorKind::kTooNew, "Upgrade");
}

TEST_F(SignedEnvelopeTest, TruncatedOrOversizeIsMalformed) {
  std::string text = Write();
  ExpectRefused(text.substr(0, text.size() / 2), ErrorKind::kMalformed, "truncated");
  auto big = ReadSignedEnvelope(AsBytes(text), "lontar-test", 1, 16);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().kind(), ErrorKind::kMalformed);
}

TEST_F(SignedEnvelopeTest, MissingFieldsAreNamed) {
  for (const char* text :
       {R"({"format":"lontar-test","version":1})", R"({"format":"lontar-test"})",
        R"({"format":"lontar-test","version":1,"signer":"AAAA","body":"{}","signature":"x"})",
        R"([1,2,3])", "", "null"}) {
    auto e = Read(text);
    ASSERT_FALSE(e) << text;
    EXPECT_EQ(e.error().kind(), ErrorKind::kMalformed) << text << ": " << e.error().message();
  }
}

// Random byte mutations of a valid envelope: every result is either a clean rejection or,
// when a mutation is semantically neutral (e.g. JSON whitespace), the original body.
TEST_F(SignedEnvelopeTest, MutationsNeverCrashOrPassAlteredBodies) {
  const std::string body = R"({"terminal_id":"T-1","n":1})";
  const std::string valid = Write(body);
  std::mt19937 rng(1123);
  for (int i = 0; i < 5000; ++i) {
    std::string m = valid;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) {
      size_t at = rng() % m.size();
      switch (rng() % 3) {
        case 0:
          m[at] = static_cast<char>(rng());
          break;
        case 1:
          m.erase(at, 1 + rng() % 8);
          break;
        default:
          m.insert(at, 1, static_cast<char>(rng()));
          break;
      }
      if (m.empty()) m = "x";
    }
    auto e = Read(m);
    if (e) {
      EXPECT_EQ(e->body, body) << "mutation " << i << " passed with an altered body";
    }
  }
}

}  // namespace
}  // namespace lontar::format

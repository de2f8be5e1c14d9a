// Key files, minisign compatibility (both ways, with the real minisign binary) and `lontar keys`.
#include "core/crypto/key_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/support/test_support.hpp"

namespace lontar::crypto {
namespace {

using lontar::testing::ReadText;
using lontar::testing::RunLontar;
using lontar::testing::RunProgram;
using lontar::testing::TempDir;
using lontar::testing::WriteText;

constexpr char kMinisign[] = "/usr/bin/minisign";

bool HaveMinisign() { return std::filesystem::exists(kMinisign); }

TEST(KeyFile, SigningKeysRoundTrip) {
  auto key = SigningKey::Generate();
  ASSERT_TRUE(key);
  auto pub = ParseSigningPublicKey(FormatSigningPublicKey(key->public_key(), "test"));
  ASSERT_TRUE(pub) << pub.error().message();
  EXPECT_EQ(*pub, key->public_key());
  auto secret_text = FormatSigningSecretKey(*key, "test");
  ASSERT_TRUE(secret_text);
  auto back = ParseSigningSecretKey(secret_text->view());
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->public_key(), key->public_key());
}

TEST(KeyFile, BoxKeysRoundTrip) {
  auto key = BoxSecretKey::Generate();
  ASSERT_TRUE(key);
  auto pub = ParseBoxPublicKey(FormatBoxPublicKey(key->public_key(), "test"));
  ASSERT_TRUE(pub) << pub.error().message();
  EXPECT_EQ(*pub, key->public_key());
  auto secret_text = FormatBoxSecretKey(*key, "test");
  ASSERT_TRUE(secret_text);
  auto back = ParseBoxSecretKey(secret_text->view());
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->public_key(), key->public_key());
}

TEST(KeyFile, EachRejectionSaysWhy) {
  auto sk = SigningKey::Generate();
  auto bk = BoxSecretKey::Generate();
  ASSERT_TRUE(sk && bk);
  const std::string ed_pub = FormatSigningPublicKey(sk->public_key(), "c");
  const std::string x_pub = FormatBoxPublicKey(bk->public_key(), "c");
  struct Case {
    std::string text;
    ErrorKind kind;
    const char* says;
  };
  std::string wrong_id = ed_pub;
  {
    // Re-encode with a different key id.
    auto line = ed_pub.substr(ed_pub.find('\n') + 1);
    auto blob = Base64Decode(line.substr(0, line.size() - 1)).value();
    blob[3] ^= 1;
    wrong_id = "untrusted comment: c\n" + Base64Encode(blob) + "\n";
  }
  const Case cases[] = {
      {"", ErrorKind::kMalformed, "must start with 'untrusted comment:'"},
      {"hello\n", ErrorKind::kMalformed, "must start with 'untrusted comment:'"},
      {"untrusted comment: x", ErrorKind::kMalformed, "truncated"},
      {"untrusted comment: x\n!!!!\n", ErrorKind::kMalformed, "not base64"},
      {"untrusted comment: x\nAAAA\n", ErrorKind::kMalformed, "expected 42 bytes"},
      {x_pub, ErrorKind::kMalformed, "algorithm is not Ed"},
      {wrong_id, ErrorKind::kCorruption, "key id does not match"},
  };
  for (const Case& c : cases) {
    auto r = ParseSigningPublicKey(c.text);
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error().kind(), c.kind) << c.text << ": " << r.error().message();
    EXPECT_NE(r.error().message().find(c.says), std::string::npos) << r.error().message();
  }
  auto secret_as_pub = FormatSigningSecretKey(*sk, "c");
  ASSERT_TRUE(secret_as_pub);
  auto r = ParseBoxSecretKey(secret_as_pub->view());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("Ed25519 signing key, not an X25519"), std::string::npos)
      << r.error().message();
}

TEST(KeyFile, DamagedSecretKeyChecksumIsCaught) {
  auto sk = SigningKey::Generate();
  ASSERT_TRUE(sk);
  auto text = FormatSigningSecretKey(*sk, "c");
  ASSERT_TRUE(text);
  std::string s(AsChars(text->view()));
  auto nl = s.find('\n');
  auto blob = Base64Decode(s.substr(nl + 1, s.size() - nl - 2)).value();
  blob[100] ^= 1;  // inside the secret key
  const std::string damaged = s.substr(0, nl + 1) + Base64Encode(blob) + "\n";
  auto r = ParseSigningSecretKey(AsBytes(damaged));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kCorruption);
  EXPECT_NE(r.error().message().find("checksum"), std::string::npos);
}

TEST(KeyFile, SecretKeyReadableByOthersIsRefused) {
  TempDir dir;
  auto sk = SigningKey::Generate();
  ASSERT_TRUE(sk);
  auto text = FormatSigningSecretKey(*sk, "c");
  ASSERT_TRUE(text);
  WriteText(dir / "a.key", std::string(AsChars(text->view())));
  ASSERT_EQ(::chmod((dir / "a.key").c_str(), 0640), 0);
  auto r = ReadSigningSecretKeyFile(dir / "a.key");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kPermission);
  EXPECT_NE(r.error().message().find("chmod 600"), std::string::npos);
  ASSERT_EQ(::chmod((dir / "a.key").c_str(), 0600), 0);
  EXPECT_TRUE(ReadSigningSecretKeyFile(dir / "a.key"));
}

TEST(Minisign, OwnSignaturesVerifyAndRejectTampering) {
  auto sk = SigningKey::Generate();
  auto other = SigningKey::Generate();
  ASSERT_TRUE(sk && other);
  const Bytes content = ToBytes("exam pack bytes");
  const std::string sig = MinisignSign(*sk, content, "lontar pack DEMO v3");
  auto ok = MinisignVerify(sk->public_key(), content, sig);
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(*ok, "lontar pack DEMO v3");
  EXPECT_EQ(MinisignVerify(sk->public_key(), ToBytes("exam pack byteZ"), sig).error().kind(),
            ErrorKind::kBadSignature);
  EXPECT_EQ(MinisignVerify(other->public_key(), content, sig).error().kind(),
            ErrorKind::kUntrusted);
  std::string comment = sig;
  comment.replace(comment.find("DEMO"), 4, "DEMX");
  auto c = MinisignVerify(sk->public_key(), content, comment);
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message().find("trusted comment was altered"), std::string::npos);
  EXPECT_EQ(MinisignVerify(sk->public_key(), content, "garbage").error().kind(),
            ErrorKind::kMalformed);
}

TEST(Minisign, StockMinisignVerifiesOurKeysAndSignatures) {
  if (!HaveMinisign()) GTEST_SKIP() << "minisign is not installed (.ci/install-deps adds it)";
  TempDir dir;
  auto made = RunLontar({"keys", "new", "authority", "--out", dir.path().string()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  WriteText(dir / "pack.lpk", "pretend this is a pack");
  auto key = ReadSigningSecretKeyFile(dir / "authority.key");
  ASSERT_TRUE(key) << key.error().message();
  WriteText(dir / "pack.lpk.minisig",
            MinisignSign(*key, ToBytes("pretend this is a pack"), "lontar pack DEMO v1"));
  auto v = RunProgram(
      kMinisign, {"-V", "-p", (dir / "authority.pub").string(), "-m", (dir / "pack.lpk").string()});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE(v.out.find("lontar pack DEMO v1"), std::string::npos) << v.out;
  // minisign names the key by the same id lontar printed.
  const std::string id = made.out.substr(0, 16);
  EXPECT_NE(ReadText(dir / "authority.pub").find(id), std::string::npos);

  WriteText(dir / "pack.lpk", "pretend this is a pacK");
  auto tampered = RunProgram(
      kMinisign, {"-V", "-p", (dir / "authority.pub").string(), "-m", (dir / "pack.lpk").string()});
  EXPECT_NE(tampered.exit_code, 0);
}

TEST(Minisign, StockMinisignSignsWithOurSecretKeyAndWeVerify) {
  if (!HaveMinisign()) GTEST_SKIP() << "minisign is not installed (.ci/install-deps adds it)";
  TempDir dir;
  ASSERT_EQ(RunLontar({"keys", "new", "server", "--out", dir.path().string()}).exit_code, 0);
  WriteText(dir / "receipt", "bundle 42 stored");
  auto s = RunProgram(kMinisign, {"-S", "-s", (dir / "server.key").string(), "-m",
                                  (dir / "receipt").string(), "-t", "receipt 42"});
  ASSERT_EQ(s.exit_code, 0) << s.out << s.err;
  auto pub = ReadSigningPublicKeyFile(dir / "server.pub");
  ASSERT_TRUE(pub);
  auto v = MinisignVerify(*pub, ToBytes("bundle 42 stored"), ReadText(dir / "receipt.minisig"));
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(*v, "receipt 42");
}

TEST(Minisign, KeysMadeByStockMinisignAreRefusedWithAReason) {
  // minisign picks random key ids; Lontar derives them from the key so that an id can never be
  // claimed by another key. Such keys are refused, saying how to make a usable one.
  if (!HaveMinisign()) GTEST_SKIP() << "minisign is not installed (.ci/install-deps adds it)";
  TempDir dir;
  auto g = RunProgram(kMinisign,
                      {"-G", "-W", "-p", (dir / "m.pub").string(), "-s", (dir / "m.key").string()});
  ASSERT_EQ(g.exit_code, 0) << g.err;
  auto sk = ReadSigningSecretKeyFile(dir / "m.key");
  ASSERT_FALSE(sk);
  EXPECT_NE(sk.error().message().find("lontar keys new"), std::string::npos);
  auto pub = ReadSigningPublicKeyFile(dir / "m.pub");
  ASSERT_FALSE(pub);
  EXPECT_NE(pub.error().message().find("key id does not match"), std::string::npos);
}

TEST(KeysCommand, WritesPrivateKeysAndRefusesToOverwrite) {
  TempDir dir;
  const auto out = dir / "keys";
  for (const char* kind : {"authority", "results", "server"}) {
    auto r = RunLontar({"keys", "new", kind, "--out", out.string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["kind"], kind);
    EXPECT_EQ(j["algorithm"], std::string(kind) == "results" ? "X25519" : "Ed25519");
    struct stat st {};
    ASSERT_EQ(::stat((out / (std::string(kind) + ".key")).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    auto show = RunLontar({"keys", "show", (out / (std::string(kind) + ".pub")).string()});
    ASSERT_EQ(show.exit_code, 0) << show.err;
    EXPECT_NE(show.out.find(j["key_id"].get<std::string>()), std::string::npos);
    auto secret = RunLontar({"keys", "show", (out / (std::string(kind) + ".key")).string()});
    ASSERT_EQ(secret.exit_code, 0) << secret.err;
    EXPECT_NE(secret.out.find("secret key " + j["key_id"].get<std::string>()), std::string::npos);
  }
  const std::string before = ReadText(out / "authority.key");
  auto again = RunLontar({"keys", "new", "authority", "--out", out.string()});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("refusing to overwrite a key"), std::string::npos) << again.err;
  EXPECT_EQ(ReadText(out / "authority.key"), before);
  auto bad_kind = RunLontar({"keys", "new", "banana", "--out", out.string()});
  EXPECT_NE(bad_kind.exit_code, 0);
}

TEST(KeysCommand, ShowRejectsNonKeys) {
  TempDir dir;
  WriteText(dir / "x.pub", "untrusted comment: x\nAAAA\n");
  auto r = RunLontar({"keys", "show", (dir / "x.pub").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("x.pub"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace lontar::crypto

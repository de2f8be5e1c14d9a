// Key files and minisign signatures: round trips, each rejection with its message, and
// compatibility both ways with the real minisign binary.
#include "core/crypto/key_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "core/crypto/hash.hpp"
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

// The decoded key line of a key file's text.
Bytes KeyBlob(std::string_view text) {
  auto nl = text.find('\n');
  auto end = text.find('\n', nl + 1);
  return Base64Decode(text.substr(nl + 1, end - nl - 1)).value();
}

std::string WithBlob(ByteView blob) {
  return "untrusted comment: edited\n" + Base64Encode(blob) + "\n";
}

TEST(KeyFile, SigningKeysRoundTrip) {
  auto key = SigningKey::Generate();
  ASSERT_TRUE(key);
  const std::string pub_text = FormatSigningPublicKey(key->public_key(), "test");
  EXPECT_TRUE(pub_text.starts_with("untrusted comment: test\nRW")) << "minisign's 'Ed' prefix";
  auto pub = ParseSigningPublicKey(pub_text);
  ASSERT_TRUE(pub) << pub.error().message();
  EXPECT_EQ(*pub, key->public_key());
  auto secret_text = FormatSigningSecretKey(*key, "test");
  ASSERT_TRUE(secret_text);
  auto back = ParseSigningSecretKey(secret_text->view());
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->public_key(), key->public_key());
  EXPECT_TRUE(ConstantTimeEqual(back->secret_view(), key->secret_view()));
}

TEST(KeyFile, SecretKeyLayoutIsMinisigns) {
  auto key = SigningKey::Generate();
  ASSERT_TRUE(key);
  auto text = FormatSigningSecretKey(*key, "layout");
  ASSERT_TRUE(text);
  const Bytes blob = KeyBlob(AsChars(text->view()));
  ASSERT_EQ(blob.size(), 158u);
  EXPECT_EQ(AsChars(ByteView(blob.data(), 6)), std::string_view("Ed\0\0B2", 6));
  EXPECT_TRUE(std::all_of(blob.begin() + 6, blob.begin() + 54, [](auto b) { return b == 0; }))
      << "salt, opslimit and memlimit are zero for an unencrypted key";
  const KeyId id = key->id();
  EXPECT_TRUE(std::equal(id.bytes.begin(), id.bytes.end(), blob.begin() + 54));
  EXPECT_TRUE(ConstantTimeEqual(ByteView(blob).subspan(62, 64), key->secret_view()));
  Blake2bHasher h(32);
  h.Update(AsBytes("Ed")).Update(ByteView(blob).subspan(54, 72));
  EXPECT_EQ(h.Finish(), Bytes(blob.begin() + 126, blob.end()));
}

TEST(KeyFile, BoxKeysRoundTrip) {
  auto key = BoxSecretKey::Generate();
  ASSERT_TRUE(key);
  const std::string pub_text = FormatBoxPublicKey(key->public_key(), "test");
  EXPECT_EQ(KeyBlob(pub_text)[0], 'X');
  auto pub = ParseBoxPublicKey(pub_text);
  ASSERT_TRUE(pub) << pub.error().message();
  EXPECT_EQ(*pub, key->public_key());
  auto secret_text = FormatBoxSecretKey(*key, "test");
  ASSERT_TRUE(secret_text);
  auto back = ParseBoxSecretKey(secret_text->view());
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->public_key(), key->public_key());
}

TEST(KeyFile, CommentsStayOnOneLine) {
  auto key = SigningKey::Generate();
  ASSERT_TRUE(key);
  const std::string text = FormatSigningPublicKey(key->public_key(), "two\nlines\r");
  EXPECT_TRUE(text.starts_with("untrusted comment: two lines \n")) << text;
  EXPECT_TRUE(ParseSigningPublicKey(text));
}

TEST(KeyFile, EachPublicKeyRejectionSaysWhy) {
  auto sk = SigningKey::Generate();
  auto bk = BoxSecretKey::Generate();
  ASSERT_TRUE(sk && bk);
  const std::string ed_pub = FormatSigningPublicKey(sk->public_key(), "c");
  const std::string x_pub = FormatBoxPublicKey(bk->public_key(), "c");
  Bytes wrong_id = KeyBlob(ed_pub);
  wrong_id[3] ^= 1;
  Bytes wrong_alg = KeyBlob(ed_pub);
  wrong_alg[1] = 'D';
  Bytes identity = KeyBlob(ed_pub);
  std::fill(identity.begin() + 10, identity.end(), 0);
  identity[10] = 1;
  struct Case {
    std::string text;
    ErrorKind kind;
    const char* says;
  };
  const Case cases[] = {
      {"", ErrorKind::kMalformed, "must start with 'untrusted comment:'"},
      {"hello\n", ErrorKind::kMalformed, "must start with 'untrusted comment:'"},
      {"untrusted comment: x", ErrorKind::kMalformed, "truncated: it has no key line"},
      {"untrusted comment: x\n\n", ErrorKind::kMalformed, "its key line is empty"},
      {"untrusted comment: x\n!!!!\n", ErrorKind::kMalformed, "key line is not base64"},
      {"untrusted comment: x\nAAAA\n", ErrorKind::kMalformed,
       "not a Lontar/minisign Ed25519 public key (expected 42 bytes after base64, got 3)"},
      {x_pub, ErrorKind::kMalformed, "algorithm is not Ed"},
      {WithBlob(wrong_alg), ErrorKind::kMalformed, "algorithm is not Ed"},
      {WithBlob(wrong_id), ErrorKind::kCorruption, "key id does not match"},
      {WithBlob(identity), ErrorKind::kMalformed, "not a valid Ed25519 public key"},
      {ed_pub + ed_pub, ErrorKind::kMalformed, "extra content after its key line"},
      {ed_pub + "junk", ErrorKind::kMalformed, "extra content after its key line"},
  };
  for (const Case& c : cases) {
    auto r = ParseSigningPublicKey(c.text);
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error().kind(), c.kind) << c.text << ": " << r.error().message();
    EXPECT_NE(r.error().message().find(c.says), std::string::npos) << r.error().message();
  }
  // Line endings a text editor may leave are fine.
  std::string crlf = ed_pub;
  crlf.replace(crlf.find('\n'), 1, "\r\n");
  crlf.insert(crlf.size() - 1, "\r");
  EXPECT_TRUE(ParseSigningPublicKey(crlf)) << "CRLF";
  EXPECT_TRUE(ParseSigningPublicKey(ed_pub.substr(0, ed_pub.size() - 1))) << "no final newline";
}

TEST(KeyFile, WrongKindOfKeySaysWhatItIs) {
  auto sk = SigningKey::Generate();
  auto bk = BoxSecretKey::Generate();
  ASSERT_TRUE(sk && bk);
  const std::string ed_pub = FormatSigningPublicKey(sk->public_key(), "c");
  const std::string x_pub = FormatBoxPublicKey(bk->public_key(), "c");
  const std::string ed_key(AsChars(FormatSigningSecretKey(*sk, "c")->view()));
  const std::string x_key(AsChars(FormatBoxSecretKey(*bk, "c")->view()));
  auto says = [](const auto& r, const char* text) {
    EXPECT_FALSE(r);
    if (!r) {
      EXPECT_NE(r.error().message().find(text), std::string::npos) << r.error().message();
    }
  };
  says(ParseSigningSecretKey(AsBytes(ed_pub)),
       "not a Lontar/minisign Ed25519 secret key (expected 158 bytes after base64, got 42) (this "
       "file is an Ed25519 public key (.pub), not a secret key)");
  says(ParseSigningSecretKey(AsBytes(x_key)), "an X25519 results secret key, not an Ed25519 key");
  says(ParseSigningPublicKey(ed_key), "an Ed25519 secret key (.key), not a public key");
  says(ParseBoxSecretKey(AsBytes(ed_key)), "an Ed25519 secret key (.key)");
  says(ParseBoxPublicKey(x_key), "an X25519 results secret key");
  says(ParseBoxPublicKey(ed_pub), "algorithm is not X2");
}

TEST(KeyFile, DamagedSecretKeysAreCaught) {
  auto sk = SigningKey::Generate();
  auto bk = BoxSecretKey::Generate();
  ASSERT_TRUE(sk && bk);
  const Bytes ed = KeyBlob(AsChars(FormatSigningSecretKey(*sk, "c")->view()));
  const Bytes x2 = KeyBlob(AsChars(FormatBoxSecretKey(*bk, "c")->view()));
  struct Case {
    Bytes blob;
    bool ed;
    ErrorKind kind;
    const char* says;
  };
  std::vector<Case> cases;
  Bytes b = ed;
  b[100] ^= 1;  // the secret key
  cases.push_back({b, true, ErrorKind::kCorruption, "checksum mismatch"});
  b = ed;
  b[150] ^= 1;  // the checksum
  cases.push_back({b, true, ErrorKind::kCorruption, "checksum mismatch"});
  b = ed;
  b[2] = 'S';  // minisign's scrypt KDF: a password-protected key
  cases.push_back({b, true, ErrorKind::kMalformed, "password-encrypted"});
  b = x2;
  b[20] ^= 1;
  cases.push_back({b, false, ErrorKind::kCorruption, "checksum mismatch"});
  b = x2;
  b[0] = 'Y';
  cases.push_back({b, false, ErrorKind::kMalformed, "algorithm is not X2"});
  for (const Case& c : cases) {
    const std::string text = WithBlob(c.blob);
    const Error e = c.ed ? ParseSigningSecretKey(AsBytes(text)).error()
                         : ParseBoxSecretKey(AsBytes(text)).error();
    EXPECT_EQ(e.kind(), c.kind) << e.message();
    EXPECT_NE(e.message().find(c.says), std::string::npos) << e.message();
  }
  // A zero checksum is minisign's own unencrypted layout and is accepted.
  b = ed;
  std::fill(b.begin() + 126, b.end(), 0);
  EXPECT_TRUE(ParseSigningSecretKey(AsBytes(WithBlob(b))));
}

TEST(KeyFile, FileErrorsNameTheFile) {
  TempDir dir;
  auto sk = SigningKey::Generate();
  ASSERT_TRUE(sk);
  WriteText(dir / "authority.key", FormatSigningPublicKey(sk->public_key(), "c"));
  ASSERT_EQ(::chmod((dir / "authority.key").c_str(), 0600), 0);
  auto r = ReadSigningSecretKeyFile(dir / "authority.key");
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().message().starts_with(
      (dir / "authority.key").string() +
      ": not a Lontar/minisign Ed25519 secret key (expected 158 bytes after base64, got 42)"))
      << r.error().message();
  auto missing = ReadSigningPublicKeyFile(dir / "nope.pub");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind(), ErrorKind::kNotFound);
  EXPECT_NE(missing.error().message().find("nope.pub"), std::string::npos);
  WriteText(dir / "big.pub", std::string(kMaxKeyFileBytes + 1, 'A'));
  auto big = ReadSigningPublicKeyFile(dir / "big.pub");
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().kind(), ErrorKind::kMalformed);
  EXPECT_NE(big.error().message().find("big.pub"), std::string::npos);
}

TEST(KeyFile, SecretKeyAccessibleByOthersIsRefused) {
  TempDir dir;
  auto sk = SigningKey::Generate();
  auto bk = BoxSecretKey::Generate();
  ASSERT_TRUE(sk && bk);
  WriteText(dir / "a.key", std::string(AsChars(FormatSigningSecretKey(*sk, "c")->view())));
  WriteText(dir / "r.key", std::string(AsChars(FormatBoxSecretKey(*bk, "c")->view())));
  for (mode_t mode : {0640, 0604, 0620, 0644}) {
    ASSERT_EQ(::chmod((dir / "a.key").c_str(), mode), 0);
    auto r = ReadSigningSecretKeyFile(dir / "a.key");
    ASSERT_FALSE(r) << std::oct << mode;
    EXPECT_EQ(r.error().kind(), ErrorKind::kPermission);
    EXPECT_NE(r.error().message().find("chmod 600"), std::string::npos);
  }
  ASSERT_EQ(::chmod((dir / "r.key").c_str(), 0644), 0);
  EXPECT_EQ(ReadBoxSecretKeyFile(dir / "r.key").error().kind(), ErrorKind::kPermission);
  ASSERT_EQ(::chmod((dir / "a.key").c_str(), 0600), 0);
  ASSERT_EQ(::chmod((dir / "r.key").c_str(), 0400), 0);
  EXPECT_TRUE(ReadSigningSecretKeyFile(dir / "a.key"));
  EXPECT_TRUE(ReadBoxSecretKeyFile(dir / "r.key"));
  auto info = InspectKeyFile(dir / "r.key");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->algorithm, "X25519");
  EXPECT_TRUE(info->secret);
  EXPECT_EQ(info->id, bk->id());
  EXPECT_EQ(info->comment, "c");
}

TEST(Minisign, OwnSignaturesVerifyAndRejectTampering) {
  auto sk = SigningKey::Generate();
  auto other = SigningKey::Generate();
  ASSERT_TRUE(sk && other);
  const Bytes content = ToBytes("exam pack bytes");
  const std::string sig = MinisignSign(*sk, content, "lontar pack DEMO v3").value();
  auto ok = MinisignVerify(sk->public_key(), content, sig);
  ASSERT_TRUE(ok) << ok.error().message();
  EXPECT_EQ(*ok, "lontar pack DEMO v3");
  auto changed = MinisignVerify(sk->public_key(), ToBytes("exam pack byteZ"), sig);
  ASSERT_FALSE(changed);
  EXPECT_EQ(changed.error().kind(), ErrorKind::kBadSignature);
  EXPECT_NE(changed.error().message().find("changed after signing"), std::string::npos);
  auto by_other = MinisignVerify(other->public_key(), content, sig);
  ASSERT_FALSE(by_other);
  EXPECT_EQ(by_other.error().kind(), ErrorKind::kUntrusted);
  EXPECT_NE(by_other.error().message().find(sk->id().ToString()), std::string::npos);
  std::string comment = sig;
  comment.replace(comment.find("DEMO"), 4, "DEMX");
  auto c = MinisignVerify(sk->public_key(), content, comment);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().kind(), ErrorKind::kBadSignature);
  EXPECT_NE(c.error().message().find("trusted comment was altered"), std::string::npos);
}

TEST(Minisign, MalformedSignatureFilesSayWhy) {
  auto sk = SigningKey::Generate();
  ASSERT_TRUE(sk);
  const std::string sig = MinisignSign(*sk, ToBytes("x"), "t").value();
  const auto first_lines = [&](int n) {
    size_t pos = 0;
    for (int i = 0; i < n; ++i) pos = sig.find('\n', pos) + 1;
    return sig.substr(0, pos);
  };
  struct Case {
    std::string text;
    const char* says;
  };
  std::string bad_alg = sig;
  {
    auto nl = sig.find('\n');
    Bytes blob = Base64Decode(sig.substr(nl + 1, sig.find('\n', nl + 1) - nl - 1)).value();
    blob[1] = 'X';
    bad_alg = sig.substr(0, nl + 1) + Base64Encode(blob) + sig.substr(sig.find('\n', nl + 1));
  }
  const Case cases[] = {
      {"garbage", "expected four lines"},
      {first_lines(3), "expected four lines"},
      {sig + "extra\n", "expected four lines"},
      {first_lines(1) + "!!!\n" + sig.substr(first_lines(2).size()), "signature line is not"},
      {first_lines(3) + "AAAA\n", "global signature line is not"},
      {bad_alg, "unknown signature algorithm 'EX'"},
      {std::string(kMaxKeyFileBytes + 1, 'a'), "file too large"},
  };
  for (const Case& c : cases) {
    auto r = MinisignVerify(sk->public_key(), ToBytes("x"), c.text);
    ASSERT_FALSE(r) << c.text;
    EXPECT_EQ(r.error().kind(), ErrorKind::kMalformed) << r.error().message();
    EXPECT_NE(r.error().message().find(c.says), std::string::npos) << r.error().message();
  }
  EXPECT_EQ(MinisignSign(*sk, ToBytes("x"), "two\nlines").error().kind(),
            ErrorKind::kInvalidArgument);
  EXPECT_EQ(MinisignSign(*sk, ToBytes("x"), std::string(1025, 'c')).error().kind(),
            ErrorKind::kInvalidArgument);
}

TEST(Minisign, FilesAreSignedInBoundedMemoryAndVerified) {
  TempDir dir;
  auto sk = SigningKey::Generate();
  ASSERT_TRUE(sk);
  const Bytes content = RandomBytes(3 * 1024 * 1024 + 11);
  WriteText(dir / "pack.lpk", std::string(AsChars(content)));
  ASSERT_TRUE(WriteMinisignSignature(*sk, dir / "pack.lpk", "pack v1", Overwrite::kRefuse));
  // The file signature equals the in-memory one (Ed25519 is deterministic).
  EXPECT_EQ(ReadText(dir / "pack.lpk.minisig"), MinisignSign(*sk, content, "pack v1").value());
  auto again = WriteMinisignSignature(*sk, dir / "pack.lpk", "pack v2", Overwrite::kRefuse);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind(), ErrorKind::kAlreadyExists);
  auto v = MinisignVerifyFile(sk->public_key(), dir / "pack.lpk", dir / "pack.lpk.minisig");
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_EQ(*v, "pack v1");
  WriteText(dir / "other", "other");
  auto wrong = MinisignVerifyFile(sk->public_key(), dir / "other", dir / "pack.lpk.minisig");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().kind(), ErrorKind::kBadSignature);
  EXPECT_NE(wrong.error().message().find("pack.lpk.minisig"), std::string::npos);
  auto missing = MinisignSignFile(*sk, dir / "nope", "t");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind(), ErrorKind::kNotFound);
}

TEST(Minisign, StockMinisignVerifiesOurKeysAndSignatures) {
  if (!HaveMinisign()) GTEST_SKIP() << "minisign is not installed (.ci/install-deps adds it)";
  TempDir dir;
  auto made = RunLontar({"keys", "new", "authority", "--out", dir.path().string()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  WriteText(dir / "pack.lpk", std::string(AsChars(RandomBytes(200000))));
  auto key = ReadSigningSecretKeyFile(dir / "authority.key");
  ASSERT_TRUE(key) << key.error().message();
  ASSERT_TRUE(
      WriteMinisignSignature(*key, dir / "pack.lpk", "lontar pack DEMO v1", Overwrite::kRefuse));
  auto v = RunProgram(
      kMinisign, {"-V", "-p", (dir / "authority.pub").string(), "-m", (dir / "pack.lpk").string()});
  EXPECT_EQ(v.exit_code, 0) << v.out << v.err;
  EXPECT_NE(v.out.find("Trusted comment: lontar pack DEMO v1"), std::string::npos) << v.out;
  // minisign names the key by the same id lontar printed.
  const std::string id = made.out.substr(0, 16);
  EXPECT_EQ(id, key->id().ToString());
  EXPECT_NE(ReadText(dir / "authority.pub").find(id), std::string::npos);
  auto by_id = RunProgram(
      kMinisign,
      {"-V", "-P",
       ReadText(dir / "authority.pub").substr(ReadText(dir / "authority.pub").find('\n') + 1, 56),
       "-m", (dir / "pack.lpk").string()});
  EXPECT_EQ(by_id.exit_code, 0) << by_id.err;

  std::string tampered = ReadText(dir / "pack.lpk");
  tampered[1000] ^= 1;
  WriteText(dir / "pack.lpk", tampered);
  auto bad = RunProgram(
      kMinisign, {"-V", "-p", (dir / "authority.pub").string(), "-m", (dir / "pack.lpk").string()});
  EXPECT_NE(bad.exit_code, 0);
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
  auto f = MinisignVerifyFile(*pub, dir / "receipt", dir / "receipt.minisig");
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_FALSE(
      MinisignVerify(*pub, ToBytes("bundle 43 stored"), ReadText(dir / "receipt.minisig")));

  // Legacy (non-prehashed) signatures too.
  std::filesystem::remove(dir / "receipt.minisig");
  auto legacy = RunProgram(kMinisign, {"-S", "-l", "-s", (dir / "server.key").string(), "-m",
                                       (dir / "receipt").string(), "-t", "legacy 42"});
  ASSERT_EQ(legacy.exit_code, 0) << legacy.err;
  const std::string legacy_sig = ReadText(dir / "receipt.minisig");
  EXPECT_EQ(KeyBlob(legacy_sig.substr(0, legacy_sig.find('\n', legacy_sig.find('\n') + 1) + 1))[1],
            'd');
  auto lv = MinisignVerifyFile(*pub, dir / "receipt", dir / "receipt.minisig");
  ASSERT_TRUE(lv) << lv.error().message();
  EXPECT_EQ(*lv, "legacy 42");
}

TEST(Minisign, KeysMadeByStockMinisignParseButAreRefusedForTheirKeyId) {
  // minisign picks random key ids; Lontar derives them from the key so that an id can never be
  // claimed by another key. The layout parses (the secret key's public half matches the .pub),
  // and then the id check refuses the key, saying how to make a usable one.
  if (!HaveMinisign()) GTEST_SKIP() << "minisign is not installed (.ci/install-deps adds it)";
  TempDir dir;
  auto g = RunProgram(kMinisign,
                      {"-G", "-W", "-p", (dir / "m.pub").string(), "-s", (dir / "m.key").string()});
  ASSERT_EQ(g.exit_code, 0) << g.err;
  const Bytes secret_blob = KeyBlob(ReadText(dir / "m.key"));
  const Bytes public_blob = KeyBlob(ReadText(dir / "m.pub"));
  ASSERT_EQ(secret_blob.size(), 158u);
  ASSERT_EQ(public_blob.size(), 42u);
  EXPECT_EQ(AsChars(ByteView(secret_blob.data(), 6)), std::string_view("Ed\0\0B2", 6));
  EXPECT_TRUE(
      std::equal(public_blob.begin() + 2, public_blob.begin() + 10, secret_blob.begin() + 54))
      << "key id at offset 54";
  EXPECT_TRUE(std::equal(public_blob.begin() + 10, public_blob.end(), secret_blob.begin() + 94))
      << "the public half of the 64-byte secret key at offset 62 + 32";
  auto from_sk = SigningKey::FromSecretKey(ByteView(secret_blob).subspan(62, 64));
  ASSERT_TRUE(from_sk) << from_sk.error().message();
  EXPECT_TRUE(std::equal(public_blob.begin() + 10, public_blob.end(),
                         from_sk->public_key().view().begin()));

  auto sk = ReadSigningSecretKeyFile(dir / "m.key");
  ASSERT_FALSE(sk);
  EXPECT_EQ(sk.error().kind(), ErrorKind::kCorruption);
  EXPECT_NE(sk.error().message().find("key id does not match"), std::string::npos);
  EXPECT_NE(sk.error().message().find("lontar keys new"), std::string::npos);
  auto pub = ReadSigningPublicKeyFile(dir / "m.pub");
  ASSERT_FALSE(pub);
  EXPECT_NE(pub.error().message().find("key id does not match"), std::string::npos);
}

}  // namespace
}  // namespace lontar::crypto

// `lontar keys new|show`, run as the real binary: file modes, refusals, exit codes and messages.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/crypto/key_file.hpp"
#include "tests/support/file_mode.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using lontar::testing::ReadText;
using lontar::testing::RunLontar;
using lontar::testing::TempDir;
using lontar::testing::WriteText;

TEST(KeysCommand, MakesEachKindWithPrivateSecretFiles) {
  TempDir dir;
  const auto out = dir / "nested" / "keys";  // created, with parents
  for (const std::string kind : {"authority", "results", "server", "relay"}) {
    SCOPED_TRACE(kind);
    auto r = RunLontar({"keys", "new", kind, "--out", out.string(), "--json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["kind"], kind);
    EXPECT_EQ(j["algorithm"], kind == "results" ? "X25519" : "Ed25519");
    EXPECT_EQ(j["secret_key"], (out / (kind + ".key")).string());
    EXPECT_EQ(j["public_key"], (out / (kind + ".pub")).string());
    EXPECT_EQ(testing::ModeOf(out / (kind + ".key")), 0600u);
    EXPECT_EQ(testing::ModeOf(out / (kind + ".pub")), 0644u);
    const std::string id = j["key_id"];
    EXPECT_EQ(id.size(), 16u);
    if (kind == "results") {
      auto pub = crypto::ReadBoxPublicKeyFile(out / "results.pub");
      auto sec = crypto::ReadBoxSecretKeyFile(out / "results.key");
      ASSERT_TRUE(pub && sec);
      EXPECT_EQ(pub->id().ToString(), id);
      EXPECT_EQ(sec->public_key(), *pub);
    } else {
      auto pub = crypto::ReadSigningPublicKeyFile(out / (kind + ".pub"));
      auto sec = crypto::ReadSigningSecretKeyFile(out / (kind + ".key"));
      ASSERT_TRUE(pub && sec);
      EXPECT_EQ(pub->id().ToString(), id);
      EXPECT_EQ(sec->public_key(), *pub);
    }
  }
  EXPECT_EQ(testing::ModeOf(out), 0700u);
}

TEST(KeysCommand, PlainOutputIsTheKeyId) {
  TempDir dir;
  auto r = RunLontar({"keys", "new", "authority", "--out", dir.path().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto key = crypto::ReadSigningPublicKeyFile(dir / "authority.pub");
  ASSERT_TRUE(key);
  EXPECT_EQ(r.out, key->id().ToString() + "\n");
  EXPECT_NE(r.err.find("authority.key"), std::string::npos) << r.err;
}

// "Keep it offline" is advice for the authority and results keys; a server's or a relay's key
// lives on the machine that signs receipts with it, and the message says so.
TEST(KeysCommand, OnlyOfflineKeysAreCalledOffline) {
  TempDir dir;
  auto authority = RunLontar({"keys", "new", "authority", "--out", dir.path().string()});
  ASSERT_EQ(authority.exit_code, 0) << authority.err;
  EXPECT_NE(authority.err.find("keep it offline"), std::string::npos) << authority.err;
  for (const std::string kind : {"server", "relay"}) {
    auto r = RunLontar({"keys", "new", kind, "--out", dir.path().string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err.find("offline"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("keep it on the " + kind + " that signs receipts"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(kind + ".pub"), std::string::npos) << r.err;
  }
}

TEST(KeysCommand, RefusesToOverwriteEitherFile) {
  TempDir dir;
  ASSERT_EQ(RunLontar({"keys", "new", "authority", "--out", dir.path().string()}).exit_code, 0);
  const std::string key_before = ReadText(dir / "authority.key");
  const std::string pub_before = ReadText(dir / "authority.pub");
  auto again = RunLontar({"keys", "new", "authority", "--out", dir.path().string()});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.out, "");
  EXPECT_NE(again.err.find((dir / "authority.key").string() + " already exists"), std::string::npos)
      << again.err;
  EXPECT_NE(again.err.find("refusing to overwrite a key"), std::string::npos);
  EXPECT_NE(again.err.find("another --out"), std::string::npos);
  EXPECT_EQ(ReadText(dir / "authority.key"), key_before);
  EXPECT_EQ(ReadText(dir / "authority.pub"), pub_before);

  // Only the .pub in the way: still nothing written.
  TempDir other;
  WriteText(other / "server.pub", "someone else's key\n");
  auto pub_taken = RunLontar({"keys", "new", "server", "--out", other.path().string()});
  EXPECT_EQ(pub_taken.exit_code, 1);
  EXPECT_NE(pub_taken.err.find("server.pub already exists"), std::string::npos) << pub_taken.err;
  EXPECT_FALSE(std::filesystem::exists(other / "server.key"));
  EXPECT_EQ(ReadText(other / "server.pub"), "someone else's key\n");
}

// Usage errors exit with CLI11's parse-error codes (main.cpp returns app.exit()), never 0 and
// never 1, which means "the operation failed".
TEST(KeysCommand, UsageErrorsAreNotOperationFailures) {
  TempDir dir;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"keys", "new", "banana", "--out", dir.path().string()},
        std::vector<std::string>{"keys", "new", "authority"}, std::vector<std::string>{"keys"}}) {
    auto r = RunLontar(args);
    EXPECT_EQ(r.exit_code, 2) << args.back();  // documented: 2 is a usage error
    EXPECT_FALSE(r.err.empty());
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
  EXPECT_EQ(RunLontar({"keys", "new", "--help"}).exit_code, 0);
  EXPECT_EQ(RunLontar({"--version"}).exit_code, 0);
}

TEST(KeysCommand, ShowPrintsKindAlgorithmAndIdButNoSecret) {
  TempDir dir;
  for (const std::string kind : {"authority", "results"}) {
    auto made = RunLontar({"keys", "new", kind, "--out", dir.path().string(), "--json"});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    const std::string id = nlohmann::json::parse(made.out)["key_id"];
    const std::string algorithm = kind == "results" ? "X25519" : "Ed25519";
    auto pub = RunLontar({"keys", "show", (dir / (kind + ".pub")).string()});
    ASSERT_EQ(pub.exit_code, 0) << pub.err;
    EXPECT_TRUE(pub.out.starts_with(algorithm + " public key " + id + "\n")) << pub.out;
    auto secret = RunLontar({"keys", "show", (dir / (kind + ".key")).string(), "--json"});
    ASSERT_EQ(secret.exit_code, 0) << secret.err;
    auto j = nlohmann::json::parse(secret.out);
    EXPECT_EQ(j["algorithm"], algorithm);
    EXPECT_EQ(j["secret"], true);
    EXPECT_EQ(j["key_id"], id);
    EXPECT_NE(j["comment"].get<std::string>().find(kind), std::string::npos);
    // Nothing of the key line (which holds the secret) is printed.
    const std::string key_text = ReadText(dir / (kind + ".key"));
    const std::string key_line = key_text.substr(key_text.find('\n') + 1, 40);
    EXPECT_EQ(secret.out.find(key_line.substr(20)), std::string::npos);
    EXPECT_EQ(secret.err.find(key_line.substr(20)), std::string::npos);
  }
}

TEST(KeysCommand, ShowWarnsAboutLooseSecretKeyPermissions) {
  TempDir dir;
  ASSERT_EQ(RunLontar({"keys", "new", "server", "--out", dir.path().string()}).exit_code, 0);
  ASSERT_EQ(::chmod((dir / "server.key").c_str(), 0644), 0);
  auto r = RunLontar({"keys", "show", (dir / "server.key").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("chmod 600"), std::string::npos) << r.err;
}

TEST(KeysCommand, ShowRejectsNonKeysNamingTheFile) {
  TempDir dir;
  WriteText(dir / "x.pub", "untrusted comment: x\nAAAA\n");
  auto r = RunLontar({"keys", "show", (dir / "x.pub").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find((dir / "x.pub").string() + ": not a Lontar or minisign key file"),
            std::string::npos)
      << r.err;
  auto missing = RunLontar({"keys", "show", (dir / "missing.pub").string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("missing.pub"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace lontar

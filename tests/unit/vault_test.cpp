#include "core/vault/vault.hpp"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include <filesystem>

#include "tests/support/test_support.hpp"

namespace lontar::vault {
namespace {

using lontar::testing::ReadText;
using lontar::testing::TempDir;
using lontar::testing::WriteText;

// Vault::Open(dir) fails with `kind`, in a message that says `says`.
void ExpectOpenRefused(const std::filesystem::path& dir, ErrorKind kind, const std::string& says) {
  auto vault = Vault::Open(dir);
  ASSERT_FALSE(vault);
  EXPECT_EQ(vault.error().kind(), kind) << vault.error().message();
  EXPECT_NE(vault.error().message().find(says), std::string::npos) << vault.error().message();
}

// Damages dir/vault.key: its byte `at` XOR `mask`.
void FlipKeyBits(const std::filesystem::path& dir, std::size_t at, char mask) {
  std::string key = ReadText(dir / "vault.key");
  key[at] = static_cast<char>(key[at] ^ mask);
  WriteText(dir / "vault.key", key);
}

// Puts `key_text` where systemd's LoadCredential= would (dir/creds/<kCredentialName>) and points
// CREDENTIALS_DIRECTORY at it; the test unsets it again.
void SetCredential(const TempDir& dir, const std::string& key_text) {
  const auto creds = dir / "creds";
  std::filesystem::create_directory(creds);
  WriteText(creds / kCredentialName, key_text);
  ::setenv("CREDENTIALS_DIRECTORY", creds.c_str(), 1);
}

TEST(Vault, CreateThenOpenRoundTripsMetaAndSecrets) {
  TempDir dir;
  const auto home = dir / "home";
  {
    auto vault = Vault::Create(home);
    ASSERT_TRUE(vault) << vault.error().message();
    ASSERT_TRUE(vault->SetMeta("site", "SITE-01"));
    const Bytes secret = ToBytes("sekret-key-bytes");
    ASSERT_TRUE(vault->PutSecret("signing", secret));
  }
  struct stat st {};
  ASSERT_EQ(::stat((home / "vault.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((home / "vault.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(home.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);

  auto vault = Vault::Open(home);
  ASSERT_TRUE(vault) << vault.error().message();
  EXPECT_EQ(vault->key_source(), KeySource::kFile);
  auto site = vault->GetMeta("site");
  ASSERT_TRUE(site);
  EXPECT_EQ(site->value_or(""), "SITE-01");
  auto missing = vault->GetMeta("nothing");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
  auto secret = vault->GetSecret("signing");
  ASSERT_TRUE(secret);
  EXPECT_EQ(AsChars(secret->view()), "sekret-key-bytes");
  auto absent = vault->GetSecret("box");
  ASSERT_FALSE(absent);
  EXPECT_EQ(absent.error().kind(), ErrorKind::kNotFound);
}

TEST(Vault, CreateRefusesToOverwrite) {
  TempDir dir;
  ASSERT_TRUE(Vault::Create(dir.path()));
  auto again = Vault::Create(dir.path());
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().kind(), ErrorKind::kAlreadyExists);
  EXPECT_NE(again.error().message().find("Refusing to overwrite"), std::string::npos);
}

TEST(Vault, OpenWithoutVaultSaysHowToInitialise) {
  TempDir dir;
  ExpectOpenRefused(dir.path(), ErrorKind::kNotFound, "lontar terminal init");
}

TEST(Vault, MissingKeyIsNamed) {
  TempDir dir;
  ASSERT_TRUE(Vault::Create(dir.path()));
  std::filesystem::remove(dir / "vault.key");
  ExpectOpenRefused(dir.path(), ErrorKind::kNotFound, "vault key not found");
}

TEST(Vault, WrongKeyIsToldApartFromDamage) {
  TempDir dir;
  ASSERT_TRUE(Vault::Create(dir.path()));
  FlipKeyBits(dir.path(), 0, 0x01);
  ExpectOpenRefused(dir.path(), ErrorKind::kWrongKey, "does not belong");
}

TEST(Vault, WrongKeyWithoutKeyCheckStillFailsCleanly) {
  TempDir dir;
  ASSERT_TRUE(Vault::Create(dir.path()));
  std::filesystem::remove(dir / "vault.keycheck");
  FlipKeyBits(dir.path(), 3, 0x40);
  ExpectOpenRefused(dir.path(), ErrorKind::kCorruption, "cannot be decrypted");
}

TEST(Vault, KeyReadableByOthersIsRefused) {
  TempDir dir;
  ASSERT_TRUE(Vault::Create(dir.path()));
  ASSERT_EQ(::chmod((dir / "vault.key").c_str(), 0644), 0);
  ExpectOpenRefused(dir.path(), ErrorKind::kPermission, "chmod 600");
}

TEST(Vault, MalformedKeyFileIsNamed) {
  TempDir dir;
  ASSERT_TRUE(Vault::Create(dir.path()));
  WriteText(dir / "vault.key", "short");
  ExpectOpenRefused(dir.path(), ErrorKind::kMalformed, "not a vault key");
}

TEST(Vault, HexKeyFromCredentialsDirectoryIsUsed) {
  TempDir dir;
  SetCredential(dir, std::string(64, 'a') + "\n");
  auto created = Vault::Create(dir / "home");
  ASSERT_TRUE(created) << created.error().message();
  EXPECT_EQ(created->key_source(), KeySource::kCredential);
  EXPECT_FALSE(std::filesystem::exists(dir / "home" / "vault.key"));
  auto opened = Vault::Open(dir / "home");
  ::unsetenv("CREDENTIALS_DIRECTORY");
  ASSERT_TRUE(opened) << opened.error().message();
  EXPECT_EQ(opened->key_source(), KeySource::kCredential);
  auto without = Vault::Open(dir / "home");
  ASSERT_FALSE(without);
  EXPECT_EQ(without.error().kind(), ErrorKind::kNotFound);
}

TEST(Vault, RawKeyEndingInNewlineByteIsStillARawKey) {
  // One raw key in 256 ends in 0x0a; it must not be mistaken for text with a trailing newline.
  TempDir dir;
  SetCredential(dir, std::string(31, '\x5a') + "\n");
  auto created = Vault::Create(dir / "home");
  auto opened = created ? Vault::Open(dir / "home") : std::move(created);
  ::unsetenv("CREDENTIALS_DIRECTORY");
  ASSERT_TRUE(opened) << opened.error().message();
}

TEST(Vault, EmptyFileIsNotAVault) {
  TempDir dir;
  WriteText(dir / "vault.db", "");
  ExpectOpenRefused(dir.path(), ErrorKind::kNotAVault, "");
}

TEST(Vault, PlainSqliteFileIsNotAVault) {
  TempDir dir;
  std::string plain = std::string("SQLite format 3") + '\0' + std::string(4080, 'x');
  WriteText(dir / "vault.db", plain);
  ExpectOpenRefused(dir.path(), ErrorKind::kNotAVault, "unencrypted SQLite");
}

TEST(Vault, NewerSchemaIsRefused) {
  TempDir dir;
  {
    auto vault = Vault::Create(dir.path());
    ASSERT_TRUE(vault);
    ASSERT_TRUE(vault->db().Exec("PRAGMA user_version = 99"));
  }
  ExpectOpenRefused(dir.path(), ErrorKind::kTooNew, "newer");
}

TEST(Vault, ReadOnlyHomeIsReportedBeforeAnExamStarts) {
  TempDir dir;
  if (::geteuid() != 0) {
    ASSERT_TRUE(Vault::Create(dir.path()));
    ASSERT_EQ(::chmod(dir.path().c_str(), 0500), 0);
    auto vault = Vault::Open(dir.path());
    ::chmod(dir.path().c_str(), 0700);
    ASSERT_FALSE(vault);
    EXPECT_EQ(vault.error().kind(), ErrorKind::kReadOnly);
    EXPECT_NE(vault.error().message().find("not writable"), std::string::npos);
    return;
  }
  // Root ignores permissions, so give it what a failing disk gives: a read-only mount.
  const auto mnt = dir / "mnt";
  std::filesystem::create_directory(mnt);
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=8m") != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs here: " << std::strerror(errno);
  }
  auto created = Vault::Create(mnt / "home");
  ASSERT_TRUE(created) << created.error().message();
  created = std::unexpected(Error::Internal("closed"));
  ASSERT_EQ(::mount(nullptr, mnt.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr), 0);
  auto vault = Vault::Open(mnt / "home");
  ::umount2(mnt.c_str(), MNT_DETACH);
  ASSERT_FALSE(vault);
  EXPECT_EQ(vault.error().kind(), ErrorKind::kReadOnly) << vault.error().message();
  EXPECT_NE(vault.error().message().find("read-only file system"), std::string::npos);
}

}  // namespace
}  // namespace lontar::vault

// What reaches the disk: no plaintext, and damage is reported at open, never as a crash.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "core/journal/journal.hpp"
#include "core/terminal/terminal.hpp"
#include "tests/support/exam_terminals.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::ReadText;
using testing::TempDir;
using testing::WriteText;

constexpr char kMarkerA[] = "PLAINTEXT-CANARY-jawaban-peserta-0042";
constexpr char kMarkerB[] = "Pengambilan keputusan: opsi C paling tepat";

terminal::Terminal MakeTerminal(const std::filesystem::path& home, const Clock& clock) {
  return testing::InitTerminalOfUnknownAuthority(home, clock, kMarkerB).value();
}

// Every file under `dir`, for the plaintext search.
std::vector<std::filesystem::path> FilesUnder(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(e.path());
  }
  return out;
}

void ExpectNoneContains(const std::vector<std::filesystem::path>& files,
                        const std::string& needle) {
  for (const auto& f : files) {
    const std::string content = ReadText(f);
    EXPECT_EQ(content.find(needle), std::string::npos)
        << f.string() << " contains plaintext '" << needle.substr(0, 24) << "...'";
  }
}

TEST(VaultOnDisk, NoPlaintextReachesTheDisk) {
  TempDir dir;
  const auto home = dir / "home";
  const auto tmp = dir / "tmp";
  std::filesystem::create_directory(tmp);
  ::setenv("TMPDIR", tmp.c_str(), 1);
  ::setenv("SQLITE_TMPDIR", tmp.c_str(), 1);
  ManualClock clock;
  Bytes signing_seed;
  {
    terminal::Terminal t = MakeTerminal(home, clock);
    ByteView sk = t.signing_key().secret_view();
    signing_seed.assign(sk.begin(), sk.begin() + 32);
    for (int i = 0; i < 300; ++i) {
      ASSERT_TRUE(t.journal().Append("exam.answered", std::string("{\"note\":\"") + kMarkerA +
                                                          "\",\"i\":" + std::to_string(i) + "}"));
    }
    // While the vault is open the WAL and shared-memory files exist: check them too.
    ASSERT_TRUE(std::filesystem::exists(home / "vault.db-wal"));
    auto files = FilesUnder(dir.path());
    ExpectNoneContains(files, kMarkerA);
    ExpectNoneContains(files, kMarkerB);
    ExpectNoneContains(files, "terminal.initialised");
    ExpectNoneContains(files, std::string(AsChars(signing_seed)));
  }
  ::unsetenv("TMPDIR");
  ::unsetenv("SQLITE_TMPDIR");
  auto files = FilesUnder(dir.path());
  ASSERT_FALSE(files.empty());
  ExpectNoneContains(files, kMarkerA);
  ExpectNoneContains(files, kMarkerB);
  ExpectNoneContains(files, std::string(AsChars(signing_seed)));
  // The canary does go in: prove the search would have found it.
  SystemClock clock2;
  auto t = terminal::Terminal::Open(home, clock2);
  ASSERT_TRUE(t);
  auto records = t->journal().Read(2, 1);
  ASSERT_TRUE(records);
  EXPECT_NE((*records)[0].payload.find(kMarkerA), std::string::npos);
}

// SQLCipher 3 pages end in a 48-byte reserve: IV (16) | HMAC-SHA1 (20) | padding (12). The
// padding is neither read nor authenticated, so flipping it changes nothing a reader sees; every
// other byte of a page is covered by the page's HMAC.
constexpr size_t kPageSize = 1024;
constexpr size_t kAuthenticatedBytes = kPageSize - 12;

// Flips bytes across every page of a closed vault; each open must fail with a clear error.
TEST(VaultOnDisk, FlippedBytesAnywhereAreReportedNotCrashed) {
  TempDir dir;
  const auto home = dir / "home";
  ManualClock clock;
  {
    terminal::Terminal t = MakeTerminal(home, clock);
    for (int i = 0; i < 200; ++i) ASSERT_TRUE(t.journal().Append("exam.answered", "{\"i\":1}"));
  }
  ASSERT_FALSE(std::filesystem::exists(home / "vault.db-wal"))
      << "closing the last connection should checkpoint and remove the WAL";
  const std::string pristine = ReadText(home / "vault.db");
  ASSERT_EQ(pristine.size() % kPageSize, 0u);
  const size_t pages = pristine.size() / kPageSize;
  ASSERT_GE(pages, 3u);
  std::mt19937 rng(7);
  int rejected = 0;
  for (size_t page = 0; page < pages; ++page) {
    for (size_t offset : {size_t{0}, size_t{17}, kPageSize / 2, kAuthenticatedBytes - 1,
                          static_cast<size_t>(rng() % kAuthenticatedBytes)}) {
      std::string damaged = pristine;
      damaged[page * kPageSize + offset] ^= 0x20;
      WriteText(home / "vault.db", damaged);
      auto t = terminal::Terminal::Open(home, clock);
      ASSERT_FALSE(t) << "flip at page " << page << " offset " << offset << " went unnoticed";
      EXPECT_EQ(t.error().kind(), ErrorKind::kCorruption) << t.error().message();
      EXPECT_NE(t.error().message().find("vault.db"), std::string::npos) << t.error().message();
      ++rejected;
    }
  }
  EXPECT_EQ(rejected, static_cast<int>(pages) * 5);
  WriteText(home / "vault.db", pristine);
  EXPECT_TRUE(terminal::Terminal::Open(home, clock)) << "the pristine copy must open again";
}

TEST(VaultOnDisk, TruncatedVaultIsReported) {
  TempDir dir;
  const auto home = dir / "home";
  ManualClock clock;
  { MakeTerminal(home, clock); }
  const std::string pristine = ReadText(home / "vault.db");
  for (size_t keep : {size_t{10}, size_t{100}, kPageSize, pristine.size() - kPageSize,
                      pristine.size() - (kPageSize - kAuthenticatedBytes) - 1}) {
    WriteText(home / "vault.db", pristine.substr(0, keep));
    auto t = terminal::Terminal::Open(home, clock);
    ASSERT_FALSE(t) << "truncated to " << keep << " bytes went unnoticed";
    EXPECT_TRUE(t.error().kind() == ErrorKind::kCorruption ||
                t.error().kind() == ErrorKind::kNotAVault)
        << t.error().message();
  }
}

}  // namespace
}  // namespace lontar

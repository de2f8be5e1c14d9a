// `lontar technician code|verify` as the real binary, and the core technician code functions:
// strength rules, file mode, matching and refusals, and that the code is never printed.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "core/crypto/code_file.hpp"
#include "core/terminal/technician_code.hpp"
#include "tests/support/file_mode.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using lontar::testing::ReadText;
using lontar::testing::RunLontar;
using lontar::testing::RunProgram;
using lontar::testing::TempDir;
using lontar::testing::WriteText;

const std::string kTechnicianCode = "kebun-kopi-7391";

// Hashes `code` at the interactive cost (the cost the tests can afford) into dir/technician.code.
std::filesystem::path MakeHash(const TempDir& dir, const std::string& code) {
  WriteText(dir / "code.txt", code + "\n");
  auto r = RunLontar({"technician", "code", "--out", (dir / "technician.code").string(),
                      "--code-file", (dir / "code.txt").string(), "--cost", "interactive"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return dir / "technician.code";
}

TEST(TechnicianCommand, CodeWritesAPublicArgon2idHashThatVerifies) {
  TempDir dir;
  const auto hash = MakeHash(dir, kTechnicianCode);
  EXPECT_EQ(testing::ModeOf(hash), 0644u);
  const std::string text = ReadText(hash);
  EXPECT_TRUE(text.starts_with("$argon2id$v=19$m=65536,t=2,p=1$")) << text;
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text.find(kTechnicianCode), std::string::npos);

  auto ok = RunLontar({"technician", "verify", "--hash", hash.string(), "--code-file",
                       (dir / "code.txt").string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, "");
  EXPECT_EQ(ok.err, "");
}

TEST(TechnicianCommand, DefaultCostIsModerate) {
  TempDir dir;
  WriteText(dir / "code.txt", kTechnicianCode);
  auto r = RunLontar({"technician", "code", "--out", (dir / "t.code").string(), "--code-file",
                      (dir / "code.txt").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(ReadText(dir / "t.code").starts_with("$argon2id$v=19$m=262144,t=3,p=1$"));
  EXPECT_NE(r.err.find("wrote the technician code's hash to " + (dir / "t.code").string()),
            std::string::npos)
      << r.err;
}

TEST(TechnicianCommand, WrongCodeExitsOneWithoutPrintingEitherCode) {
  TempDir dir;
  const auto hash = MakeHash(dir, kTechnicianCode);
  WriteText(dir / "wrong.txt", "kebun-kopi-7392\n");
  auto r = RunLontar({"technician", "verify", "--hash", hash.string(), "--code-file",
                      (dir / "wrong.txt").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("the technician code does not match " + hash.string()), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("kebun"), std::string::npos) << r.err;
}

TEST(TechnicianCommand, CodeAndVerifyReadStandardInput) {
  TempDir dir;
  WriteText(dir / "stdin.txt", kTechnicianCode + "\nnot read\n");
  auto made = RunProgram(
      "lontar", {"technician", "code", "--out", (dir / "t.code").string(), "--cost", "interactive"},
      {}, dir / "stdin.txt");
  ASSERT_EQ(made.exit_code, 0) << made.err;
  auto ok = RunProgram("lontar", {"technician", "verify", "--hash", (dir / "t.code").string()}, {},
                       dir / "stdin.txt");
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  WriteText(dir / "other.txt", "not read\n" + kTechnicianCode + "\n");
  auto wrong = RunProgram("lontar", {"technician", "verify", "--hash", (dir / "t.code").string()},
                          {}, dir / "other.txt");
  EXPECT_EQ(wrong.exit_code, 1);
  auto none = RunLontar({"technician", "verify", "--hash", (dir / "t.code").string()});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("standard input holds no code"), std::string::npos) << none.err;
}

TEST(TechnicianCommand, RefusesWeakCodesAndWritesNothing) {
  TempDir dir;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"short-123", "has 9 characters; it needs at least 10"},
      {"ÄÖÜäöüßéè-kode", "a character outside ASCII"},
      {"aaaaaaaaaaaaaaa", "repeats one character"},
      {"tab\there-is-long", "control character"},
      {std::string(300, 'x') + "y", "longer than 256 bytes"},
  };
  for (const auto& [code, message] : cases) {
    SCOPED_TRACE(code);
    WriteText(dir / "code.txt", code + "\n");
    auto r = RunLontar({"technician", "code", "--out", (dir / "t.code").string(), "--code-file",
                        (dir / "code.txt").string(), "--cost", "interactive"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "t.code"));
  }
  // Ten characters are enough (a code is ASCII only: core/terminal/technician_code.hpp).
  WriteText(dir / "code.txt", "kopi-12345\n");
  auto r = RunLontar({"technician", "code", "--out", (dir / "t.code").string(), "--code-file",
                      (dir / "code.txt").string(), "--cost", "interactive"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST(TechnicianCommand, MissingOrDamagedHashFileIsNotAWrongCode) {
  TempDir dir;
  WriteText(dir / "code.txt", kTechnicianCode);
  auto missing = RunLontar({"technician", "verify", "--hash", (dir / "none.code").string(),
                            "--code-file", (dir / "code.txt").string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no technician code is set on this terminal"), std::string::npos)
      << missing.err;

  WriteText(dir / "bad.code", "not a hash\n");
  auto bad = RunLontar({"technician", "verify", "--hash", (dir / "bad.code").string(),
                        "--code-file", (dir / "code.txt").string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("does not hold a technician code hash"), std::string::npos) << bad.err;

  // A truncated hash file.
  const auto hash = MakeHash(dir, kTechnicianCode);
  const std::string text = ReadText(hash);
  WriteText(dir / "cut.code", text.substr(0, text.size() / 2));
  auto cut = terminal::VerifyTechnicianCode(dir / "cut.code", AsBytes(kTechnicianCode));
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().kind(), ErrorKind::kMalformed) << cut.error().message();
}

TEST(TechnicianCommand, VerifyDefaultsToTheApplianceHashFile) {
  auto r = RunLontar({"technician", "verify", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("/etc/lontar/technician.code"), std::string::npos) << r.out;
}

TEST(TechnicianCode, CoreMatchesAndRefuses) {
  TempDir dir;
  ASSERT_TRUE(terminal::WriteTechnicianCodeFile(dir / "t.code", AsBytes(kTechnicianCode),
                                                terminal::TechnicianCodeCost::kInteractive));
  auto yes = terminal::VerifyTechnicianCode(dir / "t.code", AsBytes(kTechnicianCode));
  ASSERT_TRUE(yes) << yes.error().message();
  EXPECT_TRUE(*yes);
  auto no = terminal::VerifyTechnicianCode(dir / "t.code", AsBytes(kTechnicianCode + "x"));
  ASSERT_TRUE(no);
  EXPECT_FALSE(*no);
  auto empty = terminal::VerifyTechnicianCode(dir / "t.code", ByteView());
  ASSERT_TRUE(empty);
  EXPECT_FALSE(*empty);
  // Replacing the file: the old code stops working.
  ASSERT_TRUE(terminal::WriteTechnicianCodeFile(dir / "t.code", AsBytes("another-code-42"),
                                                terminal::TechnicianCodeCost::kInteractive));
  EXPECT_FALSE(*terminal::VerifyTechnicianCode(dir / "t.code", AsBytes(kTechnicianCode)));
  EXPECT_TRUE(*terminal::VerifyTechnicianCode(dir / "t.code", AsBytes("another-code-42")));
}

TEST(CodeFromFd, ReadsTheFirstLineOfAPipe) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const std::string input = "\n  first line code \nsecond\n";
  ASSERT_EQ(::write(fds[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
  auto code = crypto::ReadCodeFromFd(fds[0], "the pipe");
  ASSERT_TRUE(code) << code.error().message();
  EXPECT_EQ(AsChars(code->view()), "first line code");
  ::close(fds[1]);
  char rest[16] = {};
  EXPECT_EQ(::read(fds[0], rest, sizeof rest), 7);  // the second line is left unread
  ::close(fds[0]);
}

TEST(CodeFromFd, RefusesEmptyAndOverlongInput) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  ASSERT_EQ(::write(fds[1], "  \n\n", 4), 4);
  ::close(fds[1]);
  auto none = crypto::ReadCodeFromFd(fds[0], "the pipe");
  ::close(fds[0]);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message(), "the pipe holds no code");

  TempDir dir;
  WriteText(dir / "long.txt", std::string(5000, 'x'));
  int fd = ::open((dir / "long.txt").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  auto long_code = crypto::ReadCodeFromFd(fd, "long.txt");
  ::close(fd);
  ASSERT_FALSE(long_code);
  EXPECT_NE(long_code.error().message().find("at most 4096 bytes"), std::string::npos);
}

}  // namespace
}  // namespace lontar

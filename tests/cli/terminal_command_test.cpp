// The operator commands as a technician runs them: the real `lontar` binary, real files.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "core/terminal/enrollment.hpp"
#include "core/terminal/terminal.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::ReadText;
using testing::RunLontar;
using testing::TempDir;
using testing::WriteText;

class TerminalCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    auto keys = RunLontar({"keys", "new", "authority", "--out", (dir_ / "keys").string()});
    ASSERT_EQ(keys.exit_code, 0) << keys.err;
    home_ = (dir_ / "home").string();
    authority_ = (dir_ / "keys" / "authority.pub").string();
  }
  testing::CommandResult Init(const std::string& site = "SITE-01") {
    return RunLontar({"terminal", "init", "--home", home_, "--site", site, "--trust", authority_,
                      "--name", "Ruang 2 / PC 14"});
  }
  TempDir dir_;
  std::string home_, authority_;
};

TEST_F(TerminalCommand, InitPrintsTheTerminalIdAndStatusReportsIt) {
  auto init = Init();
  ASSERT_EQ(init.exit_code, 0) << init.err;
  const std::string id = init.out.substr(0, init.out.find('\n'));
  EXPECT_EQ(id.size(), 18u) << init.out;
  EXPECT_EQ(id.rfind("T-", 0), 0u);

  auto status = RunLontar({"terminal", "status", "--home", home_, "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto j = nlohmann::json::parse(status.out);
  EXPECT_EQ(j["terminal_id"], id);
  EXPECT_EQ(j["site"], "SITE-01");
  EXPECT_EQ(j["name"], "Ruang 2 / PC 14");
  EXPECT_EQ(j["vault"]["key_source"], "file");
  EXPECT_EQ(j["journal"]["ok"], true);
  EXPECT_EQ(j["journal"]["records"], 1);
  EXPECT_EQ(j["journal"]["last_checkpoint_seq"], 1);
  ASSERT_EQ(j["trusted_keys"].size(), 1u);
  EXPECT_EQ(j["trusted_keys"][0]["label"], "authority.pub");

  auto text = RunLontar({"terminal", "status", "--home", home_});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find(id), std::string::npos);
  EXPECT_NE(text.out.find("journal      OK"), std::string::npos) << text.out;

  auto verify = RunLontar({"journal", "verify", "--home", home_});
  ASSERT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_NE(verify.out.find("journal OK: 1 records"), std::string::npos) << verify.out;

  auto show = RunLontar({"journal", "show", "--home", home_, "--json"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  auto records = nlohmann::json::parse(show.out);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0]["type"], "terminal.initialised");
  EXPECT_EQ(records[0]["payload"]["terminal_id"], id);
}

TEST_F(TerminalCommand, InitRefusesAnExistingTerminal) {
  ASSERT_EQ(Init().exit_code, 0);
  const std::string before = ReadText(std::filesystem::path(home_) / "vault.db");
  auto again = Init();
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  EXPECT_EQ(ReadText(std::filesystem::path(home_) / "vault.db"), before);
}

TEST_F(TerminalCommand, InitRejectsBadSiteAndLeavesNothingBehind) {
  auto bad = Init("site with spaces");
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("site code 'site with spaces' is not valid"), std::string::npos)
      << bad.err;
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(home_) / "vault.db"));
}

TEST_F(TerminalCommand, InitRejectsATrustFileThatIsNotAPublicKey) {
  WriteText(dir_ / "junk.pub", "untrusted comment: nothing\nAAAA\n");
  auto bad = RunLontar({"terminal", "init", "--home", home_, "--site", "S1", "--trust",
                        (dir_ / "junk.pub").string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("junk.pub"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::path(home_) / "vault.db"));
}

TEST_F(TerminalCommand, EnrollmentIsSelfSignedAndVerifies) {
  auto init = Init();
  ASSERT_EQ(init.exit_code, 0) << init.err;
  const std::string id = init.out.substr(0, init.out.find('\n'));
  const auto out = dir_ / "t.enroll";
  auto e = RunLontar({"terminal", "enrollment", "--home", home_, "--out", out.string()});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  auto record = terminal::ReadEnrollmentFile(out);
  ASSERT_TRUE(record) << record.error().message();
  EXPECT_EQ(record->terminal_id, id);
  EXPECT_EQ(record->site, "SITE-01");
  EXPECT_EQ(record->name, "Ruang 2 / PC 14");

  auto again = RunLontar({"terminal", "enrollment", "--home", home_, "--out", out.string()});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("refusing to overwrite"), std::string::npos) << again.err;

  // A site changed in transit is caught by the self-signature.
  std::string text = ReadText(out);
  text.replace(text.find("SITE-01"), 7, "SITE-66");
  WriteText(out, text);
  auto forged = terminal::ReadEnrollmentFile(out);
  ASSERT_FALSE(forged);
  EXPECT_EQ(forged.error().kind(), ErrorKind::kBadSignature);
  EXPECT_NE(forged.error().message().find("t.enroll"), std::string::npos);
}

TEST_F(TerminalCommand, StatusOfAMissingTerminalSaysHowToCreateIt) {
  auto status = RunLontar({"terminal", "status", "--home", (dir_ / "nowhere").string()});
  EXPECT_EQ(status.exit_code, 1);
  EXPECT_NE(status.err.find("lontar terminal init"), std::string::npos) << status.err;
  EXPECT_TRUE(status.out.empty());
}

TEST_F(TerminalCommand, VerifyNamesTheFirstBadRecordAndExitsNonZero) {
  ASSERT_EQ(Init().exit_code, 0);
  // Alter a record through SQL, as someone holding the vault key could.
  SystemClock clock;
  {
    auto t = terminal::Terminal::Open(home_, clock);
    ASSERT_TRUE(t) << t.error().message();
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(t->journal().Append("test.event", "{}"));
    ASSERT_TRUE(t->vault().db().Exec("UPDATE journal SET payload = X'7b7d20' WHERE seq = 3"));
  }
  auto verify = RunLontar({"journal", "verify", "--home", home_});
  EXPECT_EQ(verify.exit_code, 1);
  EXPECT_NE(verify.err.find("broken at record 3"), std::string::npos) << verify.err;
  auto status = RunLontar({"terminal", "status", "--home", home_});
  EXPECT_EQ(status.exit_code, 1);
  EXPECT_NE(status.out.find("BROKEN"), std::string::npos) << status.out;
}

}  // namespace
}  // namespace lontar

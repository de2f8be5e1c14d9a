// Items from a QTI package and from a spreadsheet go the whole way through the real binaries:
// import, pack build, terminal load, release, a scripted sitting, its score.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::RunLontar;
using testing::TempDir;
using testing::WriteText;

using testing::kFixtures;

CommandResult Ok(const CommandResult& r) {
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r;
}

// Builds a pack of `source` for one terminal, loads and releases it, opens the session, sits
// `script` as TEST-0001 (PIN 111111) and returns `exam run --json`'s report.
nlohmann::json Sit(const TempDir& dir, const fs::path& source, const std::string& script) {
  const auto p = [&](const std::string& name) { return (dir / name).string(); };
  testing::MakeMiniPackWithCli(dir.path(), {"t"}, source);
  Ok(RunLontar({"terminal", "load", "--home", p("t"), p("exam.lpk")}));
  Ok(RunLontar({"session", "release", "--home", p("t"), "--code-file",
                kFixtures + "/mini-release-code.txt"}));
  const CommandResult open =
      Ok(RunLontar({"session", "open", "--home", p("t"), "--proctor-code-file",
                    kFixtures + "/mini-proctor-code.txt"}));
  const std::string token = open.out.substr(0, open.out.find('\n'));
  WriteText(dir / "pin", "111111\n");
  WriteText(dir / "script.jsonl", script);
  const CommandResult run =
      Ok(RunLontar({"exam", "run", "--home", p("t"), "--participant", "TEST-0001", "--pin-file",
                    p("pin"), "--token", token, "--script", p("script.jsonl"), "--json"}));
  return nlohmann::json::parse(run.out);
}

// TEST-0001 of the mini exam's roster, without its position (the imported exams declare none).
fs::path Roster(const TempDir& dir) {
  std::string roster = testing::ReadText(kFixtures + "/mini-exam/roster.csv");
  const std::size_t first = roster.find('\n') + 1;
  std::string line = roster.substr(first, roster.find('\n', first) + 1 - first);
  line.replace(line.find(",staf,"), 6, ",,");
  WriteText(dir / "roster.csv", roster.substr(0, first) + line);
  return dir / "roster.csv";
}

TEST(ImportEndToEnd, QtiPackageIsSatAndScored) {
  TempDir dir;
  Ok(RunLontar({"qti", "import", kFixtures + "/qti/bank", "--out", (dir / "src").string(),
                "--roster", Roster(dir).string()}));
  // q-single B is right (5), q-multiple left blank (0); q-weighted B weighs 5, q-likert D 4.
  auto j = Sit(dir, dir / "src", R"({"cmd":"answer","item":"q-single","option":"B"}
{"cmd":"next-section"}
{"cmd":"answer","item":"q-weighted","option":"B"}
{"cmd":"answer","item":"q-likert","option":"D"}
{"cmd":"submit"}
)");
  EXPECT_EQ(j["phase"], "submitted");
  EXPECT_EQ(j["score"]["total"], 14.0);
}

TEST(ImportEndToEnd, SpreadsheetIsSatAndScored) {
  TempDir dir;
  Ok(RunLontar({"items", "import-csv",
                std::string(LONTAR_SOURCE_DIR) + "/assets/templates/items-example.csv", "--out",
                (dir / "src").string(), "--roster", Roster(dir).string()}));
  // twk-01 C right (5); tiu-01 B right (5); tkp-01 B weighs 5; tkp-03 (reversed 1..4) A gives 4.
  auto j = Sit(dir, dir / "src", R"({"cmd":"answer","item":"twk-01","option":"C"}
{"cmd":"next-section"}
{"cmd":"answer","item":"tiu-01","option":"B"}
{"cmd":"next-section"}
{"cmd":"answer","item":"tkp-01","option":"B"}
{"cmd":"answer","item":"tkp-03","option":"A"}
{"cmd":"submit"}
)");
  EXPECT_EQ(j["phase"], "submitted");
  EXPECT_EQ(j["score"]["total"], 19.0);
}

}  // namespace
}  // namespace lontar

// `lontar results open` writes its two CSVs beside their names and puts them in place only when
// the whole run succeeded: a run that fails (a --responses name a directory is in the way of, an
// --out directory that does not exist) leaves the results CSV and the responses CSV of an earlier
// run as they were, and no temporary file behind. And the files of a good run are the same as
// core/server/results.hpp's ResultsCsv over the same rows.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/support/cli_collection.hpp"
#include "tests/support/json_output.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::ReadText;
using testing::RunLontar;
using testing::ServerProcess;
using testing::TempDir;
using testing::WriteText;

class ResultsOpenFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    // One sitting, delivered to a store.
    testing::MakeOneMiniSittingWithCli(dir_.path());
    std::filesystem::create_directories(dir_ / "log");
    ServerProcess server(
        {"--store", P("store"), "--enrolled", P("enrolled"), "--key", P("keys/server.key")},
        dir_ / "log");
    ASSERT_NE(server.port(), 0);
    auto synced = RunLontar({"sync", "--home", P("t0"), "--server", server.url(), "--server-key",
                             P("keys/server.pub")});
    ASSERT_EQ(synced.exit_code, 0) << synced.err;
    server.Stop();
  }
  std::string P(const std::string& name) const { return (dir_ / name).string(); }

  testing::CommandResult Open(const std::string& out, const std::string& responses) const {
    return RunLontar({"results", "open", "--store", P("store"), "--key", P("keys/results.key"),
                      "--pack", P("exam.lpk"), "--out", out, "--responses", responses, "--json"});
  }

  // The names in `dir` that are not `keep`: a temporary file left behind would be one.
  static std::vector<std::string> Others(const std::filesystem::path& dir,
                                         const std::set<std::string>& keep) {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      const std::string name = e.path().filename().string();
      if (!keep.contains(name)) names.push_back(name);
    }
    return names;
  }

  TempDir dir_;
};

TEST_F(ResultsOpenFiles, AGoodRunWritesBothFiles) {
  std::filesystem::create_directories(dir_ / "out");
  auto r = Open(P("out/results.csv"), P("out/responses.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = testing::JsonOutput(r);
  EXPECT_EQ(j["rows"], 1) << r.out;
  EXPECT_EQ(j["results"][0]["participant"], "TEST-0001") << r.out;
  EXPECT_EQ(j["results"][0]["rank"], 1) << r.out;
  const std::string csv = ReadText(dir_ / "out/results.csv");
  const std::string responses = ReadText(dir_ / "out/responses.csv");
  EXPECT_EQ(csv.rfind("participant,name,site,terminal,seq,", 0), 0u) << csv;
  EXPECT_NE(csv.find("\r\nTEST-0001,"), std::string::npos) << csv;
  // The one sitting, ranked first: rank is the next-to-last column.
  EXPECT_NE(csv.find(",1,\r\n"), std::string::npos) << csv;
  EXPECT_EQ(responses.rfind("participant,terminal,seq,", 0), 0u) << responses;
  EXPECT_NE(responses.find("\r\nTEST-0001,"), std::string::npos) << responses;
  EXPECT_EQ(std::count(responses.begin(), responses.end(), '\n'), 2) << responses;
  EXPECT_TRUE(Others(dir_ / "out", {"results.csv", "responses.csv"}).empty());
}

TEST_F(ResultsOpenFiles, AFailedRunLeavesTheEarlierFilesAsTheyWere) {
  std::filesystem::create_directories(dir_ / "out");
  WriteText(dir_ / "out/results.csv", "an earlier run's results\n");
  WriteText(dir_ / "out/responses.csv", "an earlier run's responses\n");

  // A directory where the responses CSV should go: found only when the file is put in place,
  // after every bundle has been opened and both files written.
  std::filesystem::create_directories(dir_ / "out/in-the-way");
  auto blocked = Open(P("out/results.csv"), P("out/in-the-way"));
  EXPECT_EQ(blocked.exit_code, 1) << blocked.out;
  EXPECT_NE(blocked.err.find("in-the-way"), std::string::npos) << blocked.err;
  EXPECT_EQ(ReadText(dir_ / "out/results.csv"), "an earlier run's results\n");
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "out/in-the-way"));

  // The results CSV's directory does not exist: the responses CSV is not replaced either.
  auto no_dir = Open(P("missing/results.csv"), P("out/responses.csv"));
  EXPECT_EQ(no_dir.exit_code, 1) << no_dir.out;
  EXPECT_NE(no_dir.err.find("missing"), std::string::npos) << no_dir.err;
  EXPECT_EQ(ReadText(dir_ / "out/responses.csv"), "an earlier run's responses\n");
  EXPECT_EQ(ReadText(dir_ / "out/results.csv"), "an earlier run's results\n");

  // No temporary file is left behind by either.
  EXPECT_TRUE(Others(dir_ / "out", {"results.csv", "responses.csv", "in-the-way"}).empty());

  // And the run that can write both replaces both.
  auto good = Open(P("out/results.csv"), P("out/responses.csv"));
  ASSERT_EQ(good.exit_code, 0) << good.err;
  EXPECT_NE(ReadText(dir_ / "out/results.csv").find("TEST-0001"), std::string::npos);
  EXPECT_NE(ReadText(dir_ / "out/responses.csv").find("TEST-0001"), std::string::npos);
}

}  // namespace
}  // namespace lontar

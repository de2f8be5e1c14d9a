// Choosing among several loaded packs: --pack as a full id, a unique prefix of 8 or more hex
// digits, or EXAM_ID@VERSION; without --pack, the newest valid version of one exam. The pure
// choice on a table of packs, then `session release` / `session open` / `terminal status` with
// versions 1 and 2 of the mini exam loaded on one terminal.
#include "core/pack/pack_choice.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/pack_build.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::pack {
namespace {

using testing::RunLontar;
using testing::TempDir;

LoadedPack Pack(const std::string& id, const std::string& exam, std::uint64_t version,
                std::int64_t from = 0, std::int64_t until = 1000) {
  LoadedPack p;
  p.header.pack_id = id;
  p.header.exam_id = exam;
  p.header.exam_version = version;
  p.header.valid_from_ms = from;
  p.header.valid_until_ms = until;
  return p;
}

const std::vector<LoadedPack> kPacks = {
    Pack("0123456789abcdef0123456789abcdef", "SKD-2026", 2),
    Pack("0123456700000000000000000000000f", "SKD-2026", 1),
    Pack("fedcba9876543210fedcba9876543210", "PPPK-2026", 1, 2000, 3000),
};

TEST(PackChoice, FindsByIdPrefixOrExamAndVersion) {
  struct Case {
    std::string spec, pack_id;
  } cases[] = {
      {"0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef"},
      {"012345678", "0123456789abcdef0123456789abcdef"},  // 9 digits: one pack
      {"FEDCBA98", "fedcba9876543210fedcba9876543210"},   // case does not matter
      {"SKD-2026@1", "0123456700000000000000000000000f"},
      {"PPPK-2026@1", "fedcba9876543210fedcba9876543210"},
  };
  for (const auto& c : cases) {
    auto r = FindPack(kPacks, c.spec);
    ASSERT_TRUE(r) << c.spec << ": " << r.error().message();
    EXPECT_EQ(r->pack->header.pack_id, c.pack_id) << c.spec;
  }
}

TEST(PackChoice, RefusesAShortPrefix) {
  auto r = FindPack(kPacks, "0123");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("at least the first 8 characters"), std::string::npos)
      << r.error().message();
}

TEST(PackChoice, RefusesAnAmbiguousPrefixNamingBoth) {
  auto r = FindPack(kPacks, "01234567");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kInvalidArgument);
  EXPECT_NE(r.error().message().find("SKD-2026@2 (pack 01234567), SKD-2026@1 (pack 01234567)"),
            std::string::npos)
      << r.error().message();
}

TEST(PackChoice, RefusesAnUnknownPackNamingTheLoadedOnes) {
  auto r = FindPack(kPacks, "SKD-2026@3");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kNotFound);
  EXPECT_NE(r.error().message().find("loaded: SKD-2026@2"), std::string::npos)
      << r.error().message();
  auto bad = FindPack(kPacks, "SKD-2026@two");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("expected EXAM_ID@VERSION"), std::string::npos);
}

TEST(PackChoice, DefaultIsTheNewestValidVersionAndSaysSo) {
  auto r = DefaultPack(kPacks, 500);  // the PPPK pack is not valid yet
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->pack->header.exam_version, 2u);
  EXPECT_NE(r->note.find("took the newest version, SKD-2026@2"), std::string::npos) << r->note;
  EXPECT_NE(r->note.find("older: SKD-2026@1"), std::string::npos) << r->note;
  auto only = DefaultPack(kPacks, 2500);  // only the PPPK pack
  ASSERT_TRUE(only);
  EXPECT_EQ(only->pack->header.exam_id, "PPPK-2026");
  EXPECT_TRUE(only->note.empty());
}

TEST(PackChoice, DefaultRefusesTwoExamsAndNoValidPack) {
  auto both = kPacks;
  both[2].header.valid_from_ms = 0;
  auto r = DefaultPack(both, 500);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("packs of more than one exam are valid now"),
            std::string::npos)
      << r.error().message();
  auto none = DefaultPack(kPacks, 5000);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().kind(), ErrorKind::kNotFound);
}

// Version 2 loaded beside a released version 1, through the real binary.
// The sessions a proctor may choose from: valid at the time, window ends included, in the order
// loaded (kPacks: two valid 0..1000, one valid 2000..3000).
TEST(PackChoice, ValidPacksAreThoseWhoseWindowHoldsNow) {
  auto ids = [](std::int64_t now) {
    std::vector<std::string> out;
    for (const LoadedPack* p : ValidPacks(kPacks, now)) out.push_back(p->header.exam_id);
    return out;
  };
  EXPECT_EQ(ids(1000), (std::vector<std::string>{"SKD-2026", "SKD-2026"}));
  EXPECT_EQ(ids(2000), (std::vector<std::string>{"PPPK-2026"}));
  EXPECT_TRUE(ids(1500).empty());
}

// After MakeMiniSessionWithCli(dir, {"t"}): the mini exam again as version 2, for terminal t,
// at dir/v2.lpk.
testing::CommandResult BuildVersionTwo(const TempDir& dir) {
  const testing::PackBuildArgs build =
      testing::MiniCodesPackBuild(dir / "keys", dir / "v2.lpk", {dir / "t.enroll"});
  auto args = testing::PackBuildCommand(build);
  *(std::find(args.begin(), args.end(), "--version") + 1) = "2";
  return RunLontar(args);
}

TEST(PackChoice, ReleaseAndOpenWithTwoVersionsLoaded) {
  TempDir dir;
  const auto P = [&](const std::string& n) { return (dir / n).string(); };
  const std::string fixtures = std::string(LONTAR_SOURCE_DIR) + "/tests/fixtures";
  testing::MakeMiniSessionWithCli(dir.path(), {"t"});
  auto built = BuildVersionTwo(dir);
  ASSERT_EQ(built.exit_code, 0) << built.err;
  auto loaded = RunLontar({"terminal", "load", "--home", P("t"), P("v2.lpk")});
  ASSERT_EQ(loaded.exit_code, 0) << loaded.err;

  auto status = RunLontar({"terminal", "status", "--home", P("t"), "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  std::string v2_id;
  const auto status_json = nlohmann::json::parse(status.out);
  for (const auto& p : status_json["packs"]) {
    if (p["exam_version"] == 2) v2_id = p["pack_id"];
  }
  ASSERT_EQ(v2_id.size(), 32u) << status.out;
  auto text = RunLontar({"terminal", "status", "--home", P("t")});
  EXPECT_NE(text.out.find("(pack " + v2_id.substr(0, 8) + ", --pack TEST-MINI@2)"),
            std::string::npos)
      << text.out;

  const std::string code = fixtures + "/mini-release-code.txt";
  const std::string proctor = fixtures + "/mini-proctor-code.txt";
  auto open_v1 = RunLontar({"session", "open", "--home", P("t"), "--proctor-code-file", proctor,
                            "--pack", "TEST-MINI@1"});
  EXPECT_EQ(open_v1.exit_code, 0) << "version 1 is the released one: " << open_v1.err;
  auto open_v2 = RunLontar({"session", "open", "--home", P("t"), "--proctor-code-file", proctor,
                            "--pack", v2_id.substr(0, 8)});
  EXPECT_EQ(open_v2.exit_code, 1);
  EXPECT_NE(open_v2.err.find("TEST-MINI@2 (pack " + v2_id.substr(0, 8) + ") is not released"),
            std::string::npos)
      << open_v2.err;

  auto release = RunLontar({"session", "release", "--home", P("t"), "--code-file", code});
  ASSERT_EQ(release.exit_code, 0) << release.err;
  EXPECT_NE(release.out.find("version 2 (pack " + v2_id + ")"), std::string::npos) << release.out;
  EXPECT_NE(release.err.find("took the newest version, TEST-MINI@2"), std::string::npos)
      << release.err;
  auto by_prefix = RunLontar(
      {"session", "release", "--home", P("t"), "--code-file", code, "--pack", v2_id.substr(0, 8)});
  EXPECT_EQ(by_prefix.exit_code, 0) << by_prefix.err;
  auto short_prefix = RunLontar(
      {"session", "release", "--home", P("t"), "--code-file", code, "--pack", v2_id.substr(0, 4)});
  EXPECT_EQ(short_prefix.exit_code, 1);
  EXPECT_NE(short_prefix.err.find("at least the first 8 characters"), std::string::npos);

  auto open_new = RunLontar({"session", "open", "--home", P("t"), "--proctor-code-file", proctor,
                             "--pack", "TEST-MINI@2"});
  EXPECT_EQ(open_new.exit_code, 0) << open_new.err;
}

// Two released versions: releasing version 2 says that version 1 no longer runs, `terminal status`
// and `session status` name the one that runs, and `session open --pack` goes back to version 1
// (the engine opens the pack named), refused while a sitting of the running pack is under way.
TEST(PackChoice, ReleaseSaysWhichRunsAndOpenChoosesAnyReleasedPack) {
  TempDir dir;
  const auto P = [&](const std::string& n) { return (dir / n).string(); };
  const std::string fixtures = std::string(LONTAR_SOURCE_DIR) + "/tests/fixtures";
  const std::string v1_token = testing::MakeMiniSessionWithCli(dir.path(), {"t"});
  ASSERT_EQ(BuildVersionTwo(dir).exit_code, 0);
  ASSERT_EQ(RunLontar({"terminal", "load", "--home", P("t"), P("v2.lpk")}).exit_code, 0);
  const std::string code = fixtures + "/mini-release-code.txt";
  const std::string proctor = fixtures + "/mini-proctor-code.txt";

  auto release = RunLontar(
      {"session", "release", "--home", P("t"), "--code-file", code, "--pack", "TEST-MINI@2"});
  ASSERT_EQ(release.exit_code, 0) << release.err;
  EXPECT_NE(release.err.find("(an earlier version of this exam) no longer runs: this terminal "
                             "runs TEST-MINI@2"),
            std::string::npos)
      << release.err;
  EXPECT_NE(release.err.find("lontar session open --pack TEST-MINI@1"), std::string::npos)
      << release.err;

  const auto running = [&]() {
    auto status = RunLontar({"terminal", "status", "--home", P("t"), "--json"});
    EXPECT_EQ(status.exit_code, 0) << status.err;
    std::string which;
    int released = 0;
    const auto j = nlohmann::json::parse(status.out);
    for (const auto& p : j["packs"]) {
      released += p["released"].get<bool>();
      if (p["running"].get<bool>()) which += "v" + std::to_string(p["exam_version"].get<int>());
    }
    EXPECT_EQ(released, 2);
    return which;
  };
  EXPECT_EQ(running(), "v2");
  auto text = RunLontar({"terminal", "status", "--home", P("t")});
  EXPECT_NE(text.out.find("TEST-MINI@1), valid"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(", released, not running"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(", released, the session this terminal runs"), std::string::npos)
      << text.out;
  // Releasing version 1 again changes nothing and says that version 2 still runs.
  auto again = RunLontar(
      {"session", "release", "--home", P("t"), "--code-file", code, "--pack", "TEST-MINI@1"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("was released already; this terminal runs TEST-MINI@2"),
            std::string::npos)
      << again.err;
  EXPECT_EQ(running(), "v2");

  // A sitting under way on version 2 keeps the terminal on it.
  auto open_v2 = RunLontar({"session", "open", "--home", P("t"), "--proctor-code-file", proctor});
  ASSERT_EQ(open_v2.exit_code, 0) << open_v2.err;
  std::string v2_token = open_v2.out.substr(0, open_v2.out.find('\n'));
  testing::WriteText(dir / "pin", "111111\n");
  testing::WriteText(dir / "script.jsonl", "{\"cmd\":\"wait\",\"seconds\":5}\n");
  auto sitting =
      RunLontar({"exam", "run", "--home", P("t"), "--participant", "TEST-0001", "--pin-file",
                 P("pin"), "--token", v2_token, "--script", P("script.jsonl")});
  ASSERT_EQ(sitting.exit_code, 0) << sitting.err;
  auto refused = RunLontar({"session", "open", "--home", P("t"), "--proctor-code-file", proctor,
                            "--pack", "TEST-MINI@1"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("a sitting is in progress there (TEST-0001): let it finish, void it "
                             "or hand it over"),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(running(), "v2");
  auto void_it = RunLontar({"session", "void", "--home", P("t"), "--proctor-code-file", proctor,
                            "--participant", "TEST-0001", "--reason", "test"});
  ASSERT_EQ(void_it.exit_code, 0) << void_it.err;

  // Now version 1 runs again: the same token as before, and `session status` reads its pack.
  auto back = RunLontar({"session", "open", "--home", P("t"), "--proctor-code-file", proctor,
                         "--pack", "TEST-MINI@1"});
  ASSERT_EQ(back.exit_code, 0) << back.err;
  EXPECT_EQ(back.out, v1_token + "\n");
  EXPECT_NE(back.err.find("this terminal now runs TEST-MINI@1 (pack "), std::string::npos)
      << back.err;
  EXPECT_EQ(running(), "v1");
  auto session = RunLontar({"session", "status", "--home", P("t"), "--json"});
  ASSERT_EQ(session.exit_code, 0) << session.err;
  auto v1_status = nlohmann::json::parse(session.out);
  EXPECT_TRUE(v1_status["sittings"].empty()) << session.out;  // TEST-0001 sat version 2
}

}  // namespace
}  // namespace lontar::pack

// `lontar bundles list|export|verify` as a technician and a coordinator run them: the real
// binary, a real terminal, a directory standing in for the USB stick.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/bundle/export.hpp"
#include "core/bundle/outbox.hpp"
#include "core/crypto/key_file.hpp"
#include "tests/support/sample_bundles.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::ReadText;
using testing::RunLontar;
using testing::TempDir;
using testing::WriteText;

class BundlesCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    auto keys = RunLontar({"keys", "new", "authority", "--out", (dir_ / "keys").string()});
    ASSERT_EQ(keys.exit_code, 0) << keys.err;
    auto results = RunLontar({"keys", "new", "results", "--out", (dir_ / "keys").string()});
    ASSERT_EQ(results.exit_code, 0) << results.err;
    home_ = (dir_ / "home").string();
    auto init = RunLontar({"terminal", "init", "--home", home_, "--site", "SITE-01", "--trust",
                           (dir_ / "keys" / "authority.pub").string()});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    terminal_id_ = init.out.substr(0, init.out.find('\n'));
    std::filesystem::create_directories(dir_ / "enrolled");
    enroll_ = (dir_ / "enrolled" / (terminal_id_ + ".enroll")).string();
    auto e = RunLontar({"terminal", "enrollment", "--home", home_, "--out", enroll_});
    ASSERT_EQ(e.exit_code, 0) << e.err;
    std::filesystem::create_directories(dir_ / "stick");
    stick_ = (dir_ / "stick").string();
  }

  // Puts `n` bundles into the outbox the way the engine will: in-process, through the API.
  void AddBundles(int n) {
    SystemClock clock;
    auto t = terminal::Terminal::Open(home_, clock);
    ASSERT_TRUE(t) << t.error().message();
    auto results = crypto::ReadBoxPublicKeyFile(dir_ / "keys" / "results.pub");
    ASSERT_TRUE(results) << results.error().message();
    for (int i = 0; i < n; ++i) {
      const auto in =
          testing::SampleBundleInputs(*t, "SKD-2026", bundle::NextBundleSeq(*t).value());
      auto b = testing::AddSampleBundle(*t, in, *results);
      ASSERT_TRUE(b) << b.error().message();
    }
  }

  std::filesystem::path StickDir() const {
    return std::filesystem::path(stick_) / "lontar-bundles" / terminal_id_;
  }

  TempDir dir_;
  std::string home_, terminal_id_, enroll_, stick_;
};

TEST_F(BundlesCommand, ListShowsTheOutbox) {
  auto empty = RunLontar({"bundles", "list", "--home", home_});
  ASSERT_EQ(empty.exit_code, 0) << empty.err;
  EXPECT_NE(empty.out.find("is empty"), std::string::npos) << empty.out;

  AddBundles(3);
  auto text = RunLontar({"bundles", "list", "--home", home_});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("P-002"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("3 bundles: 3 pending, 0 delivered"), std::string::npos) << text.out;

  auto json = RunLontar({"bundles", "list", "--home", home_, "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["terminal_id"], terminal_id_);
  EXPECT_EQ(j["pending"], 3);
  ASSERT_EQ(j["bundles"].size(), 3u);
  EXPECT_EQ(j["bundles"][0]["seq"], 1);
  EXPECT_EQ(j["bundles"][0]["state"], "pending");
  EXPECT_EQ(j["bundles"][2]["participant"], "P-003");
  EXPECT_EQ(j["bundles"][0]["receipt_code"].get<std::string>().size(), 14u);
  EXPECT_NE(text.out.find(j["bundles"][1]["receipt_code"].get<std::string>()), std::string::npos);
}

TEST_F(BundlesCommand, ExportCopiesVerifiesAndIsIdempotent) {
  AddBundles(3);
  auto first = RunLontar({"bundles", "export", "--home", home_, "--to", stick_, "--json"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("bundles export: 3/3 bundles"), std::string::npos) << first.err;
  auto j = nlohmann::json::parse(first.out);
  EXPECT_EQ(j["total"], 3);
  EXPECT_EQ(j["written"], 3);
  EXPECT_EQ(j["already"], 0);
  EXPECT_EQ(j["manifest_written"], true);

  // Every file on the stick is the outbox's, and the manifest lists them, signed.
  auto list = nlohmann::json::parse(RunLontar({"bundles", "list", "--home", home_, "--json"}).out);
  std::vector<std::string> files;
  for (const auto& b : list["bundles"]) {
    char name[64];
    std::snprintf(name, sizeof name, "%06d-%s.lrb", b["seq"].get<int>(),
                  b["receipt_code"].get<std::string>().c_str());
    ASSERT_TRUE(std::filesystem::exists(StickDir() / name)) << name;
    EXPECT_EQ(ReadText(StickDir() / name), ReadText(b["file"].get<std::string>()));
    files.push_back((StickDir() / name).string());
  }
  auto manifest = bundle::ReadManifest(StickDir() / "manifest.json");
  ASSERT_TRUE(manifest) << manifest.error().message();
  EXPECT_EQ(terminal::TerminalIdFor(manifest->signer), terminal_id_);
  auto body = nlohmann::json::parse(manifest->body);
  ASSERT_EQ(body["bundles"].size(), 3u);
  EXPECT_EQ(body["bundles"][2]["seq"], 3);
  EXPECT_EQ(body["bundles"][0]["file"], std::filesystem::path(files[0]).filename().string());
  const std::string manifest_text = ReadText(StickDir() / "manifest.json");

  // Again: nothing to write, nothing changes.
  auto again = RunLontar({"bundles", "export", "--home", home_, "--to", stick_});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("0 written, 3 already there"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("manifest unchanged"), std::string::npos) << again.out;
  EXPECT_EQ(ReadText(StickDir() / "manifest.json"), manifest_text);

  // A damaged copy and a temporary left by an interrupted run: repaired and cleaned up.
  std::string damaged = ReadText(files[1]);
  damaged[damaged.size() / 2] ^= 0x01;
  WriteText(files[1], damaged);
  WriteText(StickDir() / ".000004-ABCD-EFGH-JKMN.lrb.tmp-abc123", "half");
  AddBundles(1);
  auto repair = RunLontar({"bundles", "export", "--home", home_, "--to", stick_, "--json"});
  ASSERT_EQ(repair.exit_code, 0) << repair.err;
  auto r = nlohmann::json::parse(repair.out);
  EXPECT_EQ(r["written"], 2);
  EXPECT_EQ(r["replaced"], 1);
  EXPECT_EQ(r["already"], 2);
  EXPECT_EQ(r["manifest_written"], true);
  EXPECT_FALSE(std::filesystem::exists(StickDir() / ".000004-ABCD-EFGH-JKMN.lrb.tmp-abc123"));
  std::size_t count = 0;
  for (const auto& e : std::filesystem::directory_iterator(StickDir())) {
    (void)e;
    ++count;
  }
  EXPECT_EQ(count, 7u);  // four bundles, the manifest, its .minisig and terminal.pub

  // The coordinator checks the stick's files against the enrolled terminals.
  std::vector<std::string> verify_args = {"bundles", "verify", "--enrolled",
                                          (dir_ / "enrolled").string()};
  for (const auto& e : std::filesystem::directory_iterator(StickDir())) {
    if (e.path().extension() == ".lrb") verify_args.push_back(e.path().string());
  }
  auto verified = RunLontar(verify_args);
  ASSERT_EQ(verified.exit_code, 0) << verified.err << verified.out;
  EXPECT_EQ(std::count(verified.out.begin(), verified.out.end(), '\n'), 4) << verified.out;
}

// The stock minisign tool checks the stick's manifest with the terminal.pub written beside it,
// whose key id is the terminal id's; one changed byte fails, and a later export signs again.
TEST_F(BundlesCommand, StockMinisignChecksTheExportedManifest) {
  const std::string minisign = "/usr/bin/minisign";
  if (!std::filesystem::exists(minisign)) GTEST_SKIP() << "minisign is not installed";
  AddBundles(2);
  ASSERT_EQ(RunLontar({"bundles", "export", "--home", home_, "--to", stick_}).exit_code, 0);
  const std::string pub = (StickDir() / "terminal.pub").string();
  const std::string manifest = (StickDir() / "manifest.json").string();
  auto ok = testing::RunProgram(minisign, {"-V", "-p", pub, "-m", manifest});
  ASSERT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(
      ok.out.find("Trusted comment: lontar bundle manifest terminal " + terminal_id_ + " site "),
      std::string::npos)
      << ok.out;
  EXPECT_NE(ok.out.find(" bundles 2"), std::string::npos) << ok.out;
  auto shown = RunLontar({"keys", "show", pub});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find(terminal_id_.substr(2)), std::string::npos) << shown.out;

  const std::string good = ReadText(manifest);
  std::string flipped = good;
  flipped[flipped.size() / 2] ^= 0x01;
  WriteText(manifest, flipped);
  auto bad = testing::RunProgram(minisign, {"-V", "-p", pub, "-m", manifest});
  EXPECT_NE(bad.exit_code, 0) << bad.out;

  WriteText(manifest, good);
  AddBundles(1);
  ASSERT_EQ(RunLontar({"bundles", "export", "--home", home_, "--to", stick_}).exit_code, 0);
  auto again = testing::RunProgram(minisign, {"-V", "-p", pub, "-m", manifest});
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find(" bundles 3"), std::string::npos) << again.out;
}

TEST_F(BundlesCommand, VerifyChecksAStickAgainstItsManifest) {
  AddBundles(3);
  ASSERT_EQ(RunLontar({"bundles", "export", "--home", home_, "--to", stick_}).exit_code, 0);
  const std::string enrolled = (dir_ / "enrolled").string();
  auto ok = RunLontar({"bundles", "verify", stick_, "--enrolled", enrolled});
  ASSERT_EQ(ok.exit_code, 0) << ok.err << ok.out;
  EXPECT_NE(ok.out.find("OK  " + StickDir().string() + "  " + terminal_id_ +
                        ": 3 bundles listed in its signed manifest, all present and verified"),
            std::string::npos)
      << ok.out;

  // A file lost on the way, one damaged, one the manifest does not know.
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(StickDir())) {
    if (e.path().extension() == ".lrb") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_EQ(files.size(), 3u);
  std::filesystem::rename(files[0], dir_ / "lost.lrb");
  std::string text = ReadText(files[1]);
  text[text.size() - 40] ^= 0x01;  // in the sealed payload, whatever the header's length
  WriteText(files[1], text);
  WriteText(StickDir() / "000099-ZZZZ-ZZZZ-ZZZZ.lrb", "stray");
  auto bad =
      RunLontar({"bundles", "verify", (StickDir()).string(), "--enrolled", enrolled, "--json"});
  EXPECT_EQ(bad.exit_code, 1);
  auto j = nlohmann::json::parse(bad.out);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["ok"], false);
  EXPECT_EQ(j[0]["listed"], 3);
  EXPECT_EQ(j[0]["verified"], 1);
  EXPECT_EQ(j[0]["missing"][0], files[0].filename().string());
  EXPECT_NE(j[0]["bad"][0].get<std::string>().find("does not verify"), std::string::npos);
  EXPECT_EQ(j[0]["unlisted"][0], "000099-ZZZZ-ZZZZ-ZZZZ.lrb");
  EXPECT_TRUE(j[0]["gaps"].empty());

  // A manifest by a terminal that is not enrolled.
  auto other = RunLontar(
      {"bundles", "verify", stick_, "--terminal-key", (dir_ / "keys" / "authority.pub").string()});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("not among the enrolled terminals"), std::string::npos) << other.err;
}

TEST_F(BundlesCommand, ExportRefusesAMissingStickAndADamagedOutbox) {
  AddBundles(1);
  auto none = RunLontar({"bundles", "export", "--home", home_, "--to", stick_ + "/nope"});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_NE(none.err.find("mount the USB stick"), std::string::npos) << none.err;

  auto list = nlohmann::json::parse(RunLontar({"bundles", "list", "--home", home_, "--json"}).out);
  const std::string file = list["bundles"][0]["file"];
  std::string text = ReadText(file);
  text[text.size() - 1] ^= 0x01;
  WriteText(file, text);
  auto bad = RunLontar({"bundles", "export", "--home", home_, "--to", stick_});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("does not verify"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(StickDir() / "manifest.json"));
}

TEST_F(BundlesCommand, VerifyNamesWhatIsWrong) {
  AddBundles(1);
  auto list = nlohmann::json::parse(RunLontar({"bundles", "list", "--home", home_, "--json"}).out);
  const std::string file = list["bundles"][0]["file"];

  auto ok = RunLontar({"bundles", "verify", file, "--terminal-key", enroll_, "--json"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  auto j = nlohmann::json::parse(ok.out);
  EXPECT_EQ(j[0]["ok"], true);
  EXPECT_EQ(j[0]["terminal_id"], terminal_id_);
  EXPECT_EQ(j[0]["receipt_code"], list["bundles"][0]["receipt_code"]);

  // Another terminal's key.
  auto other = RunLontar({"terminal", "init", "--home", (dir_ / "home2").string(), "--site",
                          "SITE-02", "--trust", (dir_ / "keys" / "authority.pub").string()});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  const std::string other_enroll = (dir_ / "other.enroll").string();
  ASSERT_EQ(RunLontar({"terminal", "enrollment", "--home", (dir_ / "home2").string(), "--out",
                       other_enroll})
                .exit_code,
            0);
  auto wrong = RunLontar({"bundles", "verify", file, "--terminal-key", other_enroll});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.out.find("BAD"), std::string::npos);
  EXPECT_NE(wrong.err.find("not among the 1 enrolled"), std::string::npos) << wrong.err;

  // Altered, cut, or not a bundle at all.
  std::string text = ReadText(file);
  WriteText(dir_ / "cut.lrb", text.substr(0, text.size() - 5));
  auto cut =
      RunLontar({"bundles", "verify", (dir_ / "cut.lrb").string(), "--terminal-key", enroll_});
  EXPECT_EQ(cut.exit_code, 1);
  EXPECT_NE(cut.err.find("truncated"), std::string::npos) << cut.err;
  text[100] ^= 0x04;
  WriteText(dir_ / "flip.lrb", text);
  auto flip = RunLontar({"bundles", "verify", (dir_ / "flip.lrb").string(), "--enrolled",
                         (dir_ / "enrolled").string()});
  EXPECT_EQ(flip.exit_code, 1);
  EXPECT_NE(flip.err.find("altered or damaged"), std::string::npos) << flip.err;

  auto nokey = RunLontar({"bundles", "verify", file});
  EXPECT_EQ(nokey.exit_code, 1);
  EXPECT_NE(nokey.err.find("--enrolled DIR or --terminal-key"), std::string::npos) << nokey.err;
}

}  // namespace
}  // namespace lontar

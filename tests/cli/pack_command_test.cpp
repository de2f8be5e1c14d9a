// The pack workflow through the real `lontar` binary, as the exam authority and a technician run
// it: keys, terminal, build, inspect, verify, load, release.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/crypto/key_file.hpp"
#include "core/pack/pack_format.hpp"
#include "core/util/fs.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::CommandResult;
using testing::ReadText;
using testing::RunLontar;
using testing::TempDir;
using testing::WriteText;

const std::string kMini = std::string(LONTAR_SOURCE_DIR) + "/tests/fixtures/mini-exam";
const std::string kCode = std::string(LONTAR_SOURCE_DIR) + "/tests/fixtures/mini-release-code.txt";
const std::string kProctorCode =
    std::string(LONTAR_SOURCE_DIR) + "/tests/fixtures/mini-proctor-code.txt";

class PackCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(Run({"keys", "new", "authority", "--out", Path("keys")}).exit_code, 0);
    ASSERT_EQ(Run({"keys", "new", "results", "--out", Path("keys")}).exit_code, 0);
    ASSERT_EQ(Run({"terminal", "init", "--home", Path("t"), "--site", "SITE-01", "--trust",
                   Path("keys/authority.pub")})
                  .exit_code,
              0);
    ASSERT_EQ(
        Run({"terminal", "enrollment", "--home", Path("t"), "--out", Path("t.enroll")}).exit_code,
        0);
  }
  std::string Path(const std::string& name) { return (dir_ / name).string(); }
  CommandResult Run(const std::vector<std::string>& args) {
    auto r = RunLontar(args);
    last_ = r;
    return r;
  }
  // `lontar pack build` for the terminal, signed by `key_dir`/authority.key.
  CommandResult Build(const std::string& source, const std::string& out, int version = 1,
                      std::vector<std::string> proctor = {"--proctor-code-file", kProctorCode},
                      const std::string& key_dir = "keys") {
    std::vector<std::string> args = {"pack",
                                     "build",
                                     source,
                                     "--key",
                                     Path(key_dir + "/authority.key"),
                                     "--version",
                                     std::to_string(version),
                                     "--valid-from",
                                     "2026-01-01T00:00:00Z",
                                     "--valid-until",
                                     "2099-12-31T00:00:00Z",
                                     "--for",
                                     Path("t.enroll"),
                                     "--release-code-file",
                                     kCode,
                                     "--results-pub",
                                     Path("keys/results.pub"),
                                     "--out",
                                     out};
    args.insert(args.end(), proctor.begin(), proctor.end());
    return Run(args);
  }
  // A trust update signed by `key_dir`/authority.key (sequence 1) that adds new/authority.pub,
  // written to `out`, then `lontar terminal trust` of it on the terminal: that run's result.
  CommandResult SignAndApplyTrustUpdate(const std::string& key_dir, const std::string& out) {
    auto signed_update =
        Run({"trust", "sign", "--key", Path(key_dir + "/authority.key"), "--sequence", "1", "--add",
             Path("new/authority.pub"), "--out", Path(out)});
    EXPECT_EQ(signed_update.exit_code, 0) << signed_update.err;
    return Run({"terminal", "trust", "--home", Path("t"), Path(out)});
  }
  nlohmann::json StatusJson() {
    auto status = Run({"terminal", "status", "--home", Path("t"), "--json"});
    EXPECT_EQ(status.exit_code, 0) << status.err;
    return nlohmann::json::parse(status.out);
  }
  TempDir dir_;
  CommandResult last_;
};

TEST_F(PackCommand, BuildInspectVerifyLoadRelease) {
  auto built = Build(kMini, Path("exam.lpk"));
  ASSERT_EQ(built.exit_code, 0) << built.err;
  const std::string pack_id = built.out.substr(0, 32);

  auto inspect = Run({"pack", "inspect", Path("exam.lpk"), "--json"});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  auto j = nlohmann::json::parse(inspect.out);
  EXPECT_EQ(j["pack_id"], pack_id);
  EXPECT_EQ(j["exam_id"], "TEST-MINI");
  EXPECT_EQ(j["payload"]["items"], 4);
  EXPECT_EQ(j["targets"].size(), 1u);
  EXPECT_EQ(j["signature_checked"], false);
  EXPECT_EQ(j["proctor_code"], "yes");
  auto inspect_text = Run({"pack", "inspect", Path("exam.lpk")});
  ASSERT_EQ(inspect_text.exit_code, 0) << inspect_text.err;
  EXPECT_NE(inspect_text.out.find("proctor     code set"), std::string::npos) << inspect_text.out;
  // The release code's KDF is what `pack build --help` says the default is: release, 32 MiB.
  EXPECT_EQ(j["release_kdf"]["memlimit"], 32u << 20) << inspect.out;
  EXPECT_EQ(j["release_kdf"]["opslimit"], 4) << inspect.out;
  EXPECT_NE(inspect_text.out.find("release kdf Argon2id, 32 MiB, 4 passes"), std::string::npos)
      << inspect_text.out;
  auto help = Run({"pack", "build", "--help"});
  EXPECT_NE(help.out.find("release (32 MiB)"), std::string::npos) << help.out;

  auto verify = Run({"pack", "verify", Path("exam.lpk"), "--trust", Path("keys/authority.pub")});
  ASSERT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_NE(verify.out.find("OK"), std::string::npos);

  auto load = Run({"terminal", "load", "--home", Path("t"), Path("exam.lpk")});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  EXPECT_NE(load.out.find("loaded: exam TEST-MINI version 1"), std::string::npos);
  auto again = Run({"terminal", "load", "--home", Path("t"), Path("exam.lpk")});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("already loaded"), std::string::npos);

  WriteText(dir_ / "wrong.txt", "NOT-THE-CODE\n");
  auto wrong = Run({"session", "release", "--home", Path("t"), "--code-file", Path("wrong.txt")});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("wrong release code"), std::string::npos) << wrong.err;
  auto right = Run({"session", "release", "--home", Path("t"), "--code-file", kCode});
  ASSERT_EQ(right.exit_code, 0) << right.err;
  EXPECT_NE(right.out.find("released: exam TEST-MINI"), std::string::npos);

  auto status = Run({"terminal", "status", "--home", Path("t"), "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  auto s = nlohmann::json::parse(status.out);
  ASSERT_EQ(s["packs"].size(), 1u);
  EXPECT_EQ(s["packs"][0]["exam_id"], "TEST-MINI");
  EXPECT_EQ(s["packs"][0]["released"], true);
  EXPECT_EQ(s["packs"][0]["proctor_code"], "yes");
  EXPECT_EQ(s["journal"]["ok"], true);
  auto status_text = Run({"terminal", "status", "--home", Path("t")});
  ASSERT_EQ(status_text.exit_code, 0) << status_text.err;
  EXPECT_NE(status_text.out.find(", released, the session this terminal runs, proctor code set"),
            std::string::npos)
      << status_text.out;
}

TEST_F(PackCommand, BuildWithoutAProctorCodeIsRefusedSayingWhatToAdd) {
  auto r = Build(kMini, Path("exam.lpk"), 1, {});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no proctor code given: add --proctor-code-file FILE"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("or --no-proctor-code for a pack that is only loaded and released"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "exam.lpk"));
}

TEST_F(PackCommand, BuildRefusesBothAProctorCodeAndNoProctorCode) {
  auto r =
      Build(kMini, Path("exam.lpk"), 1, {"--proctor-code-file", kProctorCode, "--no-proctor-code"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("excludes"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "exam.lpk"));
}

TEST_F(PackCommand, NoProctorCodeBuildsAndInspectAndStatusSayNo) {
  auto built = Build(kMini, Path("exam.lpk"), 1, {"--no-proctor-code"});
  ASSERT_EQ(built.exit_code, 0) << built.err;
  EXPECT_NE(built.err.find("NO proctor code"), std::string::npos) << built.err;

  auto inspect = Run({"pack", "inspect", Path("exam.lpk"), "--json"});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  EXPECT_EQ(nlohmann::json::parse(inspect.out)["proctor_code"], "no");
  auto text = Run({"pack", "inspect", Path("exam.lpk")});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("proctor     NO code (built with --no-proctor-code): the session "
                          "cannot be opened"),
            std::string::npos)
      << text.out;

  ASSERT_EQ(Run({"terminal", "load", "--home", Path("t"), Path("exam.lpk")}).exit_code, 0)
      << last_.err;
  EXPECT_EQ(StatusJson()["packs"][0]["proctor_code"], "no");
  auto status = Run({"terminal", "status", "--home", Path("t")});
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find(", not released, NO proctor code (no session can be opened)"),
            std::string::npos)
      << status.out;
}

// A pack built before headers recorded the proctor code: the same payload, its header without
// "proctor_code", signed again by the authority so that a terminal loads it.
void WriteOldStylePack(const std::filesystem::path& pack_file, const std::filesystem::path& key,
                       const std::filesystem::path& out) {
  auto envelope = pack::ReadEnvelope(pack_file);
  ASSERT_TRUE(envelope) << envelope.error().message();
  auto header = nlohmann::ordered_json::parse(envelope->header_json);
  ASSERT_EQ(header.erase("proctor_code"), 1u);
  const std::string old_header = header.dump();
  auto authority = crypto::ReadSigningSecretKeyFile(key);
  ASSERT_TRUE(authority) << authority.error().message();
  Bytes file = pack::SerializeEnvelope(
      {{authority->id(), authority->Sign(pack::SignedMessage(old_header))}}, old_header);
  auto whole = ReadFile(pack_file, 1 << 30);
  ASSERT_TRUE(whole) << whole.error().message();
  file.insert(file.end(), whole->begin() + static_cast<std::ptrdiff_t>(envelope->payload_offset),
              whole->end());
  ASSERT_TRUE(WriteFileAtomic(out, file, 0644, Overwrite::kRefuse));
}

TEST_F(PackCommand, AnOldPackShowsUnknownUntilReleasedThenWhatItsExamSays) {
  ASSERT_EQ(Build(kMini, Path("new.lpk")).exit_code, 0) << last_.err;
  WriteOldStylePack(dir_ / "new.lpk", dir_ / "keys/authority.key", dir_ / "old.lpk");

  auto inspect = Run({"pack", "inspect", Path("old.lpk"), "--json"});
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  EXPECT_EQ(nlohmann::json::parse(inspect.out)["proctor_code"], "unknown");
  auto text = Run({"pack", "inspect", Path("old.lpk")});
  EXPECT_NE(text.out.find("proctor     unknown: the pack was built before packs recorded it"),
            std::string::npos)
      << text.out;

  auto load = Run({"terminal", "load", "--home", Path("t"), Path("old.lpk")});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  EXPECT_EQ(StatusJson()["packs"][0]["proctor_code"], "unknown");
  auto before = Run({"terminal", "status", "--home", Path("t")});
  EXPECT_NE(before.out.find("proctor code unknown until released"), std::string::npos)
      << before.out;

  ASSERT_EQ(Run({"session", "release", "--home", Path("t"), "--code-file", kCode}).exit_code, 0)
      << last_.err;
  EXPECT_EQ(StatusJson()["packs"][0]["proctor_code"], "yes");
}

TEST_F(PackCommand, BuildReportsEveryProblemAndWritesNothing) {
  std::filesystem::copy(kMini, dir_ / "src", std::filesystem::copy_options::recursive);
  std::string item = ReadText(dir_ / "src/items/tkp-01.yaml");
  item.replace(item.find("weight: 3}"), 10, "weight: 7}");
  WriteText(dir_ / "src/items/tkp-01.yaml", item);
  std::filesystem::remove(dir_ / "src/media/boxes.png");
  auto r = Build(Path("src"), Path("bad.lpk"));
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("items/tkp-01.yaml:10: option C has weight 7; allowed 1..5"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("items/tiu-02.yaml:6: media file 'media/boxes.png' does not exist"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("2 problem(s)"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "bad.lpk"));
}

TEST_F(PackCommand, VerifyWithAnotherAuthorityFails) {
  ASSERT_EQ(Build(kMini, Path("exam.lpk")).exit_code, 0);
  ASSERT_EQ(Run({"keys", "new", "authority", "--out", Path("other")}).exit_code, 0);
  auto r = Run({"pack", "verify", Path("exam.lpk"), "--trust", Path("other/authority.pub")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("does not trust"), std::string::npos) << r.err;
}

TEST_F(PackCommand, BuildRefusesToOverwrite) {
  ASSERT_EQ(Build(kMini, Path("exam.lpk")).exit_code, 0);
  const std::string before = ReadText(dir_ / "exam.lpk");
  auto r = Build(kMini, Path("exam.lpk"), 2);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("refusing to overwrite"), std::string::npos) << r.err;
  EXPECT_EQ(ReadText(dir_ / "exam.lpk"), before);
}

TEST_F(PackCommand, TrustUpdateLetsATerminalAcceptANewAuthority) {
  ASSERT_EQ(Run({"keys", "new", "authority", "--out", Path("new")}).exit_code, 0);
  // A pack signed by the new key is refused until the terminal trusts it.
  auto built = Build(kMini, Path("new.lpk"), 1, {"--proctor-code-file", kProctorCode}, "new");
  ASSERT_EQ(built.exit_code, 0) << built.err;
  auto refused = Run({"terminal", "load", "--home", Path("t"), Path("new.lpk")});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("does not trust"), std::string::npos) << refused.err;

  auto self = SignAndApplyTrustUpdate("new", "self.ltu");  // the new key vouching for itself
  EXPECT_EQ(self.exit_code, 1);
  EXPECT_NE(self.err.find("only a currently trusted authority key"), std::string::npos) << self.err;

  auto applied = SignAndApplyTrustUpdate("keys", "rotate.ltu");
  ASSERT_EQ(applied.exit_code, 0) << applied.err;
  EXPECT_NE(applied.out.find("1 key(s) added"), std::string::npos) << applied.out;
  auto loaded = Run({"terminal", "load", "--home", Path("t"), Path("new.lpk")});
  EXPECT_EQ(loaded.exit_code, 0) << loaded.err;
  auto replay = Run({"terminal", "trust", "--home", Path("t"), Path("rotate.ltu")});
  EXPECT_EQ(replay.exit_code, 1);
  EXPECT_NE(replay.err.find("not newer"), std::string::npos) << replay.err;
}

}  // namespace
}  // namespace lontar

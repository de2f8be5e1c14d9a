// The guides walked end to end: the command blocks of docs/technician.md, docs/proctor.md and
// docs/coordinator.md, exactly as printed, run in that order in one scratch directory with the
// real `lontar` binary, so that a guide that drifts from the binaries (a renamed option, a step
// that no longer works, an output the guide quotes that changed) fails here.
//
// How a block becomes commands (nothing else is changed):
//  - every block carries a marker (tests/cli/guide_blocks.hpp); the test runs the "run" blocks
//    and fails on a block without one, so a recipe is never left out silently;
//  - paths and addresses the guides use as examples are replaced (kPlaceholders below): the home
//    /var/lib/lontar, the stick /media/usb, /srv, /etc/lontar, the servers' addresses, the example
//    terminal id, participant and token; optional parts in [brackets] are left out;
//  - `lontar serve` lines start a server on loopback that stays up for the rest of the walk; the
//    other lines of a block run in bash -e (the first failing command fails the block), with the
//    built binaries first on PATH and the scratch directory as working directory, where the
//    guides' relative paths (keys/, enrolled/, server.pub) are.
// What the guides leave to others is done here between blocks, each step named (kSteps): the exam
// authority builds the pack and a trust update, hands out the codes and public keys, and runs the
// central collection server (docs/server.md); a second candidate sits so that a bundle travels
// through the site relay.
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>

#include "tests/cli/guide_blocks.hpp"
#include "tests/support/pack_build.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::CommandResult;
using testing::GuideBlock;
using testing::ReadText;
using testing::RunLontar;
using testing::ServerProcess;
using testing::TempDir;
using testing::WriteText;

using testing::kFixtures;

// A step of the walk that the guides do not print: run before (or after) the first block of
// `doc` whose text contains `in_block`. Each must happen, or the guide changed under the test.
struct Step {
  std::string doc, in_block, what;
  bool after = false;
  bool done = false;
};

class GuideWalk : public ::testing::Test {
 protected:
  void SetUp() override {
    previous_cwd_ = std::filesystem::current_path();
    std::filesystem::current_path(dir_.path());
    for (const char* d : {"usb", "srv", "etc/lontar", "log", "enrolled"}) {
      std::filesystem::create_directories(dir_ / d);
    }
    // The guides' example values and what stands for them here. Longest first where one holds
    // another.
    placeholders_ = {
        {"http://RELAY-IP:8470", ""},      // set when the relay is up
        {"https://collect.example/", ""},  // set when the central server is up
        {"0.0.0.0:8470", "127.0.0.1:0"},  {"/var/lib/lontar", P("home")},
        {"/media/usb", P("usb")},         {"/srv/", P("srv") + "/"},
        {"/etc/lontar", P("etc/lontar")}, {"DEMO-0001", "TEST-0001"},
    };
    words_ = {{"DIR", P("home")}, {"FILE", P("technician.hash")}};
  }
  void TearDown() override {
    servers_.clear();
    std::filesystem::current_path(previous_cwd_);
  }
  std::string P(const std::string& name) const { return (dir_ / name).string(); }

  void Set(const std::string& placeholder, const std::string& value) {
    for (auto& [from, to] : placeholders_) {
      if (from == placeholder) {
        to = value;
        return;
      }
    }
    placeholders_.push_back({placeholder, value});
  }

  std::string Substitute(std::string text) const {
    text = std::regex_replace(text, std::regex(R"( ?\[[^\]\n]*\])"), "");  // optional parts
    for (const auto& [from, to] : placeholders_) {
      if (to.empty()) continue;
      for (auto at = text.find(from); at != std::string::npos;
           at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
      }
    }
    for (const auto& [word, to] : words_) {
      text = std::regex_replace(text, std::regex("\\b" + word + "\\b"), to);
    }
    return text;
  }

  // Runs `script` in bash -e with the built binaries first on PATH.
  CommandResult Bash(const std::string& script) const {
    return testing::RunProgram(
        "/bin/bash",
        {"-e", "-o", "pipefail", "-c",
         "export PATH='" + std::string(LONTAR_BIN_DIR) + "':\"$PATH\"\n" + script},
        {}, stdin_);
  }

  // Runs one block as described atop this file; returns what its commands printed.
  CommandResult RunBlock(const std::string& where, const std::string& text) {
    CommandResult all{0, "", ""};
    std::string script;
    const auto flush = [&] {
      if (script.empty()) return;
      CommandResult r = Bash(script);
      all.out += r.out;
      all.err += r.err;
      if (r.exit_code != 0) all.exit_code = r.exit_code;
      EXPECT_EQ(r.exit_code, 0) << where << ": the guide's block failed:\n"
                                << script << "\nstdout:\n"
                                << r.out << "\nstderr:\n"
                                << r.err;
      script.clear();
    };
    std::istringstream in(text);
    std::string line, logical;
    while (std::getline(in, line)) {
      if (line.ends_with("\\")) {
        logical += line.substr(0, line.size() - 1);
        continue;
      }
      logical += line;
      if (testing::TrimmedGuideLine(logical).starts_with("lontar serve ")) {
        flush();
        StartServer(where, logical);
      } else {
        script += logical + "\n";
      }
      logical.clear();
    }
    flush();
    return all;
  }

  void StartServer(const std::string& where, std::string line) {
    line.resize(std::min(line.size(), line.find(" #")));
    std::istringstream words(line);
    std::vector<std::string> args;
    for (std::string w; words >> w;) args.push_back(w);
    args.erase(args.begin(), args.begin() + 2);  // "lontar serve"
    auto server = std::make_unique<ServerProcess>(args, dir_ / "log");
    ASSERT_NE(server->port(), 0) << where << ": `lontar serve` did not start: " << server->Stderr();
    if (std::find(args.begin(), args.end(), "--relay-to") != args.end()) {
      Set("http://RELAY-IP:8470", server->url());
    }
    servers_.push_back(std::move(server));
  }

  // Walks one guide: every block marked, the "run" ones run, `steps` done where they belong.
  void Walk(const std::string& doc, std::vector<Step>& steps,
            const std::function<void(Step&, const CommandResult*)>& act) {
    const auto blocks =
        testing::GuideBlocksIn(ReadText(std::string(LONTAR_SOURCE_DIR) + "/docs/" + doc));
    ASSERT_GE(blocks.size(), 3u) << doc;
    int ran = 0;
    for (const GuideBlock& b : blocks) {
      const std::string where = "docs/" + doc + ":" + std::to_string(b.line);
      ASSERT_NE(b.mark, GuideBlock::Mark::kNone)
          << where << ": the block has no marker; put <!-- guide-test: run --> or "
          << "<!-- guide-test: skip: WHY --> on the line before its fence";
      if (b.mark == GuideBlock::Mark::kSkip) continue;
      ++ran;
      for (Step& s : steps) {
        if (!s.done && !s.after && s.doc == doc && b.text.find(s.in_block) != std::string::npos) {
          act(s, nullptr);
          s.done = true;
          if (HasFatalFailure()) return;
        }
      }
      const CommandResult r = RunBlock(where, Substitute(b.text));
      if (HasFatalFailure() || r.exit_code != 0) return;
      for (Step& s : steps) {
        if (!s.done && s.after && s.doc == doc && b.text.find(s.in_block) != std::string::npos) {
          act(s, &r);
          s.done = true;
        }
      }
    }
    EXPECT_GE(ran, 3) << doc;
  }

  void Copy(const std::string& from, const std::string& to) {
    std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing);
  }

  TempDir dir_;
  std::filesystem::path previous_cwd_;
  std::filesystem::path stdin_;
  std::vector<std::pair<std::string, std::string>> placeholders_, words_;
  std::vector<std::unique_ptr<ServerProcess>> servers_;
};

TEST_F(GuideWalk, TechnicianThenProctorThenCoordinator) {
  std::vector<Step> steps = {
      {"technician.md", "lontar terminal init", "authority.pub handed to the site"},
      {"technician.md", "lontar pack inspect", "the authority builds exam.lpk for the terminal"},
      {"technician.md", "lontar session release", "the release code, in code.txt"},
      {"technician.md", "lontar terminal trust", "the authority signs trust-0002.ltu"},
      {"technician.md", "lontar technician code", "the technician code typed on stdin"},
      {"proctor.md", "lontar session release", "the release code, in release-code.txt"},
      {"proctor.md", "lontar session open", "the proctor code, in proctor-code.txt"},
      {"proctor.md", "lontar session open", "the token written on the board", true},
      {"proctor.md", "lontar exam run", "the candidate's PIN and a script"},
      {"proctor.md", "lontar exam run", "the sitting submitted", true},
      {"coordinator.md", "--server URL", "the central server up; server.pub, enrolled/"},
      {"coordinator.md", "--relay-key relay.pub", "relay.pub copied; a second candidate sits"},
      {"coordinator.md", "--relay-key relay.pub", "delivered through the relay", true},
      {"coordinator.md", "bundles import", "the stick's bundles already stored", true},
      {"coordinator.md", "minisign -V", "the manifest's signature verified", true},
      {"coordinator.md", "results open", "every candidate in the CSV", true},
  };
  std::string terminal_id;
  const auto act = [&](Step& s, const CommandResult* r) {
    SCOPED_TRACE(s.doc + ": " + s.what);
    if (s.what.starts_with("authority.pub")) {
      Copy("keys/authority.pub", "authority.pub");
    } else if (s.what.starts_with("the authority builds")) {
      auto built = RunLontar(testing::PackBuildCommand(
          testing::MiniCodesPackBuild(P("keys"), P("exam.lpk"), {P("T-3F2A91C0D4E5B6A7.enroll")})));
      ASSERT_EQ(built.exit_code, 0) << built.err;
      auto status = RunLontar({"terminal", "status", "--home", P("home"), "--json"});
      ASSERT_EQ(status.exit_code, 0) << status.err;
      terminal_id = nlohmann::json::parse(status.out)["terminal_id"];
    } else if (s.what.starts_with("the release code, in code.txt")) {
      Copy(kFixtures + "/mini-release-code.txt", "code.txt");
    } else if (s.what.starts_with("the authority signs")) {
      ASSERT_EQ(RunLontar({"keys", "new", "authority", "--out", "next-keys"}).exit_code, 0);
      auto sign = RunLontar({"trust", "sign", "--key", "keys/authority.key", "--sequence", "2",
                             "--add", "next-keys/authority.pub", "--out", "trust-0002.ltu"});
      ASSERT_EQ(sign.exit_code, 0) << sign.err;
    } else if (s.what.starts_with("the technician code")) {
      // The guide verifies the code typed on stdin against code.txt: the same code.
      stdin_ = dir_ / "code.txt";
    } else if (s.what.starts_with("the release code, in release-code")) {
      Copy(kFixtures + "/mini-release-code.txt", "release-code.txt");
    } else if (s.what.starts_with("the proctor code")) {
      Copy(kFixtures + "/mini-proctor-code.txt", "proctor-code.txt");
    } else if (s.what.starts_with("the token")) {
      const std::string token = r->out.substr(0, r->out.find('\n'));
      ASSERT_EQ(token.size(), 6u) << "session open prints the token: " << r->out;
      Set("BCMAR7", token);
    } else if (s.what.starts_with("the candidate's PIN")) {
      WriteText(dir_ / "pin.txt", "111111\n");
      WriteText(dir_ / "sitting.jsonl",
                "# the guide's table of commands\n"
                "{\"cmd\":\"answer\",\"item\":\"tiu-01\",\"option\":\"B\"}\n"
                "{\"cmd\":\"flag\",\"item\":\"tiu-01\"}\n"
                "{\"cmd\":\"wait\",\"seconds\":90}\n"
                "{\"cmd\":\"submit\"}\n");
    } else if (s.what.starts_with("the sitting submitted")) {
      EXPECT_NE(r->out.find("submitted"), std::string::npos) << r->out;
    } else if (s.what.starts_with("the central server up")) {
      Copy("keys/server.pub", "server.pub");
      Copy("T-3F2A91C0D4E5B6A7.enroll", "enrolled/T-3F2A91C0D4E5B6A7.enroll");
      auto central = std::make_unique<ServerProcess>(
          std::vector<std::string>{"--store", P("srv/lontar"), "--enrolled", P("enrolled"), "--key",
                                   P("keys/server.key")},
          dir_ / "log");
      ASSERT_NE(central->port(), 0) << central->Stderr();
      Set("https://collect.example/", central->url() + "/");
      words_.push_back({"URL", central->url()});
      Set("T-7A1661B7150AF59B", terminal_id);
      servers_.push_back(std::move(central));
    } else if (s.what.starts_with("relay.pub copied")) {
      Copy("relay-keys/relay.pub", "relay.pub");
      WriteText(dir_ / "pin2.txt", "222222\n");
      WriteText(dir_ / "submit.jsonl", "{\"cmd\":\"submit\"}\n");
      auto sat =
          RunLontar({"exam", "run", "--home", P("home"), "--participant", "TEST-0002", "--pin-file",
                     "pin2.txt", "--token", Substitute("BCMAR7"), "--script", "submit.jsonl"});
      ASSERT_EQ(sat.exit_code, 0) << sat.err;
    } else if (s.what.starts_with("delivered through the relay")) {
      // "It ends with a line such as `held by the relay: 3, confirmed centrally: 1`": both of the
      // terminal's bundles, the second confirmed through the relay now.
      EXPECT_NE(r->out.find("held by the relay: 0, confirmed centrally: 2"), std::string::npos)
          << r->out << r->err;
    } else if (s.what.starts_with("the stick's bundles")) {
      EXPECT_NE((r->out + r->err).find("already stored"), std::string::npos) << r->out << r->err;
    } else if (s.what.starts_with("the manifest's signature")) {
      // "prints `Signature and comment signature verified` and `Trusted comment: ...`".
      EXPECT_NE(r->out.find("Signature and comment signature verified"), std::string::npos)
          << r->out;
      EXPECT_NE(r->out.find("Trusted comment: lontar bundle manifest terminal " + terminal_id +
                            " site KANREG-IV-01 bundles 2"),
                std::string::npos)
          << r->out;
    } else if (s.what.starts_with("every candidate")) {
      const std::string csv = ReadText(dir_ / "results.csv");
      for (const char* p : {"TEST-0001", "TEST-0002", "TEST-0003"}) {
        EXPECT_NE(csv.find(p), std::string::npos) << p << " in\n" << csv;
      }
      EXPECT_NE(csv.find(",absent,"), std::string::npos) << "TEST-0003 never sat:\n" << csv;
    }
  };
  for (const char* doc : {"technician.md", "proctor.md", "coordinator.md"}) {
    Walk(doc, steps, act);
    if (HasFatalFailure() || HasNonfatalFailure()) break;
  }
  for (const Step& s : steps) {
    EXPECT_TRUE(s.done) << s.doc << ": no block contains `" << s.in_block << "` for the step \""
                        << s.what << "\": the guide changed; update this test with it";
  }
}

}  // namespace
}  // namespace lontar

// The guides' commands against the binary: every `lontar ...` line in a fenced block of
// docs/coordinator.md, docs/technician.md and docs/proctor.md must name a command that exists and
// only options that command has, so that a guide that drifts from the binary (an option renamed,
// a command moved) fails here. Each line is checked through the command's own --help, including
// the blocks the walk (guide_walk_test.cpp) does not run; the walk runs the others end to end.
#include <gtest/gtest.h>

#include <cctype>
#include <sstream>

#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::ReadText;
using testing::RunLontar;

struct GuideCommand {
  int line = 0;
  std::vector<std::string> words;  // after "lontar"
};

// The `lontar` command lines in the fenced blocks of a Markdown file, continuation lines joined
// and comments dropped.
std::vector<GuideCommand> CommandsIn(const std::string& text) {
  std::vector<GuideCommand> out;
  std::istringstream in(text);
  bool fenced = false;
  std::string line, joined;
  int number = 0, start = 0;
  while (std::getline(in, line)) {
    ++number;
    line.erase(0, line.find_first_not_of(' '));  // blocks indented inside a list
    if (line.starts_with("```")) {
      fenced = !fenced;
      continue;
    }
    if (!fenced) continue;
    if (joined.empty()) start = number;
    if (const auto hash = line.find(" #"); hash != std::string::npos) line.resize(hash);
    const bool continues = !line.empty() && line.back() == '\\';
    joined += continues ? line.substr(0, line.size() - 1) + " " : line;
    if (continues) continue;
    std::istringstream words(joined);
    std::vector<std::string> w;
    for (std::string word; words >> word;) w.push_back(word);
    joined.clear();
    if (w.empty() || w[0] != "lontar") continue;
    w.erase(w.begin());
    out.push_back({start, w});
  }
  return out;
}

// Whether `help` lists option `o` (whole: "--relay" is not "--relay-to").
bool HasOption(const std::string& help, const std::string& o) {
  for (auto at = help.find(o); at != std::string::npos; at = help.find(o, at + 1)) {
    const char next = at + o.size() < help.size() ? help[at + o.size()] : ' ';
    if (!(std::isalnum(static_cast<unsigned char>(next)) || next == '-' || next == '_')) {
      return true;
    }
  }
  return false;
}

class GuideCommands : public ::testing::TestWithParam<const char*> {};

TEST_P(GuideCommands, NameOnlyCommandsAndOptionsTheBinaryHas) {
  const std::string doc = std::string(LONTAR_SOURCE_DIR) + "/docs/" + GetParam();
  const auto commands = CommandsIn(ReadText(doc));
  ASSERT_GE(commands.size(), 3u) << doc;
  for (const auto& c : commands) {
    // The command path and positionals (everything before the first option), then --help: the
    // help of the deepest command named.
    std::vector<std::string> args;
    std::vector<std::string> options;
    for (std::string w : c.words) {
      if (w.starts_with("[")) w.erase(0, 1);
      if (w.ends_with("]")) w.pop_back();
      if (w.starts_with("--")) {
        options.push_back(w.substr(0, w.find('=')));
      } else if (options.empty()) {
        args.push_back(w);
      }
    }
    args.push_back("--help");
    auto help = RunLontar(args);
    const std::string where = std::string(GetParam()) + ":" + std::to_string(c.line);
    ASSERT_EQ(help.exit_code, 0) << where << ": " << help.err;
    for (const auto& o : options) {
      if (o == "--help") continue;
      EXPECT_TRUE(HasOption(help.out, o))
          << where << ": `lontar " << c.words[0] << "` has no option " << o;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Docs, GuideCommands,
                         ::testing::Values("coordinator.md", "technician.md", "proctor.md"),
                         [](const auto& info) {
                           std::string name = info.param;
                           return name.substr(0, name.find('.'));
                         });

}  // namespace
}  // namespace lontar

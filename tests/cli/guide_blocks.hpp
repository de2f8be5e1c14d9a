// The fenced command blocks of a guide (docs/*.md) and the marker that says whether the guide
// test runs each one. The marker is an HTML comment (invisible when the guide is read) on the last
// non-blank line before the block's opening fence:
//
//   <!-- guide-test: run -->                     tests/cli/guide_walk_test.cpp runs the block
//   <!-- guide-test: skip: REASON -->            it does not, and REASON says what the block needs
//                                                that a test does not have (a screen, root, a
//                                                second terminal), or that it is no command
//
// A block without a marker is a fault of the guide (guide_walk_test names it), so that nothing is
// left out of the walk without a word.
#pragma once

#include <sstream>
#include <string>
#include <vector>

namespace lontar::testing {

struct GuideBlock {
  enum class Mark { kNone, kRun, kSkip };
  int line = 0;  // of the opening fence, counted from 1
  Mark mark = Mark::kNone;
  std::string reason;  // kSkip: why
  std::string text;    // the block's lines, each ending in '\n', the fence's indentation removed
};

inline std::string TrimmedGuideLine(const std::string& line) {
  const auto first = line.find_first_not_of(' ');
  if (first == std::string::npos) return {};
  const auto last = line.find_last_not_of(" \r");
  return line.substr(first, last - first + 1);
}

// Every fenced block of a Markdown text, with its marker. Pure.
inline std::vector<GuideBlock> GuideBlocksIn(const std::string& markdown) {
  std::vector<GuideBlock> out;
  std::istringstream in(markdown);
  std::string line, marker;
  int number = 0;
  bool fenced = false;
  std::size_t indent = 0;
  for (GuideBlock block; std::getline(in, line);) {
    ++number;
    const std::string trimmed = TrimmedGuideLine(line);
    if (trimmed.starts_with("```")) {
      if (fenced) {
        out.push_back(block);
        fenced = false;
        marker.clear();
        continue;
      }
      fenced = true;
      indent = line.find_first_not_of(' ');
      block = GuideBlock{};
      block.line = number;
      const std::string open = "<!-- guide-test: ", close = " -->";
      if (marker.starts_with(open) && marker.ends_with(close)) {
        const std::string what =
            marker.substr(open.size(), marker.size() - open.size() - close.size());
        if (what == "run") {
          block.mark = GuideBlock::Mark::kRun;
        } else if (what.starts_with("skip: ") && what.size() > 6) {
          block.mark = GuideBlock::Mark::kSkip;
          block.reason = what.substr(6);
        }
      }
      continue;
    }
    if (fenced) {
      block.text += (line.size() >= indent ? line.substr(indent) : TrimmedGuideLine(line)) + "\n";
    } else if (!trimmed.empty()) {
      marker = trimmed;
    }
  }
  return out;
}

}  // namespace lontar::testing

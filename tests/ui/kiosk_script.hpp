// A kiosk test script (app/script.hpp), written step by step: one JSON object a line, e.g.
// {"key":"Return"}, {"text":"DEMO-0001"}, {"screenshot":"/path/shot.png"}, {"exit":0}.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/support/test_support.hpp"

namespace lontar::testing {

class KioskScript {
 public:
  KioskScript& Step(const std::string& kind, const nlohmann::json& value) {
    lines_.push_back(nlohmann::json{{kind, value}}.dump());
    return *this;
  }
  KioskScript& Key(const std::string& k) { return Step("key", k); }
  // Press and release in one frame: half the frames of Key.
  KioskScript& Tap(const std::string& k) { return Step("tap", k); }
  KioskScript& Text(const std::string& t) { return Step("text", t); }
  KioskScript& Click(const std::string& c) { return Step("click", c); }
  KioskScript& Expect(const std::string& s) { return Step("expect", s); }
  // The screenshot's folder is made here: a test may be the first of the run to write to it
  // (ctest orders by cost).
  KioskScript& Shot(const std::filesystem::path& p) {
    std::filesystem::create_directories(p.parent_path());
    return Step("screenshot", p.string());
  }
  // Logs in on the login screen with the keyboard: participant number, Enter, PIN, Enter, token,
  // Enter (each Enter a tap when `tap`).
  KioskScript& LogIn(const std::string& participant, const std::string& pin,
                     const std::string& token, bool tap = false) {
    const std::string enter = tap ? "tap" : "key";
    Expect("login").Text(participant).Step(enter, "Return").Text(pin).Step(enter, "Return");
    return Text(token).Step(enter, "Return");
  }
  void Write(const std::filesystem::path& path) const {
    std::string text;
    for (const auto& l : lines_) text += l + "\n";
    WriteText(path, text);
  }

 private:
  std::vector<std::string> lines_;
};

}  // namespace lontar::testing

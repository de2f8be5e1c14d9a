// What a technician code may contain (core/terminal/technician_code.hpp
// CheckTechnicianCodeCharacters), checked with the table the root service's test uses too
// (tests/fixtures/technician_codes.txt; tests/image/root_helpers_test.sh runs it against
// image/scripts/usb-gate): the kiosk accepts exactly the codes the gate accepts, sends those as
// they are, and sends nothing for the others.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/terminal/technician_code.hpp"
#include "core/terminal/usb_gate_client.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using terminal::UsbGateClient;
using testing::ReadText;
using testing::TempDir;

struct CodeCase {
  bool accept = false;
  std::string code, what;
};

std::vector<CodeCase> ReadTable() {
  std::vector<CodeCase> cases;
  std::ifstream in(std::string(LONTAR_SOURCE_DIR) + "/tests/fixtures/technician_codes.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto tab1 = line.find('\t'), tab2 = line.find('\t', tab1 + 1);
    if (tab1 == std::string::npos || tab2 == std::string::npos) {
      ADD_FAILURE() << "not verdict<TAB>hex<TAB>what: " << line;
      continue;
    }
    CodeCase c;
    c.accept = line.substr(0, tab1) == "accept";
    EXPECT_TRUE(c.accept || line.substr(0, tab1) == "refuse") << line;
    const std::string hex = line.substr(tab1 + 1, tab2 - tab1 - 1);
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
      c.code.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    }
    c.what = line.substr(tab2 + 1);
    cases.push_back(std::move(c));
  }
  return cases;
}

TEST(TechnicianCodeRule, TheSharedTableOnTheKioskSide) {
  const auto cases = ReadTable();
  ASSERT_GE(cases.size(), 10u);
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    TempDir dir;
    auto gate = UsbGateClient::Service(dir.path());
    const auto rule = terminal::CheckTechnicianCodeCharacters(AsBytes(c.code));
    const auto open = gate.Open(AsBytes(c.code));
    // Making a code: every code of the table is long enough and varied, so only the characters
    // decide.
    const auto strength = terminal::CheckTechnicianCodeStrength(AsBytes(c.code));
    if (c.accept) {
      EXPECT_TRUE(rule) << rule.error().message();
      EXPECT_TRUE(strength) << strength.error().message();
      ASSERT_TRUE(open) << open.error().message();
      EXPECT_EQ(nlohmann::json::parse(ReadText(dir / "request"))["code"], c.code);
    } else {
      EXPECT_FALSE(rule);
      EXPECT_FALSE(strength);
      ASSERT_FALSE(open);
      EXPECT_EQ(open.error().kind(), ErrorKind::kInvalidArgument);
      EXPECT_FALSE(std::filesystem::exists(dir / "request"));
    }
  }
}

// One test per refusal message.
TEST(TechnicianCodeRule, EachRefusalSaysWhatWasFound) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"kode\tteknisi-42", "holds a control character"},
      {"kode\x7fteknisi-42", "holds a control character"},
      {"kod\xc3\xa9-teknisi-42", "a character outside ASCII"},
      {"kode\"teknisi-42", "holds a double quote, which the USB gate does not accept"},
      {"kode\\teknisi-42", "holds a backslash, which the USB gate does not accept"},
  };
  for (const auto& [code, message] : cases) {
    SCOPED_TRACE(code);
    const auto st = terminal::CheckTechnicianCodeCharacters(AsBytes(code));
    ASSERT_FALSE(st);
    EXPECT_NE(st.error().message().find(message), std::string::npos) << st.error().message();
  }
}

}  // namespace
}  // namespace lontar

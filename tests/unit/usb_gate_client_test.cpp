// The kiosk's side of the USB gate protocol (core/terminal/usb_gate_client.hpp): the requests it
// writes, and how it reads every state file the root service may leave, good or bad.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "core/terminal/usb_gate_client.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using terminal::UsbGateClient;
using terminal::UsbStateKind;
using testing::ReadText;
using testing::TempDir;
using testing::WriteText;

TEST(UsbGateClient, OpenWritesAPrivateRequestWithTheCodeAsItIs) {
  TempDir dir;
  auto gate = UsbGateClient::Service(dir.path());
  const std::string code = "kode rahasia/42 {ok}";
  ASSERT_TRUE(gate.Open(AsBytes(code)));
  const std::string text = ReadText(dir / "request");
  // The code's characters need no JSON escape: the request is the code between fixed text.
  EXPECT_EQ(text, R"({"action":"open","code":"kode rahasia/42 {ok}"})"
                  "\n");
  const auto j = nlohmann::json::parse(text);
  EXPECT_EQ(j["action"], "open");
  EXPECT_EQ(j["code"], code);
  EXPECT_EQ(j.size(), 2u);
  struct stat st {};
  ASSERT_EQ(::stat((dir / "request").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // Only the request is left in the directory: the temporary file was renamed.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1);

  ASSERT_TRUE(gate.Close());
  EXPECT_EQ(nlohmann::json::parse(ReadText(dir / "request")),
            nlohmann::json::parse(R"({"action":"close"})"));
}

TEST(UsbGateClient, AnEmptyCodeIsRefused) {
  TempDir dir;
  auto gate = UsbGateClient::Service(dir.path());
  auto st = gate.Open(ByteView());
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message().find("no technician code given"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir / "request"));
}

TEST(UsbGateClient, RequestInAMissingDirectoryFailsNamingIt) {
  TempDir dir;
  auto gate = UsbGateClient::Service(dir / "absent");
  auto st = gate.Open(AsBytes("some-code-123"));
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message().find("absent"), std::string::npos) << st.error().message();
}

// The kiosk's first act: a close, whatever the state file says, so that a stick left mounted by a
// kiosk that crashed in technician mode is gone before a sitting; no gate directory is no gate.
TEST(UsbGateClient, CloseAtStartAsksToCloseAGateLeftOpen) {
  TempDir dir;
  WriteText(dir / "state", R"({"state":"mounted","mount":"/run/lontar/stick","device":"sdb1"})");
  auto gate = UsbGateClient::Service(dir.path());
  ASSERT_TRUE(gate.CloseAtStart());
  EXPECT_EQ(nlohmann::json::parse(ReadText(dir / "request")),
            nlohmann::json::parse(R"({"action":"close"})"));
  // A close replaces an open the crashed kiosk left unanswered.
  ASSERT_TRUE(gate.Open(AsBytes("kode-teknisi-42")));
  ASSERT_TRUE(gate.CloseAtStart());
  EXPECT_EQ(nlohmann::json::parse(ReadText(dir / "request"))["action"], "close");
}

TEST(UsbGateClient, CloseAtStartWithoutAGateDirectoryIsNotAnError) {
  TempDir dir;
  auto gate = UsbGateClient::Service(dir / "absent");
  EXPECT_TRUE(gate.CloseAtStart());
  EXPECT_FALSE(std::filesystem::exists(dir / "absent"));
  EXPECT_TRUE(UsbGateClient::FixedStick(dir.path()).CloseAtStart());
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 0);
}

TEST(UsbGateClient, CloseAtStartReportsADirectoryItCannotWrite) {
  TempDir dir;
  // A file where the directory should be: not absent, and no request can be made in it.
  WriteText(dir / "usb", "not a directory");
  auto st = UsbGateClient::Service(dir / "usb").CloseAtStart();
  ASSERT_FALSE(st);
  EXPECT_NE(st.error().message().find("usb"), std::string::npos) << st.error().message();
}

TEST(UsbGateClient, ReadsEachStateTheServiceWrites) {
  TempDir dir;
  auto gate = UsbGateClient::Service(dir.path());
  auto none = gate.Poll();
  ASSERT_TRUE(none);
  EXPECT_EQ(none->kind, UsbStateKind::kClosed);
  EXPECT_FALSE(none->answered);

  WriteText(dir / "state", R"({"state":"waiting","message":"insert a stick"})");
  EXPECT_EQ(gate.Poll()->kind, UsbStateKind::kWaiting);

  WriteText(dir / "state",
            R"({"state":"mounted","mount":"/run/lontar/usb/stick","device":"sdb1","label":"KEY"})");
  auto mounted = gate.Poll();
  ASSERT_TRUE(mounted);
  EXPECT_EQ(mounted->kind, UsbStateKind::kMounted);
  EXPECT_EQ(mounted->mount, "/run/lontar/usb/stick");
  EXPECT_EQ(mounted->device, "sdb1");
  EXPECT_EQ(mounted->label, "KEY");
  EXPECT_TRUE(mounted->answered);

  WriteText(dir / "state", R"({"state":"error","message":"wrong technician code"})");
  auto error = gate.Poll();
  EXPECT_EQ(error->kind, UsbStateKind::kError);
  EXPECT_EQ(error->message, "wrong technician code");

  WriteText(dir / "state", R"({"state":"closed"})");
  EXPECT_EQ(gate.Poll()->kind, UsbStateKind::kClosed);
  EXPECT_TRUE(gate.Poll()->answered);
}

TEST(UsbGateClient, BadStateFilesAreErrorsNeverAStick) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "not a JSON object"},
      {R"({"state":"mount)", "not a JSON object"},  // torn
      {"[1,2]", "not a JSON object"},
      {R"({"state":7})", "not a JSON object"},
      {R"({"state":"mounted"})", "no absolute mount path"},
      {R"({"state":"mounted","mount":"relative/dir"})", "no absolute mount path"},
      {R"({"state":"open"})", "is not one this kiosk knows"},
      {R"({"state":"error"})", "without a message"},
  };
  for (const auto& [text, message] : cases) {
    SCOPED_TRACE(text);
    const auto s = terminal::ParseUsbState(text);
    EXPECT_EQ(s.kind, UsbStateKind::kError);
    EXPECT_NE(s.message.find(message), std::string::npos) << s.message;
  }
  TempDir dir;
  WriteText(dir / "state", std::string(20000, ' '));
  auto big = UsbGateClient::Service(dir.path()).Poll();
  ASSERT_TRUE(big);
  EXPECT_EQ(big->kind, UsbStateKind::kError);
}

TEST(UsbGateClient, FixedStickIsMountedWithoutRequests) {
  TempDir dir;
  auto gate = UsbGateClient::FixedStick(dir.path());
  ASSERT_TRUE(gate.Open(AsBytes("any-code-at-all")));
  ASSERT_TRUE(gate.Close());
  EXPECT_FALSE(std::filesystem::exists(dir / "request"));
  auto s = gate.Poll();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->kind, UsbStateKind::kMounted);
  EXPECT_EQ(s->mount, dir.path());
  auto gone = UsbGateClient::FixedStick(dir / "nothing").Poll();
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->kind, UsbStateKind::kError);
  EXPECT_NE(gone->message.find("is not a directory"), std::string::npos);
}

}  // namespace
}  // namespace lontar

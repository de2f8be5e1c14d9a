// Technician mode's core helpers (core/terminal/technician.hpp): the journal records, files on a
// stick, the server address and the sync settings written for the sync service.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "core/crypto/key_file.hpp"
#include "core/terminal/technician.hpp"
#include "core/util/fs.hpp"
#include "tests/support/exam_terminals.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::terminal {
namespace {

using lontar::testing::ReadText;
using lontar::testing::RunLontar;
using lontar::testing::TempDir;
using lontar::testing::WriteText;

TEST(Technician, ActionsAreJournaledAsTechnicianRecords) {
  TempDir dir;
  SystemClock clock;
  auto t = testing::InitTerminalOfUnknownAuthority(dir / "home", clock);
  ASSERT_TRUE(t) << t.error().message();
  const std::uint64_t before = t->journal().head().seq;
  ASSERT_TRUE(JournalTechnician(*t, "entered", {{"via", "kiosk"}}));
  ASSERT_TRUE(JournalTechnician(*t, "code_refused", {{"failures", 1}, {"locked", false}}));
  auto records = t->journal().Read(before + 1, 10);
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].type, "technician.entered");
  EXPECT_EQ(nlohmann::json::parse((*records)[0].payload)["via"], "kiosk");
  EXPECT_EQ((*records)[1].type, "technician.code_refused");
  EXPECT_FALSE(JournalTechnician(*t, "Bad Name", nlohmann::json::object()));
  // The chain still verifies with the new record types in it.
  auto verify = RunLontar({"journal", "verify", "--home", (dir / "home").string()});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
}

TEST(Technician, FilesOnStickListsMatchingRegularFilesSorted) {
  TempDir dir;
  WriteText(dir / "b.lpk", "x");
  WriteText(dir / "a.lpk", "x");
  WriteText(dir / ".hidden.lpk", "x");
  WriteText(dir / "notes.txt", "x");
  std::filesystem::create_directory(dir / "dir.lpk");
  const auto found = FilesOnStick(dir.path(), ".lpk");
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].filename(), "a.lpk");
  EXPECT_EQ(found[1].filename(), "b.lpk");
  EXPECT_TRUE(FilesOnStick(dir / "absent", ".lpk").empty());
}

TEST(Technician, ServerAddressesAreNormalised) {
  EXPECT_EQ(*NormaliseServerAddress("10.0.0.5:8470"), "http://10.0.0.5:8470");
  EXPECT_EQ(*NormaliseServerAddress(" http://relay.local:80/ "), "http://relay.local:80");
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"10.0.0.5", "HOST:PORT"},
      {"https://10.0.0.5:443", "use http://"},
      {"10.0.0.5:0", "not a port number"},
      {"10.0.0.5:70000", "not a port number"},
      {"10.0.0.5:80x", "not a port number"},
      {"ex ample:80", "not a host name"},
      {"-x:80", "not a host name"},
      {"", "HOST:PORT"},
  };
  for (const auto& [typed, message] : bad) {
    SCOPED_TRACE(typed);
    auto r = NormaliseServerAddress(typed);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message().find(message), std::string::npos) << r.error().message();
  }
}

TEST(Technician, SyncSettingsCopyTheKeyAndWriteTheConfiguration) {
  TempDir dir;
  std::filesystem::create_directories(dir / "home");
  auto keys = RunLontar({"keys", "new", "server", "--out", (dir / "stick").string()});
  ASSERT_EQ(keys.exit_code, 0) << keys.err;
  auto set = WriteSyncSettings(dir / "home", "10.0.0.5:8470", dir / "stick" / "server.pub");
  ASSERT_TRUE(set) << set.error().message();
  EXPECT_EQ(set->server, "http://10.0.0.5:8470");
  EXPECT_EQ(set->server_key_id + "\n", keys.out);
  EXPECT_EQ(ReadText(dir / "home" / "sync.conf"),
            "LONTAR_SERVER=http://10.0.0.5:8470\nLONTAR_SERVER_KEY=" +
                (dir / "home" / "server.pub").string() + "\n");
  EXPECT_EQ(ReadText(dir / "home" / "server.pub"), ReadText(dir / "stick" / "server.pub"));
  struct stat st {};
  ASSERT_EQ(::stat((dir / "home" / "sync.conf").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
}

TEST(Technician, ASiteRelayKeyIsCopiedAndNamedInTheConfiguration) {
  TempDir dir;
  std::filesystem::create_directories(dir / "home");
  ASSERT_EQ(RunLontar({"keys", "new", "server", "--out", (dir / "stick").string()}).exit_code, 0);
  auto relay = RunLontar({"keys", "new", "server", "--out", (dir / "relay").string()});
  ASSERT_EQ(relay.exit_code, 0) << relay.err;
  auto set = WriteSyncSettings(dir / "home", "10.0.0.9:8470", dir / "stick" / "server.pub",
                               dir / "relay" / "server.pub");
  ASSERT_TRUE(set) << set.error().message();
  EXPECT_EQ(set->relay_key_id + "\n", relay.out);
  EXPECT_EQ(ReadText(dir / "home" / "sync.conf"),
            "LONTAR_SERVER=http://10.0.0.9:8470\nLONTAR_SERVER_KEY=" +
                (dir / "home" / "server.pub").string() +
                "\nLONTAR_RELAY_KEY=" + (dir / "home" / "relay.pub").string() + "\n");
  EXPECT_EQ(ReadText(dir / "home" / "relay.pub"), ReadText(dir / "relay" / "server.pub"));
}

TEST(Technician, ABadRelayKeyWritesNothing) {
  TempDir dir;
  std::filesystem::create_directories(dir / "home");
  ASSERT_EQ(RunLontar({"keys", "new", "server", "--out", (dir / "stick").string()}).exit_code, 0);
  WriteText(dir / "bogus.pub", "untrusted comment: nothing\nnot a key\n");
  auto set = WriteSyncSettings(dir / "home", "10.0.0.9:8470", dir / "stick" / "server.pub",
                               dir / "bogus.pub");
  ASSERT_FALSE(set);
  EXPECT_FALSE(std::filesystem::exists(dir / "home" / "sync.conf"));
  EXPECT_FALSE(std::filesystem::exists(dir / "home" / "server.pub"));
  EXPECT_FALSE(std::filesystem::exists(dir / "home" / "relay.pub"));
}

TEST(Technician, RefusedSyncSettingsWriteNothing) {
  TempDir dir;
  std::filesystem::create_directories(dir / "home");
  WriteText(dir / "bogus.pub", "untrusted comment: nothing\nnot a key\n");
  auto bad_key = WriteSyncSettings(dir / "home", "10.0.0.5:8470", dir / "bogus.pub");
  ASSERT_FALSE(bad_key);
  auto bad_address = WriteSyncSettings(dir / "home", "10.0.0.5", dir / "bogus.pub");
  ASSERT_FALSE(bad_address);
  EXPECT_NE(bad_address.error().message().find("HOST:PORT"), std::string::npos);
  auto missing = WriteSyncSettings(dir / "home", "10.0.0.5:1", dir / "none.pub");
  ASSERT_FALSE(missing);
  EXPECT_FALSE(std::filesystem::exists(dir / "home" / "sync.conf"));
  EXPECT_FALSE(std::filesystem::exists(dir / "home" / "server.pub"));
}

}  // namespace
}  // namespace lontar::terminal

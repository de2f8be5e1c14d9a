// Technician mode's clock (core/terminal/clock_set.hpp): the zones, the date and time a
// technician types, the request line the root service matches, both setters, and the journal
// record of a change.
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/crypto/key_file.hpp"
#include "core/terminal/clock_set.hpp"
#include "core/util/clock.hpp"
#include "tests/support/exam_terminals.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using terminal::Zone;
using testing::ReadText;
using testing::RunLontar;
using testing::TempDir;
using testing::WriteText;

TEST(ClockSet, ZonesByAbbreviationAndIanaName) {
  EXPECT_EQ(terminal::ParseZone("WIB"), Zone::kWib);
  EXPECT_EQ(terminal::ParseZone(" wita "), Zone::kWita);
  EXPECT_EQ(terminal::ParseZone("Asia/Jayapura"), Zone::kWit);
  EXPECT_EQ(terminal::ParseZone("WITT"), std::nullopt);
  EXPECT_EQ(terminal::ParseZone("Asia/Bangkok"), std::nullopt);
  EXPECT_EQ(terminal::ZoneLabel("Asia/Makassar"), "WITA (UTC+8)");
  EXPECT_EQ(terminal::ZoneLabel(""), "UTC");
  EXPECT_EQ(terminal::ZoneLabel("Europe/Berlin"), "Europe/Berlin");
  // An abbreviation is not a zone file's name.
  EXPECT_EQ(terminal::ZoneLabel("WIB"), "WIB");
}

TEST(ClockSet, ReadsTheZoneFileLink) {
  TempDir dir;
  EXPECT_EQ(terminal::ReadSystemZone(dir / "missing"), "");
  ASSERT_EQ(::symlink("/usr/share/zoneinfo/Asia/Makassar", (dir / "a").c_str()), 0);
  EXPECT_EQ(terminal::ReadSystemZone(dir / "a"), "Asia/Makassar");
  ASSERT_EQ(::symlink("../usr/share/zoneinfo/Etc/UTC", (dir / "b").c_str()), 0);
  EXPECT_EQ(terminal::ReadSystemZone(dir / "b"), "");
  WriteText(dir / "c", "TZif");  // a copied file, not a link: its zone is unknown
  EXPECT_EQ(terminal::ReadSystemZone(dir / "c"), "");
}

// Worked by hand: 2026-12-06 is day 20793 since 1970-01-01 (1796515200 s at 00:00 UTC);
// 10:15 WIB is 03:15 UTC: 1796515200 + 3 * 3600 + 15 * 60 = 1796526900.
// 2024-02-29 00:00 WIT is 2024-02-28 15:00 UTC = 1709132400.
// 2099-12-31 23:59 WITA is 15:59 UTC that day = 4102415940.
TEST(ClockSet, LocalTimeToUtcKnownAnswers) {
  EXPECT_EQ(terminal::LocalToUtc("2026-12-06", "10:15", Zone::kWib).value(), 1796526900);
  EXPECT_EQ(terminal::LocalToUtc(" 2026-12-06 ", "10:15:00", Zone::kWib).value(), 1796526900);
  EXPECT_EQ(terminal::LocalToUtc("2026-12-06", "10.15", Zone::kWib).value(), 1796526900);
  EXPECT_EQ(terminal::LocalToUtc("2024-02-29", "00:00", Zone::kWit).value(), 1709132400);
  EXPECT_EQ(terminal::LocalToUtc("2099-12-31", "23:59", Zone::kWita).value(), 4102415940);
  const auto back = terminal::UtcToLocal(1796526900, 7);
  EXPECT_EQ(back.date, "2026-12-06");
  EXPECT_EQ(back.time, "10:15");
  const auto day_before = terminal::UtcToLocal(1709132400, 0);
  EXPECT_EQ(day_before.date, "2024-02-28");
  EXPECT_EQ(day_before.time, "15:00");
}

TEST(ClockSet, RefusesADateNotInTheForm) {
  auto r = terminal::LocalToUtc("6/12/2026", "10:15", Zone::kWib);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(),
            "date '6/12/2026' is not in the form YYYY-MM-DD (e.g. 2026-12-06)");
}

TEST(ClockSet, RefusesADayTheMonthDoesNotHave) {
  auto r = terminal::LocalToUtc("2026-02-29", "10:15", Zone::kWib);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "date '2026-02-29' does not exist");
}

TEST(ClockSet, RefusesAYearBeforeLontar) {
  // A dead CMOS battery's date typed back in by mistake.
  auto r = terminal::LocalToUtc("2000-01-01", "00:00", Zone::kWib);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "date '2000-01-01': the year must be between 2024 and 2099");
}

TEST(ClockSet, RefusesATimeNotInTheForm) {
  for (const char* t : {"24:00", "9:30", "10,15", "10:60", "10:15:61", ""}) {
    auto r = terminal::LocalToUtc("2026-12-06", t, Zone::kWib);
    ASSERT_FALSE(r) << t;
    EXPECT_EQ(r.error().message(), "time '" + std::string(t) +
                                       "' is not in the form HH:MM, 24-hour (e.g. 07:30 or 14:05)");
  }
}

TEST(ClockSet, TheRequestLineIsTheFormTheRootServiceMatches) {
  const terminal::ClockRequest r{"0123456789abcdef", 1796526900, Zone::kWita};
  EXPECT_EQ(terminal::ClockRequestLine(r),
            "{\"id\":\"0123456789abcdef\",\"utc\":1796526900,\"zone\":\"Asia/Makassar\"}\n");
  const auto fresh = terminal::NewClockRequest(1, Zone::kWib);
  EXPECT_EQ(fresh.id.size(), 16u);
  EXPECT_EQ(fresh.id.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(fresh.id, terminal::NewClockRequest(1, Zone::kWib).id);
}

TEST(ClockSet, TheServiceAnswersOnlyForTheRequestSent) {
  TempDir dir;
  auto setter = terminal::ClockSetter::Service(dir.path());
  EXPECT_EQ(setter.Poll(), std::nullopt);  // nothing sent
  const terminal::ClockRequest r{"00000000000000aa", 1796526900, Zone::kWib};
  ASSERT_TRUE(setter.Send(r));
  EXPECT_EQ(ReadText(dir / "request"), terminal::ClockRequestLine(r));
  EXPECT_EQ(setter.Poll(), std::nullopt);  // no state yet
  WriteText(dir / "state", R"({"id":"00000000000000bb","state":"done","message":"old"})");
  EXPECT_EQ(setter.Poll(), std::nullopt);  // another request's answer
  WriteText(dir / "state", "{not json");
  EXPECT_EQ(setter.Poll(), std::nullopt);
  WriteText(dir / "state", R"({"id":"00000000000000aa","state":"error","message":"gate closed"})");
  auto a = setter.Poll();
  ASSERT_TRUE(a);
  EXPECT_FALSE(a->applied);
  EXPECT_EQ(a->message, "gate closed");
  EXPECT_EQ(setter.Poll(), std::nullopt);  // answered once
}

TEST(ClockSet, TheTestHookOnlyRecords) {
  TempDir dir;
  auto setter = terminal::ClockSetter::RecordOnly(dir / "clock.jsonl");
  EXPECT_TRUE(setter.record_only());
  const terminal::ClockRequest r{"00000000000000aa", 1796526900, Zone::kWit};
  ASSERT_TRUE(setter.Send(r));
  ASSERT_TRUE(setter.Send(r));
  EXPECT_EQ(ReadText(dir / "clock.jsonl"),
            terminal::ClockRequestLine(r) + terminal::ClockRequestLine(r));
  auto a = setter.Poll();
  ASSERT_TRUE(a);
  EXPECT_TRUE(a->applied);
  EXPECT_NE(a->message.find("the host's clock was not changed"), std::string::npos);
}

TEST(ClockSet, TheChangeIsJournaledWithOldAndNewValues) {
  TempDir dir;
  ManualClock clock;
  auto t = testing::InitTerminalOfUnknownAuthority(dir / "t", clock, "t1", "DEMO-01");
  ASSERT_TRUE(t) << t.error().message();
  const std::uint64_t before = t->journal().head().seq;
  terminal::ClockChange c;
  c.old_utc_ms = 946684800000;  // 2000-01-01, a dead CMOS battery
  c.old_zone = "";
  c.new_utc_ms = 1796526900000;
  c.new_zone = "Asia/Jakarta";
  c.applied = true;
  c.message = "clock set";
  ASSERT_TRUE(terminal::JournalClockSet(*t, c));
  auto records = t->journal().Read(before + 1, 10);
  ASSERT_TRUE(records) << records.error().message();
  ASSERT_EQ(records->size(), 1u);
  const auto& last = records->front();
  EXPECT_EQ(last.type, "terminal.clock_set");
  EXPECT_EQ(nlohmann::json::parse(last.payload),
            nlohmann::json::parse(R"({"old_utc_ms":946684800000,"old_zone":"",
              "new_utc_ms":1796526900000,"new_zone":"Asia/Jakarta","by":"technician",
              "applied":true,"message":"clock set"})"));
}

// The kiosk holds the terminal open for its screens and opens it again for technician mode (and
// for each health refresh); `lontar-admin` and the sync service open and close it from other
// processes meanwhile. The clock's change, journaled afterwards through the first opening, must
// be in the journal that another process reads. It was not (issue 20, under QEMU): the second
// opening read vault.db's first bytes through a descriptor of its own and closed it, which drops
// every POSIX lock this process held on vault.db; the other process's close then found no other
// user, checkpointed the WAL and deleted it, and the record went to the deleted WAL.
TEST(ClockSet, TheJournaledChangeReachesAnotherProcessAfterTheTerminalWasOpenedTwice) {
  TempDir dir;
  ManualClock clock;
  auto kiosk = testing::InitTerminalOfUnknownAuthority(dir / "t", clock, "t1", "DEMO-01");
  ASSERT_TRUE(kiosk) << kiosk.error().message();
  ASSERT_TRUE(terminal::Terminal::Open(dir / "t", clock));  // technician mode's own opening
  const std::vector<std::string> show = {"journal", "show", "--home", (dir / "t").string(),
                                         "--limit", "1000", "--json"};
  auto before = RunLontar(show);  // lontar-admin reading the journal, as the boot test does
  ASSERT_EQ(before.exit_code, 0) << before.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "t" / "vault.db-wal"))
      << "another process's close deleted the WAL this process writes to";
  terminal::ClockChange c;
  c.old_utc_ms = 1777319700000;  // 2026-04-27 19:55 UTC, systemd's build date after a dead battery
  c.new_utc_ms = 1796547780000;
  c.new_zone = "Asia/Jayapura";
  c.applied = true;
  c.message = "clock set";
  ASSERT_TRUE(terminal::JournalClockSet(*kiosk, c));
  auto after = RunLontar(show);
  ASSERT_EQ(after.exit_code, 0) << after.err;
  int changes = 0;
  for (const auto& r : nlohmann::json::parse(after.out))
    changes += r["type"] == "terminal.clock_set";
  EXPECT_EQ(changes, 1) << "the change journaled in this process is not in the journal another "
                           "process reads";
}

}  // namespace
}  // namespace lontar

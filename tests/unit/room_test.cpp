// The room view on the site relay: the heartbeat format (every rejection), the relay's board of
// heartbeats (replay, forgery, unenrolled terminals, a clock far off, silence, a restart) and its
// page, in-process; then `lontar sync` sending heartbeats to a real `lontar serve`, and the
// page in headless Chromium.
#include <gtest/gtest.h>
#include <stb/stb_image.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/server/room.hpp"
#include "core/server/room_page.hpp"
#include "core/sync/heartbeat.hpp"
#include "core/terminal/terminal.hpp"
#include "tests/support/server_process.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::HttpRequest;
using testing::RunLontar;
using testing::ServerProcess;
using testing::TempDir;
using testing::WriteText;

constexpr std::int64_t kNow = 1'795'000'000'000;  // the relay's clock in these tests

// A terminal for the board: its key and the enrollment record the relay holds for it.
struct FakeTerminal {
  crypto::SigningKey key;
  terminal::Enrollment enrollment;
};

FakeTerminal MakeTerminal(const std::string& name, const std::string& site = "SITE-01") {
  auto key = crypto::SigningKey::Generate().value();
  terminal::Enrollment e{.terminal_id = terminal::TerminalIdFor(key.public_key()),
                         .site = site,
                         .name = name,
                         .signing_key = key.public_key(),
                         .box_key = {},
                         .created_wall_ms = kNow};
  return {std::move(key), std::move(e)};
}

sync::Heartbeat Beat(const FakeTerminal& t, const std::string& seat, std::uint64_t seq,
                     const std::string& phase = "in-progress") {
  sync::Heartbeat hb;
  hb.terminal_id = t.enrollment.terminal_id;
  hb.site = t.enrollment.site;
  hb.name = t.enrollment.name;
  hb.seat = seat;
  hb.seq = seq;
  hb.sent_ms = kNow;
  hb.pack_id = "0123456789abcdef0123456789abcdef";
  hb.exam_id = "SKD-2026";
  hb.title = "SKD pagi";
  hb.participant = "P-" + seat;
  hb.phase = phase;
  hb.section = 2;
  hb.section_title = "TIU";
  hb.answered = 12;
  hb.items = 35;
  hb.time_left_s = 2825;
  hb.last_answer_ms = kNow - 40'000;
  hb.outbox = phase == "finished" ? 1 : 0;
  return hb;
}

std::string Signed(const FakeTerminal& t, const sync::Heartbeat& hb) {
  return sync::WriteHeartbeat(hb, t.key);
}

// ---------------------------------------------------------------------------------------------
// The format

TEST(Heartbeat, RoundTripsEveryField) {
  auto t = MakeTerminal("Ruang 2 / PC 14");
  sync::Heartbeat hb = Beat(t, "A-07", 42);
  hb.clock_offset_ms = -1500;
  auto r = sync::ReadHeartbeat(AsBytes(Signed(t, hb)));
  ASSERT_TRUE(r) << r.error().message();
  const sync::Heartbeat& got = r->heartbeat;
  EXPECT_EQ(r->signer, t.key.public_key());
  EXPECT_EQ(got.terminal_id, hb.terminal_id);
  EXPECT_EQ(got.seat, "A-07");
  EXPECT_EQ(got.seq, 42u);
  EXPECT_EQ(got.clock_offset_ms, -1500);
  EXPECT_EQ(got.phase, "in-progress");
  EXPECT_EQ(got.section_title, "TIU");
  EXPECT_EQ(got.answered, 12u);
  EXPECT_EQ(got.items, 35u);
  EXPECT_EQ(got.time_left_s, 2825);
  EXPECT_EQ(got.last_answer_ms, kNow - 40'000);
  hb.clock_offset_ms.reset();
  auto unmeasured = sync::ReadHeartbeat(AsBytes(Signed(t, hb)));
  ASSERT_TRUE(unmeasured) << unmeasured.error().message();
  EXPECT_FALSE(unmeasured->heartbeat.clock_offset_ms.has_value());
}

TEST(Heartbeat, AlteredBodyIsABadSignature) {
  auto t = MakeTerminal("PC 1");
  std::string text = Signed(t, Beat(t, "A-01", 1));
  const auto at = text.find("A-01");
  ASSERT_NE(at, std::string::npos);
  text[at + 3] = '9';  // the seat, inside the signed body
  auto r = sync::ReadHeartbeat(AsBytes(text));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kBadSignature);
  EXPECT_NE(r.error().message().find("signature does not verify"), std::string::npos);
}

TEST(Heartbeat, ATerminalSpeakingForAnotherIsUntrusted) {
  auto t = MakeTerminal("PC 1");
  auto other = MakeTerminal("PC 2");
  auto r = sync::ReadHeartbeat(AsBytes(Signed(t, Beat(other, "A-02", 1))));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kUntrusted);
  EXPECT_NE(r.error().message().find("may speak only for itself"), std::string::npos);
}

TEST(Heartbeat, BadFieldsAreMalformedNamingTheField) {
  auto t = MakeTerminal("PC 1");
  sync::Heartbeat phase = Beat(t, "A-01", 1, "sleeping");
  sync::Heartbeat seq = Beat(t, "A-01", 0);
  sync::Heartbeat counts = Beat(t, "A-01", 1);
  counts.answered = 36;
  sync::Heartbeat seat = Beat(t, "", 1);
  const std::vector<std::pair<sync::Heartbeat, std::string>> cases = {
      {phase, "field 'phase' is not a known phase"},
      {seq, "field 'seq' is 0"},
      {counts, "field 'answered' is more than 'items'"},
      {seat, "field 'seat' is not a seat label"},
  };
  for (const auto& [hb, message] : cases) {
    auto r = sync::ReadHeartbeat(AsBytes(Signed(t, hb)));
    ASSERT_FALSE(r) << message;
    EXPECT_EQ(r.error().kind(), ErrorKind::kMalformed);
    EXPECT_NE(r.error().message().find(message), std::string::npos) << r.error().message();
  }
  auto cut = sync::ReadHeartbeat(AsBytes(Signed(t, Beat(t, "A-01", 1)).substr(0, 100)));
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().kind(), ErrorKind::kMalformed);
  auto huge = sync::ReadHeartbeat(AsBytes(std::string(sync::kMaxHeartbeatBytes + 1, ' ')));
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().kind(), ErrorKind::kMalformed);
}

// ---------------------------------------------------------------------------------------------
// The board

TEST(SeatOrder, NumbersInLabelsCompareAsNumbers) {
  // Worked by hand: the digit runs decide where the letters agree; "A-2" < "A-10" since 2 < 10;
  // "A-02" and "A-2" are equal as numbers, and byte order ('0' < '2') puts "A-02" first.
  const std::vector<std::pair<std::string, std::string>> less = {
      {"A-2", "A-10"},   {"A-9", "A-10"}, {"A-10", "B-1"}, {"A-02", "A-2"},
      {"PC 3", "PC 20"}, {"A", "A-1"},    {"A-1", "A-1b"},
  };
  for (const auto& [a, b] : less) {
    EXPECT_TRUE(server::SeatLess(a, b)) << a << " < " << b;
    EXPECT_FALSE(server::SeatLess(b, a)) << b << " !< " << a;
  }
  EXPECT_FALSE(server::SeatLess("A-7", "A-7"));
}

TEST(RoomBoard, TilesBySeatWithCountsPerState) {
  auto a = MakeTerminal("PC 10"), b = MakeTerminal("PC 2"), c = MakeTerminal("PC 1");
  server::RoomBoard board({a.enrollment, b.enrollment, c.enrollment}, {});
  ASSERT_TRUE(board.Accept(AsBytes(Signed(a, Beat(a, "A-10", 1))), kNow));
  ASSERT_TRUE(board.Accept(AsBytes(Signed(b, Beat(b, "A-2", 1, "paused"))), kNow));
  ASSERT_TRUE(board.Accept(AsBytes(Signed(c, Beat(c, "A-1", 1, "finished"))), kNow));
  const server::RoomView v = board.View(kNow + 1000);
  ASSERT_EQ(v.sessions.size(), 1u);
  const auto& s = v.sessions[0];
  ASSERT_EQ(s.seats.size(), 3u);
  EXPECT_EQ(s.seats[0].heartbeat.seat, "A-1");
  EXPECT_EQ(s.seats[1].heartbeat.seat, "A-2");
  EXPECT_EQ(s.seats[2].heartbeat.seat, "A-10");
  EXPECT_EQ(s.counts.at("in-progress"), 1u);
  EXPECT_EQ(s.counts.at("paused"), 1u);
  EXPECT_EQ(s.counts.at("finished"), 1u);
  EXPECT_EQ(s.counts.at("silent"), 0u);
  EXPECT_EQ(v.counters.stored, 3u);
  EXPECT_EQ(v.counters.superseded, 0u);
}

TEST(RoomBoard, ANewerHeartbeatSupersedesAndAReplayChangesNothing) {
  auto t = MakeTerminal("PC 1");
  server::RoomBoard board({t.enrollment}, {});
  const std::string first = Signed(t, Beat(t, "A-01", 100, "in-progress"));
  ASSERT_TRUE(board.Accept(AsBytes(first), kNow));
  auto newer = board.Accept(AsBytes(Signed(t, Beat(t, "A-01", 101, "paused"))), kNow + 5000);
  ASSERT_TRUE(newer) << newer.error().message();
  EXPECT_TRUE(*newer);  // superseded the first

  // The first again, captured and replayed later, and an older one delayed on the way.
  auto replay = board.Accept(AsBytes(first), kNow + 9000);
  ASSERT_FALSE(replay);
  EXPECT_EQ(replay.error().kind(), ErrorKind::kConflict);
  EXPECT_NE(replay.error().message().find("is not newer than #101"), std::string::npos)
      << replay.error().message();
  auto same = board.Accept(AsBytes(Signed(t, Beat(t, "A-01", 101, "finished"))), kNow + 9000);
  ASSERT_FALSE(same);
  const server::RoomView v = board.View(kNow + 9000);
  ASSERT_EQ(v.sessions.at(0).seats.size(), 1u);
  EXPECT_EQ(v.sessions[0].seats[0].state, "paused");
  EXPECT_EQ(v.sessions[0].seats[0].received_ms, kNow + 5000);  // the replay did not refresh it
  EXPECT_EQ(v.counters.stored, 2u);
  EXPECT_EQ(v.counters.superseded, 1u);
  EXPECT_EQ(v.counters.stale, 2u);
}

TEST(RoomBoard, AForgedHeartbeatIsRefusedAndCounted) {
  auto t = MakeTerminal("PC 1");
  server::RoomBoard board({t.enrollment}, {});
  std::string forged = Signed(t, Beat(t, "A-01", 5, "in-progress"));
  forged.replace(forged.find("in-progress"), 11, "finished");  // altered after signing
  auto r = board.Accept(AsBytes(forged), kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kBadSignature) << r.error().message();
  // Another enrolled terminal's key, claiming to be this one.
  auto other = MakeTerminal("PC 2");
  server::RoomBoard both({t.enrollment, other.enrollment}, {});
  auto claim = both.Accept(AsBytes(Signed(other, Beat(t, "A-01", 6))), kNow);
  ASSERT_FALSE(claim);
  EXPECT_EQ(claim.error().kind(), ErrorKind::kUntrusted);
  EXPECT_EQ(board.View(kNow).counters.forged, 1u);
  EXPECT_TRUE(board.View(kNow).sessions.empty());
  EXPECT_EQ(both.View(kNow).counters.forged, 1u);
  EXPECT_TRUE(both.View(kNow).sessions.empty());
  EXPECT_NE(server::RoomHtml(board.View(kNow)).find("<span id=\"hb-forged\">1</span> forged"),
            std::string::npos);
}

TEST(RoomBoard, AnUnenrolledTerminalIsRefused) {
  auto enrolled = MakeTerminal("PC 1");
  auto stranger = MakeTerminal("laptop");
  server::RoomBoard board({enrolled.enrollment}, {});
  auto r = board.Accept(AsBytes(Signed(stranger, Beat(stranger, "Z-99", 1))), kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::kUntrusted);
  EXPECT_NE(r.error().message().find("which is not enrolled here"), std::string::npos)
      << r.error().message();
  EXPECT_EQ(board.View(kNow).counters.unenrolled, 1u);
  EXPECT_TRUE(board.View(kNow).sessions.empty());
}

TEST(RoomBoard, AnotherSiteIsRefused) {
  auto t = MakeTerminal("PC 1", "SITE-01");
  server::RoomBoard board({t.enrollment}, {});
  sync::Heartbeat hb = Beat(t, "A-01", 1);
  hb.site = "SITE-02";
  auto r = board.Accept(AsBytes(Signed(t, hb)), kNow);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("but it is enrolled at SITE-01"), std::string::npos);
  EXPECT_EQ(board.View(kNow).counters.malformed, 1u);
}

// A terminal whose clock is three hours ahead: the board ages its tile by the relay's clock (not
// silent 10 s after it was heard, silent after 60 s), and lists it as off.
TEST(RoomBoard, AClockFarOffIsListedAndTheRelaysClockDecides) {
  auto off = MakeTerminal("PC 1"), fine = MakeTerminal("PC 2");
  server::RoomBoard board({off.enrollment, fine.enrollment}, {});
  sync::Heartbeat ahead = Beat(off, "A-01", 1);
  ahead.sent_ms = kNow + 3 * 3600 * 1000;
  ahead.last_answer_ms = ahead.sent_ms - 40'000;
  ASSERT_TRUE(board.Accept(AsBytes(Signed(off, ahead)), kNow));
  ASSERT_TRUE(board.Accept(AsBytes(Signed(fine, Beat(fine, "A-02", 1))), kNow + 30'000));

  const server::RoomView soon = board.View(kNow + 10'000);
  ASSERT_EQ(soon.clock_off.size(), 1u);
  EXPECT_EQ(soon.clock_off[0].heartbeat.terminal_id, off.enrollment.terminal_id);
  EXPECT_EQ(soon.clock_off[0].clock_skew_ms, 3 * 3600 * 1000);
  EXPECT_EQ(soon.sessions.at(0).seats.at(0).state, "in-progress");
  const std::string html = server::RoomHtml(soon);
  EXPECT_NE(html.find("3 h 00 min ahead of the relay"), std::string::npos);
  EXPECT_NE(html.find("last answer 40 s ago"), std::string::npos);  // both on its own clock

  const server::RoomView later = board.View(kNow + 61'000);
  EXPECT_EQ(later.sessions.at(0).seats.at(0).state, "silent");       // 61 s since heard
  EXPECT_EQ(later.sessions.at(0).seats.at(1).state, "in-progress");  // 31 s since heard
  EXPECT_EQ(later.sessions[0].counts.at("silent"), 1u);
}

TEST(RoomBoard, TheSilenceLimitIsAnOption) {
  auto t = MakeTerminal("PC 1");
  server::RoomBoard board({t.enrollment}, {.silent_after_ms = 20'000, .clock_off_ms = 120'000});
  ASSERT_TRUE(board.Accept(AsBytes(Signed(t, Beat(t, "A-01", 1))), kNow));
  EXPECT_EQ(board.View(kNow + 20'000).sessions[0].seats[0].state, "in-progress");
  EXPECT_EQ(board.View(kNow + 20'001).sessions[0].seats[0].state, "silent");
}

// A relay restarted has an empty board (memory only); one heartbeat per terminal fills it.
TEST(RoomBoard, AfterARestartOneHeartbeatBringsATileBack) {
  auto t = MakeTerminal("PC 1");
  {
    server::RoomBoard before({t.enrollment}, {});
    ASSERT_TRUE(before.Accept(AsBytes(Signed(t, Beat(t, "A-01", 7))), kNow));
  }
  server::RoomBoard after({t.enrollment}, {});
  EXPECT_TRUE(after.View(kNow).sessions.empty());
  ASSERT_TRUE(after.Accept(AsBytes(Signed(t, Beat(t, "A-01", 8))), kNow + 5000));
  EXPECT_EQ(after.View(kNow + 5000).sessions.at(0).seats.at(0).heartbeat.seat, "A-01");
}

TEST(RoomPage, EveryTextIsEscapedAndEveryStateSaidInWords) {
  auto t = MakeTerminal("<b>PC</b> & \"1\"");
  server::RoomBoard board({t.enrollment}, {});
  sync::Heartbeat hb = Beat(t, "<i>A</i>", 1, "handed-off");
  hb.participant = "P'<1>";
  hb.title = "<script>alert(1)</script>";
  ASSERT_TRUE(board.Accept(AsBytes(Signed(t, hb)), kNow));
  const std::string html = server::RoomHtml(board.View(kNow));
  EXPECT_EQ(html.find("<b>PC"), std::string::npos);
  EXPECT_EQ(html.find("<i>A"), std::string::npos);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;PC&lt;/b&gt; &amp; &quot;1&quot;"), std::string::npos);
  EXPECT_NE(html.find("P&#39;&lt;1&gt;"), std::string::npos);
  EXPECT_NE(html.find("<div class=\"state\">handed off</div>"), std::string::npos);
  const auto j = server::RoomJson(board.View(kNow));
  EXPECT_EQ(j["sessions"][0]["seats"][0]["seat"], "<i>A</i>");
  EXPECT_EQ(j["sessions"][0]["counts"]["handed-off"], 1);
}

// ---------------------------------------------------------------------------------------------
// `lontar sync` to a real `lontar serve`

class RoomE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    token_ = testing::MakeMiniSessionWithCli(dir_.path(), {"t"});
    ASSERT_EQ(RunLontar({"keys", "new", "server", "--out", P("keys")}).exit_code, 0);
    std::filesystem::create_directories(dir_ / "enrolled");
    std::filesystem::copy_file(dir_ / "t.enroll", dir_ / "enrolled" / "t.enroll");
    WriteText(dir_ / "pin", "111111\n");
  }
  std::string P(const std::string& name) { return (dir_ / name).string(); }
  std::vector<std::string> ServeArgs() {
    return {"--store", P("store"), "--enrolled", P("enrolled"), "--key", P("keys/server.key")};
  }
  testing::CommandResult Sync(const ServerProcess& server) {
    return RunLontar({"sync", "--home", P("t"), "--server", server.url(), "--server-key",
                      P("keys/server.pub"), "--seat", "A-07"});
  }
  nlohmann::json Room(const ServerProcess& server) {
    auto r = HttpRequest(server.port(), "GET", "/v1/room.json");
    EXPECT_EQ(r.status, 200) << r.body;
    return nlohmann::json::parse(r.body, nullptr, false);
  }
  TempDir dir_;
  std::string token_;
};

// A candidate in progress shows on the relay's room view after one `lontar sync`; the relay,
// restarted, has an empty board until the next sync puts the tile back; `/` is the status page
// with the room, and in Chromium it refreshes itself.
TEST_F(RoomE2E, SyncSendsAHeartbeatAndTheTileComesBackAfterARestart) {
  WriteText(dir_ / "script.jsonl", R"({"cmd":"answer","item":"tiu-01","option":"B"}
{"cmd":"answer","item":"tiu-02","option":"A"}
)");
  auto run = RunLontar({"exam", "run", "--home", P("t"), "--participant", "TEST-0001", "--pin-file",
                        P("pin"), "--token", token_, "--script", P("script.jsonl")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::optional<ServerProcess> server;
  server.emplace(ServeArgs(), dir_.path());
  ASSERT_NE(server->port(), 0);
  auto sync = Sync(*server);
  ASSERT_EQ(sync.exit_code, 0) << sync.err;
  EXPECT_EQ(sync.err.find("heartbeat not sent"), std::string::npos) << sync.err;
  auto room = Room(*server);
  ASSERT_EQ(room["sessions"].size(), 1u) << room.dump(2);
  const auto& seat = room["sessions"][0]["seats"][0];
  EXPECT_EQ(seat["seat"], "A-07");
  EXPECT_EQ(seat["state"], "in-progress");
  EXPECT_EQ(seat["participant"], "TEST-0001");
  EXPECT_EQ(seat["answered"], 2);
  EXPECT_EQ(seat["section"], 1);
  EXPECT_GT(seat["items"].get<int>(), 2);
  EXPECT_GT(seat["time_left_s"].get<int>(), 0);
  EXPECT_FALSE(seat["last_answer_age_s"].is_null());
  EXPECT_TRUE(seat["clock_offset_ms"].is_null());  // the first exchange measures it
  EXPECT_TRUE(room["clock_off"].empty());
  EXPECT_TRUE(std::filesystem::exists(dir_ / "t" / "heartbeat.state"));

  server->Stop();
  server.emplace(ServeArgs(), dir_.path());
  ASSERT_NE(server->port(), 0);
  EXPECT_TRUE(Room(*server)["sessions"].empty());
  ASSERT_EQ(Sync(*server).exit_code, 0);
  room = Room(*server);
  ASSERT_EQ(room["sessions"].size(), 1u) << room.dump(2);
  EXPECT_EQ(room["sessions"][0]["seats"][0]["seat"], "A-07");
  EXPECT_FALSE(room["sessions"][0]["seats"][0]["clock_offset_ms"].is_null());
  EXPECT_EQ(room["counters"]["stored"], 1);

  // Over HTTP: a stranger's heartbeat (403) and a forged one (422); each answer
  // carries the relay's clock, and none changes the board.
  auto stranger = MakeTerminal("laptop");
  auto refused = HttpRequest(server->port(), "POST", "/v1/heartbeat",
                             Signed(stranger, Beat(stranger, "Z-1", 1)));
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_TRUE(nlohmann::json::parse(refused.body)["relay_ms"].is_number_integer());
  std::string forged = Signed(stranger, Beat(stranger, "Z-1", 2));
  forged.replace(forged.find("Z-1"), 3, "Z-2");
  EXPECT_EQ(HttpRequest(server->port(), "POST", "/v1/heartbeat", forged).status, 422);
  room = Room(*server);
  EXPECT_EQ(room["counters"]["unenrolled"], 1);
  EXPECT_EQ(room["counters"]["forged"], 1);
  EXPECT_EQ(room["sessions"][0]["seats"].size(), 1u);

  auto page = HttpRequest(server->port(), "GET", "/");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<section id=\"room\">"), std::string::npos);
  EXPECT_NE(page.body.find("<div class=\"seat\">A-07</div>"), std::string::npos);
  EXPECT_NE(page.body.find("<span id=\"hb-forged\">1</span> forged"), std::string::npos);

  if (!std::filesystem::exists("/usr/bin/chromium")) GTEST_SKIP() << "chromium not installed";
  // Chromium's virtual time runs the page's timer twice; each run swaps in a fresh body.
  auto dom = testing::RunProgram("/usr/bin/chromium",
                                 {"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                  "--user-data-dir=" + P("chromium"), "--virtual-time-budget=11000",
                                  "--dump-dom", server->url() + "/"},
                                 {"HOME=" + dir_.path().string()});
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  EXPECT_NE(dom.out.find("data-refreshed=\""), std::string::npos) << dom.out.substr(0, 400);
  EXPECT_NE(dom.out.find("<div class=\"seat\">A-07</div>"), std::string::npos);
}

// Every state's colour in a real browser: the room section (as the relay renders it) with one
// seat in each state, one silent, and one terminal whose clock is far off.
TEST(RoomPageChromium, EveryStateHasItsColourAndItsWords) {
  if (!std::filesystem::exists("/usr/bin/chromium")) GTEST_SKIP() << "chromium not installed";
  TempDir dir;
  std::vector<FakeTerminal> ts;
  std::vector<terminal::Enrollment> enrolled;
  const std::vector<std::string> phases = {"not-started", "in-progress", "paused",     "finished",
                                           "voided",      "handed-off",  "in-progress"};
  for (std::size_t i = 0; i < phases.size(); ++i) {
    ts.push_back(MakeTerminal("Ruang 2 / PC " + std::to_string(i + 1)));
    enrolled.push_back(ts.back().enrollment);
  }
  server::RoomBoard board(enrolled, {});
  for (std::size_t i = 0; i < phases.size(); ++i) {
    sync::Heartbeat hb = Beat(ts[i], "A-" + std::to_string(i + 1), 1, phases[i]);
    if (i == 2) hb.sent_ms += 5 * 60'000;  // a clock five minutes fast
    // The last one was heard 90 s before the others: silent.
    const std::int64_t at = i + 1 == phases.size() ? kNow - 90'000 : kNow;
    ASSERT_TRUE(board.Accept(AsBytes(Signed(ts[i], hb)), at));
  }
  const std::string html =
      "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><style>"
      "body{font-family:sans-serif;margin:1.5em}.gap{background:#fdd}</style></head><body>" +
      server::RoomHtml(board.View(kNow)) + "</body></html>";
  WriteText(dir / "room.html", html);
  const std::string png = (dir / "room.png").string();
  auto shot = testing::RunProgram(
      "/usr/bin/chromium",
      {"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
       "--user-data-dir=" + (dir / "chromium").string(), "--window-size=1200,700",
       "--screenshot=" + png, "file://" + (dir / "room.html").string()},
      {"HOME=" + dir.path().string()});
  ASSERT_EQ(shot.exit_code, 0) << shot.err;
  if (const char* keep = std::getenv("LONTAR_KEEP_SCREENSHOT")) {
    std::filesystem::copy_file(png, keep, std::filesystem::copy_options::overwrite_existing);
  }
  int w = 0, h = 0, channels = 0;
  unsigned char* pixels = stbi_load(png.c_str(), &w, &h, &channels, 3);
  ASSERT_NE(pixels, nullptr) << png;
  // The backgrounds of room_page.cpp's style, one per state.
  const std::vector<std::pair<std::string, std::uint32_t>> colours = {
      {"not started", 0xe6e6e6}, {"in progress", 0xcfe6ff}, {"paused", 0xffe08a},
      {"finished", 0xc9efc9},    {"voided", 0xf5b3b3},      {"handed off", 0xdfcdf7},
      {"silent", 0x444444}};
  std::map<std::uint32_t, std::size_t> seen;
  for (int i = 0; i < w * h; ++i) {
    const unsigned char* p = pixels + 3 * i;
    ++seen[(std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2]];
  }
  stbi_image_free(pixels);
  for (const auto& [state, rgb] : colours) {
    EXPECT_GT(seen[rgb], 1000u) << "no " << state << " tile in the screenshot";
    EXPECT_NE(html.find(">" + state), std::string::npos) << state << " not said in words";
  }
  EXPECT_NE(html.find("5 min ahead of the relay"), std::string::npos);
}

}  // namespace
}  // namespace lontar

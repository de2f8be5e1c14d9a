// `lontar results open` over a collection store filled by real sittings: re-scored from raw
// answers, a terminal that lies about its score is flagged, a withheld bundle shows as a gap.
// Once over a store directory (--store) and once over a PostgreSQL database (--db), where the
// bundle bytes are read from the database.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/authoring/source.hpp"
#include "core/bundle/outbox.hpp"
#include "core/crypto/key_file.hpp"
#include "core/exam/engine.hpp"
#include "core/server/results.hpp"
#include "core/server/store.hpp"
#include "core/terminal/enrollment.hpp"
#include "core/util/fs.hpp"
#include "tests/support/enrolled_dir.hpp"
#include "tests/support/exam_terminals.hpp"
#include "tests/support/exam_terminals_test.hpp"
#include "tests/support/mini_sitting.hpp"
#include "tests/support/postgres_server.hpp"
#include "tests/support/test_support.hpp"

namespace lontar {
namespace {

using testing::ReadText;
using testing::RunLontar;

// Terminals with the mini pack under dir_/terminals, sealing to results_; their enrollments in
// dir_/enrolled and the results key in dir_/results.key, as `lontar results open` reads them.
class ResultsOpenStore : public testing::ExamTerminalsTest {
 protected:
  void MakeCollection(int terminals) {
    ASSERT_NO_FATAL_FAILURE(
        MakeTerminals({.terminals = terminals, .results_key = &results_}, "terminals"));
    testing::WriteEnrolledDir(dir_ / "enrolled", terminals_);
    auto key_text = crypto::FormatBoxSecretKey(results_, "results").value();
    ASSERT_TRUE(WriteFileAtomic(dir_ / "results.key", key_text.view(), 0600, Overwrite::kReplace));
  }
  crypto::BoxSecretKey results_ = crypto::BoxSecretKey::Generate().value();
};

class ResultsOpen : public ResultsOpenStore, public ::testing::WithParamInterface<std::string> {};
using ResultsOpenAbsent = ResultsOpenStore;

TEST_P(ResultsOpen, ReScoresFlagsMismatchesAndGaps) {
  const bool postgres = GetParam() == "postgres";
  std::unique_ptr<testing::PostgresServer> pg;
  std::string db_url;
  if (postgres) LONTAR_START_POSTGRES(pg, db_url, "results");
  ASSERT_NO_FATAL_FAILURE(MakeCollection(2));

  // Terminal 0: two sittings; terminal 1: one.
  testing::SitMiniWithEngine(terminals_[0], clock_, "TEST-0001", "111111", "B");
  testing::SitMiniWithEngine(terminals_[1], clock_, "TEST-0002", "222222", "A");
  testing::SitMiniWithEngine(terminals_[0], clock_, "TEST-0003", "333333", "B");

  auto server_key = crypto::SigningKey::Generate().value();
  auto backend =
      postgres ? server::OpenPostgresBackend(db_url) : server::OpenSqliteBackend(dir_ / "store");
  ASSERT_TRUE(backend) << backend.error().message();
  auto store =
      server::Store::Open(std::move(*backend), dir_ / "enrolled", std::move(server_key), clock_);
  ASSERT_TRUE(store) << store.error().message();
  // Terminal 0's first bundle is withheld: only its second reaches the store.
  for (int i = 0; i < 2; ++i) {
    auto outbox = bundle::ListOutbox(terminals_[static_cast<std::size_t>(i)]).value();
    for (const auto& e : outbox) {
      if (i == 0 && e.seq == 1) continue;
      auto bytes = bundle::ReadOutboxBundle(terminals_[static_cast<std::size_t>(i)], e).value();
      ASSERT_TRUE((*store)->Accept(bytes));
    }
  }
  // Terminal 1 signs a bundle that claims a score its answers do not earn.
  {
    auto& t = terminals_[1];
    bundle::BundleInputs in;
    in.terminal_id = t.id();
    in.site = t.site();
    in.exam_id = "TEST-MINI";
    in.pack_id = "0123456789abcdef0123456789abcdef";
    in.exam_version = 1;
    in.seq = 2;
    in.participant = "TEST-0001";
    in.journal_seq = 1'000'000;
    in.payload.answers = {{"tiu-01", {"A"}}};
    in.payload.score = {{"total", 500.0}};
    auto b = bundle::WriteBundle(in, t.signing_key(), results_.public_key());
    ASSERT_TRUE(b) << b.error().message();
    ASSERT_TRUE((*store)->Accept(*b));
  }
  store->reset();

  const std::string out = (dir_ / "results.csv").string();
  // With PostgreSQL there is no file system store at all: everything comes from the database.
  if (postgres) {
    EXPECT_FALSE(std::filesystem::exists(dir_ / "store"));
  }
  auto run = RunLontar({"results", "open", postgres ? "--db" : "--store",
                        postgres ? db_url : (dir_ / "store").string(), "--key",
                        (dir_ / "results.key").string(), "--exam",
                        std::string(LONTAR_SOURCE_DIR) + "/tests/fixtures/mini-exam", "--out", out,
                        "--enrolled", (dir_ / "enrolled").string(), "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto j = nlohmann::json::parse(run.out);
  ASSERT_EQ(j["rows"], 3) << run.out;
  EXPECT_EQ(j["score_mismatches"], 1);
  EXPECT_EQ(j["unopenable"], 0);
  // TEST-0001's own bundle was withheld, but a (forged) bundle of TEST-0001 is in the store: it
  // is flagged, not absent.
  EXPECT_EQ(j["absent"], 0);
  const std::string csv = ReadText(out);
  // Header, then one line per bundle; the name with a comma is quoted.
  EXPECT_EQ(csv.rfind("participant,name,site,terminal,seq,receipt_code,kind,total,max,passed", 0),
            0u)
      << csv;
  EXPECT_NE(csv.find("\"Baso, Daeng\""), std::string::npos) << csv;
  // The columns added later come after flags, so the earlier ones keep their positions.
  EXPECT_NE(csv.find(",jpm_percent,jpm_category,flags,ended,answered,unanswered,group,pass_rule,"
                     "rank,accommodations\r\n"),
            std::string::npos)
      << csv;
  // TEST-0003 answered tiu-01 only (1 of 4 items), submitted by the candidate; the mini exam
  // declares positions, so it ranks by JPM within a position, and TEST-0003 has none: no rank;
  // the mini roster gives no accommodations.
  EXPECT_NE(csv.find(",submitted,1,3,,TIU >= 5 and TKP >= 6,,\r\n"), std::string::npos) << csv;
  // Per-item responses beside --out: every item in exam order, the chosen keys, blank when none.
  const std::string responses = ReadText(dir_ / "results.responses.csv");
  EXPECT_EQ(responses.rfind("participant,terminal,seq,tiu-01,tiu-02,tkp-01,tkp-02\r\n", 0), 0u)
      << responses;
  EXPECT_NE(responses.find("TEST-0003," + terminals_[0].id() + ",2,B,,,\r\n"), std::string::npos)
      << responses;
  EXPECT_NE(responses.find("TEST-0002," + terminals_[1].id() + ",1,A,,,\r\n"), std::string::npos)
      << responses;
  for (const auto& r : j["results"]) {
    const auto flags = r["flags"].dump();
    if (r["terminal_id"] == terminals_[0].id()) {
      EXPECT_EQ(r["participant"], "TEST-0003");
      EXPECT_NE(flags.find("seq-gap"), std::string::npos) << flags;
      EXPECT_EQ(flags.find("score-mismatch"), std::string::npos) << flags;
      EXPECT_EQ(r["total"], 5.0);
      EXPECT_EQ(r["ended"], "submitted");
      EXPECT_TRUE(r["rank"].is_null());  // no position, so no JPM to rank by
    } else if (r["participant"] == "TEST-0001") {
      EXPECT_NE(flags.find("score-mismatch"), std::string::npos) << flags;
      EXPECT_EQ(r["total"], 0.0);  // re-scored: A is wrong
      // Both staf; the same answers give the same JPM (level 1 of 3: 33.3%): a shared 1st.
      EXPECT_EQ(r["rank"], 1);
    } else {
      EXPECT_EQ(r["participant"], "TEST-0002");
      EXPECT_EQ(flags, "[]");
      EXPECT_EQ(r["rank"], 1);
    }
  }
  // --responses puts the second CSV where it says.
  const std::string elsewhere = (dir_ / "items.csv").string();
  run = RunLontar({"results", "open", postgres ? "--db" : "--store",
                   postgres ? db_url : (dir_ / "store").string(), "--key",
                   (dir_ / "results.key").string(), "--exam",
                   std::string(LONTAR_SOURCE_DIR) + "/tests/fixtures/mini-exam", "--out", out,
                   "--responses", elsewhere, "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(nlohmann::json::parse(run.out)["responses"], elsewhere);
  EXPECT_EQ(ReadText(elsewhere), responses);
}

// Two of the mini roster's three never sat: after the one sitting, one row each, in roster order,
// marked absent with every column but participant, name, ended and group empty. Only the results
// CSV lists them; the per-item responses CSV has sittings only.
TEST_F(ResultsOpenAbsent, RosterParticipantsWithNoBundleAreListedAsAbsent) {
  ASSERT_NO_FATAL_FAILURE(MakeCollection(1));
  ASSERT_NO_FATAL_FAILURE(
      testing::SitMiniWithEngine(terminals_[0], clock_, "TEST-0002", "222222", "B"));
  {
    auto backend = server::OpenSqliteBackend(dir_ / "store");
    ASSERT_TRUE(backend) << backend.error().message();
    auto store = server::Store::Open(std::move(*backend), dir_ / "enrolled",
                                     crypto::SigningKey::Generate().value(), clock_);
    ASSERT_TRUE(store) << store.error().message();
    const auto outbox = bundle::ListOutbox(terminals_[0]).value();
    for (const auto& e : outbox) {
      ASSERT_TRUE((*store)->Accept(bundle::ReadOutboxBundle(terminals_[0], e).value()));
    }
  }
  const std::string out = (dir_ / "results.csv").string();
  const std::vector<std::string> args = {
      "results", "open",
      "--store", (dir_ / "store").string(),
      "--key",   (dir_ / "results.key").string(),
      "--exam",  std::string(LONTAR_SOURCE_DIR) + "/tests/fixtures/mini-exam",
      "--out",   out};
  auto text = RunLontar(args);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find(": 1 sittings and 2 absent (on the roster, no bundle) written to"),
            std::string::npos)
      << text.out;

  auto with_json = args;
  with_json.push_back("--json");
  auto run = RunLontar(with_json);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto j = nlohmann::json::parse(run.out);
  EXPECT_EQ(j["rows"], 1);
  EXPECT_EQ(j["results"].size(), 1u);
  EXPECT_EQ(j["absent"], 2);
  EXPECT_EQ(j["absent_participants"], nlohmann::json::array({"TEST-0001", "TEST-0003"}));

  // The mini exam has 2 sections and 1 competency, so 22 columns: participant, name, then 14
  // empty (site, terminal, seq, receipt_code, kind, total, max, passed, section:tiu,
  // section:tkp, level:integritas, jpm_percent, jpm_category, flags), ended = absent, then empty
  // answered, unanswered, group (the mini roster has no groups), pass_rule, rank.
  const std::string empty14(14, ',');
  const std::string csv = ReadText(out);
  const auto sitting = csv.find("TEST-0002,\"Baso, Daeng\"," + terminals_[0].site() + "," +
                                terminals_[0].id() + ",1,");
  const auto ayu = csv.find("TEST-0001,Ayu Lestari" + empty14 + ",absent,,,,,,\r\n");
  const auto yohanes = csv.find("TEST-0003,Yohanes Kambu" + empty14 + ",absent,,,,,,\r\n");
  ASSERT_NE(sitting, std::string::npos) << csv;
  ASSERT_NE(ayu, std::string::npos) << csv;
  ASSERT_NE(yohanes, std::string::npos) << csv;
  EXPECT_LT(sitting, ayu);                                        // sittings first,
  EXPECT_LT(ayu, yohanes);                                        // then the absent in roster order
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4) << csv;  // header, 1 sitting, 2 absent

  const std::string responses = ReadText(dir_ / "results.responses.csv");
  EXPECT_EQ(std::count(responses.begin(), responses.end(), '\n'), 2) << responses;
  EXPECT_EQ(responses.find("TEST-0001"), std::string::npos) << responses;
}

// A bundle that could not be opened still says the person sat: only participants on no row are
// absent. Pure.
TEST_F(ResultsOpenAbsent, AnUnopenableBundleCountsAsSat) {
  auto source = authoring::LoadSource(std::string(LONTAR_SOURCE_DIR) + "/tests/fixtures/mini-exam");
  ASSERT_TRUE(source);
  server::ResultRow unopenable;
  unopenable.participant = "TEST-0003";
  unopenable.flags = {"unopenable: the stream does not authenticate"};
  const std::vector<server::ResultRow> rows = {unopenable};
  const auto absent = server::AbsentParticipants(source->exam, rows);
  ASSERT_EQ(absent.size(), 2u);
  EXPECT_EQ(absent[0].participant, "TEST-0001");
  EXPECT_EQ(absent[0].name, "Ayu Lestari");
  EXPECT_EQ(absent[0].position, "staf");
  EXPECT_EQ(absent[0].exam_id, "TEST-MINI");
  EXPECT_TRUE(absent[0].absent);
  EXPECT_FALSE(absent[0].scored);
  EXPECT_EQ(absent[1].participant, "TEST-0002");
  EXPECT_TRUE(server::AbsentParticipants(source->exam, {}).size() == 3u);
}

INSTANTIATE_TEST_SUITE_P(Backends, ResultsOpen, ::testing::Values("sqlite", "postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace lontar

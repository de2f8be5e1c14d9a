// `WriteResultsReport` over a collection store filled by real sittings of the mini exam
// (tests/fixtures/mini-exam): every file is written, each candidate's page prints the figures
// the re-scoring gave, a voided sitting gets a page but no rank, a bundle sealed to another
// results key gets no page and is named in the summary, and the cohort CSV ranks as the rules
// say. Also the pure pieces: time zones, file names, histogram bins.
#include <gtest/gtest.h>

#include "core/bundle/outbox.hpp"
#include "core/exam/engine.hpp"
#include "core/report/cohort_model.hpp"
#include "core/report/results_report.hpp"
#include "core/server/results.hpp"
#include "core/server/store.hpp"
#include "core/terminal/enrollment.hpp"
#include "tests/support/enrolled_dir.hpp"
#include "tests/support/exam_terminals.hpp"
#include "tests/support/pdf_pages.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::report {
namespace {

using lontar::testing::PdfText;
using lontar::testing::ReadText;
using lontar::testing::TempDir;

// 2026-11-24 01:30 UTC: 08.30 WIB, 09.30 WITA.
constexpr std::int64_t kSatAt = 1'795'483'800'000;

class ResultsReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.SetWallMs(kSatAt);
    results_ = crypto::BoxSecretKey::Generate().value();
    terminals_ = lontar::testing::MakeExamTerminals(dir_ / "terminals", clock_,
                                                    {.terminals = 2, .results_key = &results_});
    ASSERT_EQ(terminals_.size(), 2u);
    lontar::testing::WriteEnrolledDir(dir_ / "enrolled", terminals_);
    auto exam = exam::Engine::Open(terminals_[0], clock_);
    ASSERT_TRUE(exam) << exam.error().message();
    exam_ = exam->exam();
  }

  // A sitting on terminal `t`: answers in order, then submit (or the proctor voids it).
  void Sit(std::size_t t, const std::string& who, const std::string& pin,
           const std::vector<std::pair<std::string, std::string>>& answers, bool voided = false) {
    auto engine = exam::Engine::Open(terminals_[t], clock_);
    ASSERT_TRUE(engine) << engine.error().message();
    const auto auth = engine->AuthorizeProctor(AsBytes(lontar::testing::kMiniProctorCode));
    ASSERT_TRUE(auth);
    const std::string token =
        engine->OpenSession(AsBytes(lontar::testing::kMiniProctorCode)).value();
    ASSERT_TRUE(engine->Login(who, AsBytes(pin), token));
    for (const auto& [item, key] : answers) {
      if (item == "next") {
        ASSERT_TRUE(engine->Execute(who, exam::NextSection{}));
        continue;
      }
      ASSERT_TRUE(engine->Execute(who, exam::Answer{item, {key}}));
    }
    if (voided) {
      ASSERT_TRUE(engine->Proctor(*auth, who, exam::Void{"phone on the desk"}));
    } else {
      ASSERT_TRUE(engine->Execute(who, exam::Submit{}));
    }
  }

  // Every outbox bundle into a store directory, as the collection server stores them.
  void Store(const std::vector<Bytes>& extra = {}) {
    auto backend = server::OpenSqliteBackend(dir_ / "store");
    ASSERT_TRUE(backend) << backend.error().message();
    auto store = server::Store::Open(std::move(*backend), dir_ / "enrolled",
                                     crypto::SigningKey::Generate().value(), clock_);
    ASSERT_TRUE(store) << store.error().message();
    for (auto& t : terminals_) {
      const std::vector<bundle::OutboxEntry> outbox = bundle::ListOutbox(t).value();
      for (const auto& e : outbox) {
        ASSERT_TRUE((*store)->Accept(bundle::ReadOutboxBundle(t, e).value()));
      }
    }
    for (const Bytes& b : extra) ASSERT_TRUE((*store)->Accept(b));
  }

  // A bundle of TEST-0003's, seq 2 on terminal `t` with `answers`, sealed to another results
  // key: the store takes it (its signature is good), but the report cannot open it.
  Bytes UnopenableBundle(std::size_t t, const nlohmann::json& answers) {
    bundle::BundleInputs in;
    in.terminal_id = terminals_[t].id();
    in.site = terminals_[t].site();
    in.exam_id = exam_.id;
    in.pack_id = "0123456789abcdef0123456789abcdef";
    in.exam_version = 1;
    in.seq = 2;
    in.participant = "TEST-0003";
    in.journal_seq = 1'000'000;
    in.payload.answers = answers;
    const auto other = crypto::BoxSecretKey::Generate().value();
    return bundle::WriteBundle(in, terminals_[t].signing_key(), other.public_key()).value();
  }

  Result<ReportSummary> Report(Language language = Language::kIndonesian) {
    auto backend = server::OpenStoreBackend({dir_ / "store", ""}, server::StoreAccess::kReadOnly);
    if (!backend) return std::unexpected(backend.error());
    ReportOptions o;
    o.out_dir = dir_ / "out";
    o.context.exam = &exam_;
    o.context.language = language;
    o.context.agency = "BKD Kota Uji";
    o.context.zone = ParseTimeZone("WIB").value();
    o.context.site_zones["SITE-01"] = ParseTimeZone("WITA").value();  // every test terminal's
    o.generated_ms = kSatAt;
    o.threads = 2;
    return WriteResultsReport(**backend, results_, {}, o);
  }

  TempDir dir_;
  ManualClock clock_;
  crypto::BoxSecretKey results_;
  std::vector<terminal::Terminal> terminals_;
  model::Exam exam_;
};

TEST_F(ResultsReportTest, WritesEveryDocumentWithTheReScoredFigures) {
  // The mini exam: tiu-01 and tiu-02 score 5 (both keyed B) or 0; tkp-01 and tkp-02 weigh 1..5.
  Sit(0, "TEST-0001", "111111", {{"tiu-01", "B"}, {"tiu-02", "B"}});
  Sit(1, "TEST-0002", "222222", {{"tiu-01", "B"}});
  Sit(0, "TEST-0003", "333333", {{"tiu-01", "A"}}, /*voided=*/true);
  Store({UnopenableBundle(1, {{"tiu-01", {"B"}}})});

  auto summary = Report();
  ASSERT_TRUE(summary) << summary.error().message();
  EXPECT_EQ(summary->sittings, 4u);
  EXPECT_EQ(summary->opened, 3u);
  EXPECT_EQ(summary->voided, 1u);
  EXPECT_EQ(summary->candidate_pdfs, 3u);
  ASSERT_EQ(summary->unopenable.size(), 1u);
  EXPECT_NE(summary->unopenable[0].find("TEST-0003 (" + terminals_[1].id() + " #2): unopenable"),
            std::string::npos)
      << summary->unopenable[0];
  for (const char* f : {"candidates.pdf", "cohort.pdf", "cohort.csv", "items.csv",
                        "item_sections.csv", "items.pdf"}) {
    EXPECT_TRUE(std::filesystem::exists(dir_ / "out" / f)) << f;
  }
  // TEST-0003 has two bundles (the voided one and the unopenable one): its file names both.
  const auto out = dir_ / "out" / "candidates";
  EXPECT_TRUE(std::filesystem::exists(out / "TEST-0001.pdf"));
  EXPECT_TRUE(std::filesystem::exists(out / "TEST-0002.pdf"));
  EXPECT_TRUE(std::filesystem::exists(out / ("TEST-0003_" + terminals_[0].id() + "_2.pdf")));

  // TEST-0001: TIU 10 of 10 (threshold 5: met), TKP 0 of 10 (threshold 6: not), total 10 of 20;
  // fails. Its site keeps WITA (--site-time-zone), not the default WIB.
  const std::string p1 = PdfText(out / "TEST-0001.pdf");
  for (const std::string& want :
       {std::string("Ayu Lestari"), std::string("Ujian Mini Uji"), terminals_[0].site(),
        std::string("24 November 2026 09.30 WITA"), std::string("Diserahkan peserta"),
        std::string("TIU (Intelegensi Umum) 10 10 \u2265 5 Memenuhi"),
        std::string("TKP (Karakteristik Pribadi) 0 10 \u2265 6 Di bawah ambang"),
        std::string("Total 10 20"), std::string("TIDAK LULUS"),
        std::string("Umum: TIU \u2265 5, TKP \u2265 6")}) {
    EXPECT_NE(p1.find(want), std::string::npos) << "\"" << want << "\" not in:\n" << p1;
  }
  EXPECT_NE(PdfText(out / "TEST-0002.pdf").find("TIU (Intelegensi Umum) 5 10"), std::string::npos);
  // The voided sitting says so and gives no verdict.
  const std::string p3 = PdfText(out / ("TEST-0003_" + terminals_[0].id() + "_2.pdf"));
  EXPECT_NE(p3.find("Dibatalkan pengawas"), std::string::npos) << p3;
  EXPECT_EQ(p3.find("LULUS"), std::string::npos) << p3;
  // candidates.pdf holds the three pages.
  const std::string all = PdfText(dir_ / "out" / "candidates.pdf");
  for (const char* who : {"TEST-0001", "TEST-0002", "TEST-0003"}) {
    EXPECT_NE(all.find(who), std::string::npos) << who;
  }

  // The mini exam ranks by JPM within a position (it declares positions): TEST-0001 and
  // TEST-0002 are both staf; integritas raw 0 for both (no tkp answers), so level 1 against the
  // standard 3: JPM 1/3 = 33.3% each, tied at rank 1. The voided sitting is unranked, last.
  const std::string csv = ReadText(dir_ / "out" / "cohort.csv");
  EXPECT_EQ(csv.rfind("rank,participant,name,group,position,site,terminal,exam_id,exam_version,"
                      "kind,total,max,passed,section:tiu,section:tkp,level:integritas,jpm_percent,"
                      "jpm_category,receipt_code,bundle_id\r\n",
                      0),
            0u)
      << csv;
  EXPECT_NE(csv.find("1,TEST-0001,Ayu Lestari,,staf,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("1,TEST-0002,\"Baso, Daeng\",,staf,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\r\n,TEST-0003,Yohanes Kambu,,,"), std::string::npos) << csv;
  EXPECT_NE(csv.find(",voided,"), std::string::npos) << csv;
  // The cohort report counts three sittings that opened, none passed.
  const std::string cohort = PdfText(dir_ / "out" / "cohort.pdf");
  EXPECT_NE(cohort.find("Laporan Hasil Kelompok"), std::string::npos) << cohort;
  // Item analysis: two candidates (the voided sitting is left out).
  const std::string sections = ReadText(dir_ / "out" / "item_sections.csv");
  EXPECT_NE(sections.find("tiu,2,2,"), std::string::npos) << sections;
}

// The results pass opens bundles on worker threads: rows still come in the store's order, an
// unopenable bundle in the middle is reported at its place, and the results CSV is the same
// byte for byte with no worker thread and with three.
TEST_F(ResultsReportTest, ParallelPassKeepsTheStoresOrder) {
  const std::size_t first = terminals_[0].id() < terminals_[1].id() ? 0 : 1;
  Sit(first, "TEST-0001", "111111", {{"tiu-01", "B"}});
  Sit(1 - first, "TEST-0002", "222222", {{"tiu-01", "A"}});
  // After TEST-0001's on the first terminal.
  Store({UnopenableBundle(first, nlohmann::json::object())});

  auto backend = server::OpenSqliteBackend(dir_ / "store", server::StoreAccess::kReadOnly);
  ASSERT_TRUE(backend) << backend.error().message();
  std::vector<std::string> stored;
  const std::vector<server::StoredBundle> listed = (*backend)->ListBundles().value();
  for (const server::StoredBundle& b : listed) {
    stored.push_back(b.bundle_id);
  }
  ASSERT_EQ(stored.size(), 3u);
  std::string csv_inline;
  for (unsigned threads : {0u, 3u}) {
    std::vector<server::ResultRow> rows;
    auto walked = server::ForEachResult(
        **backend, results_, exam_, {},
        [&](server::ResultRow&& row) {
          rows.push_back(std::move(row));
          return Ok();
        },
        threads);
    ASSERT_TRUE(walked) << walked.error().message();
    ASSERT_EQ(rows.size(), 3u);
    for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(rows[i].bundle_id, stored[i]) << i;
    EXPECT_EQ(rows[0].participant, "TEST-0001");
    EXPECT_TRUE(rows[0].scored);
    EXPECT_EQ(rows[1].participant, "TEST-0003");
    EXPECT_FALSE(rows[1].scored);
    ASSERT_FALSE(rows[1].flags.empty());
    EXPECT_EQ(rows[1].flags.back().rfind("unopenable: ", 0), 0u) << rows[1].flags.back();
    EXPECT_EQ(rows[2].participant, "TEST-0002");
    EXPECT_TRUE(rows[2].scored);
    const std::string csv = server::ResultsCsv(rows, exam_);
    if (threads == 0) {
      csv_inline = csv;
    } else {
      EXPECT_EQ(csv, csv_inline);
    }
  }

  // The callback's error stops the walk and is what it returns.
  int seen = 0;
  auto stopped = server::ForEachResult(
      **backend, results_, exam_, {},
      [&](server::ResultRow&&) -> Status {
        return ++seen == 2 ? Status(std::unexpected(Error::Io("out of paper"))) : Ok();
      },
      2);
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().message(), "out of paper");
  EXPECT_EQ(seen, 2);
}

TEST_F(ResultsReportTest, EnglishPagesAndAnEmptyStore) {
  Store();
  auto summary = Report(Language::kEnglish);
  ASSERT_TRUE(summary) << summary.error().message();
  EXPECT_EQ(summary->sittings, 0u);
  EXPECT_EQ(summary->candidate_pdfs, 0u);
  // Nothing to analyse, but the cohort report still says so.
  EXPECT_TRUE(std::filesystem::exists(dir_ / "out" / "cohort.pdf"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out" / "items.csv"));
  EXPECT_NE(PdfText(dir_ / "out" / "cohort.pdf").find("Cohort"), std::string::npos);
}

TEST_F(ResultsReportTest, AnOutputPathThatIsAFileIsRefused) {
  Store();
  lontar::testing::WriteText(dir_ / "out", "not a directory");
  auto summary = Report();
  ASSERT_FALSE(summary);
  EXPECT_NE(summary.error().message().find("is not a directory"), std::string::npos)
      << summary.error().message();
  EXPECT_EQ(ReadText(dir_ / "out"), "not a directory");
}

TEST(ReportTimeZone, IndonesiasZonesAndOffsets) {
  EXPECT_EQ(ParseTimeZone("wita").value().offset_minutes, 8 * 60);
  EXPECT_EQ(ParseTimeZone("WIT").value().offset_minutes, 9 * 60);
  EXPECT_EQ(ParseTimeZone("UTC+05:30").value().offset_minutes, 5 * 60 + 30);
  EXPECT_EQ(ParseTimeZone("UTC-03:00").value().offset_minutes, -3 * 60);
  for (const char* bad : {"", "CET", "UTC+15:00", "UTC+8", "UTC+08:60", "UTC+08:00x"}) {
    auto z = ParseTimeZone(bad);
    ASSERT_FALSE(z) << bad;
    EXPECT_NE(z.error().message().find("give WIB, WITA or WIT"), std::string::npos);
  }
  // 2026-12-31 17:30 UTC is already the new year in WIT.
  const std::int64_t t = 1'798'738'200'000;
  EXPECT_EQ(FormatDateTime(t, ParseTimeZone("WIB").value(), Language::kIndonesian),
            "1 Januari 2027 00.30 WIB");
  EXPECT_EQ(FormatDateTime(t, ParseTimeZone("UTC").value(), Language::kEnglish),
            "31 December 2026 17:30 UTC");
}

TEST(ReportFileNames, ParticipantNumbersFromHeadersCannotLeaveTheDirectory) {
  server::ResultRow row;
  row.participant = "../../etc/x y";
  row.terminal_id = "T-1";
  row.seq = 3;
  EXPECT_EQ(CandidateFileName(row, false), "_.._.._etc_x_y.pdf");
  row.participant = ".hidden";
  EXPECT_EQ(CandidateFileName(row, false), "_.hidden.pdf");
  row.participant = "6401-2026-000123";
  EXPECT_EQ(CandidateFileName(row, true), "6401-2026-000123_T-1_3.pdf");
}

}  // namespace
}  // namespace lontar::report

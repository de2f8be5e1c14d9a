// The nine-box talent map (core/report/ninebox.hpp) and its CSV reader: every box reached, each
// cut-off at its boundary, each rejection with its message; then `lontar results ninebox` as the
// real binary (what it writes, and that it writes nothing on bad input).
#include "core/report/ninebox.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/report/csv_reader.hpp"
#include "tests/support/pdf_pages.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::report {
namespace {

using lontar::testing::ReadText;
using lontar::testing::RunLontar;
using lontar::testing::TempDir;
using lontar::testing::WriteText;

// The header of cohort.csv as `lontar results report` writes it, for a CACT exam with two
// competencies.
constexpr char kCohortHeader[] =
    "rank,participant,name,group,position,site,terminal,exam_id,exam_version,kind,total,max,"
    "passed,section:mk,level:integritas,level:kerja_sama,jpm_percent,jpm_category\r\n";

// One cohort.csv row of exam CACT-2026: JPM and the two levels given as text ("" for none).
std::string CohortRow(const std::string& participant, const std::string& jpm,
                      const std::string& level1 = "3", const std::string& level2 = "3",
                      const std::string& exam = "CACT-2026",
                      const std::string& kind = "submitted") {
  return "1," + participant + ",Nama " + participant + ",umum,analis,kaltim-01,t01," + exam +
         ",1," + kind + ",100,200,pass,100," + level1 + "," + level2 + "," + jpm + ",\r\n";
}

Result<NineBoxMap> Build(const std::string& results, const std::string& performance,
                         const NineBoxOptions& options = {}) {
  return BuildNineBox(results, "cohort.csv", performance, "kinerja.csv", options);
}

NineBoxOptions Competency() {
  NineBoxOptions o;
  o.potential = PotentialSource::kCompetency;
  return o;
}
NineBoxOptions PotentialCuts(Cuts cuts) {
  NineBoxOptions o;
  o.potential_cuts = cuts;
  return o;
}
NineBoxOptions PerformanceCuts(Cuts cuts) {
  NineBoxOptions o;
  o.performance_cuts = cuts;
  return o;
}
NineBoxOptions Exam(const std::string& exam_id) {
  NineBoxOptions o;
  o.exam_id = exam_id;
  return o;
}

std::string MessageOf(const Result<NineBoxMap>& r) {
  EXPECT_FALSE(r.has_value());
  return r ? std::string() : r.error().message();
}

const NineBoxEntry& Entry(const NineBoxMap& map, const std::string& participant) {
  for (const auto& e : map.entries) {
    if (e.participant == participant) return e;
  }
  ADD_FAILURE() << participant << " not in the map";
  return map.entries.front();
}

// --- The grid -------------------------------------------------------------------------------

TEST(NineBox, BoxNumbersFollowPermenPanRb3Of2020) {
  // Rows: performance below / as expected / above; columns: potential low / medium / high.
  const int expected[3][3] = {{1, 3, 6}, {2, 5, 8}, {4, 7, 9}};
  for (int p = 0; p < 3; ++p) {
    for (int q = 0; q < 3; ++q) {
      const int box = BoxNumber(static_cast<Tier>(p), static_cast<Tier>(q));
      EXPECT_EQ(box, expected[p][q]) << p << "," << q;
      EXPECT_EQ(BoxPerformance(box), static_cast<Tier>(p));
      EXPECT_EQ(BoxPotential(box), static_cast<Tier>(q));
    }
  }
  EXPECT_EQ(BoxName(9), "Kinerja di atas ekspektasi, potensi tinggi");
  EXPECT_EQ(BoxName(1), "Kinerja di bawah ekspektasi, potensi rendah");
  EXPECT_EQ(BoxName(6), "Kinerja di bawah ekspektasi, potensi tinggi");
  EXPECT_EQ(BoxName(2), "Kinerja sesuai ekspektasi, potensi rendah");
}

TEST(NineBox, EveryBoxIsReachedThroughTheFiles) {
  // JPM 60 / 78 / 90 are low / medium / high under the default cuts 78,90.
  const std::string jpm[3] = {"60", "78", "90"};
  const std::string rating[3] = {"di bawah ekspektasi", "Sesuai Ekspektasi",
                                 "  DI ATAS  ekspektasi "};
  const int expected[3][3] = {{1, 3, 6}, {2, 5, 8}, {4, 7, 9}};
  std::string results = kCohortHeader, performance = "participant,rating\n";
  for (int p = 0; p < 3; ++p) {
    for (int q = 0; q < 3; ++q) {
      const std::string id = "P" + std::to_string(p) + std::to_string(q);
      results += CohortRow(id, jpm[q]);
      performance += id + "," + rating[p] + "\n";
    }
  }
  auto map = Build(results, performance);
  ASSERT_TRUE(map) << map.error().message();
  EXPECT_EQ(map->exam_id, "CACT-2026");
  for (int p = 0; p < 3; ++p) {
    for (int q = 0; q < 3; ++q) {
      const std::string id = "P" + std::to_string(p) + std::to_string(q);
      EXPECT_EQ(Entry(*map, id).box, expected[p][q]) << id;
      ASSERT_EQ(map->box[expected[p][q]].size(), 1u);
    }
  }
  EXPECT_TRUE(map->without_rating.empty());
  EXPECT_TRUE(map->without_potential.empty());
}

TEST(NineBox, EnglishRatingsAreAccepted) {
  const std::string results = std::string(kCohortHeader) + CohortRow("A", "95") +
                              CohortRow("B", "95") + CohortRow("C", "95") + CohortRow("D", "95");
  auto map = Build(results,
                   "participant,rating\nA,below expectations\nB,Meets Expectations\nC,as "
                   "expected\nD,exceeds expectations\n");
  ASSERT_TRUE(map) << map.error().message();
  EXPECT_EQ(Entry(*map, "A").box, 6);
  EXPECT_EQ(Entry(*map, "B").box, 8);
  EXPECT_EQ(Entry(*map, "C").box, 8);
  EXPECT_EQ(Entry(*map, "D").box, 9);
}

// --- Cut-offs at their boundaries -----------------------------------------------------------

TEST(NineBox, DefaultJpmCutsAt78And90) {
  // low < 78 <= medium < 90 <= high; all rated "sesuai", so boxes 2 / 5 / 8.
  const std::pair<std::string, int> cases[] = {{"0", 2},     {"77.99", 2}, {"78", 5}, {"78.0", 5},
                                               {"89.99", 5}, {"90", 8},    {"100", 8}};
  std::string results = kCohortHeader, performance = "participant,rating\n";
  for (const auto& [jpm, box] : cases) {
    results += CohortRow("J" + jpm, jpm);
    performance += "J" + jpm + ",sesuai ekspektasi\n";
  }
  auto map = Build(results, performance);
  ASSERT_TRUE(map) << map.error().message();
  for (const auto& [jpm, box] : cases) EXPECT_EQ(Entry(*map, "J" + jpm).box, box) << jpm;
}

TEST(NineBox, DefaultLevelCutsAt3And4) {
  // Mean of the two levels: (2+3)/2 = 2.5 low; (3+3)/2 = 3 medium; (4+3)/2 = 3.5 medium;
  // (4+4)/2 = 4 high; a level left empty is not counted: mean of (4) = 4 high.
  std::string results = std::string(kCohortHeader) + CohortRow("L25", "", "2", "3") +
                        CohortRow("L30", "", "3", "3") + CohortRow("L35", "", "4", "3") +
                        CohortRow("L40", "", "4", "4") + CohortRow("L4x", "", "4", "");
  const std::string performance =
      "participant,rating\nL25,di atas ekspektasi\nL30,di atas ekspektasi\nL35,di atas "
      "ekspektasi\nL40,di atas ekspektasi\nL4x,di atas ekspektasi\n";
  auto map = Build(results, performance, Competency());
  ASSERT_TRUE(map) << map.error().message();
  EXPECT_EQ(Entry(*map, "L25").box, 4);
  EXPECT_EQ(Entry(*map, "L30").box, 7);
  EXPECT_EQ(Entry(*map, "L35").box, 7);
  EXPECT_DOUBLE_EQ(*Entry(*map, "L35").potential, 3.5);
  EXPECT_EQ(Entry(*map, "L40").box, 9);
  EXPECT_EQ(Entry(*map, "L4x").box, 9);
}

TEST(NineBox, PotentialCutsGivenByTheAgency) {
  std::string results = std::string(kCohortHeader) + CohortRow("A", "69.9") + CohortRow("B", "70") +
                        CohortRow("C", "84.9") + CohortRow("D", "85");
  auto map = Build(results,
                   "participant,rating\nA,di bawah ekspektasi\nB,di bawah ekspektasi\nC,di bawah "
                   "ekspektasi\nD,di bawah ekspektasi\n",
                   PotentialCuts(Cuts{70, 85}));
  ASSERT_TRUE(map) << map.error().message();
  EXPECT_EQ(Entry(*map, "A").box, 1);
  EXPECT_EQ(Entry(*map, "B").box, 3);
  EXPECT_EQ(Entry(*map, "C").box, 3);
  EXPECT_EQ(Entry(*map, "D").box, 6);
}

TEST(NineBox, NumericRatingsUsePerformanceCuts) {
  // Cuts 60,80: 59.99 below, 60 and 79.99 as expected, 80 above. Potential 90 is high: 6/8/9.
  std::string results = std::string(kCohortHeader) + CohortRow("A", "90") + CohortRow("B", "90") +
                        CohortRow("C", "90") + CohortRow("D", "90");
  auto map = Build(results, "participant,rating\nA,59.99\nB,60\nC,79.99\nD,80\n",
                   PerformanceCuts(Cuts{60, 80}));
  ASSERT_TRUE(map) << map.error().message();
  EXPECT_EQ(Entry(*map, "A").box, 6);
  EXPECT_EQ(Entry(*map, "B").box, 8);
  EXPECT_EQ(Entry(*map, "C").box, 8);
  EXPECT_EQ(Entry(*map, "D").box, 9);
}

TEST(NineBox, SemicolonFileWithDecimalCommas) {
  // A spreadsheet in an Indonesian locale exports ';' with ',' as the decimal mark, and a BOM.
  std::string results = std::string(kCohortHeader) + CohortRow("A", "90") + CohortRow("B", "90");
  auto map = Build(results, "\xEF\xBB\xBFparticipant;rating\r\nA;79,99\r\nB;80,0\r\n",
                   PerformanceCuts(Cuts{60, 80}));
  ASSERT_TRUE(map) << map.error().message();
  EXPECT_EQ(Entry(*map, "A").box, 8);
  EXPECT_EQ(Entry(*map, "B").box, 9);
}

// --- Who is left out ------------------------------------------------------------------------

TEST(NineBox, ParticipantsWithoutRatingAreListedInNoBox) {
  std::string results = std::string(kCohortHeader) + CohortRow("A", "95") + CohortRow("B", "80") +
                        CohortRow("C", "60") + CohortRow("D", "60");
  // B is absent from kinerja.csv, C has an empty rating; D's sitting was voided.
  results += CohortRow("V", "95", "3", "3", "CACT-2026", "voided");
  auto map = Build(results, "participant,rating\nA,di atas ekspektasi\nC,\nV,sesuai ekspektasi\n");
  ASSERT_TRUE(map) << map.error().message();
  EXPECT_EQ(Entry(*map, "A").box, 9);
  EXPECT_EQ(Entry(*map, "B").box, 0);
  EXPECT_EQ(Entry(*map, "C").box, 0);
  EXPECT_EQ(Entry(*map, "D").box, 0);
  EXPECT_EQ(Entry(*map, "V").box, 0);
  ASSERT_EQ(map->without_rating.size(), 3u);
  EXPECT_EQ(map->entries[map->without_rating[0]].participant, "B");
  EXPECT_EQ(map->entries[map->without_rating[1]].participant, "C");
  EXPECT_EQ(map->entries[map->without_rating[2]].participant, "D");
  ASSERT_EQ(map->without_potential.size(), 1u);
  EXPECT_EQ(map->entries[map->without_potential[0]].participant, "V");
}

TEST(NineBox, CsvListsBoxesFromNineDownThenTheUnplaced) {
  const std::string results = std::string(kCohortHeader) + CohortRow("A", "60") +
                              CohortRow("B", "92.5") + CohortRow("C", "80") +
                              "1,\"D, \"\"x\"\"\",Nama D,umum,analis,k,t,CACT-2026,1,voided,,,,,,"
                              ",,\r\n";
  auto map = Build(results, "participant,rating\nA,sesuai ekspektasi\nB,di atas ekspektasi\n");
  ASSERT_TRUE(map) << map.error().message();
  EXPECT_EQ(NineBoxCsv(*map),
            "participant,name,potential,potential_class,performance_rating,performance,box,"
            "box_name\r\n"
            "B,Nama B,92.5,tinggi,di atas ekspektasi,di atas ekspektasi,9,\"Kinerja di atas "
            "ekspektasi, potensi tinggi\"\r\n"
            "A,Nama A,60,rendah,sesuai ekspektasi,sesuai ekspektasi,2,\"Kinerja sesuai "
            "ekspektasi, potensi rendah\"\r\n"
            "C,Nama C,80,menengah,,,,\r\n"
            "\"D, \"\"x\"\"\",Nama D,,,,,,\r\n");
}

TEST(NineBox, ResultsOpenCsvIsAccepted) {
  // `lontar results open` writes no exam_id or position; how a sitting ended is `ended`.
  const std::string results =
      "participant,name,site,terminal,seq,receipt_code,kind,total,max,passed,section:mk,"
      "level:integritas,jpm_percent,jpm_category,flags,ended,answered,unanswered,group,"
      "pass_rule,rank\r\n"
      "A,Nama A,s,t,1,RC,result,10,20,pass,10 pass,4,91.67,Optimal,,submitted,5,0,,,1\r\n"
      "B,Nama B,s,t,2,RC,result,10,20,pass,10 pass,4,91.67,Optimal,voided,voided,5,0,,,\r\n";
  auto map = Build(results, "participant,rating\nA,sesuai ekspektasi\nB,sesuai ekspektasi\n");
  ASSERT_TRUE(map) << map.error().message();
  EXPECT_EQ(map->exam_id, "");
  EXPECT_EQ(Entry(*map, "A").box, 8);
  EXPECT_EQ(Entry(*map, "B").box, 0);
  ASSERT_EQ(map->without_potential.size(), 1u);
}

// --- Rejections, one per path ---------------------------------------------------------------

TEST(NineBoxRejects, ParticipantNotInResults) {
  const std::string results = std::string(kCohortHeader) + CohortRow("A", "90");
  EXPECT_EQ(MessageOf(Build(results,
                            "participant,rating\nA,sesuai ekspektasi\nZ9,sesuai "
                            "ekspektasi\n")),
            "kinerja.csv:3: participant Z9 is not in the results (cohort.csv); check the number, "
            "or that both files are of the same cohort");
}

TEST(NineBoxRejects, UnknownRatingWord) {
  const std::string results = std::string(kCohortHeader) + CohortRow("A", "90");
  EXPECT_EQ(MessageOf(Build(results, "participant,rating\nA,baik\n")),
            "kinerja.csv:2: rating 'baik' is not one of 'di bawah ekspektasi', 'sesuai "
            "ekspektasi', 'di atas ekspektasi' (or below/meets/above expectations), nor a number");
}

TEST(NineBoxRejects, NumericRatingWithoutPerformanceCuts) {
  const std::string results = std::string(kCohortHeader) + CohortRow("A", "90");
  EXPECT_EQ(MessageOf(Build(results, "participant,rating\nA,85\n")),
            "kinerja.csv:2: rating 85 is a number; give --performance-cuts SESUAI,DI_ATAS (the "
            "lowest scores that are 'sesuai ekspektasi' and 'di atas ekspektasi')");
}

TEST(NineBoxRejects, MalformedPerformanceLine) {
  const std::string results = std::string(kCohortHeader) + CohortRow("A", "90");
  EXPECT_EQ(MessageOf(Build(results, "participant,rating\nA,sesuai ekspektasi,extra\n")),
            "kinerja.csv:2: 3 fields, but the header (line 1) has 2");
}

TEST(NineBoxRejects, QuoteInsideUnquotedResultsField) {
  const std::string results =
      std::string(kCohortHeader) + CohortRow("A", "90") +
      "1,B,Nama \"B\",umum,a,s,t,CACT-2026,1,submitted,1,2,pass,1,3,3,90,\r\n";
  EXPECT_EQ(MessageOf(Build(results, "participant,rating\n")),
            "cohort.csv:3: a '\"' inside an unquoted field (quote the whole field and double the "
            "quotes inside it)");
}

TEST(NineBoxRejects, QuoteNeverClosed) {
  const std::string results = std::string(kCohortHeader) + CohortRow("A", "90");
  EXPECT_EQ(MessageOf(Build(results, "participant,rating\nA,\"sesuai\n\n")),
            "kinerja.csv:2: a quoted field opened here is never closed (the file may be cut off)");
}

TEST(NineBoxRejects, ResultsOfAnotherExam) {
  const std::string results = std::string(kCohortHeader) + CohortRow("A", "90") +
                              CohortRow("B", "90", "3", "3", "CACT-2025");
  EXPECT_EQ(MessageOf(Build(results, "participant,rating\n", Exam("CACT-2026"))),
            "cohort.csv:3: a result of exam CACT-2025, but --exam is CACT-2026; give the results "
            "of exam CACT-2026");
}

TEST(NineBoxRejects, ResultsOfTwoExamsWithoutExamOption) {
  const std::string results = std::string(kCohortHeader) + CohortRow("A", "90") +
                              CohortRow("B", "90", "3", "3", "CACT-2025");
  EXPECT_EQ(MessageOf(Build(results, "participant,rating\n")),
            "cohort.csv:3: a result of exam CACT-2025, but line 2 is of exam CACT-2026; a "
            "nine-box maps one exam: give the results of one exam");
}

TEST(NineBoxRejects, ExamOptionWithoutExamIdColumn) {
  const std::string results = "participant,name,jpm_percent\r\nA,Nama A,90\r\n";
  EXPECT_EQ(MessageOf(Build(results, "participant,rating\n", Exam("CACT-2026"))),
            "cohort.csv: has no exam_id column, so it cannot be checked to be of exam CACT-2026; "
            "give the cohort.csv of `lontar results report`, or leave out --exam for the CSV of "
            "`lontar results open` (which holds one exam)");
}

TEST(NineBoxRejects, ExamWithoutPotential) {
  // An SKD cohort: no competency levels, no JPM.
  const std::string results =
      "rank,participant,name,exam_id,kind,total,max,passed,section:twk,section:tiu,section:tkp,"
      "jpm_percent,jpm_category\r\n"
      "1,A,Nama A,SKD-2026,submitted,400,550,pass,100,120,180,,\r\n";
  EXPECT_EQ(MessageOf(Build(results, "participant,rating\nA,sesuai ekspektasi\n")),
            "cohort.csv: exam SKD-2026 has no JPM percentages (column jpm_percent missing or "
            "empty); a nine-box needs the results of a competency exam (CACT), not an exam "
            "without competency scoring such as SKD");
  EXPECT_EQ(MessageOf(Build(results, "participant,rating\n", Competency())),
            "cohort.csv: exam SKD-2026 has no competency levels (no level:<competency> column "
            "with a value); a nine-box needs the results of a competency exam (CACT), not an "
            "exam without competency scoring such as SKD");
}

TEST(NineBoxRejects, JpmMissingButLevelsPresentSuggestsCompetency) {
  const std::string results = std::string(kCohortHeader) + CohortRow("A", "");
  EXPECT_NE(MessageOf(Build(results, "participant,rating\n"))
                .find("(this file has competency levels: use --potential competency)"),
            std::string::npos);
}

TEST(NineBoxRejects, PotentialCutsOutOfOrder) {
  const std::string results = std::string(kCohortHeader) + CohortRow("A", "90");
  const std::string message =
      ": cut-offs out of order; the first (where the middle class starts) must be below the "
      "second (where the top class starts)";
  EXPECT_EQ(MessageOf(Build(results, "participant,rating\n", PotentialCuts(Cuts{90, 78}))),
            "--potential-cuts 90,78" + message);
  EXPECT_EQ(MessageOf(Build(results, "participant,rating\n", PotentialCuts(Cuts{78, 78}))),
            "--potential-cuts 78,78" + message);
  EXPECT_EQ(MessageOf(Build(results, "participant,rating\n", PerformanceCuts(Cuts{80.5, 60}))),
            "--performance-cuts 80.5,60" + message);
}

TEST(NineBoxRejects, ParticipantTwiceInResults) {
  const std::string results =
      std::string(kCohortHeader) + CohortRow("A", "90") + CohortRow("A", "80");
  EXPECT_EQ(MessageOf(Build(results, "participant,rating\n")),
            "cohort.csv:3: participant A appears twice (also line 2); a nine-box needs one row "
            "per candidate: resolve the duplicate sittings first");
}

TEST(NineBoxRejects, ParticipantRatedTwice) {
  const std::string results = std::string(kCohortHeader) + CohortRow("A", "90");
  EXPECT_EQ(
      MessageOf(Build(results, "participant,rating\nA,sesuai ekspektasi\nA,di atas ekspektasi\n")),
      "kinerja.csv:3: participant A is rated twice (also line 2)");
}

TEST(NineBoxRejects, JpmNotAPercentage) {
  EXPECT_EQ(
      MessageOf(Build(std::string(kCohortHeader) + CohortRow("A", "101"), "participant,rating\n")),
      "cohort.csv:2: jpm_percent '101' is not a percentage from 0 to 100");
  EXPECT_EQ(
      MessageOf(Build(std::string(kCohortHeader) + CohortRow("A", "9O"), "participant,rating\n")),
      "cohort.csv:2: jpm_percent '9O' is not a percentage from 0 to 100");
}

TEST(NineBoxRejects, LevelOutOfRange) {
  EXPECT_EQ(MessageOf(Build(std::string(kCohortHeader) + CohortRow("A", "", "6", "3"),
                            "participant,rating\n", Competency())),
            "cohort.csv:2: level:integritas '6' is not a competency level from 0 to 5");
}

TEST(NineBoxRejects, PerformanceFileWithoutRatingColumn) {
  EXPECT_EQ(MessageOf(Build(std::string(kCohortHeader) + CohortRow("A", "90"),
                            "participant,kinerja\nA,sesuai ekspektasi\n")),
            "kinerja.csv: no 'rating' column; the file needs a header line participant,rating");
}

TEST(NineBoxRejects, EmptyParticipantNumber) {
  EXPECT_EQ(MessageOf(Build(std::string(kCohortHeader) + CohortRow("A", "90"),
                            "participant,rating\n , sesuai ekspektasi\n")),
            "kinerja.csv:2: the participant number is empty");
}

TEST(NineBoxRejects, EmptyFile) {
  EXPECT_EQ(MessageOf(Build("", "participant,rating\n")),
            "cohort.csv: the file is empty (expected a header line first)");
}

// --- The CSV reader -------------------------------------------------------------------------

TEST(CsvReader, QuotedFieldsSpanLinesAndLinesAreCounted) {
  auto t = ParseCsv("a,b\r\n\"x\ny\",\"say \"\"hi\"\"\"\r\n\r\n3,\"\"\n", "f.csv");
  ASSERT_TRUE(t) << t.error().message();
  ASSERT_EQ(t->records.size(), 2u);
  EXPECT_EQ(t->records[0].line, 2);
  EXPECT_EQ(t->records[0].fields, (std::vector<std::string>{"x\ny", "say \"hi\""}));
  EXPECT_EQ(t->records[1].line, 5);  // the quoted line break counts; the empty line is skipped
  EXPECT_EQ(t->records[1].fields, (std::vector<std::string>{"3", ""}));
}

TEST(CsvReader, TextAfterClosingQuote) {
  auto t = ParseCsv("a,b\n\"x\"y,z\n", "f.csv");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().message(), "f.csv:2: text after the closing '\"' of a quoted field");
}

TEST(CsvReader, HeaderNamingAColumnTwice) {
  auto t = ParseCsv("participant,Participant\n", "f.csv");
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().message(), "f.csv:1: the header names column 'Participant' twice");
}

TEST(CsvReader, ColumnsAreFoundIgnoringCaseAndBlanks) {
  auto t = ParseCsv(" Participant ;RATING\n1;2\n", "f.csv");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->separator, ';');
  EXPECT_EQ(t->Column("participant"), 0u);
  EXPECT_EQ(t->Column("rating"), 1u);
  EXPECT_FALSE(t->Column("name"));
}

// --- The command ----------------------------------------------------------------------------

TEST(NineBoxCommand, WritesTheCsvAndCountsTheUnrated) {
  TempDir dir;
  WriteText(dir / "cohort.csv", std::string(kCohortHeader) + CohortRow("A", "95") +
                                    CohortRow("B", "80") + CohortRow("C", "60") +
                                    CohortRow("D", "60") + CohortRow("E", "60"));
  WriteText(dir / "kinerja.csv", "participant,rating\nA,di atas ekspektasi\nE,\n");
  const auto out = dir / "map";
  auto r =
      RunLontar({"results", "ninebox", "--results", (dir / "cohort.csv").string(), "--performance",
                 (dir / "kinerja.csv").string(), "--out", out.string(), "--exam", "CACT-2026"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("nine-box of CACT-2026: 1 of 5 participants placed (box 1..9: 0 0 0 0 0 "
                       "0 0 0 1)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("4 participants without a performance rating: B, C, D, E"),
            std::string::npos)
      << r.out;
  const std::string csv = ReadText(out / "ninebox.csv");
  EXPECT_TRUE(
      csv.starts_with("participant,name,potential,potential_class,performance_rating,"
                      "performance,box,box_name\r\nA,Nama A,95,tinggi,"))
      << csv;
  // The PDF: the grid page and the lists, read back as text.
  const auto text =
      lontar::testing::RunProgram("/usr/bin/pdftotext", {(out / "ninebox.pdf").string(), "-"});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  for (const std::string expected :
       {"Peta Talenta (Nine-Box)", "Kinerja di atas ekspektasi, potensi tinggi", "Nama A (A)",
        "Kotak 9: Kinerja di atas ekspektasi, potensi tinggi (1 orang)",
        "Kotak 1: Kinerja di bawah ekspektasi, potensi rendah (0 orang)",
        "Tanpa penilaian kinerja (4 orang): tidak ditempatkan"}) {
    EXPECT_NE(text.out.find(expected), std::string::npos) << expected << "\n" << text.out;
  }
  EXPECT_TRUE(lontar::testing::MatchesPageGolden(out / "ninebox.pdf", "ninebox", false));
}

TEST(NineBoxCommand, JsonSummary) {
  TempDir dir;
  WriteText(dir / "cohort.csv", std::string(kCohortHeader) + CohortRow("A", "", "4", "5") +
                                    CohortRow("B", "", "2", "2"));
  WriteText(dir / "kinerja.csv", "participant,rating\nA,70\n");
  auto r =
      RunLontar({"results", "ninebox", "--results", (dir / "cohort.csv").string(), "--performance",
                 (dir / "kinerja.csv").string(), "--out", (dir / "map").string(), "--potential",
                 "competency", "--performance-cuts", "50,70", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["potential"], "competency");
  EXPECT_EQ(j["boxes"]["9"], 1);
  EXPECT_EQ(j["placed"], 1);
  EXPECT_EQ(j["without_rating"], nlohmann::json::array({"B"}));
  EXPECT_EQ(j["potential_cuts"], nlohmann::json::array({3, 4}));
}

TEST(NineBoxCommand, BadInputWritesNothing) {
  TempDir dir;
  WriteText(dir / "cohort.csv", std::string(kCohortHeader) + CohortRow("A", "95"));
  WriteText(dir / "kinerja.csv", "participant,rating\nA,di atas ekspektasi\nQ,sesuai ekspektasi\n");
  const auto out = dir / "map";
  auto r = RunLontar({"results", "ninebox", "--results", (dir / "cohort.csv").string(),
                      "--performance", (dir / "kinerja.csv").string(), "--out", out.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find((dir / "kinerja.csv").string() + ":3: participant Q is not in the results"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));  // neither ninebox.csv nor ninebox.pdf
}

TEST(NineBoxCommand, CutsThatAreNotTwoNumbers) {
  TempDir dir;
  auto r = RunLontar({"results", "ninebox", "--results", (dir / "cohort.csv").string(),
                      "--performance", (dir / "kinerja.csv").string(), "--out",
                      (dir / "map").string(), "--potential-cuts", "78"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--potential-cuts '78': give two numbers, MIDDLE,TOP"), std::string::npos)
      << r.err;
  r = RunLontar({"results", "ninebox", "--results", (dir / "cohort.csv").string(), "--performance",
                 (dir / "kinerja.csv").string(), "--out", (dir / "map").string(),
                 "--potential-cuts", "90,78"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--potential-cuts 90,78: cut-offs out of order"), std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace lontar::report

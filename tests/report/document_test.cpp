// report::Document: the file it writes (and does not leave behind), pages, tables that break
// across pages with their header repeated, and the error paths, read back with pdftotext.
#include "core/report/document.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/fonts_test.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::report {
namespace {

using lontar::testing::RunProgram;
using lontar::testing::TempDir;

// pdftotext -layout's text as it is (testing::PdfText squeezes the spaces).
std::string LayoutText(const std::filesystem::path& pdf) {
  const auto r = RunProgram("/usr/bin/pdftotext", {"-layout", pdf.string(), "-"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.out;
}

int Count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + needle.size())) {
    ++n;
  }
  return n;
}

using DocumentTest = lontar::testing::FontsTest;

TEST_F(DocumentTest, WritesTheFileOnlyOnFinish) {
  const auto path = dir_ / "a.pdf";
  DocumentSetup setup;
  setup.header_left = "Badan Kepegawaian";
  auto doc = Document::Create(path, *fonts_, setup);
  ASSERT_TRUE(doc) << doc.error().message();
  doc->Title("Laporan Hasil");
  doc->Paragraph("Dokumen ini dibuat oleh Lontar.");
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "a.pdf.tmp"));
  ASSERT_TRUE(doc->Finish());
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "a.pdf.tmp"));
  const std::string text = LayoutText(path);
  EXPECT_NE(text.find("Laporan Hasil"), std::string::npos) << text;
  EXPECT_NE(text.find("Badan Kepegawaian"), std::string::npos) << text;
  EXPECT_NE(text.find("Halaman 1"), std::string::npos) << text;
}

TEST_F(DocumentTest, AbandonedDocumentLeavesNothing) {
  {
    auto doc = Document::Create(dir_ / "b.pdf", *fonts_, {});
    ASSERT_TRUE(doc);
    doc->Paragraph("never finished");
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir_.path()));
}

TEST_F(DocumentTest, MissingDirectoryIsAnErrorNamingTheFile) {
  const auto path = dir_ / "no-such-dir" / "c.pdf";
  auto doc = Document::Create(path, *fonts_, {});
  ASSERT_FALSE(doc);
  EXPECT_EQ(doc.error().kind(), ErrorKind::kNotFound);
  EXPECT_NE(doc.error().message().find("cannot create report " + path.string()), std::string::npos)
      << doc.error().message();
}

TEST_F(DocumentTest, FullDiskIsAnErrorNamingTheFile) {
  if (!std::filesystem::exists("/dev/full")) GTEST_SKIP() << "no /dev/full";
  // PATH.tmp is a symlink to /dev/full: every write fails with ENOSPC.
  const auto path = dir_ / "d.pdf";
  std::filesystem::create_symlink("/dev/full", dir_ / "d.pdf.tmp");
  auto doc = Document::Create(path, *fonts_, {});
  ASSERT_TRUE(doc) << doc.error().message();
  doc->Paragraph("Halo");
  const auto status = doc->Finish();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().kind(), ErrorKind::kDiskFull);
  EXPECT_NE(status.error().message().find("cannot write report " + path.string()),
            std::string::npos)
      << status.error().message();
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(DocumentTest, LongTableBreaksAcrossPagesAndRepeatsItsHeader) {
  const auto path = dir_ / "table.pdf";
  DocumentSetup setup;
  setup.page_label = "Page";
  auto doc = Document::Create(path, *fonts_, setup);
  ASSERT_TRUE(doc);
  std::vector<Row> rows;
  for (int i = 1; i <= 120; ++i) {
    rows.push_back({{std::to_string(i), "Peserta " + std::to_string(i), std::to_string(300 + i)}});
  }
  doc->Heading("Ranking");
  doc->Table({{"Rank", 0.1, Align::kRight}, {"NameColumn", 0.6}, {"Total", 0.2, Align::kRight}},
             rows);
  const int pages = doc->PageNumber();
  ASSERT_TRUE(doc->Finish());
  EXPECT_GE(pages, 3);
  const std::string text = LayoutText(path);
  // The header row is on every page; every row is somewhere, once.
  EXPECT_EQ(Count(text, "NameColumn"), pages) << text;
  EXPECT_EQ(Count(text, "Page " + std::to_string(pages)), 1);
  for (int i : {1, 60, 120}) {
    EXPECT_EQ(Count(text, "Peserta " + std::to_string(i) + " "), 1) << i;
  }
}

TEST_F(DocumentTest, PageNumbersRestartPerSection) {
  const auto path = dir_ / "sections.pdf";
  DocumentSetup setup;
  setup.footer_left = "first";
  auto doc = Document::Create(path, *fonts_, setup);
  ASSERT_TRUE(doc);
  doc->Paragraph("one");
  doc->NewPage();
  doc->Paragraph("two");
  doc->NewPage();
  doc->RestartPageNumbers();
  doc->SetFooterLeft("second");
  doc->Paragraph("three");
  ASSERT_TRUE(doc->Finish());
  const std::string text = LayoutText(path);
  EXPECT_EQ(Count(text, "Halaman 1"), 2) << text;
  EXPECT_EQ(Count(text, "Halaman 2"), 1) << text;
  EXPECT_EQ(Count(text, "second"), 1) << text;
}

TEST_F(DocumentTest, ChartsCarryTheirFigures) {
  const auto path = dir_ / "charts.pdf";
  auto doc = Document::Create(path, *fonts_, {});
  ASSERT_TRUE(doc);
  LevelChartSpec levels;
  levels.bars = {{"Integritas", 3, 4}, {"Kerja sama", 4, 3}};
  levels.achieved_legend = "Level tercapai";
  levels.standard_legend = "Standar jabatan";
  levels.gap_legend = "Kesenjangan";
  doc->LevelChart(levels);
  HistogramSpec histogram;
  histogram.title = "TWK";
  histogram.bin_labels = {"0-49", "50-99", "100-150"};
  histogram.counts = {3, 17, 5};
  histogram.marker_before_bin = 1;
  histogram.marker_label = "Ambang 65";
  doc->Histogram(histogram);
  StackedBarSpec stacked;
  stacked.segment_names = {"Level 1", "Level 2"};
  stacked.bars = {{"Integritas", {12, 30}}};
  doc->StackedBars(stacked);
  ASSERT_TRUE(doc->Finish());
  const std::string text = LayoutText(path);
  for (const char* want : {"Integritas", "\u22121", "+1", "Standar jabatan", "Ambang 65", "17",
                           "50-99", "Level 2", "30"}) {
    EXPECT_NE(text.find(want), std::string::npos) << want << " in\n" << text;
  }
}

}  // namespace
}  // namespace lontar::report

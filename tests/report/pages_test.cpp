// The candidate and cohort pages from the fixed samples (tests/support/report_samples.hpp):
// pdftotext finds each figure, in Indonesian and in English, and the first page of each
// matches its golden render (tests/report/golden, compared as the kiosk's screenshots are).
// Renders and their PDFs are kept in <build>/test-artifacts/report/ for people to look at.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/report/candidate_page.hpp"
#include "core/report/cohort_pages.hpp"
#include "tests/support/fonts_test.hpp"
#include "tests/support/pdf_pages.hpp"
#include "tests/support/report_samples.hpp"
#include "tests/support/test_support.hpp"

namespace lontar::report {
namespace {

using lontar::testing::ExpectContains;
using lontar::testing::MatchesPageGolden;
using lontar::testing::PdfText;

using ReportPagesTest = lontar::testing::FontsTest;

TEST_F(ReportPagesTest, SkdCandidatePageInIndonesian) {
  const auto pdf = dir_ / "skd.pdf";
  ASSERT_TRUE(WriteCandidatePdf(pdf, *fonts_, lontar::testing::SkdCandidate()));
  ExpectContains(
      PdfText(pdf),
      {"Laporan Hasil Peserta", "6401-2026-000123", "Siti Rahmawati Nurhaliza", "Umum",
       "Seleksi Kompetensi Dasar", "versi 7", "UPT BKN Samarinda", "SMD-R2-017",
       "12 Mei 2026 08.00\u201309.40 WITA", "Diserahkan peserta", "K7QF-M2XD-9RTA",
       "TWK (Tes Wawasan Kebangsaan) 95 150 \u2265 65 Memenuhi",
       "TIU (Tes Intelegensia Umum) 75 175 \u2265 80 Di bawah ambang",
       "TKP (Tes Karakteristik Pribadi) 181 225 \u2265 166 Memenuhi", "Total 351 550",
       "TIDAK LULUS", "Aturan yang berlaku: Umum: TWK \u2265 65",
       "ID bundel 3f2a9c41d07b6e58a1c2f9e0b4d7a6c35e81f02b9d4c7a16e3b5f80c2d9a4e71", "Halaman 1"});
  EXPECT_TRUE(MatchesPageGolden(pdf, "candidate-skd", true));
}

TEST_F(ReportPagesTest, CactCandidatePageShowsTheProfileAndGaps) {
  const auto pdf = dir_ / "cact.pdf";
  ASSERT_TRUE(WriteCandidatePdf(pdf, *fonts_, lontar::testing::CactCandidate()));
  const std::string text = PdfText(pdf);
  // Gaps (achieved - standard): Kerja sama 3-4, Pengembangan diri 2-4, Pelayanan publik 4-3.
  ExpectContains(text,
                 {"Kepala Bidang Perencanaan", "Waktu habis", "Profil kompetensi", "Kerja sama",
                  "Pengembangan diri dan orang lain", "\u22122", "\u22121", "+1", "Standar Jabatan",
                  "Kesenjangan", "86,1%", "Kategori: Cukup optimal", "P4WN-8C3H-ZL6E"});
  EXPECT_EQ(text.find("LULUS"), std::string::npos) << "a competency exam has no pass verdict";
  EXPECT_TRUE(MatchesPageGolden(pdf, "candidate-cact", true));
}

TEST_F(ReportPagesTest, CandidatePageInEnglish) {
  auto page = lontar::testing::SkdCandidate();
  page.language = Language::kEnglish;
  page.ended = SittingEnd::kHandedOff;
  const auto pdf = dir_ / "skd-en.pdf";
  ASSERT_TRUE(WriteCandidatePdf(pdf, *fonts_, page));
  ExpectContains(PdfText(pdf),
                 {"Candidate Result Report", "Participant number", "Moved to another terminal",
                  "Below threshold", "NOT PASSED", "Rule applied", "Bundle id", "Page 1"});
}

TEST_F(ReportPagesTest, VoidedSittingHasNoVerdict) {
  auto page = lontar::testing::SkdCandidate();
  page.ended = SittingEnd::kVoided;
  const auto pdf = dir_ / "void.pdf";
  ASSERT_TRUE(WriteCandidatePdf(pdf, *fonts_, page));
  const std::string text = PdfText(pdf);
  ExpectContains(text, {"Dibatalkan pengawas", "Ujian dibatalkan: tidak ada nilai."});
  EXPECT_EQ(text.find("LULUS"), std::string::npos) << text;
}

TEST_F(ReportPagesTest, ManyCandidatesInOneFileNumberTheirOwnPages) {
  const auto pdf = dir_ / "all.pdf";
  DocumentSetup setup;
  auto doc = Document::Create(pdf, *fonts_, setup);
  ASSERT_TRUE(doc);
  DrawCandidatePage(*doc, lontar::testing::SkdCandidate());
  DrawCandidatePage(*doc, lontar::testing::CactCandidate());
  ASSERT_TRUE(doc->Finish());
  const std::string text = PdfText(pdf);
  ExpectContains(text, {"6401-2026-000123", "CACT-KU-0457"});
  EXPECT_EQ(text.find("Halaman 2"), std::string::npos) << "each candidate's page is page 1";
}

TEST_F(ReportPagesTest, CohortReport) {
  const auto pdf = dir_ / "cohort.pdf";
  ASSERT_TRUE(WriteCohortPdf(pdf, *fonts_, lontar::testing::SkdCohort()));
  const std::string text = PdfText(pdf);
  // Pass rates: 97/240 = 40.4%; Samarinda 51/120 = 42.5%; Berau 16/40 = 40.0%;
  // Cumlaude 14/25 = 56.0%.
  ExpectContains(text, {"Laporan Hasil Kelompok", "240", "40,4%", "UPT BKN Samarinda 120 51 42,5%",
                        "BKD Kabupaten Berau 40 16 40,0%", "Cumlaude 25 14 56,0%",
                        "Sesi 2 \u00b7 paket 7", "Sebaran nilai per subtes", "Ambang batas 65",
                        "Peringkat", "1 6401-2026-100 Siti Rahmawati Umum 452 130 140 182 Ya",
                        "8 6401-2026-149 Fajar Pratama Umum 351 95 75 181 Tidak"});
  EXPECT_TRUE(MatchesPageGolden(pdf, "cohort-skd", false));
}

TEST_F(ReportPagesTest, CompetencyCohortShowsLevelsAndJpmPerPosition) {
  CohortReport r;
  r.exam_title = "Penilaian Kompetensi";
  r.overall = {"", 30, std::nullopt};
  r.levels = {{"Integritas", {1, 4, 12, 9, 4}}, {"Kerja sama", {0, 6, 15, 7, 2}}};
  r.jpm_categories = {"Optimal", "Cukup optimal", "Kurang optimal"};
  r.jpm_by_position = {{"Kepala Bidang", {3, 8, 4}}, {"Analis Kebijakan", {2, 9, 4}}};
  const auto pdf = dir_ / "cohort-cact.pdf";
  ASSERT_TRUE(WriteCohortPdf(pdf, *fonts_, r));
  ExpectContains(PdfText(pdf), {"Sebaran level per kompetensi", "Integritas", "Level 5", "12",
                                "Kategori JPM per jabatan", "Kepala Bidang 3 8 4 15",
                                "Analis Kebijakan 2 9 4 15"});
}

}  // namespace
}  // namespace lontar::report

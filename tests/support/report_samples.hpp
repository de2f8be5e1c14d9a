// Fixed report data for the report tests, goldens and benchmark: an SKD candidate (general
// group, failed on TIU), a CACT candidate (competency profile with gaps), and an SKD cohort.
// Every figure is written out, so that a test can look for it in pdftotext's output.
#pragma once

#include <string>

#include "core/report/candidate_page.hpp"
#include "core/report/cohort_pages.hpp"

namespace lontar::testing {

inline report::CandidatePage SkdCandidate() {
  report::CandidatePage p;
  p.agency = "Badan Kepegawaian Daerah Provinsi Kalimantan Timur";
  p.participant_number = "6401-2026-000123";
  p.name = "Siti Rahmawati Nurhaliza";
  p.group = "Umum";
  p.exam_title = "Seleksi Kompetensi Dasar CPNS 2026";
  p.exam_version = "7";
  p.site = "UPT BKN Samarinda";
  p.terminal = "SMD-R2-017";
  p.sitting_time = "12 Mei 2026 08.00\u201309.40 WITA";
  p.ended = report::SittingEnd::kSubmitted;
  p.receipt_code = "K7QF-M2XD-9RTA";
  p.bundle_id = "3f2a9c41d07b6e58a1c2f9e0b4d7a6c35e81f02b9d4c7a16e3b5f80c2d9a4e71";
  p.sections = {{"TWK (Tes Wawasan Kebangsaan)", "95", "150", "65", true},
                {"TIU (Tes Intelegensia Umum)", "75", "175", "80", false},
                {"TKP (Tes Karakteristik Pribadi)", "181", "225", "166", true}};
  p.total = report::SectionLine{"", "351", "550", "", std::nullopt};
  p.passed = false;
  p.rule = "Umum: TWK \u2265 65, TIU \u2265 80, TKP \u2265 166 (KepmenPANRB 321/2024)";
  return p;
}

inline report::CandidatePage CactCandidate() {
  report::CandidatePage p;
  p.agency = "BKD Provinsi Kalimantan Utara";
  p.participant_number = "CACT-KU-0457";
  p.name = "Andi Firmansyah";
  p.position = "Kepala Bidang Perencanaan";
  p.exam_title = "Penilaian Kompetensi Manajerial dan Sosial Kultural";
  p.exam_version = "3";
  p.site = "BKD Tanjung Selor";
  p.terminal = "TJS-01-004";
  p.sitting_time = "3 Juni 2026 13.00\u201315.30 WITA";
  p.ended = report::SittingEnd::kTimeUp;
  p.receipt_code = "P4WN-8C3H-ZL6E";
  p.bundle_id = "a91c07e4f25b3d86c0e7a1f49b2d58e3c6a04f71d9e2b85c3a6f0d14e7b92c58";
  p.competencies = {{"Integritas", 4, 4},          {"Kerja sama", 3, 4},
                    {"Komunikasi", 4, 4},          {"Orientasi pada hasil", 3, 4},
                    {"Pelayanan publik", 4, 3},    {"Pengembangan diri dan orang lain", 2, 4},
                    {"Mengelola perubahan", 3, 3}, {"Pengambilan keputusan", 3, 4},
                    {"Perekat bangsa", 4, 3}};
  p.jpm_percent = "86,1%";
  p.jpm_category = "Cukup optimal";
  return p;
}

inline report::CohortReport SkdCohort() {
  report::CohortReport r;
  r.agency = "Badan Kepegawaian Daerah Provinsi Kalimantan Timur";
  r.exam_title = "Seleksi Kompetensi Dasar CPNS 2026";
  r.exam_version = "7";
  r.generated_at = "14 Mei 2026 10.15 WITA";
  r.overall = {"", 240, 97};
  r.by_site = {{"UPT BKN Samarinda", 120, 51},
               {"UPT BKN Balikpapan", 80, 30},
               {"BKD Kabupaten Berau", 40, 16}};
  r.by_session = {{"Sesi 1 \u00b7 paket 7 (12 Mei 08.00)", 130, 55},
                  {"Sesi 2 \u00b7 paket 7 (12 Mei 13.00)", 110, 42}};
  r.by_group = {{"Umum", 200, 78}, {"Cumlaude", 25, 14}, {"Disabilitas", 10, 3}, {"Papua", 5, 2}};
  r.section_names = {"TWK", "TIU", "TKP"};
  const char* names[] = {"Siti Rahmawati", "Budi Santoso",  "Dewi Lestari", "Ahmad Fauzi",
                         "Rina Marlina",   "Yohanes Wenda", "Nur Aisyah",   "Fajar Pratama"};
  const char* groups[] = {"Umum",        "Cumlaude", "Umum", "Umum",
                          "Disabilitas", "Papua",    "Umum", "Umum"};
  const int totals[] = {452, 441, 437, 437, 433, 410, 398, 351};
  const int twk[] = {130, 125, 120, 120, 115, 100, 110, 95};
  const int tiu[] = {140, 135, 130, 125, 130, 115, 95, 75};
  const char* ranks[] = {"1", "2", "3", "4", "5", "6", "7", "8"};
  for (int i = 0; i < 8; ++i) {
    report::RankLine k;
    k.rank = ranks[i];
    k.participant = "6401-2026-" + std::to_string(100 + i * 7);
    k.name = names[i];
    k.group = groups[i];
    k.total = std::to_string(totals[i]);
    k.sections = {std::to_string(twk[i]), std::to_string(tiu[i]),
                  std::to_string(totals[i] - twk[i] - tiu[i])};
    k.passed = i < 7;
    r.ranking.push_back(std::move(k));
  }
  r.histograms = {
      {"TWK",
       {"0\u201344", "45\u201364", "65\u201389", "90\u2013119", "120\u2013150"},
       {4, 31, 88, 92, 25},
       2,
       "65"},
      {"TIU",
       {"0\u201354", "55\u201379", "80\u2013104", "105\u2013139", "140\u2013175"},
       {6, 44, 101, 71, 18},
       2,
       "80"},
      {"TKP",
       {"45\u2013120", "121\u2013165", "166\u2013180", "181\u2013200", "201\u2013225"},
       {3, 57, 96, 70, 14},
       2,
       "166"},
  };
  return r;
}

}  // namespace lontar::testing

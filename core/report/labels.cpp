// Report labels in Indonesian and English (labels.hpp).
#include "core/report/labels.hpp"

#include <algorithm>
#include <cstdio>

namespace lontar::report {
namespace {

constexpr Labels kIndonesian{
    .page = "Halaman",
    .candidate_title = "Laporan Hasil Peserta",
    .participant_number = "Nomor peserta",
    .name = "Nama",
    .position = "Jabatan",
    .group = "Kelompok pelamar",
    .exam = "Ujian",
    .version = "versi",
    .site = "Lokasi",
    .terminal = "Terminal",
    .sitting_time = "Waktu ujian",
    .ended = "Akhir ujian",
    .ended_submitted = "Diserahkan peserta",
    .ended_time_up = "Waktu habis",
    .ended_voided = "Dibatalkan pengawas",
    .ended_handed_off = "Dipindahkan ke terminal lain",
    .receipt_code = "Kode tanda terima",
    .accommodations = "Akomodasi",
    .section_scores = "Nilai per subtes",
    .section = "Subtes",
    .score = "Nilai",
    .maximum = "Maksimum",
    .threshold = "Ambang batas",
    .status = "Keterangan",
    .total = "Total",
    .meets = "Memenuhi",
    .below = "Di bawah ambang",
    .no_threshold = "\u2014",
    .result = "Hasil",
    .passed = "LULUS",
    .failed = "TIDAK LULUS",
    .rule_applied = "Aturan yang berlaku",
    .voided_note = "Ujian dibatalkan: tidak ada nilai.",
    .competency_profile = "Profil kompetensi",
    .competency = "Kompetensi",
    .level = "Level",
    .standard = "Standar",
    .gap = "Kesenjangan",
    .achieved = "Level tercapai",
    .jpm = "Job-Person Match (JPM)",
    .category = "Kategori",
    .verify_line = "Periksa keaslian dokumen ini pada penyimpanan hasil",
    .bundle_id = "ID bundel",
    .signature_place = "Penanggung jawab",
    .cohort_title = "Laporan Hasil Kelompok",
    .summary = "Ringkasan",
    .candidates = "Peserta",
    .counts_by_site = "Per lokasi",
    .counts_by_session = "Per sesi (paket)",
    .counts_by_group = "Per kelompok pelamar",
    .session = "Sesi",
    .count = "Jumlah",
    .pass_count = "Lulus",
    .pass_rate = "Persentase lulus",
    .ranking = "Peringkat",
    .rank = "No.",
    .participant = "Nomor peserta",
    .pass_short = "Lulus",
    .yes = "Ya",
    .no = "Tidak",
    .score_distribution = "Sebaran nilai per subtes",
    .level_distribution = "Sebaran level per kompetensi",
    .jpm_by_position = "Kategori JPM per jabatan",
    .generated = "Dibuat",
};

constexpr Labels kEnglish{
    .page = "Page",
    .candidate_title = "Candidate Result Report",
    .participant_number = "Participant number",
    .name = "Name",
    .position = "Position",
    .group = "Applicant group",
    .exam = "Exam",
    .version = "version",
    .site = "Site",
    .terminal = "Terminal",
    .sitting_time = "Sitting",
    .ended = "Ended",
    .ended_submitted = "Submitted by the candidate",
    .ended_time_up = "Time up",
    .ended_voided = "Voided by the proctor",
    .ended_handed_off = "Moved to another terminal",
    .receipt_code = "Receipt code",
    .accommodations = "Accommodations",
    .section_scores = "Section scores",
    .section = "Section",
    .score = "Score",
    .maximum = "Maximum",
    .threshold = "Threshold",
    .status = "Status",
    .total = "Total",
    .meets = "Meets",
    .below = "Below threshold",
    .no_threshold = "\u2014",
    .result = "Result",
    .passed = "PASSED",
    .failed = "NOT PASSED",
    .rule_applied = "Rule applied",
    .voided_note = "Sitting voided: no score.",
    .competency_profile = "Competency profile",
    .competency = "Competency",
    .level = "Level",
    .standard = "Standard",
    .gap = "Gap",
    .achieved = "Level achieved",
    .jpm = "Job-Person Match (JPM)",
    .category = "Category",
    .verify_line = "Check this document against the results store",
    .bundle_id = "Bundle id",
    .signature_place = "Officer in charge",
    .cohort_title = "Cohort Result Report",
    .summary = "Summary",
    .candidates = "Candidates",
    .counts_by_site = "By site",
    .counts_by_session = "By session (pack)",
    .counts_by_group = "By applicant group",
    .session = "Session",
    .count = "Count",
    .pass_count = "Passed",
    .pass_rate = "Pass rate",
    .ranking = "Ranking",
    .rank = "Rank",
    .participant = "Participant",
    .pass_short = "Pass",
    .yes = "Yes",
    .no = "No",
    .score_distribution = "Score distribution per section",
    .level_distribution = "Level distribution per competency",
    .jpm_by_position = "JPM categories per position",
    .generated = "Generated",
};

}  // namespace

const Labels& LabelsFor(Language language) {
  return language == Language::kEnglish ? kEnglish : kIndonesian;
}

std::string FormatNumber(double value, int decimals, Language language) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", std::clamp(decimals, 0, 6), value);
  std::string out = buf;
  if (language == Language::kIndonesian) std::replace(out.begin(), out.end(), '.', ',');
  return out;
}

std::string FormatPercent(double value, int decimals, Language language) {
  return FormatNumber(value, decimals, language) + "%";
}

}  // namespace lontar::report

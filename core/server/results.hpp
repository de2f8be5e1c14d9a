// Opening the results in a collection store: decrypting every bundle with the results key,
// re-scoring each sitting from its raw answers against the exam, and flagging what does not add
// up. Needs the results secret key and the exam: read from the pack with the results key
// (core/pack/results_access.hpp) or loaded from the authoring source it was built from.
//
// [SECTION] What a caller gets
//   ForEachResult   streams: one ResultRow per bundle of the exam, handed to a callback in the
//                   store's order as soon as that bundle is opened and scored (on a few worker
//                   threads, a few bundles ahead); what it holds does not grow with the store.
//                   Rows have no rank (a rank needs every row).
//   RankEntryOf     the compact ranking key of a row (scoring/rank.hpp); keep these (or the rows
//                   without their answers) and call scoring::Rank, or RankResults on the rows.
//   OpenResults     ForEachResult collected into a vector, then ranked: for the CSVs and tests.
//   AbsentParticipants  the roster's participants with no bundle among the rows: absent rows
//                   for the results CSV (never from ForEachResult, so reports see sittings only).
//   ResultsCsv / ResponsesCsv   the two files `lontar results open` writes; their header and
//                   per-row lines separately (ResultsCsvLineUnranked keeps a sitting's line
//                   without the rank it gets once every row is in) for writing as rows stream.
//
// Per bundle, in order: read its bytes from the store (a bundle file, or the database row); if
// enrolled keys are given, verify the terminal signature again (the store did on arrival; this
// catches a store altered since); OpenBundle (the stream authenticates, each journal record's hash
// is recomputed); then score, with the participant's position and group from the exam's roster.
// Flags on a row:
//   score-mismatch     the terminal's local score differs from the re-computed one
//   voided             the sitting was voided by a proctor
//   seq-gap            this terminal has bundle numbers missing from the store
//   rollback           the store flagged this terminal (seq-reused / journal-rollback)
//   several-bundles    this participant has more than one bundle for this exam
//   unopenable: why    the bundle did not verify or decrypt (row has no scores)
//   not-in-roster      the participant number is not in the exam's roster
//   header-mismatch: why  the header (participant, terminal, exam, pack, seq, ...) is not what
//                      the sealed payload was written for (bundle::CheckBinding): another
//                      terminal re-signed this payload. The row is listed, not scored: its
//                      answers are not credited to the header's participant
//   id-conflict        another upload with this bundle id but other bytes or another signer
//                      was refused (store.hpp invariant 3): check which terminal really holds it
//   unbound-v1         a format 1 bundle, whose header cannot be checked against its payload
//                      (bundle_format.hpp); scored from its header as before
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/crypto/box.hpp"
#include "core/crypto/sign.hpp"
#include "core/model/exam.hpp"
#include "core/scoring/rank.hpp"
#include "core/scoring/score.hpp"
#include "core/server/store_backend.hpp"
#include "core/util/error.hpp"

namespace lontar::server {

inline constexpr char kHeaderMismatchFlag[] = "header-mismatch";
inline constexpr char kUnboundFlag[] = "unbound-v1";

// How the sitting ended, read from the opened payload: timings.phase and timings.submitted_by as
// the engine seals them (core/exam/engine_results.cpp); for a payload without them, the last
// sitting.submitted / sitting.voided / sitting.handed_off record in its journal; else the
// header's kind. kUnknown only for an unopenable bundle.
enum class Ending { kUnknown, kSubmitted, kTimeUp, kVoided, kHandedOff };
// "submitted" (by the candidate), "time-up", "voided", "handed-off"; "" for kUnknown.
std::string_view EndingName(Ending ending);

struct ResultRow {
  // From the store's index: always set, even when the bundle cannot be opened.
  std::string participant, site, terminal_id, exam_id, kind, receipt_code;
  std::string bundle_id;  // hex: with the receipt code, what a printed report cites
  std::string pack_id;    // "" for bundles stored before the index had it
  std::uint64_t seq = 0;
  std::int64_t created_ms = 0;  // terminal wall clock when sealed (informational)
  std::int64_t stored_ms = 0;   // server clock when stored

  // From the exam's roster ("" when the participant is not in it).
  std::string name, position, group;

  // From the opened bundle (header and payload).
  std::optional<std::uint64_t> exam_version;  // the pack's version of the exam
  Ending ending = Ending::kUnknown;
  std::string handed_over_from;  // terminal the sitting moved from (hand-off), else ""
  // The sitting's accommodations from the payload; nullopt for none or a bundle written before
  // they existed. accommodations_problem says why a payload's could not be read.
  std::optional<model::Accommodations> accommodations;
  std::string accommodations_problem;
  std::size_t answered = 0;    // exam items with a non-empty answer
  std::size_t unanswered = 0;  // exam items without one
  scoring::Answers answers;    // raw answers, item id -> chosen keys, for item analysis

  // Re-computed score (meaningful only when scored).
  bool scored = false;
  double total = 0, max = 0;
  bool passed = false;
  scoring::AppliedRule rule;                           // group and "total >= 311 and TIU >= 85"
  std::vector<scoring::SectionScore> sections;         // exam order: total, max, threshold, passed
  std::vector<scoring::CompetencyScore> competencies;  // exam order: raw, max, level
  std::optional<double> jpm_percent;                   // when the participant has a position
  model::Text jpm_category;

  std::optional<int> rank;  // set by RankResults / OpenResults; never by ForEachResult
  std::vector<std::string> flags;

  // A roster participant with no bundle of this exam in the store (AbsentParticipants): only
  // participant, exam_id, name, position and group are set. Never made by ForEachResult.
  bool absent = false;
};

struct ResultsReport {
  std::vector<ResultRow> rows;  // in the store's order (by site, terminal, seq)
  std::size_t other_exams = 0;  // bundles of other exams, skipped
  // Roster participants who never sat (AbsentParticipants over rows), in roster order: set by
  // OpenResults, written after the sittings by ResultsCsv.
  std::vector<ResultRow> absent;
};

// Called once per bundle of the exam, in the store's order. Returning an error stops the walk and
// ForEachResult returns it.
using ResultCallback = std::function<Status(ResultRow&& row)>;

// Worker threads for opening bundles: one per core (at most 8). Reads the system's core count.
unsigned DefaultOpenThreads();

struct ResultsWalk {
  std::size_t rows = 0;         // rows handed to the callback
  std::size_t other_exams = 0;  // bundles of other exams, skipped
};

// Opens and scores every bundle of `exam` in `store` (any backend; read-only is enough), handing
// each row to `on_row` in the store's order, on the calling thread. The store is read on the
// calling thread (one read at a time); the bundles are verified, opened and re-scored by
// `threads` worker threads (0: on the calling thread), a few bundles per thread ahead of the
// callback (results_pool.hpp): rows, their order and their flags are the same whatever the
// number of threads. Per-bundle problems become flags; errors are for a store that cannot be
// read, a worker that failed (kInternal), or the callback's: the first stops the walk. Reads
// disk or the database; holds the anomalies of the store's index (gaps, flags, participants
// with several bundles), one index row (StoreBackend::ScanBundles) and a few bundles per
// thread: nothing that grows with the store.
[[nodiscard]] Result<ResultsWalk> ForEachResult(StoreBackend& store,
                                                const crypto::BoxSecretKey& results_key,
                                                const model::Exam& exam,
                                                std::span<const crypto::VerifyKey> enrolled,
                                                const ResultCallback& on_row,
                                                unsigned threads = DefaultOpenThreads());

// Whether the sitting was voided by a proctor: by how it ended, or, for a row whose payload says
// nothing of it, by the header's kind. Voided sittings get no rank, histogram or statistic. Pure.
bool IsVoided(const ResultRow& row);

// The row's ranking key: ineligible when unscored or voided (scoring/rank.hpp for the rules).
// Pure.
scoring::RankEntry RankEntryOf(const ResultRow& row, const model::Exam& exam);

// Sets each row's rank (scoring::Rank over RankEntryOf). Pure.
void RankResults(std::span<ResultRow> rows, const model::Exam& exam);

// One absent row (ResultRow::absent) per participant of `exam`'s roster whose number is on none of
// `rows` (a bundle counts whatever its flags: an unopenable one still says the person sat), in
// roster order. Pure.
std::vector<ResultRow> AbsentParticipants(const model::Exam& exam, std::span<const ResultRow> rows);
// AbsentParticipants given the participant numbers that have a bundle (`sat`), for a caller
// that kept those instead of the rows. Pure.
std::vector<ResultRow> AbsentParticipantsNotIn(const model::Exam& exam,
                                               const std::set<std::string, std::less<>>& sat);

// ForEachResult into a report, then RankResults, then AbsentParticipants into report.absent.
// Holds every row, answers included. Reads disk or the database.
[[nodiscard]] Result<ResultsReport> OpenResults(StoreBackend& store,
                                                const crypto::BoxSecretKey& results_key,
                                                const model::Exam& exam,
                                                std::span<const crypto::VerifyKey> enrolled);

// The report as CSV (RFC 4180: fields with a comma, quote or line break are quoted), one header
// line, one line per row. Columns:
//   participant,name,site,terminal,seq,receipt_code,kind,total,max,passed,
//   section:<id>... ("40 pass"), level:<competency>...,jpm_percent,jpm_category,flags,
//   ended,answered,unanswered,group,pass_rule,rank,accommodations
// The columns after flags were added later, at the end, so that scripts reading the earlier
// columns by position keep working. An absent row (ResultRow::absent) has participant, name and
// group, ended "absent", and every other column empty. The report form writes report.rows, then
// report.absent. Pure.
std::string ResultsCsv(std::span<const ResultRow> rows, const model::Exam& exam);
std::string ResultsCsv(const ResultsReport& report, const model::Exam& exam);

// ResultsCsv in parts, for a caller that writes it as it goes: the header line, and one row's
// line (a sitting, or an absent row), so that ResultsCsv is the header then each row's line.
// Pure.
std::string ResultsCsvHeader(const model::Exam& exam);
std::string ResultsCsvLine(const ResultRow& row, const model::Exam& exam);

// A sitting's results CSV line with its rank column left out: what a caller streaming a large
// store keeps per row (with RankEntryOf) instead of the whole row, until every row is in and
// scoring::Rank has run. The rank goes in at rank_at (between the commas of the rank column).
struct UnrankedCsvLine {
  std::string text;
  std::size_t rank_at = 0;
};
// The line of a sitting row (not an absent one) without its rank. Pure.
UnrankedCsvLine ResultsCsvLineUnranked(const ResultRow& row, const model::Exam& exam);
// The line with `rank` put in: ResultsCsvLine of the row with that rank. Pure.
std::string RankedCsvLine(const UnrankedCsvLine& line, std::optional<int> rank);

// The per-item responses, for psychometric tools: header participant,terminal,seq,<item id>...
// with every item of the exam in exam order (sections in order, their items in order); one line
// per row; each cell the chosen option keys joined with ';' ("A", "A;C"), empty when blank. Rows
// that could not be opened have empty cells and are still listed, so both CSVs have the same
// sittings; absent participants are only in the results CSV. Header and lines separately so that a
// caller can write them as rows stream by. Pure.
std::string ResponsesCsvHeader(const model::Exam& exam);
std::string ResponsesCsvLine(const ResultRow& row, const model::Exam& exam);

}  // namespace lontar::server

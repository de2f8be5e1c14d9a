#include "core/server/results.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "core/bundle/bundle_format.hpp"
#include "core/scoring/score_json.hpp"
#include "core/server/results_pool.hpp"
#include "core/util/csv_field.hpp"

namespace lontar::server {
namespace {

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

Ending EndingFromPhase(const std::string& phase, const std::string& submitted_by) {
  if (phase == "voided") return Ending::kVoided;
  if (phase == "handed-off") return Ending::kHandedOff;
  if (phase == "submitted") return submitted_by == "time-up" ? Ending::kTimeUp : Ending::kSubmitted;
  return Ending::kUnknown;
}

// See Ending: the payload's timings first, then its journal, then the header's kind.
Ending ReadEnding(const bundle::BundlePayload& payload, const std::string& kind) {
  const nlohmann::json& t = payload.timings;
  if (t.is_object() && t.contains("phase") && t["phase"].is_string()) {
    const std::string by = t.contains("submitted_by") && t["submitted_by"].is_string()
                               ? t["submitted_by"].get<std::string>()
                               : std::string();
    if (Ending e = EndingFromPhase(t["phase"].get<std::string>(), by); e != Ending::kUnknown) {
      return e;
    }
  }
  for (auto r = payload.journal.rbegin(); r != payload.journal.rend(); ++r) {
    if (r->type == "sitting.voided") return Ending::kVoided;
    if (r->type == "sitting.handed_off") return Ending::kHandedOff;
    if (r->type == "sitting.submitted") {
      const auto j = nlohmann::json::parse(r->payload, nullptr, /*allow_exceptions=*/false);
      const bool time_up = j.is_object() && j.contains("reason") && j["reason"] == "time-up";
      return time_up ? Ending::kTimeUp : Ending::kSubmitted;
    }
  }
  return kind == "voided" ? Ending::kVoided : Ending::kSubmitted;
}

void FillScores(ResultRow& row, const scoring::ScoreReport& score) {
  row.scored = true;
  row.total = score.total;
  row.max = score.max_total;
  row.passed = score.passed;
  row.rule = score.rule;
  row.sections = score.sections;
  row.competencies = score.competencies;
  if (score.jpm) {
    row.jpm_percent = score.jpm->percent;
    row.jpm_category = score.jpm->category;
  }
}

}  // namespace

std::string_view EndingName(Ending ending) {
  switch (ending) {
    case Ending::kSubmitted:
      return "submitted";
    case Ending::kTimeUp:
      return "time-up";
    case Ending::kVoided:
      return "voided";
    case Ending::kHandedOff:
      return "handed-off";
    case Ending::kUnknown:
      break;
  }
  return "";
}

namespace {

// What the results pass knows of the whole store before it reports its first row: sets of
// anomalies, asked of the database (their size is that of the anomalies, not of the store).
struct StoreFacts {
  std::set<std::string> rolled_back;  // terminals the store flagged (seq-reused, rollback)
  std::set<std::string> conflicted;   // bundle ids another upload contested (kIdConflictFlag)
  std::set<std::string> gapped;       // terminals with bundle numbers missing
  std::set<std::string> several;      // participants with more than one bundle of the exam
};

Result<StoreFacts> ReadStoreFacts(StoreBackend& store, const std::string& exam_id) {
  StoreFacts facts;
  LONTAR_ASSIGN_OR_RETURN(std::vector<StoredFlag> flags, store.ListFlags());
  for (const auto& f : flags) {
    if (f.kind == kIdConflictFlag) {
      facts.conflicted.insert(f.bundle_id);
    } else {
      facts.rolled_back.insert(f.terminal_id);
    }
  }
  LONTAR_ASSIGN_OR_RETURN(std::vector<std::string> gapped, store.TerminalsWithSeqGaps());
  facts.gapped.insert(gapped.begin(), gapped.end());
  LONTAR_ASSIGN_OR_RETURN(std::vector<std::string> several,
                          store.ParticipantsWithSeveralBundles(exam_id));
  facts.several.insert(several.begin(), several.end());
  return facts;
}

// One bundle on its way through the pass: the row as far as the index and the roster fill it,
// and its bytes as read from the store (or why they could not be).
struct OpenJob {
  ResultRow row;
  std::string name;  // the bundle's name in messages
  Result<Bytes> bytes;
};

// The work of one bundle, on a worker thread (results_pool.hpp): verify, open, check the
// binding, read how it ended, re-score. Reads only what it shares (the exam, the keys).
ResultRow OpenAndScore(OpenJob&& job, const crypto::BoxSecretKey& results_key,
                       const model::Exam& exam, std::span<const crypto::VerifyKey> enrolled) {
  ResultRow& row = job.row;
  const std::string& name = job.name;
  std::optional<std::string> mismatch;  // the header disagrees with the sealed payload
  auto opened = [&]() -> Result<bundle::BundlePayload> {
    if (!job.bytes) return std::unexpected(job.bytes.error());
    const Bytes& bytes = *job.bytes;
    if (!enrolled.empty()) LONTAR_TRY(bundle::VerifyBundle(bytes, enrolled, name));
    LONTAR_ASSIGN_OR_RETURN(bundle::BundlePayload payload,
                            bundle::OpenBundle(bytes, results_key, name));
    // The header was verified when stored (and again above with --enrolled): read what the
    // index does not keep, and compare it with what the payload was sealed for.
    LONTAR_ASSIGN_OR_RETURN(bundle::BundleEnvelope env, bundle::ParseEnvelope(bytes, name));
    LONTAR_ASSIGN_OR_RETURN(bundle::BundleHeader header, bundle::ParseHeader(env.header_json));
    header.format_version = env.version;
    row.exam_version = header.exam_version;
    // A format 1 payload cannot be checked (unbound-v1); one that carries a binding all the
    // same was sealed as format 2 and is checked whatever envelope it came in.
    if (env.version < 2) row.flags.push_back(kUnboundFlag);
    if (auto st = bundle::CheckBinding(header, payload); !st) mismatch = st.error().message();
    return payload;
  }();
  job.bytes = Bytes();  // the bundle's bytes are not needed past here
  if (!opened) {
    row.flags.push_back("unopenable: " + opened.error().message());
    return std::move(row);
  }
  if (mismatch) {
    // Whose answers these are is unknown: the header's participant is not credited with them.
    row.flags.push_back(std::string(kHeaderMismatchFlag) + ": " + *mismatch);
    return std::move(row);
  }
  row.ending = ReadEnding(*opened, row.kind);
  const nlohmann::json& t = opened->timings;
  if (t.is_object() && t.contains("handed_over_from") && t["handed_over_from"].is_string()) {
    row.handed_over_from = t["handed_over_from"].get<std::string>();
  }
  if (opened->accommodations) {
    // A bundle sealed by a terminal with the results key, so well-formed; still read
    // defensively: a bad one is named in the column rather than dropped.
    auto a = model::AccommodationsFromJson(*opened->accommodations);
    if (a) {
      row.accommodations = *a;
    } else {
      row.accommodations_problem = "unreadable: " + a.error().message();
    }
  }
  try {
    row.answers = opened->answers.get<scoring::Answers>();
  } catch (const nlohmann::json::exception&) {
    row.flags.push_back("unopenable: answers are not in the expected form");
    return std::move(row);
  }
  for (const auto& [id, item] : exam.items) {
    const auto a = row.answers.find(id);
    (a != row.answers.end() && !a->second.empty() ? row.answered : row.unanswered) += 1;
  }
  auto score = scoring::Score(exam, row.answers, row.position, row.group);
  const nlohmann::json rescored(score ? scoring::ReportToJson(*score)
                                      : nlohmann::ordered_json{{"error", score.error().message()}});
  if (score) FillScores(row, *score);
  if (rescored != opened->score) row.flags.push_back("score-mismatch");
  return std::move(row);
}

}  // namespace

unsigned DefaultOpenThreads() { return std::clamp(std::thread::hardware_concurrency(), 1u, 8u); }

Result<ResultsWalk> ForEachResult(StoreBackend& store, const crypto::BoxSecretKey& results_key,
                                  const model::Exam& exam,
                                  std::span<const crypto::VerifyKey> enrolled,
                                  const ResultCallback& on_row, unsigned threads) {
  LONTAR_ASSIGN_OR_RETURN(const StoreFacts facts, ReadStoreFacts(store, exam.id));
  std::map<std::string, const model::Participant*> roster;
  for (const auto& p : exam.roster) roster[p.number] = &p;
  LONTAR_ASSIGN_OR_RETURN(std::unique_ptr<BundleScan> scan, store.ScanBundles());

  ResultsWalk walk;
  OrderedStages<OpenJob, ResultRow> stages;
  // On the calling thread: the next row of the exam from the index, and its bundle's bytes (the
  // store's reads run one at a time).
  stages.next = [&]() -> Result<std::optional<OpenJob>> {
    for (;;) {
      LONTAR_ASSIGN_OR_RETURN(std::optional<StoredBundle> r, scan->Next());
      if (!r) return std::optional<OpenJob>();
      if (r->exam_id != exam.id) {
        ++walk.other_exams;
        continue;
      }
      ResultRow row;
      row.participant = std::move(r->participant);
      row.site = std::move(r->site);
      row.terminal_id = std::move(r->terminal_id);
      row.exam_id = std::move(r->exam_id);
      row.kind = std::move(r->kind);
      row.receipt_code = std::move(r->receipt_code);
      row.bundle_id = std::move(r->bundle_id);
      row.pack_id = std::move(r->pack_id);
      row.seq = r->seq;
      row.created_ms = r->created_ms;
      row.stored_ms = r->stored_ms;
      if (auto it = roster.find(row.participant); it != roster.end()) {
        row.name = it->second->name;
        row.position = it->second->position;
        row.group = it->second->group;
      } else {
        row.flags.push_back("not-in-roster");
      }
      if (row.kind == "voided") row.flags.push_back("voided");
      if (facts.gapped.contains(row.terminal_id)) row.flags.push_back("seq-gap");
      if (facts.rolled_back.contains(row.terminal_id)) row.flags.push_back("rollback");
      if (facts.several.contains(row.participant)) row.flags.push_back("several-bundles");
      if (facts.conflicted.contains(row.bundle_id)) row.flags.push_back(kIdConflictFlag);
      std::string name = store.BundleName(row.bundle_id);
      Result<Bytes> bytes = store.ReadBundle(row.bundle_id);
      return std::optional<OpenJob>(OpenJob{std::move(row), std::move(name), std::move(bytes)});
    }
  };
  stages.work = [&](OpenJob&& job) -> Result<ResultRow> {
    return OpenAndScore(std::move(job), results_key, exam, enrolled);
  };
  stages.consume = [&](ResultRow&& row) -> Status {
    ++walk.rows;
    return on_row(std::move(row));
  };
  // A few bundles per thread in flight keep every thread busy while the calling thread reads
  // and hands rows on, and hold a few dozen bundles at most.
  LONTAR_TRY(RunOrdered(threads, std::max(4u, 4 * threads), stages));
  return walk;
}

bool IsVoided(const ResultRow& row) {
  return row.ending == Ending::kVoided || row.kind == "voided";
}

scoring::RankEntry RankEntryOf(const ResultRow& row, const model::Exam& exam) {
  scoring::RankEntry e =
      scoring::MakeRankEntry(exam, row.total, row.sections, row.jpm_percent, row.position);
  if (!row.scored || IsVoided(row)) e.eligible = false;
  return e;
}

void RankResults(std::span<ResultRow> rows, const model::Exam& exam) {
  std::vector<scoring::RankEntry> entries;
  entries.reserve(rows.size());
  for (const ResultRow& r : rows) entries.push_back(RankEntryOf(r, exam));
  const std::vector<std::optional<int>> ranks = scoring::Rank(entries);
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i].rank = ranks[i];
}

Result<ResultsReport> OpenResults(StoreBackend& store, const crypto::BoxSecretKey& results_key,
                                  const model::Exam& exam,
                                  std::span<const crypto::VerifyKey> enrolled) {
  ResultsReport report;
  LONTAR_ASSIGN_OR_RETURN(ResultsWalk walk,
                          ForEachResult(store, results_key, exam, enrolled, [&](ResultRow&& row) {
                            report.rows.push_back(std::move(row));
                            return Ok();
                          }));
  report.other_exams = walk.other_exams;
  RankResults(report.rows, exam);
  report.absent = AbsentParticipants(exam, report.rows);
  return report;
}

std::vector<ResultRow> AbsentParticipants(const model::Exam& exam,
                                          std::span<const ResultRow> rows) {
  std::set<std::string, std::less<>> sat;
  for (const ResultRow& r : rows) sat.insert(r.participant);
  return AbsentParticipantsNotIn(exam, sat);
}

std::vector<ResultRow> AbsentParticipantsNotIn(const model::Exam& exam,
                                               const std::set<std::string, std::less<>>& sat) {
  std::vector<ResultRow> absent;
  for (const model::Participant& p : exam.roster) {
    if (sat.contains(p.number)) continue;
    ResultRow row;
    row.participant = p.number;
    row.exam_id = exam.id;
    row.name = p.name;
    row.position = p.position;
    row.group = p.group;
    row.absent = true;
    absent.push_back(std::move(row));
  }
  return absent;
}

namespace {

// participant,name, then empty columns up to ended = "absent", then group (see ResultsCsv).
std::string AbsentLine(const ResultRow& r, const model::Exam& exam) {
  // site,terminal,seq,receipt_code,kind,total,max,passed; sections; levels;
  // jpm_percent,jpm_category,flags
  const std::size_t before_ended = 8 + exam.sections.size() + exam.competencies.size() + 3;
  return CsvField(r.participant) + "," + CsvField(r.name) + std::string(before_ended, ',') +
         ",absent,,," + CsvField(r.group) + ",,,\r\n";
}

}  // namespace

std::string ResultsCsvHeader(const model::Exam& exam) {
  std::string out = "participant,name,site,terminal,seq,receipt_code,kind,total,max,passed";
  for (const auto& s : exam.sections) out += "," + CsvField("section:" + s.id);
  for (const auto& c : exam.competencies) out += "," + CsvField("level:" + c.id);
  out +=
      ",jpm_percent,jpm_category,flags,ended,answered,unanswered,group,pass_rule,rank,"
      "accommodations\r\n";
  return out;
}

UnrankedCsvLine ResultsCsvLineUnranked(const ResultRow& r, const model::Exam& exam) {
  std::vector<std::string> f = {r.participant,         r.name,         r.site, r.terminal_id,
                                std::to_string(r.seq), r.receipt_code, r.kind};
  f.push_back(r.scored ? Number(r.total) : "");
  f.push_back(r.scored ? Number(r.max) : "");
  f.push_back(r.scored ? (r.passed ? "pass" : "fail") : "");
  for (const auto& s : exam.sections) {
    std::string v;
    for (const auto& sec : r.sections) {
      if (sec.id == s.id) v = Number(sec.total) + (sec.passed ? " pass" : " fail");
    }
    f.push_back(v);
  }
  for (const auto& c : exam.competencies) {
    std::string v;
    for (const auto& comp : r.competencies) {
      if (comp.id == c.id) v = std::to_string(comp.level);
    }
    f.push_back(v);
  }
  f.push_back(r.jpm_percent ? Number(*r.jpm_percent) : "");
  f.push_back(r.jpm_percent ? r.jpm_category.en : "");
  std::string flags;
  for (const auto& fl : r.flags) flags += (flags.empty() ? "" : "; ") + fl;
  f.push_back(flags);
  f.push_back(std::string(EndingName(r.ending)));
  const bool opened = r.ending != Ending::kUnknown;
  f.push_back(opened ? std::to_string(r.answered) : "");
  f.push_back(opened ? std::to_string(r.unanswered) : "");
  f.push_back(r.group);
  f.push_back(r.scored ? r.rule.description : "");
  UnrankedCsvLine line;
  for (std::size_t i = 0; i < f.size(); ++i) line.text += (i ? "," : "") + CsvField(f[i]);
  line.text += ",";
  line.rank_at = line.text.size();
  line.text += "," +
               CsvField(r.accommodations ? model::DescribeAccommodations(*r.accommodations)
                                         : r.accommodations_problem) +
               "\r\n";
  return line;
}

std::string RankedCsvLine(const UnrankedCsvLine& line, std::optional<int> rank) {
  std::string out;
  out.reserve(line.text.size() + 8);
  out.append(line.text, 0, line.rank_at);
  if (rank) out += std::to_string(*rank);
  out.append(line.text, line.rank_at);
  return out;
}

std::string ResultsCsvLine(const ResultRow& r, const model::Exam& exam) {
  if (r.absent) return AbsentLine(r, exam);
  return RankedCsvLine(ResultsCsvLineUnranked(r, exam), r.rank);
}

std::string ResultsCsv(std::span<const ResultRow> rows, const model::Exam& exam) {
  std::string out = ResultsCsvHeader(exam);
  for (const auto& r : rows) out += ResultsCsvLine(r, exam);
  return out;
}

std::string ResultsCsv(const ResultsReport& report, const model::Exam& exam) {
  std::string out = ResultsCsv(report.rows, exam);
  for (const ResultRow& r : report.absent) out += AbsentLine(r, exam);
  return out;
}

std::string ResponsesCsvHeader(const model::Exam& exam) {
  std::string out = "participant,terminal,seq";
  for (const auto& s : exam.sections) {
    for (const auto& id : s.items) out += "," + CsvField(id);
  }
  return out + "\r\n";
}

std::string ResponsesCsvLine(const ResultRow& row, const model::Exam& exam) {
  std::string out =
      CsvField(row.participant) + "," + CsvField(row.terminal_id) + "," + std::to_string(row.seq);
  for (const auto& s : exam.sections) {
    for (const auto& id : s.items) {
      std::string keys;
      if (auto a = row.answers.find(id); a != row.answers.end()) {
        for (const auto& k : a->second) keys += (keys.empty() ? "" : ";") + k;
      }
      out += "," + CsvField(keys);
    }
  }
  return out + "\r\n";
}

}  // namespace lontar::server

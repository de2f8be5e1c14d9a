#include "core/server/results.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/bundle/bundle_format.hpp"
#include "core/scoring/score_json.hpp"
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

Result<ResultsWalk> ForEachResult(StoreBackend& store, const crypto::BoxSecretKey& results_key,
                                  const authoring::Exam& exam,
                                  std::span<const crypto::VerifyKey> enrolled,
                                  const ResultCallback& on_row) {
  LONTAR_ASSIGN_OR_RETURN(std::vector<StoredBundle> rows, store.ListBundles());
  std::set<std::string> rolled_back;
  std::set<std::string> conflicted;  // bundle ids another upload contested (kIdConflictFlag)
  {
    LONTAR_ASSIGN_OR_RETURN(std::vector<StoredFlag> flags, store.ListFlags());
    for (const auto& f : flags) {
      if (f.kind == kIdConflictFlag) {
        conflicted.insert(f.bundle_id);
      } else {
        rolled_back.insert(f.terminal_id);
      }
    }
  }
  std::map<std::string, std::set<std::uint64_t>> seqs;
  std::map<std::string, int> per_participant;
  for (const auto& r : rows) {
    seqs[r.terminal_id].insert(r.seq);
    if (r.exam_id == exam.id) ++per_participant[r.participant];
  }
  std::set<std::string> gapped;
  for (const auto& [t, have] : seqs) {
    if (!have.empty() && *have.rbegin() != have.size()) gapped.insert(t);
  }
  std::map<std::string, const authoring::Participant*> roster;
  for (const auto& p : exam.roster) roster[p.number] = &p;

  ResultsWalk walk;
  for (const auto& r : rows) {
    if (r.exam_id != exam.id) {
      ++walk.other_exams;
      continue;
    }
    ResultRow row;
    row.participant = r.participant;
    row.site = r.site;
    row.terminal_id = r.terminal_id;
    row.exam_id = r.exam_id;
    row.kind = r.kind;
    row.receipt_code = r.receipt_code;
    row.bundle_id = r.bundle_id;
    row.pack_id = r.pack_id;
    row.seq = r.seq;
    row.created_ms = r.created_ms;
    row.stored_ms = r.stored_ms;
    if (auto it = roster.find(r.participant); it != roster.end()) {
      row.name = it->second->name;
      row.position = it->second->position;
      row.group = it->second->group;
    } else {
      row.flags.push_back("not-in-roster");
    }
    if (r.kind == "voided") row.flags.push_back("voided");
    if (gapped.contains(r.terminal_id)) row.flags.push_back("seq-gap");
    if (rolled_back.contains(r.terminal_id)) row.flags.push_back("rollback");
    if (per_participant[r.participant] > 1) row.flags.push_back("several-bundles");
    if (conflicted.contains(r.bundle_id)) row.flags.push_back(kIdConflictFlag);

    const std::string name = store.BundleName(r.bundle_id);
    std::optional<std::string> mismatch;  // the header disagrees with the sealed payload
    auto opened = [&]() -> Result<bundle::BundlePayload> {
      LONTAR_ASSIGN_OR_RETURN(Bytes bytes, store.ReadBundle(r.bundle_id));
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
    auto emit = [&]() -> Status {
      ++walk.rows;
      return on_row(std::move(row));
    };
    if (!opened) {
      row.flags.push_back("unopenable: " + opened.error().message());
      LONTAR_TRY(emit());
      continue;
    }
    if (mismatch) {
      // Whose answers these are is unknown: the header's participant is not credited with them.
      row.flags.push_back(std::string(kHeaderMismatchFlag) + ": " + *mismatch);
      LONTAR_TRY(emit());
      continue;
    }
    row.ending = ReadEnding(*opened, r.kind);
    const nlohmann::json& t = opened->timings;
    if (t.is_object() && t.contains("handed_over_from") && t["handed_over_from"].is_string()) {
      row.handed_over_from = t["handed_over_from"].get<std::string>();
    }
    if (opened->accommodations) {
      // A bundle sealed by a terminal with the results key, so well-formed; still read
      // defensively: a bad one is named in the column rather than dropped.
      auto a = authoring::AccommodationsFromJson(*opened->accommodations);
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
      LONTAR_TRY(emit());
      continue;
    }
    for (const auto& [id, item] : exam.items) {
      const auto a = row.answers.find(id);
      (a != row.answers.end() && !a->second.empty() ? row.answered : row.unanswered) += 1;
    }
    auto score = scoring::Score(exam, row.answers, row.position, row.group);
    const nlohmann::json rescored(score
                                      ? scoring::ReportToJson(*score)
                                      : nlohmann::ordered_json{{"error", score.error().message()}});
    if (score) FillScores(row, *score);
    if (rescored != opened->score) row.flags.push_back("score-mismatch");
    LONTAR_TRY(emit());
  }
  return walk;
}

bool IsVoided(const ResultRow& row) {
  return row.ending == Ending::kVoided || row.kind == "voided";
}

scoring::RankEntry RankEntryOf(const ResultRow& row, const authoring::Exam& exam) {
  scoring::RankEntry e =
      scoring::MakeRankEntry(exam, row.total, row.sections, row.jpm_percent, row.position);
  if (!row.scored || IsVoided(row)) e.eligible = false;
  return e;
}

void RankResults(std::span<ResultRow> rows, const authoring::Exam& exam) {
  std::vector<scoring::RankEntry> entries;
  entries.reserve(rows.size());
  for (const ResultRow& r : rows) entries.push_back(RankEntryOf(r, exam));
  const std::vector<std::optional<int>> ranks = scoring::Rank(entries);
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i].rank = ranks[i];
}

Result<ResultsReport> OpenResults(StoreBackend& store, const crypto::BoxSecretKey& results_key,
                                  const authoring::Exam& exam,
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

std::vector<ResultRow> AbsentParticipants(const authoring::Exam& exam,
                                          std::span<const ResultRow> rows) {
  std::set<std::string_view> sat;
  for (const ResultRow& r : rows) sat.insert(r.participant);
  std::vector<ResultRow> absent;
  for (const authoring::Participant& p : exam.roster) {
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
std::string AbsentLine(const ResultRow& r, const authoring::Exam& exam) {
  // site,terminal,seq,receipt_code,kind,total,max,passed; sections; levels;
  // jpm_percent,jpm_category,flags
  const std::size_t before_ended = 8 + exam.sections.size() + exam.competencies.size() + 3;
  return CsvField(r.participant) + "," + CsvField(r.name) + std::string(before_ended, ',') +
         ",absent,,," + CsvField(r.group) + ",,,\r\n";
}

}  // namespace

std::string ResultsCsv(std::span<const ResultRow> rows, const authoring::Exam& exam) {
  std::string out = "participant,name,site,terminal,seq,receipt_code,kind,total,max,passed";
  for (const auto& s : exam.sections) out += "," + CsvField("section:" + s.id);
  for (const auto& c : exam.competencies) out += "," + CsvField("level:" + c.id);
  out +=
      ",jpm_percent,jpm_category,flags,ended,answered,unanswered,group,pass_rule,rank,"
      "accommodations\r\n";
  for (const auto& r : rows) {
    if (r.absent) {
      out += AbsentLine(r, exam);
      continue;
    }
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
    f.push_back(r.rank ? std::to_string(*r.rank) : "");
    f.push_back(r.accommodations ? authoring::DescribeAccommodations(*r.accommodations)
                                 : r.accommodations_problem);
    for (std::size_t i = 0; i < f.size(); ++i) out += (i ? "," : "") + CsvField(f[i]);
    out += "\r\n";
  }
  return out;
}

std::string ResultsCsv(const ResultsReport& report, const authoring::Exam& exam) {
  std::string out = ResultsCsv(report.rows, exam);
  for (const ResultRow& r : report.absent) out += AbsentLine(r, exam);
  return out;
}

std::string ResponsesCsvHeader(const authoring::Exam& exam) {
  std::string out = "participant,terminal,seq";
  for (const auto& s : exam.sections) {
    for (const auto& id : s.items) out += "," + CsvField(id);
  }
  return out + "\r\n";
}

std::string ResponsesCsvLine(const ResultRow& row, const authoring::Exam& exam) {
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

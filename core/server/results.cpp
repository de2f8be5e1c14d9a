#include "core/server/results.hpp"

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/bundle/bundle_format.hpp"
#include "core/scoring/score_json.hpp"

namespace lontar::server {
namespace {

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

void FillScores(ResultRow& row, const nlohmann::json& score) {
  if (!score.is_object() || score.contains("error")) return;
  row.scored = true;
  row.total = score.value("total", 0.0);
  row.max = score.value("max", 0.0);
  row.passed = score.value("passed", false);
  for (const auto& s : score.value("sections", nlohmann::json::array())) {
    row.sections.emplace_back(
        s.value("id", ""),
        Number(s.value("total", 0.0)) + (s.value("passed", false) ? " pass" : " fail"));
  }
  for (const auto& c : score.value("competencies", nlohmann::json::array())) {
    row.competencies.emplace_back(c.value("id", ""), c.contains("level") ? c["level"].dump() : "");
  }
  if (score.contains("job_person_match") && score["job_person_match"].is_object()) {
    const auto& j = score["job_person_match"];
    row.jpm_percent =
        j.contains("percent") && j["percent"].is_number() ? Number(j["percent"].get<double>()) : "";
    row.jpm_category = j.value("category", "");
  }
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += (c == '"') ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

Result<ResultsReport> OpenResults(StoreBackend& store, const crypto::BoxSecretKey& results_key,
                                  const authoring::Exam& exam,
                                  std::span<const crypto::VerifyKey> enrolled) {
  LONTAR_ASSIGN_OR_RETURN(std::vector<StoredBundle> rows, store.ListBundles());
  std::set<std::string> rolled_back;
  {
    LONTAR_ASSIGN_OR_RETURN(std::vector<StoredFlag> flags, store.ListFlags());
    for (const auto& f : flags) rolled_back.insert(f.terminal_id);
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
  std::map<std::string, std::string> names;
  for (const auto& p : exam.roster) names[p.number] = p.name;

  ResultsReport report;
  for (const auto& r : rows) {
    if (r.exam_id != exam.id) {
      ++report.other_exams;
      continue;
    }
    ResultRow row;
    row.participant = r.participant;
    row.site = r.site;
    row.terminal_id = r.terminal_id;
    row.exam_id = r.exam_id;
    row.kind = r.kind;
    row.receipt_code = r.receipt_code;
    row.seq = r.seq;
    if (auto it = names.find(r.participant); it != names.end()) {
      row.name = it->second;
    } else {
      row.flags.push_back("not-in-roster");
    }
    if (r.kind == "voided") row.flags.push_back("voided");
    if (gapped.contains(r.terminal_id)) row.flags.push_back("seq-gap");
    if (rolled_back.contains(r.terminal_id)) row.flags.push_back("rollback");
    if (per_participant[r.participant] > 1) row.flags.push_back("several-bundles");

    const std::string name = store.BundleName(r.bundle_id);
    auto opened = [&]() -> Result<bundle::BundlePayload> {
      LONTAR_ASSIGN_OR_RETURN(Bytes bytes, store.ReadBundle(r.bundle_id));
      if (!enrolled.empty()) LONTAR_TRY(bundle::VerifyBundle(bytes, enrolled, name));
      return bundle::OpenBundle(bytes, results_key, name);
    }();
    if (!opened) {
      row.flags.push_back("unopenable: " + opened.error().message());
      report.rows.push_back(std::move(row));
      continue;
    }
    scoring::Answers answers;
    try {
      answers = opened->answers.get<scoring::Answers>();
    } catch (const nlohmann::json::exception&) {
      row.flags.push_back("unopenable: answers are not in the expected form");
      report.rows.push_back(std::move(row));
      continue;
    }
    const nlohmann::json rescored(scoring::ScoreParticipant(exam, answers, r.participant));
    FillScores(row, rescored);
    if (rescored != opened->score) row.flags.push_back("score-mismatch");
    report.rows.push_back(std::move(row));
  }
  return report;
}

std::string ResultsCsv(const ResultsReport& report, const authoring::Exam& exam) {
  std::string out = "participant,name,site,terminal,seq,receipt_code,kind,total,max,passed";
  for (const auto& s : exam.sections) out += "," + CsvField("section:" + s.id);
  for (const auto& c : exam.competencies) out += "," + CsvField("level:" + c.id);
  out += ",jpm_percent,jpm_category,flags\r\n";
  for (const auto& r : report.rows) {
    std::vector<std::string> f = {r.participant,         r.name,         r.site, r.terminal_id,
                                  std::to_string(r.seq), r.receipt_code, r.kind};
    f.push_back(r.scored ? Number(r.total) : "");
    f.push_back(r.scored ? Number(r.max) : "");
    f.push_back(r.scored ? (r.passed ? "pass" : "fail") : "");
    for (const auto& s : exam.sections) {
      std::string v;
      for (const auto& [id, text] : r.sections) {
        if (id == s.id) v = text;
      }
      f.push_back(v);
    }
    for (const auto& c : exam.competencies) {
      std::string v;
      for (const auto& [id, level] : r.competencies) {
        if (id == c.id) v = level;
      }
      f.push_back(v);
    }
    f.push_back(r.jpm_percent);
    f.push_back(r.jpm_category);
    std::string flags;
    for (const auto& fl : r.flags) flags += (flags.empty() ? "" : "; ") + fl;
    f.push_back(flags);
    for (std::size_t i = 0; i < f.size(); ++i) out += (i ? "," : "") + CsvField(f[i]);
    out += "\r\n";
  }
  return out;
}

}  // namespace lontar::server

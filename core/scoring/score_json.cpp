#include "core/scoring/score_json.hpp"

namespace lontar::scoring {

nlohmann::ordered_json ReportToJson(const ScoreReport& report) {
  nlohmann::ordered_json j;
  j["total"] = report.total;
  j["max"] = report.max_total;
  j["passed"] = report.passed;
  if (!report.rule.group.empty()) j["pass_rule"] = report.rule.group;
  j["sections"] = nlohmann::ordered_json::array();
  for (const auto& sec : report.sections) {
    j["sections"].push_back({{"id", sec.id}, {"total", sec.total}, {"passed", sec.passed}});
  }
  j["competencies"] = nlohmann::ordered_json::array();
  for (const auto& c : report.competencies) {
    j["competencies"].push_back({{"id", c.id}, {"raw", c.raw}, {"level", c.level}});
  }
  if (report.jpm) {
    j["job_person_match"] = {{"position", report.jpm->position},
                             {"percent", report.jpm->percent},
                             {"category", report.jpm->category.en}};
  }
  return j;
}

Result<ScoreReport> ScoreRosterParticipant(const model::Exam& exam, const Answers& answers,
                                           const std::string& participant) {
  std::string position, group;
  for (const auto& p : exam.roster) {
    if (p.number == participant) position = p.position, group = p.group;
  }
  return Score(exam, answers, position, group);
}

nlohmann::ordered_json ScoreParticipant(const model::Exam& exam, const Answers& answers,
                                        const std::string& participant) {
  auto report = ScoreRosterParticipant(exam, answers, participant);
  if (!report) return nlohmann::ordered_json{{"error", report.error().message()}};
  return ReportToJson(*report);
}

}  // namespace lontar::scoring

// A score report as JSON: what the command line prints, and what a result bundle carries as the
// terminal's local score (re-computed and compared when results are opened).
#pragma once

#include <nlohmann/json.hpp>

#include "core/model/exam.hpp"
#include "core/scoring/score.hpp"

namespace lontar::scoring {

// {total, max, passed, pass_rule?, sections[{id,total,passed}], competencies[{id,raw,level}],
//  job_person_match{position,percent,category}}. "pass_rule" (the group) appears only when a
// group's rule applied: a default-rule score is the JSON terminals wrote before groups existed,
// so bundles sealed by them still compare equal when results are opened, and a terminal that
// scored a grouped participant by the default rule (an older build) is flagged score-mismatch,
// as it should be: its pass/fail may be wrong. Pure.
nlohmann::ordered_json ReportToJson(const ScoreReport& report);

// The participant's score, with their position and group from the roster. Errors as Score. Pure.
[[nodiscard]] Result<ScoreReport> ScoreRosterParticipant(const model::Exam& exam,
                                                         const Answers& answers,
                                                         const std::string& participant);

// ScoreRosterParticipant as JSON, or {"error": why}. Pure.
nlohmann::ordered_json ScoreParticipant(const model::Exam& exam, const Answers& answers,
                                        const std::string& participant);

}  // namespace lontar::scoring

// A score report as JSON: what the command line prints, and what a result bundle carries as the
// terminal's local score (re-computed and compared when results are opened).
#pragma once

#include <nlohmann/json.hpp>

#include "core/authoring/exam.hpp"
#include "core/scoring/score.hpp"

namespace lontar::scoring {

// {total, max, passed, sections[{id,total,passed}], competencies[{id,raw,level}],
//  job_person_match{position,percent,category}}. Pure.
nlohmann::ordered_json ReportToJson(const ScoreReport& report);

// The participant's score (with their position from the roster) as JSON, or {"error": why}.
// Pure.
nlohmann::ordered_json ScoreParticipant(const authoring::Exam& exam, const Answers& answers,
                                        const std::string& participant);

}  // namespace lontar::scoring

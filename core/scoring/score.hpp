// Scoring: pure functions of an exam (from its pack) and a participant's raw answers. The same
// code scores on the terminal (for the receipt screen, where the exam allows) and when results
// are opened centrally, where any mismatch with the terminal's score is flagged.
//
// Rules, per item type (points are the pack's):
//   single    the correct option: points.correct; another option: points.wrong; blank: 0.
//             max = points.correct
//   weighted  the chosen option's weight (1..5); blank: 0. max = the largest weight
//   likert    as weighted; a reverse-keyed item scores (smallest + largest weight - weight)
//   multiple  C = correct options, S = chosen. partial "none": S == C scores points.correct, a
//             non-blank S != C scores points.wrong, blank 0. "proportional": points.correct x
//             max(0, |S∩C| - |S\C|) / |C|. max = points.correct
// Pass rule: a participant's roster group picks one of the exam's pass_rules; no group picks the
// default rule. Default: a section passes when it meets its pass_threshold (if any), and the exam
// is passed when every section passes and the total meets pass_total (if any). A named rule
// replaces both: its section minimums are the thresholds (sections it does not name have none)
// and its min_total the total minimum. Each minimum is met with >= (SKD 2024's cum laude rule:
// total 311 and TIU 85 pass, 310 does not).
// Competency raw score = sum over items tagged with it; level = 1 + the number of the pack's four
// thresholds (for levels 2..5) that the raw score reaches.
// Job-Person Match for a position: sum over its standards of min(level, standard), divided by the
// sum of the standards, as a percentage; the category is the first of the pack's jpm_categories
// (highest min first) whose min the percentage reaches.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/model/exam.hpp"
#include "core/util/error.hpp"

namespace lontar::scoring {

// Item id -> chosen option keys ("A", "C"); an item that is absent or empty is blank.
using Answers = std::map<std::string, std::vector<std::string>>;

struct SectionScore {
  std::string id;
  double total = 0;
  double max = 0;
  std::optional<int> threshold;  // the minimum of the rule that applied, if it has one
  bool passed = true;
};

// Which pass rule decided `passed`.
struct AppliedRule {
  std::string group;        // the PassRule id; empty for the default rule
  std::string description;  // "total >= 311 and TIU >= 85" (DescribePassRule)
};

struct CompetencyScore {
  std::string id;
  double raw = 0;
  double max = 0;
  int level = 1;
};

struct JobPersonMatch {
  std::string position;
  double percent = 0;
  model::Text category;
};

struct ScoreReport {
  std::vector<SectionScore> sections;
  double total = 0;
  double max_total = 0;
  bool passed = true;
  AppliedRule rule;
  std::vector<CompetencyScore> competencies;
  std::optional<JobPersonMatch> jpm;    // when the participant has a position with standards
  std::map<std::string, double> items;  // points per item
};

// Score of one item for the chosen keys. kInvalidArgument for a key the item does not have.
[[nodiscard]] Result<double> ScoreItem(const model::Item& item,
                                       const std::vector<std::string>& chosen);
double MaxScore(const model::Item& item);

// The whole report. `position` may be empty (no Job-Person Match); `group` empty for the default
// pass rule. kInvalidArgument for an answer to an unknown item or option, an unknown position, or
// a group without a pass rule in the exam.
[[nodiscard]] Result<ScoreReport> Score(const model::Exam& exam, const Answers& answers,
                                        std::string_view position, std::string_view group = {});

// The rule in words, section ids in capitals, the total first: "total >= 311 and TIU >= 85";
// for the default rule (rule == nullptr) the sections' thresholds and pass_total: "TWK >= 65 and
// TIU >= 80 and TKP >= 166". "no minimum" when the rule sets none. Pure.
std::string DescribePassRule(const model::Exam& exam, const model::PassRule* rule);

}  // namespace lontar::scoring

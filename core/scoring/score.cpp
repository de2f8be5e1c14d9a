#include "core/scoring/score.hpp"

#include <algorithm>
#include <set>

namespace lontar::scoring {
namespace {

using model::Item;
using model::ItemType;
using model::Option;

const Option* Find(const Item& item, const std::string& key) {
  for (const Option& o : item.options) {
    if (o.key == key) return &o;
  }
  return nullptr;
}

std::pair<int, int> WeightRange(const Item& item) {
  int lo = 5, hi = 1;
  for (const Option& o : item.options) {
    lo = std::min(lo, o.weight);
    hi = std::max(hi, o.weight);
  }
  return {lo, hi};
}

}  // namespace

double MaxScore(const Item& item) {
  switch (item.type) {
    case ItemType::kSingle:
    case ItemType::kMultiple:
      return item.points_correct;
    case ItemType::kWeighted:
    case ItemType::kLikert:
      return WeightRange(item).second;
  }
  return 0;
}

Result<double> ScoreItem(const Item& item, const std::vector<std::string>& chosen) {
  std::set<std::string> keys(chosen.begin(), chosen.end());
  for (const std::string& k : keys) {
    if (Find(item, k) == nullptr) {
      return std::unexpected(Error::InvalidArgument("item " + item.id + " has no option " + k));
    }
  }
  if (keys.empty()) return 0.0;
  switch (item.type) {
    case ItemType::kSingle: {
      if (keys.size() != 1) return static_cast<double>(item.points_wrong);
      return Find(item, *keys.begin())->correct ? item.points_correct : item.points_wrong;
    }
    case ItemType::kWeighted:
    case ItemType::kLikert: {
      if (keys.size() != 1) {
        return std::unexpected(Error::InvalidArgument(
            "item " + item.id + " takes one answer, got " + std::to_string(keys.size())));
      }
      const int w = Find(item, *keys.begin())->weight;
      if (item.type == ItemType::kLikert && item.reverse) {
        const auto [lo, hi] = WeightRange(item);
        return static_cast<double>(lo + hi - w);
      }
      return static_cast<double>(w);
    }
    case ItemType::kMultiple: {
      int correct = 0, right = 0, wrong = 0;
      for (const Option& o : item.options) correct += o.correct ? 1 : 0;
      for (const std::string& k : keys) (Find(item, k)->correct ? right : wrong) += 1;
      if (!item.partial) {
        return right == correct && wrong == 0 ? item.points_correct : item.points_wrong;
      }
      return item.points_correct * static_cast<double>(std::max(0, right - wrong)) / correct;
    }
  }
  return 0.0;
}

std::string DescribePassRule(const model::Exam& exam, const model::PassRule* rule) {
  std::vector<std::string> parts;
  const std::optional<int> total = rule != nullptr ? rule->min_total : exam.pass_total;
  if (total) parts.push_back("total >= " + std::to_string(*total));
  for (const model::Section& s : exam.sections) {
    std::optional<int> min = s.pass_threshold;
    if (rule != nullptr) {
      const auto it = rule->section_min.find(s.id);
      min = it == rule->section_min.end() ? std::nullopt : std::optional<int>(it->second);
    }
    if (!min) continue;
    std::string name = s.id;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; });
    parts.push_back(name + " >= " + std::to_string(*min));
  }
  if (parts.empty()) return "no minimum";
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : " and ") + p;
  return out;
}

Result<ScoreReport> Score(const model::Exam& exam, const Answers& answers,
                          std::string_view position, std::string_view group) {
  for (const auto& [id, chosen] : answers) {
    if (!exam.items.contains(id)) {
      return std::unexpected(Error::InvalidArgument("answer to unknown item " + id));
    }
  }
  const model::PassRule* rule = model::FindPassRule(exam, group);
  if (!group.empty() && rule == nullptr) {
    return std::unexpected(
        Error::InvalidArgument("group '" + std::string(group) + "' has no pass rule in the exam"));
  }
  ScoreReport r;
  r.rule = {std::string(group), DescribePassRule(exam, rule)};
  std::map<std::string, CompetencyScore> competencies;
  for (const model::Competency& c : exam.competencies) {
    competencies[c.id] = CompetencyScore{c.id, 0, 0, 1};
  }
  for (const model::Section& s : exam.sections) {
    SectionScore section{s.id, 0, 0, s.pass_threshold, true};
    if (rule != nullptr) {
      const auto min = rule->section_min.find(s.id);
      section.threshold =
          min == rule->section_min.end() ? std::nullopt : std::optional<int>(min->second);
    }
    for (const std::string& id : s.items) {
      const Item& item = exam.items.at(id);
      const auto it = answers.find(id);
      LONTAR_ASSIGN_OR_RETURN(
          double points,
          ScoreItem(item, it == answers.end() ? std::vector<std::string>{} : it->second));
      r.items[id] = points;
      section.total += points;
      section.max += MaxScore(item);
      if (auto c = competencies.find(item.competency); c != competencies.end()) {
        c->second.raw += points;
        c->second.max += MaxScore(item);
      }
    }
    if (section.threshold) section.passed = section.total >= *section.threshold;
    r.passed = r.passed && section.passed;
    r.total += section.total;
    r.max_total += section.max;
    r.sections.push_back(section);
  }
  const std::optional<int> min_total = rule != nullptr ? rule->min_total : exam.pass_total;
  if (min_total) r.passed = r.passed && r.total >= *min_total;

  std::map<std::string, int> levels;
  for (const model::Competency& c : exam.competencies) {
    CompetencyScore& score = competencies[c.id];
    for (int threshold : c.levels) score.level += score.raw >= threshold ? 1 : 0;
    levels[c.id] = score.level;
    r.competencies.push_back(score);
  }
  if (!position.empty()) {
    const auto pos = std::find_if(exam.positions.begin(), exam.positions.end(),
                                  [&](const model::Position& p) { return p.id == position; });
    if (pos == exam.positions.end()) {
      return std::unexpected(
          Error::InvalidArgument("position '" + std::string(position) + "' is not in the exam"));
    }
    int achieved = 0, required = 0;
    for (const auto& [competency, standard] : pos->standards) {
      achieved += std::min(levels[competency], standard);
      required += standard;
    }
    JobPersonMatch jpm{pos->id, required > 0 ? 100.0 * achieved / required : 0.0, {}};
    for (const model::JpmCategory& c : exam.jpm_categories) {
      if (jpm.percent >= c.min_percent) {
        jpm.category = c.name;
        break;
      }
    }
    r.jpm = jpm;
  }
  return r;
}

}  // namespace lontar::scoring

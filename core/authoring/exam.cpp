#include "core/authoring/exam.hpp"

#include <nlohmann/json.hpp>

namespace lontar::authoring {
namespace {

using Json = nlohmann::ordered_json;

Json ToJson(const Text& t) { return {{"id", t.id}, {"en", t.en}}; }

}  // namespace

const char* ItemTypeName(ItemType type) {
  switch (type) {
    case ItemType::kSingle:
      return "single";
    case ItemType::kWeighted:
      return "weighted";
    case ItemType::kMultiple:
      return "multiple";
    case ItemType::kLikert:
      return "likert";
  }
  return "single";
}

std::string ExamToJson(const Exam& e) {
  Json j;
  j["format"] = "lontar-exam/1";
  j["id"] = e.id;
  j["title"] = ToJson(e.title);
  j["instructions"] = ToJson(e.instructions);
  j["duration_minutes"] = e.duration_minutes;
  j["charge_downtime"] = e.charge_downtime;
  j["shuffle"] = {{"items", e.shuffle_items}, {"options", e.shuffle_options}};
  j["show_score"] = e.show_score;
  Json sections = Json::array();
  for (const Section& s : e.sections) {
    Json js = {
        {"id", s.id}, {"title", ToJson(s.title)}, {"minutes", s.minutes}, {"items", s.items}};
    js["pass_threshold"] = s.pass_threshold ? Json(*s.pass_threshold) : Json(nullptr);
    sections.push_back(js);
  }
  j["sections"] = sections;
  j["pass_total"] = e.pass_total ? Json(*e.pass_total) : Json(nullptr);
  Json competencies = Json::array();
  for (const Competency& c : e.competencies) {
    competencies.push_back({{"id", c.id}, {"name", ToJson(c.name)}, {"levels", c.levels}});
  }
  j["competencies"] = competencies;
  Json positions = Json::array();
  for (const Position& p : e.positions) {
    positions.push_back({{"id", p.id}, {"name", ToJson(p.name)}, {"standards", p.standards}});
  }
  j["positions"] = positions;
  Json jpm = Json::array();
  for (const JpmCategory& c : e.jpm_categories) {
    jpm.push_back({{"min", c.min_percent}, {"name", ToJson(c.name)}});
  }
  j["jpm_categories"] = jpm;
  Json items = Json::array();
  for (const auto& [id, item] : e.items) {
    Json ji = {{"id", item.id},
               {"section", item.section},
               {"type", ItemTypeName(item.type)},
               {"competency", item.competency},
               {"stem", ToJson(item.stem)},
               {"media", item.media}};
    Json options = Json::array();
    for (const Option& o : item.options) {
      options.push_back(
          {{"key", o.key}, {"text", ToJson(o.text)}, {"correct", o.correct}, {"weight", o.weight}});
    }
    ji["options"] = options;
    ji["points"] = {{"correct", item.points_correct}, {"wrong", item.points_wrong}};
    ji["partial"] = item.partial;
    ji["reverse"] = item.reverse;
    items.push_back(ji);
  }
  j["items"] = items;
  return j.dump();
}

std::string RosterToJson(const std::vector<Participant>& roster) {
  Json j = Json::array();
  for (const Participant& p : roster) {
    j.push_back({{"participant", p.number},
                 {"name", p.name},
                 {"position", p.position},
                 {"pin_hash", p.pin_hash}});
  }
  return j.dump();
}

}  // namespace lontar::authoring

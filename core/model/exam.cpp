#include "core/model/exam.hpp"

#include <nlohmann/json.hpp>
#include <set>

#include "core/util/json_fields.hpp"

namespace lontar::model {
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

std::optional<ItemType> ItemTypeFromName(std::string_view name) {
  for (ItemType type :
       {ItemType::kSingle, ItemType::kWeighted, ItemType::kMultiple, ItemType::kLikert}) {
    if (name == ItemTypeName(type)) return type;
  }
  return std::nullopt;
}

const PassRule* FindPassRule(const Exam& exam, std::string_view group) {
  if (group.empty()) return nullptr;
  for (const PassRule& rule : exam.pass_rules) {
    if (rule.id == group) return &rule;
  }
  return nullptr;
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
  j["proctor_code_hash"] = e.proctor_code_hash;
  Json sections = Json::array();
  for (const Section& s : e.sections) {
    Json js = {
        {"id", s.id}, {"title", ToJson(s.title)}, {"minutes", s.minutes}, {"items", s.items}};
    js["pass_threshold"] = s.pass_threshold ? Json(*s.pass_threshold) : Json(nullptr);
    sections.push_back(js);
  }
  j["sections"] = sections;
  j["pass_total"] = e.pass_total ? Json(*e.pass_total) : Json(nullptr);
  if (!e.pass_rules.empty()) {
    Json rules = Json::array();
    for (const PassRule& rule : e.pass_rules) {
      Json jr = {{"id", rule.id}, {"name", ToJson(rule.name)}};
      jr["min_total"] = rule.min_total ? Json(*rule.min_total) : Json(nullptr);
      jr["sections"] = rule.section_min;
      rules.push_back(jr);
    }
    j["pass_rules"] = rules;
  }
  if (!e.rank_by.empty()) j["rank_by"] = e.rank_by;
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
    Json jp = {{"participant", p.number},
               {"name", p.name},
               {"position", p.position},
               {"pin_hash", p.pin_hash}};
    if (!p.group.empty()) jp["group"] = p.group;
    if (p.accommodations.any()) jp["accommodations"] = AccommodationsToJson(p.accommodations);
    j.push_back(jp);
  }
  return j.dump();
}

}  // namespace lontar::model

namespace lontar::model {
namespace {

// A bilingual text: an object {"id": ..., "en": ...}.
Text BilingualOf(JsonFields& f, const char* name, std::string& problem) {
  const auto* t = f.Get(name);
  if (t == nullptr) return {};
  JsonFields text(*t, f.where() + "." + name, problem);
  return {text.Str("id"), text.Str("en")};
}

int IntOf(JsonFields& f, const char* name) { return static_cast<int>(f.Int(name)); }

// Present, and null or a whole number (the writer always writes it).
std::optional<int> OptionalIntOf(JsonFields& f, const char* name) {
  if (f.Get(name) == nullptr) return std::nullopt;
  auto v = f.OptionalInt(name);
  return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

}  // namespace

Result<Exam> ExamFromJson(std::string_view exam_json, std::string_view roster_json) {
  const auto j = nlohmann::json::parse(exam_json, nullptr, /*allow_exceptions=*/false);
  const auto r = nlohmann::json::parse(roster_json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || r.is_discarded() || !r.is_array()) {
    return std::unexpected(Error::Malformed("pack content: exam.json or roster.json is not JSON"));
  }
  std::string problem;
  Exam e;
  JsonFields f(j, "exam", problem);
  if (f.Str("format") != "lontar-exam/1" && problem.empty())
    problem = "exam format is not lontar-exam/1";
  e.id = f.Str("id");
  e.title = BilingualOf(f, "title", problem);
  e.instructions = BilingualOf(f, "instructions", problem);
  e.duration_minutes = IntOf(f, "duration_minutes");
  e.charge_downtime = f.Bool("charge_downtime");
  e.show_score = f.Bool("show_score");
  if (auto h = j.find("proctor_code_hash"); h != j.end() && h->is_string()) {
    e.proctor_code_hash = h->get<std::string>();
  }
  if (const auto* shuffle = f.Get("shuffle")) {
    JsonFields s(*shuffle, "exam.shuffle", problem);
    e.shuffle_items = s.Bool("items");
    e.shuffle_options = s.Bool("options");
  }
  e.pass_total = OptionalIntOf(f, "pass_total");
  for (const auto& sj : f.Array("sections")) {
    JsonFields s(sj, "section", problem);
    Section section{s.Str("id"),
                    BilingualOf(s, "title", problem),
                    IntOf(s, "minutes"),
                    {},
                    OptionalIntOf(s, "pass_threshold")};
    for (const auto& id : s.Array("items")) {
      if (id.is_string()) section.items.push_back(id.get<std::string>());
    }
    e.sections.push_back(std::move(section));
  }
  if (auto rules = j.find("pass_rules"); rules != j.end()) {
    if (!rules->is_array()) problem = problem.empty() ? "exam 'pass_rules' is not a list" : problem;
    for (const auto& rj : rules->is_array() ? *rules : nlohmann::json::array()) {
      JsonFields rf(rj, "pass rule", problem);
      PassRule rule{
          rf.Str("id"), BilingualOf(rf, "name", problem), OptionalIntOf(rf, "min_total"), {}};
      if (const auto* st = rf.Get("sections"); st != nullptr && st->is_object()) {
        for (const auto& [k, v] : st->items()) {
          if (v.is_number_integer()) {
            rule.section_min[k] = v.get<int>();
          } else if (problem.empty()) {
            problem = "pass rule " + rule.id + ": minimum of " + k + " is not a whole number";
          }
        }
      }
      e.pass_rules.push_back(std::move(rule));
    }
  }
  if (auto rank_by = j.find("rank_by"); rank_by != j.end()) {
    if (!rank_by->is_array()) problem = problem.empty() ? "exam 'rank_by' is not a list" : problem;
    for (const auto& id : rank_by->is_array() ? *rank_by : nlohmann::json::array()) {
      if (id.is_string()) e.rank_by.push_back(id.get<std::string>());
    }
  }
  for (const auto& cj : f.Array("competencies")) {
    JsonFields c(cj, "competency", problem);
    Competency comp{c.Str("id"), BilingualOf(c, "name", problem), {}};
    const auto& levels = c.Array("levels");
    for (std::size_t k = 0; k < 4 && k < levels.size(); ++k) {
      comp.levels[k] = levels[k].is_number_integer() ? levels[k].get<int>() : 0;
    }
    e.competencies.push_back(std::move(comp));
  }
  for (const auto& pj : f.Array("positions")) {
    JsonFields p(pj, "position", problem);
    Position pos{p.Str("id"), BilingualOf(p, "name", problem), {}};
    if (const auto* st = p.Get("standards"); st != nullptr && st->is_object()) {
      for (const auto& [k, v] : st->items())
        pos.standards[k] = v.is_number_integer() ? v.get<int>() : 0;
    }
    e.positions.push_back(std::move(pos));
  }
  for (const auto& cj : f.Array("jpm_categories")) {
    JsonFields c(cj, "jpm category", problem);
    e.jpm_categories.push_back({IntOf(c, "min"), BilingualOf(c, "name", problem)});
  }
  for (const auto& ij : f.Array("items")) {
    JsonFields i(ij, "item", problem);
    Item item;
    item.id = i.Str("id");
    item.section = i.Str("section");
    item.type = ItemTypeFromName(i.Str("type")).value_or(ItemType::kSingle);
    item.competency = i.Str("competency");
    item.stem = BilingualOf(i, "stem", problem);
    for (const auto& m : i.Array("media")) {
      if (m.is_string()) item.media.push_back(m.get<std::string>());
    }
    for (const auto& oj : i.Array("options")) {
      JsonFields o(oj, "option of " + item.id, problem);
      item.options.push_back(
          {o.Str("key"), BilingualOf(o, "text", problem), o.Bool("correct"), IntOf(o, "weight")});
    }
    if (const auto* points = i.Get("points")) {
      JsonFields p(*points, "points of " + item.id, problem);
      item.points_correct = IntOf(p, "correct");
      item.points_wrong = IntOf(p, "wrong");
    }
    item.partial = i.Bool("partial");
    item.reverse = i.Bool("reverse");
    e.items.emplace(item.id, std::move(item));
  }
  for (const auto& pj : r) {
    JsonFields p(pj, "participant", problem);
    Participant participant{
        p.Str("participant"), p.Str("name"), p.Str("position"), p.Str("pin_hash"), {}};
    if (auto g = pj.find("group"); pj.is_object() && g != pj.end() && g->is_string()) {
      participant.group = g->get<std::string>();
    }
    if (auto a = pj.find("accommodations"); pj.is_object() && a != pj.end()) {
      auto parsed = AccommodationsFromJson(*a);
      if (parsed) {
        participant.accommodations = *parsed;
      } else if (problem.empty()) {
        problem = "participant " + participant.number + ": " + parsed.error().message();
      }
    }
    e.roster.push_back(std::move(participant));
  }
  std::set<std::string> section_ids;
  for (const Section& s : e.sections) {
    section_ids.insert(s.id);
    for (const std::string& id : s.items) {
      if (!e.items.contains(id) && problem.empty())
        problem = "section " + s.id + " lists missing item " + id;
    }
  }
  // The scorer and the ranking look these up by id: an unknown one would be a bug to find later.
  for (const PassRule& rule : e.pass_rules) {
    for (const auto& [id, min] : rule.section_min) {
      if (!section_ids.contains(id) && problem.empty())
        problem = "pass rule " + rule.id + " names missing section " + id;
    }
  }
  for (const std::string& id : e.rank_by) {
    if (!section_ids.contains(id) && problem.empty())
      problem = "rank_by names missing section " + id;
  }
  for (const Participant& p : e.roster) {
    if (!p.group.empty() && FindPassRule(e, p.group) == nullptr && problem.empty())
      problem = "participant " + p.number + " is in group " + p.group + ", which has no pass rule";
  }
  if (!problem.empty()) return std::unexpected(Error::Malformed("pack content: " + problem));
  return e;
}

}  // namespace lontar::model

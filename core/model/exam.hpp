// The exam as the engine and the scorer see it: what an authoring directory (docs/authoring.md)
// means once validated, and what travels, as exam.json, inside an encrypted pack.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/accommodations.hpp"
#include "core/util/error.hpp"

namespace lontar::model {

struct Text {
  std::string id;  // Bahasa Indonesia
  std::string en;
};

enum class ItemType { kSingle, kWeighted, kMultiple, kLikert };
const char* ItemTypeName(ItemType type);
// The type ItemTypeName names ("single", "weighted", "multiple", "likert"), or nullopt.
std::optional<ItemType> ItemTypeFromName(std::string_view name);

struct Option {
  std::string key;  // "A", "B", ...
  Text text;
  bool correct = false;  // single, multiple
  int weight = 0;        // weighted, likert: 1..5
};

struct Item {
  std::string id;
  std::string section;
  ItemType type = ItemType::kSingle;
  std::string competency;  // empty when none
  Text stem;
  std::vector<std::string> media;  // archive names, "media/x.png"
  std::vector<Option> options;
  int points_correct = 0;  // single, multiple
  int points_wrong = 0;
  bool partial = false;  // multiple: proportional partial credit
  bool reverse = false;  // likert: reverse-keyed
};

struct Section {
  std::string id;
  Text title;
  int minutes = 0;  // 0: no section limit
  std::vector<std::string> items;
  std::optional<int> pass_threshold;
};

struct Competency {
  std::string id;
  Text name;
  std::array<int, 4> levels{};  // raw score needed for levels 2..5
};

struct Position {
  std::string id;
  Text name;
  std::map<std::string, int> standards;  // competency -> level 1..5
};

struct JpmCategory {
  int min_percent = 0;
  Text name;
};

// A named pass rule for an applicant group (SKD 2024: cum laude graduates pass on total >= 311
// and TIU >= 85). It replaces the default rule (each section's pass_threshold and the exam's
// pass_total) for the participants of its group; sections it does not name have no minimum.
struct PassRule {
  std::string id;  // the group, as the roster names it: "cumlaude"
  Text name;
  std::optional<int> min_total;
  std::map<std::string, int> section_min;  // section id -> minimum
};

struct Participant {
  std::string number;
  std::string name;
  std::string position;
  std::string pin_hash;             // Argon2id encoded string
  std::string group;                // a PassRule id; empty: the default rule
  Accommodations accommodations{};  // from the roster's optional columns; default: none
};

struct Exam {
  std::string id;
  Text title;
  Text instructions;
  int duration_minutes = 0;
  bool charge_downtime = false;
  bool shuffle_items = false;
  bool shuffle_options = false;
  bool show_score = false;
  std::vector<Section> sections;
  std::optional<int> pass_total;
  std::vector<PassRule> pass_rules;  // by group; empty: everyone under the default rule
  // Section ids that break ties in the ranking after the total, in order (BKN: tkp, tiu, twk).
  std::vector<std::string> rank_by;
  std::vector<Competency> competencies;
  std::vector<Position> positions;
  std::vector<JpmCategory> jpm_categories;
  std::map<std::string, Item> items;
  std::vector<Participant> roster;
  // Argon2id hash of the proctor code. Not authored: `lontar pack build --proctor-code-file` sets
  // it, and it travels only inside the encrypted payload. Empty: no proctor actions possible.
  std::string proctor_code_hash;
};

// The pass rule of `group`; nullptr for the default group ("") or one the exam does not declare.
// Pure.
const PassRule* FindPassRule(const Exam& exam, std::string_view group);

// exam.json (everything but the roster) and roster.json, as stored in a pack. pass_rules and
// rank_by are written only when the exam has them, a participant's "group" only when it is not
// empty (and "accommodations" only when it has any), so a pack without them is byte for byte
// what earlier versions wrote. Pure.
std::string ExamToJson(const Exam& exam);
std::string RosterToJson(const std::vector<Participant>& roster);

// The inverse, for a terminal reading a released pack: kMalformed naming the first field that is
// missing or of the wrong type. The pack was signed and validated when built, so this checks
// shape, not the authoring rules. pass_rules, rank_by and a participant's group are optional
// (packs built before they existed have none). Pure.
[[nodiscard]] Result<Exam> ExamFromJson(std::string_view exam_json, std::string_view roster_json);

}  // namespace lontar::model

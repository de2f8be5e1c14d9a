#include "core/model/item_rules.hpp"

namespace lontar::model {
namespace {

// core/authoring/source.hpp's kMaxTextChars, which this library must not include (core/authoring
// depends on core/model, not the other way round).
constexpr std::size_t kMaxChars = 8000;

std::string Quoted(std::string_view key) { return "'" + std::string(key) + "'"; }

std::string Letter(std::size_t k) { return std::string(1, static_cast<char>('A' + k)); }

std::optional<std::string> Range(std::string_view key, long v, long lo, long hi) {
  if (v >= lo && v <= hi) return std::nullopt;
  return Quoted(key) + " is " + std::to_string(v) + "; allowed " + std::to_string(lo) + ".." +
         std::to_string(hi);
}

}  // namespace

std::optional<std::string> TextTooLong(std::string_view value, std::string_view key) {
  if (value.size() <= kMaxChars) return std::nullopt;
  return Quoted(key) + " is longer than 8000 characters";
}

std::optional<std::string> TextEmpty(std::string_view value, std::string_view key, bool english) {
  if (!value.empty()) return std::nullopt;
  return Quoted(key) +
         (english ? " has an empty English text" : " has an empty Bahasa Indonesia text");
}

std::optional<std::string> ItemIdProblem(std::string_view id) {
  bool ok = !id.empty() && id.size() <= 64;
  for (char c : id) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  if (ok) return std::nullopt;
  return "item id '" + std::string(id) + "' may use only a-z 0-9 -";
}

std::optional<std::string> CompetencyProblem(std::string_view competency,
                                             const std::set<std::string>& declared) {
  if (declared.contains(std::string(competency))) return std::nullopt;
  return "competency '" + std::string(competency) + "' is not declared in exam.yaml";
}

std::optional<std::string> MediaNameProblem(std::string_view name) {
  if (name.starts_with("media/") && name.find("..") == std::string_view::npos) return std::nullopt;
  return "media '" + std::string(name) + "' must be a file under media/";
}

std::optional<std::string> OptionCountProblem(std::size_t options) {
  if (options >= 2 && options <= 6) return std::nullopt;
  return "an item needs 2 to 6 options";
}

std::optional<std::string> OptionKeyProblem(std::size_t k, std::string_view key) {
  const std::string expected = Letter(k);
  if (key == expected) return std::nullopt;
  return "option " + std::to_string(k + 1) + " has key '" + std::string(key) + "'; expected " +
         expected;
}

std::optional<std::string> OptionWeightProblem(ItemType type, std::size_t k, long weight,
                                               std::set<long>& seen) {
  if (weight < 1 || weight > 5) {
    return "option " + Letter(k) + " has weight " + std::to_string(weight) + "; allowed 1..5";
  }
  if (type == ItemType::kWeighted && !seen.insert(weight).second) {
    return "option " + Letter(k) + " repeats weight " + std::to_string(weight);
  }
  return std::nullopt;
}

std::optional<std::string> CorrectCountProblem(ItemType type, int correct) {
  if (type == ItemType::kSingle && correct != 1) {
    return "a single-answer item needs exactly one option with correct: true (found " +
           std::to_string(correct) + ")";
  }
  if (type == ItemType::kMultiple && correct < 1) {
    return "a multiple-response item needs at least one correct option";
  }
  return std::nullopt;
}

std::optional<std::string> PointsProblem(std::string_view key, long points) {
  return key == "wrong" ? Range(key, points, -100, 100) : Range(key, points, 0, 100);
}

std::vector<std::string> ItemRuleProblems(const Item& item,
                                          const std::set<std::string>& competencies) {
  std::vector<std::string> out;
  auto add = [&](std::optional<std::string> problem) {
    if (problem) out.push_back(std::move(*problem));
  };
  // As LoadSource reads a file: a text too long is not read further (so an over-long key is
  // compared as empty, and an over-long competency is not looked up).
  auto text = [&](const Text& t, std::string_view key) {
    add(TextTooLong(t.id, "id"));
    add(TextTooLong(t.en, "en"));
    add(TextEmpty(t.id, key, false));
    add(TextEmpty(t.en, key, true));
  };
  // LoadSource checks the id where exam.yaml lists it; here it also keeps the file name
  // items/ID.yaml inside items/.
  add(ItemIdProblem(item.id));
  if (!item.competency.empty()) {
    if (auto long_text = TextTooLong(item.competency, "competency")) {
      add(std::move(long_text));
    } else {
      add(CompetencyProblem(item.competency, competencies));
    }
  }
  text(item.stem, "stem");
  for (const std::string& name : item.media) add(MediaNameProblem(name));
  const bool weighted = item.type == ItemType::kWeighted || item.type == ItemType::kLikert;
  if (auto count = OptionCountProblem(item.options.size())) {
    add(std::move(count));
  } else {
    int correct = 0;
    std::set<long> weights;
    for (std::size_t k = 0; k < item.options.size(); ++k) {
      const Option& o = item.options[k];
      auto long_key = TextTooLong(o.key, "key");
      const bool key_read = !long_key;
      add(std::move(long_key));
      add(OptionKeyProblem(k, key_read ? std::string_view(o.key) : std::string_view()));
      text(o.text, "text");
      // The writer writes `correct` only for single and multiple items, as LoadSource reads it.
      correct += !weighted && o.correct ? 1 : 0;
      if (weighted) add(OptionWeightProblem(item.type, k, o.weight, weights));
    }
    add(CorrectCountProblem(item.type, correct));
  }
  if (item.type == ItemType::kSingle || item.type == ItemType::kMultiple) {
    add(PointsProblem("correct", item.points_correct));
    add(PointsProblem("wrong", item.points_wrong));
  }
  return out;
}

}  // namespace lontar::model

#include "core/model/item_rules.hpp"

// Limits repeated from core/authoring/source.hpp (kMaxTextChars), which this library must not
// include: core/authoring depends on core/model, not the other way round.
namespace lontar::model {
namespace {

constexpr std::size_t kMaxChars = 8000;

bool IsItemId(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-') return false;
  }
  return true;
}

void CheckString(std::string_view value, const char* key, std::vector<std::string>& out) {
  if (value.size() > kMaxChars) {
    out.push_back(std::string("'") + key + "' is longer than 8000 characters");
  }
}

// LoadSource's FileReader::Bilingual: both texts present, none empty, none too long.
void CheckText(const Text& t, const char* key, std::vector<std::string>& out) {
  CheckString(t.id, "id", out);
  CheckString(t.en, "en", out);
  if (t.id.empty()) out.push_back(std::string("'") + key + "' has an empty Bahasa Indonesia text");
  if (t.en.empty()) out.push_back(std::string("'") + key + "' has an empty English text");
}

void CheckRange(long v, const char* key, long lo, long hi, std::vector<std::string>& out) {
  if (v < lo || v > hi) {
    out.push_back(std::string("'") + key + "' is " + std::to_string(v) + "; allowed " +
                  std::to_string(lo) + ".." + std::to_string(hi));
  }
}

}  // namespace

std::vector<std::string> ItemRuleProblems(const Item& item,
                                          const std::set<std::string>& competencies) {
  std::vector<std::string> out;
  // LoadSource checks the id where exam.yaml lists it; here it also keeps the file name
  // items/ID.yaml inside items/.
  if (!IsItemId(item.id)) out.push_back("item id '" + item.id + "' may use only a-z 0-9 -");
  if (!item.competency.empty()) {
    CheckString(item.competency, "competency", out);
    if (!competencies.contains(item.competency)) {
      out.push_back("competency '" + item.competency + "' is not declared in exam.yaml");
    }
  }
  CheckText(item.stem, "stem", out);
  for (const std::string& name : item.media) {
    if (!name.starts_with("media/") || name.find("..") != std::string::npos) {
      out.push_back("media '" + name + "' must be a file under media/");
    }
  }
  const bool weighted = item.type == ItemType::kWeighted || item.type == ItemType::kLikert;
  if (item.options.size() < 2 || item.options.size() > 6) {
    out.push_back("an item needs 2 to 6 options");
  } else {
    int correct = 0;
    std::set<int> weights;
    for (std::size_t k = 0; k < item.options.size(); ++k) {
      const Option& o = item.options[k];
      const std::string expected(1, static_cast<char>('A' + k));
      CheckString(o.key, "key", out);
      if (o.key != expected) {
        out.push_back("option " + std::to_string(k + 1) + " has key '" + o.key + "'; expected " +
                      expected);
      }
      CheckText(o.text, "text", out);
      // The writer writes `correct` only for single and multiple items, as LoadSource reads it.
      correct += !weighted && o.correct ? 1 : 0;
      if (weighted) {
        if (o.weight < 1 || o.weight > 5) {
          out.push_back("option " + expected + " has weight " + std::to_string(o.weight) +
                        "; allowed 1..5");
        } else if (item.type == ItemType::kWeighted && !weights.insert(o.weight).second) {
          out.push_back("option " + expected + " repeats weight " + std::to_string(o.weight));
        }
      }
    }
    if (item.type == ItemType::kSingle && correct != 1) {
      out.push_back("a single-answer item needs exactly one option with correct: true (found " +
                    std::to_string(correct) + ")");
    }
    if (item.type == ItemType::kMultiple && correct < 1) {
      out.push_back("a multiple-response item needs at least one correct option");
    }
  }
  if (item.type == ItemType::kSingle || item.type == ItemType::kMultiple) {
    CheckRange(item.points_correct, "correct", 0, 100, out);
    CheckRange(item.points_wrong, "wrong", -100, 100, out);
  }
  return out;
}

}  // namespace lontar::model

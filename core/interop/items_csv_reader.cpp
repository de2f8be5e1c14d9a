#include "core/interop/items_csv_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <optional>
#include <set>

#include "core/authoring/source.hpp"
#include "core/report/csv_reader.hpp"
#include "core/util/image_signature.hpp"

namespace lontar::interop {
namespace {

namespace fs = std::filesystem;
using model::ItemType;

bool IsId(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// "A C", "A,C", "a;c" -> {"A", "C"}.
std::vector<std::string> Tokens(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ' ' || c == ',' || c == ';' || c == '/' || c == '\t' || c == '\n' || c == '\r') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

std::optional<int> Int(std::string_view s) {
  if (s.empty() || s.size() > 4) return std::nullopt;
  int v = 0;
  std::size_t i = s[0] == '-' ? 1 : 0;
  if (i == s.size()) return std::nullopt;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
    v = v * 10 + (s[i] - '0');
  }
  return s[0] == '-' ? -v : v;
}

constexpr const char* kKnownColumns[] = {
    "section", "id",   "type", "competency", "stem_id", "stem_en", "a_id",    "a_en",
    "b_id",    "b_en", "c_id", "c_en",       "d_id",    "d_en",    "e_id",    "e_en",
    "f_id",    "f_en", "key",  "weights",    "points",  "partial", "reverse", "media"};
constexpr const char* kRequiredColumns[] = {"section", "id",   "type", "stem_id", "stem_en",
                                            "a_id",    "a_en", "b_id", "b_en"};

}  // namespace

std::expected<CsvItems, std::vector<std::string>> ReadItemsCsv(
    std::string_view text, const std::string& file, const std::vector<std::string>& competencies,
    const fs::path* media_dir) {
  std::vector<std::string> problems;
  auto table = report::ParseCsv(text, file);
  if (!table) return std::unexpected(std::vector<std::string>{table.error().message()});
  // Header.
  for (std::size_t c = 0; c < table->header.size(); ++c) {
    const std::string name = Lower(table->header[c]);
    if (std::find_if(std::begin(kKnownColumns), std::end(kKnownColumns),
                     [&](const char* k) { return name == k; }) == std::end(kKnownColumns)) {
      problems.push_back(file + ":1:" + std::to_string(c + 1) + ": unknown column '" +
                         table->header[c] + "' (see assets/templates/items.csv)");
    }
  }
  for (const char* need : kRequiredColumns) {
    if (!table->Column(need)) {
      problems.push_back(file + ":1: the column '" + std::string(need) +
                         "' is missing (see assets/templates/items.csv)");
    }
  }
  if (!problems.empty()) return std::unexpected(std::move(problems));

  CsvItems out;
  std::set<std::string> comps(competencies.begin(), competencies.end());
  std::map<std::string, std::size_t> section_index;
  for (std::size_t r = 0; r < table->records.size(); ++r) {
    const auto& fields = table->records[r].fields;
    const std::string row = file + ":" + std::to_string(r + 2) + ":";
    auto col = [&](const char* name) -> std::pair<std::string, std::string> {
      auto c = table->Column(name);
      if (!c) return {"", row + "1"};
      return {std::string(report::TrimBlanks(fields[*c])), row + std::to_string(*c + 1)};
    };
    auto problem = [&](const std::pair<std::string, std::string>& at, const char* column,
                       const std::string& m) {
      problems.push_back(at.second + ": " + column + ": " + m);
    };
    model::Item item;
    const auto section = col("section");
    const auto id = col("id");
    const auto type = col("type");
    if (!IsId(section.first)) {
      problem(section, "section", "'" + section.first + "' is not a section id (a-z 0-9 -)");
    }
    if (!IsId(id.first)) {
      problem(id, "id", "'" + id.first + "' is not an item id (a-z 0-9 -, at most 64)");
    } else if (out.items.contains(id.first)) {
      problem(id, "id", "item '" + id.first + "' appears on an earlier row too");
    }
    item.id = id.first;
    item.section = section.first;
    const std::string t = Lower(type.first);
    if (const auto known = model::ItemTypeFromName(t)) {
      item.type = *known;
    } else {
      problem(type, "type", "'" + type.first + "' is not single, multiple, weighted or likert");
      continue;
    }
    const auto competency = col("competency");
    item.competency = competency.first;
    if (!item.competency.empty() && !comps.contains(item.competency)) {
      problem(competency, "competency",
              "'" + item.competency + "' is not declared in the exam template's competencies" +
                  (comps.empty() ? " (give --exam-template with a competencies list)" : ""));
    }
    for (const char* lang : {"stem_id", "stem_en"}) {
      const auto s = col(lang);
      if (s.first.empty()) problem(s, lang, "the stem is empty");
      if (s.first.size() > authoring::kMaxTextChars) {
        problem(s, lang, "longer than 8000 characters");
      }
      (std::strcmp(lang, "stem_id") == 0 ? item.stem.id : item.stem.en) = s.first;
    }
    // Options A..F without gaps.
    bool gap = false;
    for (int k = 0; k < 6; ++k) {
      const char letter = static_cast<char>('a' + k);
      const std::string cid = std::string(1, letter) + "_id", cen = std::string(1, letter) + "_en";
      const auto tid = col(cid.c_str());
      const auto ten = col(cen.c_str());
      if (tid.first.empty() && ten.first.empty()) {
        gap = true;
        if (k < 2) problem(tid, cid.c_str(), "options A and B are required");
        continue;
      }
      const std::string key(1, static_cast<char>('A' + k));
      if (gap) {
        problem(tid, cid.c_str(), "option " + key + " follows an empty option; fill the gap");
      }
      if (tid.first.empty())
        problem(tid, cid.c_str(), "option " + key + " has no Bahasa Indonesia text");
      if (ten.first.empty()) problem(ten, cen.c_str(), "option " + key + " has no English text");
      item.options.push_back({key, {tid.first, ten.first}, false, 0});
    }
    const std::size_t n = item.options.size();
    const auto key = col("key");
    const auto weights = col("weights");
    if (item.type == ItemType::kSingle || item.type == ItemType::kMultiple) {
      const auto keys = Tokens(key.first);
      if (keys.empty()) problem(key, "key", "a " + t + " item needs its key (the right option)");
      if (item.type == ItemType::kSingle && keys.size() > 1) {
        problem(key, "key", "a single item has one right option; found " + key.first);
      }
      for (const std::string& k : keys) {
        const char c = k.size() == 1 ? static_cast<char>(std::toupper(k[0])) : '?';
        if (c < 'A' || c >= 'A' + static_cast<int>(n)) {
          problem(key, "key",
                  "'" + k + "' is not one of this item's options (A.." +
                      std::string(1, static_cast<char>('A' + n - 1)) + ")");
          continue;
        }
        item.options[static_cast<std::size_t>(c - 'A')].correct = true;
      }
      if (!weights.first.empty())
        problem(weights, "weights", "only weighted and likert items have weights");
      item.points_correct = 5;
      const auto points = col("points");
      if (!points.first.empty()) {
        const auto parts = Tokens(points.first);
        auto right = parts.empty() ? std::nullopt : Int(parts[0]);
        auto wrong = parts.size() == 2 ? Int(parts[1]) : std::optional<int>(0);
        if (parts.empty() || parts.size() > 2 || !right || !wrong || *right < 0 || *right > 100 ||
            *wrong < -100 || *wrong > 100) {
          problem(points, "points",
                  "'" + points.first + "' is not RIGHT or RIGHT/WRONG (0..100, -100..100)");
        } else {
          item.points_correct = *right;
          item.points_wrong = *wrong;
        }
      }
      const auto partial = col("partial");
      if (!partial.first.empty()) {
        if (item.type != ItemType::kMultiple ||
            (Lower(partial.first) != "proportional" && Lower(partial.first) != "none")) {
          problem(partial, "partial", "only multiple items take partial: none or proportional");
        }
        item.partial = Lower(partial.first) == "proportional";
      }
    } else {
      const auto ws = Tokens(weights.first);
      if (ws.size() != n) {
        problem(weights, "weights",
                "give one weight 1..5 per option (" + std::to_string(n) + "); found " +
                    std::to_string(ws.size()));
      } else {
        std::set<int> seen;
        for (std::size_t k = 0; k < n; ++k) {
          auto w = Int(ws[k]);
          if (!w || *w < 1 || *w > 5) {
            problem(weights, "weights",
                    "option " + item.options[k].key + "'s weight '" + ws[k] + "' is not 1..5");
          } else if (item.type == ItemType::kWeighted && !seen.insert(*w).second) {
            problem(weights, "weights",
                    "option " + item.options[k].key + " repeats weight " + ws[k] +
                        "; a weighted item gives each option its own");
          }
          item.options[k].weight = w.value_or(0);
        }
      }
      if (!key.first.empty())
        problem(key, "key", "weighted and likert items have weights, not a key");
    }
    const auto reverse = col("reverse");
    if (!reverse.first.empty()) {
      const std::string v = Lower(reverse.first);
      const bool yes = v == "ya" || v == "yes" || v == "true" || v == "1";
      const bool no = v == "tidak" || v == "no" || v == "false" || v == "0";
      if (!yes && !no)
        problem(reverse, "reverse", "'" + reverse.first + "' is not ya/yes or tidak/no");
      if (yes && item.type != ItemType::kLikert)
        problem(reverse, "reverse", "only likert items are reversed");
      item.reverse = yes;
    }
    const auto media = col("media");
    std::vector<std::string> media_names;  // separated by blanks only: '/' must reach the check
    for (std::size_t i = 0; i < media.first.size();) {
      const std::size_t end = std::min(media.first.find_first_of(" \t\r\n", i), media.first.size());
      if (end > i) media_names.push_back(media.first.substr(i, end - i));
      i = end + 1;
    }
    for (const std::string& name : media_names) {
      const bool safe = name.find('/') == std::string::npos &&
                        name.find('\\') == std::string::npos && name != "." && name != ".." &&
                        name.front() != '.';
      const std::string lontar_name = "media/" + name;
      if (!safe) {
        problem(media, "media",
                "'" + name + "' must be a file name beside the CSV, without a path");
        continue;
      }
      if (media_dir != nullptr) {
        const fs::path path = *media_dir / name;
        std::error_code ec;
        if (!fs::is_regular_file(path, ec)) {
          problem(media, "media", "'" + name + "' is not beside the CSV");
          continue;
        }
        if (fs::file_size(path, ec) > authoring::kMaxMediaBytes) {
          problem(media, "media", "'" + name + "' is larger than 10 MB");
          continue;
        }
        if (!StartsAsPngOrJpeg(path)) {
          problem(media, "media", "'" + name + "' is not a PNG or JPEG image");
          continue;
        }
        out.media[lontar_name] = path;
      }
      item.media.push_back(lontar_name);
    }
    auto [it, fresh] = section_index.emplace(section.first, out.sections.size());
    if (fresh) {
      model::Section s;
      s.id = section.first;
      s.title = {section.first, section.first};
      out.sections.push_back(std::move(s));
    }
    out.sections[it->second].items.push_back(item.id);
    if (IsId(item.id)) out.items.emplace(item.id, std::move(item));
  }
  if (table->records.empty())
    problems.push_back(file + ":2: no items: the file has only its header");
  if (table->records.size() > authoring::kMaxItems)
    problems.push_back(file + ": more than 10,000 items");
  if (!problems.empty()) return std::unexpected(std::move(problems));
  return out;
}

}  // namespace lontar::interop

#include "core/authoring/source.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "core/authoring/roster_source.hpp"
#include "core/model/item_rules.hpp"
#include "core/util/fs.hpp"
#include "core/util/image_signature.hpp"

namespace lontar::authoring {

// The exam model (core/model) by its short names.
using model::Competency;
using model::CompetencyProblem;
using model::CorrectCountProblem;
using model::Exam;
using model::Item;
using model::ItemType;
using model::JpmCategory;
using model::MediaNameProblem;
using model::Option;
using model::OptionCountProblem;
using model::OptionKeyProblem;
using model::OptionWeightProblem;
using model::PassRule;
using model::PointsProblem;
using model::Position;
using model::Section;
using model::Text;
using model::TextEmpty;
using model::TextTooLong;

namespace {

namespace fs = std::filesystem;

bool IsIdentifier(std::string_view s, bool upper) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    const bool letter = upper ? (c >= 'A' && c <= 'Z') : (c >= 'a' && c <= 'z');
    if (!letter && !(c >= '0' && c <= '9') && c != '-') return false;
  }
  return true;
}

// Collects diagnostics for one file and reads typed fields from its YAML nodes.
class FileReader {
 public:
  FileReader(std::string file, std::vector<Diagnostic>& out) : file_(std::move(file)), out_(out) {}

  void Report(const YAML::Node& at, const std::string& message) {
    out_.push_back({file_, at.IsDefined() ? static_cast<int>(at.Mark().line) + 1 : 0, message});
  }
  void ReportFile(const std::string& message) { out_.push_back({file_, 0, message}); }

  // Loads the file; reports a syntax error at its line.
  std::optional<YAML::Node> Load(const fs::path& path) {
    try {
      return YAML::LoadFile(path.string());
    } catch (const YAML::ParserException& e) {
      out_.push_back({file_, e.mark.line + 1, "YAML syntax error: " + e.msg});
    } catch (const YAML::Exception& e) {
      out_.push_back({file_, 0, std::string("cannot read: ") + e.what()});
    }
    return std::nullopt;
  }

  std::optional<std::string> String(const YAML::Node& map, const char* key, bool required = true) {
    const YAML::Node n = map[key];
    if (!n.IsDefined() || n.IsNull()) {
      if (required) Report(map, std::string("'") + key + "' is missing");
      return std::nullopt;
    }
    if (!n.IsScalar()) {
      Report(n, std::string("'") + key + "' must be text");
      return std::nullopt;
    }
    std::string s = n.Scalar();
    if (auto too_long = TextTooLong(s, key)) {
      Report(n, *too_long);
      return std::nullopt;
    }
    return s;
  }

  std::optional<long> Int(const YAML::Node& map, const char* key, long lo, long hi,
                          bool required = true) {
    const YAML::Node n = map[key];
    if (!n.IsDefined() || n.IsNull()) {
      if (required) Report(map, std::string("'") + key + "' is missing");
      return std::nullopt;
    }
    long v = 0;
    if (!n.IsScalar() || !YAML::convert<long>::decode(n, v)) {
      Report(n, std::string("'") + key + "' must be a whole number");
      return std::nullopt;
    }
    if (v < lo || v > hi) {
      Report(n, std::string("'") + key + "' is " + std::to_string(v) + "; allowed " +
                    std::to_string(lo) + ".." + std::to_string(hi));
      return std::nullopt;
    }
    return v;
  }

  bool Bool(const YAML::Node& map, const char* key, bool fallback) {
    const YAML::Node n = map[key];
    if (!n.IsDefined() || n.IsNull()) return fallback;
    bool v = fallback;
    if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) {
      Report(n, std::string("'") + key + "' must be true or false");
    }
    return v;
  }

  // A {id: ..., en: ...} pair, both present and non-empty.
  Text Bilingual(const YAML::Node& map, const char* key) {
    const YAML::Node n = map[key];
    Text t;
    if (!n.IsDefined() || !n.IsMap()) {
      Report(n.IsDefined() ? n : map, std::string("'") + key +
                                          "' must give the text in Bahasa Indonesia and English "
                                          "({id: ..., en: ...})");
      return t;
    }
    auto id = String(n, "id");
    auto en = String(n, "en");
    if (auto empty = id ? TextEmpty(*id, key, false) : std::nullopt) Report(n, *empty);
    if (auto empty = en ? TextEmpty(*en, key, true) : std::nullopt) Report(n, *empty);
    t.id = id.value_or("");
    t.en = en.value_or("");
    return t;
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
  std::vector<Diagnostic>& out_;
};

// pass_rules: [{id, name, min_total?, sections?: {section: minimum}}] and rank_by: [section ids].
void LoadPassRules(FileReader& r, const YAML::Node& y, const std::set<std::string>& section_ids,
                   Exam& exam) {
  if (const YAML::Node rules = y["pass_rules"]; rules.IsDefined() && !rules.IsNull()) {
    if (!rules.IsSequence()) {
      r.Report(rules, "'pass_rules' must list rules: {id, name, min_total, sections}");
    } else {
      std::set<std::string> ids;
      for (const YAML::Node& n : rules) {
        PassRule rule;
        rule.id = r.String(n, "id").value_or("");
        if (!rule.id.empty() && !IsIdentifier(rule.id, false)) {
          r.Report(n["id"], "pass rule id '" + rule.id + "' may use only a-z 0-9 -");
        } else if (!rule.id.empty() && !ids.insert(rule.id).second) {
          r.Report(n["id"], "pass rule '" + rule.id + "' is declared twice");
        }
        rule.name = r.Bilingual(n, "name");
        if (auto t = r.Int(n, "min_total", 0, 1000000, false)) rule.min_total = *t;
        if (const YAML::Node mins = n["sections"]; mins.IsDefined() && !mins.IsNull()) {
          if (!mins.IsMap()) {
            r.Report(mins,
                     "pass rule '" + rule.id + "': 'sections' must map section ids to minimums");
          } else {
            for (const auto& kv : mins) {
              const std::string section = kv.first.Scalar();
              int min = 0;
              if (!section_ids.contains(section)) {
                r.Report(kv.first, "pass rule '" + rule.id + "': section '" + section +
                                       "' is not declared under 'sections'");
              }
              if (!YAML::convert<int>::decode(kv.second, min) || min < 0) {
                r.Report(kv.second, "pass rule '" + rule.id + "': the minimum for '" + section +
                                        "' must be a whole number 0 or more");
              }
              rule.section_min[section] = min;
            }
          }
        }
        if (!rule.min_total && rule.section_min.empty()) {
          r.Report(n, "pass rule '" + rule.id + "' needs min_total, sections, or both");
        }
        exam.pass_rules.push_back(std::move(rule));
      }
    }
  }
  if (const YAML::Node rank_by = y["rank_by"]; rank_by.IsDefined() && !rank_by.IsNull()) {
    if (!rank_by.IsSequence()) {
      r.Report(rank_by, "'rank_by' must list section ids, the first tie-breaker first");
      return;
    }
    for (const YAML::Node& n : rank_by) {
      const std::string id = n.IsScalar() ? n.Scalar() : "";
      if (!section_ids.contains(id)) {
        r.Report(n, "rank_by: section '" + id + "' is not declared under 'sections'");
      } else if (std::find(exam.rank_by.begin(), exam.rank_by.end(), id) != exam.rank_by.end()) {
        r.Report(n, "rank_by: section '" + id + "' is listed twice");
      }
      exam.rank_by.push_back(id);
    }
  }
}

void LoadExam(const fs::path& dir, Exam& exam, std::vector<Diagnostic>& out) {
  FileReader r("exam.yaml", out);
  if (!fs::exists(dir / "exam.yaml")) {
    r.ReportFile("missing: an authoring directory needs exam.yaml (see docs/authoring.md)");
    return;
  }
  auto root = r.Load(dir / "exam.yaml");
  if (!root) return;
  if (!root->IsMap()) {
    r.ReportFile("must be a YAML mapping");
    return;
  }
  const YAML::Node& y = *root;
  if (r.String(y, "format").value_or("") != "lontar-exam/1") {
    r.Report(y["format"], "'format' must be lontar-exam/1");
  }
  exam.id = r.String(y, "id").value_or("");
  if (!exam.id.empty() && !IsIdentifier(exam.id, /*upper=*/true)) {
    r.Report(y["id"], "exam id '" + exam.id + "' may use only A-Z 0-9 - (at most 64)");
  }
  exam.title = r.Bilingual(y, "title");
  exam.instructions = r.Bilingual(y, "instructions");
  exam.duration_minutes = static_cast<int>(r.Int(y, "duration_minutes", 1, 600).value_or(0));
  exam.charge_downtime = r.Bool(y, "charge_downtime", false);
  exam.show_score = r.Bool(y, "show_score", false);
  if (const YAML::Node shuffle = y["shuffle"]; shuffle.IsDefined()) {
    if (!shuffle.IsMap()) {
      r.Report(shuffle, "'shuffle' must be {items: true|false, options: true|false}");
    } else {
      exam.shuffle_items = r.Bool(shuffle, "items", false);
      exam.shuffle_options = r.Bool(shuffle, "options", false);
    }
  }
  if (auto total = r.Int(y, "pass_total", 0, 1000000, false)) exam.pass_total = *total;

  std::set<std::string> section_ids;
  const YAML::Node sections = y["sections"];
  if (!sections.IsSequence() || sections.size() == 0) {
    r.Report(sections.IsDefined() ? sections : y, "'sections' must list at least one section");
  } else {
    for (const YAML::Node& s : sections) {
      Section section;
      section.id = r.String(s, "id").value_or("");
      if (!section.id.empty() && !IsIdentifier(section.id, false)) {
        r.Report(s["id"], "section id '" + section.id + "' may use only a-z 0-9 -");
      }
      if (!section.id.empty() && !section_ids.insert(section.id).second) {
        r.Report(s["id"], "section '" + section.id + "' is declared twice");
      }
      section.title = r.Bilingual(s, "title");
      section.minutes = static_cast<int>(r.Int(s, "minutes", 1, 600, false).value_or(0));
      if (auto t = r.Int(s, "pass_threshold", 0, 1000000, false)) section.pass_threshold = *t;
      const YAML::Node items = s["items"];
      if (!items.IsSequence() || items.size() == 0) {
        r.Report(items.IsDefined() ? items : s, "section '" + section.id + "' must list its items");
      } else {
        for (const YAML::Node& i : items) {
          if (!i.IsScalar()) {
            r.Report(i, "an item in section '" + section.id + "' is not an item id");
            continue;
          }
          section.items.push_back(i.Scalar());
        }
      }
      exam.sections.push_back(std::move(section));
    }
  }

  LoadPassRules(r, y, section_ids, exam);

  std::set<std::string> competency_ids;
  if (const YAML::Node comps = y["competencies"]; comps.IsDefined() && !comps.IsNull()) {
    for (const YAML::Node& c : comps) {
      Competency comp;
      comp.id = r.String(c, "id").value_or("");
      if (!comp.id.empty() && !competency_ids.insert(comp.id).second) {
        r.Report(c["id"], "competency '" + comp.id + "' is declared twice");
      }
      comp.name = r.Bilingual(c, "name");
      const YAML::Node levels = c["levels"];
      if (!levels.IsSequence() || levels.size() != 4) {
        r.Report(levels.IsDefined() ? levels : c,
                 "competency '" + comp.id +
                     "': 'levels' must give the raw score needed for levels 2, 3, 4 and 5");
      } else {
        for (std::size_t k = 0; k < 4; ++k) {
          int v = 0;
          if (!YAML::convert<int>::decode(levels[k], v) || v < 0) {
            r.Report(levels[k], "competency '" + comp.id + "': level threshold must be a number");
          }
          comp.levels[k] = v;
          if (k > 0 && v <= comp.levels[k - 1]) {
            r.Report(levels[k], "competency '" + comp.id + "': level thresholds must increase");
          }
        }
      }
      exam.competencies.push_back(std::move(comp));
    }
  }
  if (const YAML::Node positions = y["positions"]; positions.IsDefined() && !positions.IsNull()) {
    for (const YAML::Node& p : positions) {
      Position pos;
      pos.id = r.String(p, "id").value_or("");
      pos.name = r.Bilingual(p, "name");
      const YAML::Node standards = p["standards"];
      if (!standards.IsMap()) {
        r.Report(standards.IsDefined() ? standards : p,
                 "position '" + pos.id + "': 'standards' must map competencies to levels 1..5");
      } else {
        for (const auto& kv : standards) {
          const std::string comp = kv.first.Scalar();
          int level = 0;
          if (!competency_ids.contains(comp)) {
            r.Report(kv.first, "position '" + pos.id + "': competency '" + comp +
                                   "' is not declared under 'competencies'");
          }
          if (!YAML::convert<int>::decode(kv.second, level) || level < 1 || level > 5) {
            r.Report(kv.second,
                     "position '" + pos.id + "': standard for '" + comp + "' must be a level 1..5");
          }
          pos.standards[comp] = level;
        }
      }
      exam.positions.push_back(std::move(pos));
    }
  }
  if (const YAML::Node jpm = y["jpm_categories"]; jpm.IsDefined() && !jpm.IsNull()) {
    int previous = 101;
    for (const YAML::Node& c : jpm) {
      JpmCategory cat;
      cat.min_percent = static_cast<int>(r.Int(c, "min", 0, 100).value_or(0));
      if (cat.min_percent >= previous) {
        r.Report(c, "jpm_categories must be listed highest 'min' first");
      }
      previous = cat.min_percent;
      cat.name = r.Bilingual(c, "name");
      exam.jpm_categories.push_back(std::move(cat));
    }
    if (!exam.jpm_categories.empty() && exam.jpm_categories.back().min_percent != 0) {
      r.Report(jpm, "the last of jpm_categories must have min: 0 so every result has a category");
    }
  }
}

void LoadItem(const fs::path& dir, const std::string& id, const std::string& section,
              const std::set<std::string>& competencies, std::map<std::string, Item>& items,
              std::map<std::string, MediaFile>& media, std::vector<Diagnostic>& out) {
  const std::string rel = "items/" + id + ".yaml";
  FileReader r(rel, out);
  auto root = r.Load(dir / rel);
  if (!root) return;
  const YAML::Node& y = *root;
  if (!y.IsMap()) {
    r.ReportFile("must be a YAML mapping");
    return;
  }
  Item item;
  item.id = r.String(y, "id").value_or("");
  if (item.id != id)
    r.Report(y["id"], "id '" + item.id + "' does not match the file name '" + id + "'");
  item.id = id;
  item.section = section;
  const std::string type = r.String(y, "type").value_or("");
  if (const auto known = model::ItemTypeFromName(type)) {
    item.type = *known;
  } else if (!type.empty()) {
    r.Report(y["type"], "type '" + type + "' is not one of single, weighted, multiple, likert");
  }
  if (auto comp = r.String(y, "competency", false)) {
    item.competency = *comp;
    if (auto problem = CompetencyProblem(*comp, competencies)) r.Report(y["competency"], *problem);
  }
  item.stem = r.Bilingual(y, "stem");
  if (const YAML::Node m = y["media"]; m.IsDefined() && !m.IsNull()) {
    for (const YAML::Node& entry : m) {
      const std::string name = entry.IsScalar() ? entry.Scalar() : "";
      const fs::path path = dir / name;
      std::error_code ec;
      if (auto problem = MediaNameProblem(name)) {
        r.Report(entry, *problem);
      } else if (!fs::is_regular_file(path, ec)) {
        r.Report(entry, "media file '" + name + "' does not exist");
      } else if (fs::file_size(path, ec) > kMaxMediaBytes) {
        r.Report(entry, "media file '" + name + "' is larger than 10 MB");
      } else if (!StartsAsPngOrJpeg(path)) {
        r.Report(entry, "media file '" + name + "' is not a PNG or JPEG image");
      } else {
        media.emplace(name, MediaFile{name, path, fs::file_size(path, ec)});
      }
      item.media.push_back(name);
    }
  }
  const YAML::Node options = y["options"];
  if (auto count = OptionCountProblem(options.IsSequence() ? options.size() : 0)) {
    r.Report(options.IsDefined() ? options : y, *count);
  } else {
    int correct = 0;
    std::set<long> weights;
    for (std::size_t k = 0; k < options.size(); ++k) {
      const YAML::Node& o = options[k];
      Option opt;
      const std::string expected(1, static_cast<char>('A' + k));
      opt.key = r.String(o, "key").value_or("");
      if (auto problem = OptionKeyProblem(k, opt.key)) r.Report(o, *problem);
      opt.text = r.Bilingual(o, "text");
      opt.correct = r.Bool(o, "correct", false);
      correct += opt.correct ? 1 : 0;
      if (item.type == ItemType::kWeighted || item.type == ItemType::kLikert) {
        const YAML::Node w = o["weight"];
        int weight = 0;
        if (!w.IsDefined() || !YAML::convert<int>::decode(w, weight)) {
          r.Report(o, "option " + expected + " needs a weight 1..5");
        } else if (auto problem = OptionWeightProblem(item.type, k, weight, weights)) {
          r.Report(w, *problem);
        }
        opt.weight = weight;
      }
      item.options.push_back(std::move(opt));
    }
    if (auto problem = CorrectCountProblem(item.type, correct)) r.Report(options, *problem);
  }
  if (item.type == ItemType::kSingle || item.type == ItemType::kMultiple) {
    const YAML::Node points = y["points"];
    if (!points.IsMap()) {
      r.Report(points.IsDefined() ? points : y, "'points' must give {correct: N, wrong: N}");
    } else {
      auto points_for = [&](const char* key) {
        const long v = r.Int(points, key, LONG_MIN, LONG_MAX).value_or(0);
        if (auto problem = PointsProblem(key, v)) {
          r.Report(points[key], *problem);
          return 0;
        }
        return static_cast<int>(v);
      };
      item.points_correct = points_for("correct");
      item.points_wrong = points_for("wrong");
    }
  }
  if (item.type == ItemType::kMultiple) {
    const std::string partial = r.String(y, "partial", false).value_or("none");
    if (partial != "none" && partial != "proportional") {
      r.Report(y["partial"], "partial must be none or proportional");
    }
    item.partial = partial == "proportional";
  }
  item.reverse = r.Bool(y, "reverse", false);
  items.emplace(id, std::move(item));
}

// The items exam.yaml's sections list, as (item id, section id) in order, with a problem for
// each id that is not an identifier or is listed twice and, with `need_files`, each that has no
// file items/ID.yaml (such items are left out of `items`).
struct Listing {
  std::vector<std::pair<std::string, std::string>> items;
  std::size_t listed = 0;  // every listing, good or bad
};

Listing ListItems(const fs::path& dir, const Exam& exam, bool need_files,
                  std::vector<Diagnostic>& out) {
  Listing listing;
  std::set<std::string> seen;
  for (const Section& s : exam.sections) {
    for (const std::string& id : s.items) {
      ++listing.listed;
      if (!IsIdentifier(id, false)) {
        out.push_back({"exam.yaml", 0,
                       "section '" + s.id + "': item id '" + id + "' may use only a-z 0-9 -"});
        continue;
      }
      if (!seen.insert(id).second) {
        out.push_back({"exam.yaml", 0, "item '" + id + "' is listed in more than one place"});
        continue;
      }
      if (need_files && !fs::exists(dir / "items" / (id + ".yaml"))) {
        out.push_back({"exam.yaml", 0,
                       "section '" + s.id + "' lists item '" + id + "', which has no file items/" +
                           id + ".yaml"});
        continue;
      }
      listing.items.emplace_back(id, s.id);
    }
  }
  return listing;
}

}  // namespace

std::string Diagnostic::ToString() const {
  return line > 0 ? file + ":" + std::to_string(line) + ": " + message : file + ": " + message;
}

std::expected<Source, std::vector<Diagnostic>> LoadSource(const fs::path& dir) {
  std::vector<Diagnostic> out;
  Source source;
  Exam& exam = source.exam;
  LoadExam(dir, exam, out);
  std::set<std::string> competencies;
  for (const Competency& c : exam.competencies) competencies.insert(c.id);
  const Listing listing = ListItems(dir, exam, /*need_files=*/true, out);
  const std::vector<std::pair<std::string, std::string>>& tasks = listing.items;
  // Item files are independent: parse them on two threads when there are many (thousands of
  // items were a quarter of a large pack's build time). Results merge in a fixed order.
  struct Part {
    std::map<std::string, Item> items;
    std::map<std::string, MediaFile> media;
    std::vector<Diagnostic> out;
  };
  const std::size_t workers = tasks.size() >= 64 ? 2 : 1;
  std::vector<Part> parts(workers);
  auto work = [&](std::size_t w) {
    for (std::size_t i = w; i < tasks.size(); i += workers) {
      LoadItem(dir, tasks[i].first, tasks[i].second, competencies, parts[w].items, parts[w].media,
               parts[w].out);
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(work, w);
  work(0);
  for (std::thread& t : threads) t.join();
  std::map<std::string, MediaFile> media;
  for (Part& part : parts) {
    exam.items.merge(part.items);
    media.merge(part.media);
    out.insert(out.end(), part.out.begin(), part.out.end());
  }
  if (listing.listed > kMaxItems) out.push_back({"exam.yaml", 0, "more than 10,000 items"});
  std::error_code ec;
  if (fs::is_directory(dir / "items", ec)) {
    for (const auto& e : fs::directory_iterator(dir / "items", ec)) {
      const std::string stem = e.path().stem().string();
      if (e.path().extension() == ".yaml" && !exam.items.contains(stem)) {
        bool listed_somewhere = false;
        for (const Section& s : exam.sections) {
          listed_somewhere |= std::find(s.items.begin(), s.items.end(), stem) != s.items.end();
        }
        if (!listed_somewhere) {
          out.push_back({"items/" + e.path().filename().string(), 0,
                         "this item is not listed in any section of exam.yaml"});
        }
      }
    }
  }
  LoadRoster(dir, exam, out);
  for (auto& [name, file] : media) source.media.push_back(file);
  if (!out.empty()) {
    std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::tie(a.file, a.line) < std::tie(b.file, b.line);
    });
    return std::unexpected(std::move(out));
  }
  return source;
}

std::expected<Exam, std::vector<Diagnostic>> LoadExamFile(const fs::path& dir) {
  std::vector<Diagnostic> out;
  Exam exam;
  LoadExam(dir, exam, out);
  const Listing listing = ListItems(dir, exam, /*need_files=*/false, out);
  if (listing.listed > kMaxItems) out.push_back({"exam.yaml", 0, "more than 10,000 items"});
  if (!out.empty()) {
    std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::tie(a.file, a.line) < std::tie(b.file, b.line);
    });
    return std::unexpected(std::move(out));
  }
  return exam;
}

}  // namespace lontar::authoring

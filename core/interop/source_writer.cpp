#include "core/interop/source_writer.hpp"

#include <fstream>

#include "core/authoring/roster_source.hpp"
#include "core/authoring/source.hpp"
#include "core/model/item_rules.hpp"
#include "core/util/fs.hpp"

namespace lontar::interop {
namespace {

using model::ItemType;

// A YAML double-quoted scalar: backslash escapes for '"', '\\', control characters and the
// Unicode line separators (which YAML would otherwise fold); all else is UTF-8 as it is.
// Written by hand rather than with YAML::Emitter, which cost a third of a 10,000-item import
// deciding how to quote each string.
void Quoted(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  out += '"';
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x85) {
      out += "\\u0085";  // not \N, which yaml-cpp decodes to a bare 0x85 byte
      ++i;
    } else if (c == 0xe2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(s[i + 2]) == 0xa8 ||
                static_cast<unsigned char>(s[i + 2]) == 0xa9)) {
      out += static_cast<unsigned char>(s[i + 2]) == 0xa8 ? "\\L" : "\\P";
      i += 2;
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

void Text(std::string& out, const model::Text& t) {
  out += "{id: ";
  Quoted(out, t.id);
  out += ", en: ";
  Quoted(out, t.en);
  out += "}";
}

YAML::Node TextNode(const model::Text& t) {
  YAML::Node n;
  n["id"] = t.id;
  n["en"] = t.en;
  return n;
}

}  // namespace

std::string ItemYaml(const model::Item& item) {
  // Ids, keys and type names are plain identifiers; every text is double-quoted.
  std::string y = "id: " + item.id + "\ntype: " + model::ItemTypeName(item.type) + "\n";
  if (!item.competency.empty()) y += "competency: " + item.competency + "\n";
  y += "stem:\n  id: ";
  Quoted(y, item.stem.id);
  y += "\n  en: ";
  Quoted(y, item.stem.en);
  y += "\n";
  if (!item.media.empty()) {
    y += "media: [";
    for (std::size_t k = 0; k < item.media.size(); ++k) {
      if (k > 0) y += ", ";
      Quoted(y, item.media[k]);
    }
    y += "]\n";
  }
  y += "options:\n";
  for (const model::Option& o : item.options) {
    y += "  - {key: " + o.key + ", text: ";
    Text(y, o.text);
    if (item.type == ItemType::kWeighted || item.type == ItemType::kLikert) {
      y += ", weight: " + std::to_string(o.weight);
    } else if (o.correct) {
      y += ", correct: true";
    }
    y += "}\n";
  }
  if (item.type == ItemType::kSingle || item.type == ItemType::kMultiple) {
    y += "points: {correct: " + std::to_string(item.points_correct) +
         ", wrong: " + std::to_string(item.points_wrong) + "}\n";
  }
  if (item.type == ItemType::kMultiple && item.partial) y += "partial: proportional\n";
  if (item.reverse) y += "reverse: true\n";
  return y;
}

std::string ExamYaml(const model::Exam& exam, const YAML::Node& base, const std::string& header) {
  YAML::Node y = base.IsMap() ? YAML::Clone(base) : YAML::Node(YAML::NodeType::Map);
  if (!y["format"]) y["format"] = "lontar-exam/1";
  if (!y["id"]) y["id"] = exam.id;
  if (!y["title"]) y["title"] = TextNode(exam.title);
  if (!y["instructions"]) y["instructions"] = TextNode(exam.instructions);
  if (!y["duration_minutes"]) y["duration_minutes"] = exam.duration_minutes;
  if (!y["shuffle"]) {
    y["shuffle"]["items"] = exam.shuffle_items;
    y["shuffle"]["options"] = exam.shuffle_options;
  }
  // The sections go last, their item lists written by hand: 10,000 ids as yaml-cpp nodes cost
  // megabytes (an import's peak memory) for a list of plain words.
  const YAML::Node old_sections = y["sections"];
  y.remove("sections");
  y.SetStyle(YAML::EmitterStyle::Block);
  YAML::Emitter out;
  out << y;
  std::string text;
  std::size_t start = 0;
  while (start < header.size()) {
    const std::size_t end = std::min(header.find('\n', start), header.size());
    text += "# " + header.substr(start, end - start) + "\n";
    start = end + 1;
  }
  text += out.c_str();
  text += "\nsections:\n";
  for (const model::Section& s : exam.sections) {
    YAML::Node n;
    if (old_sections.IsSequence()) {
      for (const YAML::Node& o : old_sections) {
        if (o.IsMap() && o["id"] && o["id"].IsScalar() && o["id"].Scalar() == s.id) {
          n = YAML::Clone(o);
        }
      }
    }
    if (!n.IsMap()) {
      n["id"] = s.id;
      n["title"] = TextNode(s.title);
      if (s.minutes > 0) n["minutes"] = s.minutes;
      if (s.pass_threshold) n["pass_threshold"] = *s.pass_threshold;
    }
    n.remove("items");
    n.SetStyle(YAML::EmitterStyle::Block);  // "- id: ...\n  title: ...", then "  items:" below
    YAML::Emitter section;
    section << YAML::BeginSeq << n << YAML::EndSeq;
    text += section.c_str();
    text += "\n  items:\n";
    for (const std::string& id : s.items) {
      text += "    - ";
      Quoted(text, id);
      text += "\n";
    }
  }
  return text;
}

namespace {

// A plain write: the caller writes into a temporary directory and syncs it once before renaming
// it into place (ImportTree), so thousands of item files cost no fsync each.
Status WritePlain(const std::filesystem::path& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(text.data(), static_cast<std::streamsize>(text.size()));
  f.close();
  if (!f) return std::unexpected(Error::Io("cannot write " + path.string()));
  return Ok();
}

}  // namespace

Result<YAML::Node> ParseExamTemplate(const std::string& text, const std::string& file) {
  YAML::Node y;
  try {
    y = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    return std::unexpected(Error::Malformed(file + ":" + std::to_string(e.mark.line + 1) +
                                            ": YAML syntax error: " + e.msg));
  } catch (const YAML::Exception& e) {
    return std::unexpected(Error::Malformed(file + ": cannot read: " + e.what()));
  }
  if (!y.IsMap()) {
    return std::unexpected(
        Error::Malformed(file + ": an exam template must be a YAML mapping, like exam.yaml"));
  }
  // An import replaces the sections' item lists: drop them now, and copy what is left into a
  // tree of its own (yaml-cpp frees a removed node only with its whole document), so that a
  // template listing 10,000 items is not held through the import.
  if (YAML::Node sections = y["sections"]; sections.IsSequence()) {
    for (YAML::Node s : sections) {
      if (s.IsMap()) s.remove("items");
    }
    return YAML::Clone(y);
  }
  return y;
}

std::set<std::string> TemplateCompetencies(YAML::Node base) {
  std::set<std::string> ids;
  if (const YAML::Node comps = base["competencies"]; comps.IsSequence()) {
    for (const YAML::Node& c : comps) {
      if (c.IsMap() && c["id"] && c["id"].IsScalar()) ids.insert(c["id"].Scalar());
    }
  }
  return ids;
}

SourceWriter::SourceWriter(std::filesystem::path dir, const YAML::Node& base)
    : dir_(std::move(dir)), declared_(TemplateCompetencies(base)) {}

Status SourceWriter::Add(const model::Item& item) {
  const std::vector<std::string> problems = model::ItemRuleProblems(item, declared_);
  if (!problems.empty()) {
    for (const std::string& p : problems) problems_.push_back("items/" + item.id + ".yaml: " + p);
    return Ok();
  }
  if (!written_.insert(item.id).second) {
    problems_.push_back("items/" + item.id + ".yaml: the item is written twice");
    return Ok();
  }
  if (!item.competency.empty()) used_.emplace(item.competency, item.id);
  return WritePlain(dir_ / "items" / (item.id + ".yaml"), ItemYaml(item));
}

Status SourceWriter::Finish(StagingDir& staging, const model::Exam& exam, const YAML::Node& base,
                            const std::string& header, const std::filesystem::path& roster) {
  LONTAR_TRY(WritePlain(dir_ / "exam.yaml", ExamYaml(exam, base, header)));
  if (!roster.empty()) {
    LONTAR_ASSIGN_OR_RETURN(Bytes text, ReadFile(roster, 64u << 20));
    LONTAR_TRY(WriteFileAtomic(dir_ / "roster.csv", text, 0644, Overwrite::kRefuse));
  }
  std::vector<std::string> problems = problems_;
  auto read = authoring::LoadExamFile(dir_);
  if (!read) {
    for (const authoring::Diagnostic& d : read.error()) problems.push_back(d.ToString());
  } else {
    // What LoadSource would find reading the items' files: each listed item has its file, each
    // file is listed, each competency an item names is declared.
    std::set<std::string> listed;
    for (const model::Section& s : read->sections) {
      for (const std::string& id : s.items) {
        listed.insert(id);
        if (!written_.contains(id)) {
          problems.push_back("exam.yaml: section '" + s.id + "' lists item '" + id +
                             "', which has no file items/" + id + ".yaml");
        }
      }
    }
    for (const std::string& id : written_) {
      if (!listed.contains(id)) {
        problems.push_back("items/" + id + ".yaml: this item is not listed in any section of " +
                           "exam.yaml");
      }
    }
    std::set<std::string> declared;
    for (const model::Competency& c : read->competencies) declared.insert(c.id);
    for (const auto& [c, item] : used_) {
      if (!declared.contains(c)) {
        problems.push_back("items/" + item + ".yaml: competency '" + c +
                           "' is not declared in exam.yaml");
      }
    }
    if (!roster.empty()) {
      std::vector<authoring::Diagnostic> out;
      authoring::LoadRoster(dir_, *read, out);
      for (const authoring::Diagnostic& d : out) problems.push_back(d.ToString());
    }
  }
  if (!problems.empty()) {
    std::string message = "the written source does not validate:";
    for (const std::string& p : problems) message += "\n  " + p;
    return std::unexpected(Error::InvalidArgument(message));
  }
  return staging.Publish();
}

Status PublishSource(StagingDir& staging, const model::Exam& exam, const YAML::Node& base,
                     const std::string& header, const std::filesystem::path& roster) {
  SourceWriter writer(staging.path(), base);
  for (const auto& [id, item] : exam.items) LONTAR_TRY(writer.Add(item));
  return writer.Finish(staging, exam, base, header, roster);
}

}  // namespace lontar::interop

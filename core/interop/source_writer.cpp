#include "core/interop/source_writer.hpp"

#include <fstream>

#include "core/authoring/source.hpp"
#include "core/util/fs.hpp"

namespace lontar::interop {
namespace {

using authoring::ItemType;

void EmitText(YAML::Emitter& out, const authoring::Text& t) {
  out << YAML::BeginMap;
  out << YAML::Key << "id" << YAML::Value << YAML::DoubleQuoted << t.id;
  out << YAML::Key << "en" << YAML::Value << YAML::DoubleQuoted << t.en;
  out << YAML::EndMap;
}

YAML::Node TextNode(const authoring::Text& t) {
  YAML::Node n;
  n["id"] = t.id;
  n["en"] = t.en;
  return n;
}

}  // namespace

std::string ItemYaml(const authoring::Item& item) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "id" << YAML::Value << item.id;
  out << YAML::Key << "type" << YAML::Value << authoring::ItemTypeName(item.type);
  if (!item.competency.empty()) out << YAML::Key << "competency" << YAML::Value << item.competency;
  out << YAML::Key << "stem" << YAML::Value;
  EmitText(out, item.stem);
  if (!item.media.empty()) {
    out << YAML::Key << "media" << YAML::Value << YAML::Flow << YAML::BeginSeq;
    for (const std::string& m : item.media) out << YAML::DoubleQuoted << m;
    out << YAML::EndSeq;
  }
  out << YAML::Key << "options" << YAML::Value << YAML::BeginSeq;
  for (const authoring::Option& o : item.options) {
    out << YAML::BeginMap << YAML::Key << "key" << YAML::Value << o.key;
    out << YAML::Key << "text" << YAML::Value;
    EmitText(out, o.text);
    if (item.type == ItemType::kWeighted || item.type == ItemType::kLikert) {
      out << YAML::Key << "weight" << YAML::Value << o.weight;
    } else if (o.correct) {
      out << YAML::Key << "correct" << YAML::Value << true;
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  if (item.type == ItemType::kSingle || item.type == ItemType::kMultiple) {
    out << YAML::Key << "points" << YAML::Value << YAML::Flow << YAML::BeginMap << YAML::Key
        << "correct" << YAML::Value << item.points_correct << YAML::Key << "wrong" << YAML::Value
        << item.points_wrong << YAML::EndMap;
  }
  if (item.type == ItemType::kMultiple && item.partial) {
    out << YAML::Key << "partial" << YAML::Value << "proportional";
  }
  if (item.reverse) out << YAML::Key << "reverse" << YAML::Value << true;
  out << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

std::string ExamYaml(const authoring::Exam& exam, const YAML::Node& base,
                     const std::string& header) {
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
  const YAML::Node old_sections = y["sections"];
  YAML::Node sections(YAML::NodeType::Sequence);
  for (const authoring::Section& s : exam.sections) {
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
    YAML::Node items(YAML::NodeType::Sequence);
    for (const std::string& id : s.items) items.push_back(id);
    n["items"] = items;
    sections.push_back(n);
  }
  y["sections"] = sections;
  YAML::Emitter out;
  out << y;
  std::string text;
  std::size_t start = 0;
  while (start < header.size()) {
    const std::size_t end = std::min(header.find('\n', start), header.size());
    text += "# " + header.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return text + out.c_str() + "\n";
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

Status WriteSourceFiles(const std::filesystem::path& dir, const authoring::Exam& exam,
                        const YAML::Node& base, const std::string& header) {
  for (const auto& [id, item] : exam.items) {
    LONTAR_TRY(WritePlain(dir / "items" / (id + ".yaml"), ItemYaml(item)));
  }
  return WritePlain(dir / "exam.yaml", ExamYaml(exam, base, header));
}

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
  return y;
}

Status ValidateSource(const std::filesystem::path& dir, bool ignore_roster) {
  auto source = authoring::LoadSource(dir);
  if (source) return Ok();
  std::string message;
  for (const authoring::Diagnostic& d : source.error()) {
    if (ignore_roster && d.file == "roster.csv") continue;
    message += "\n  " + d.ToString();
  }
  if (message.empty()) return Ok();
  return std::unexpected(Error::InvalidArgument("the written source does not validate:" + message));
}

}  // namespace lontar::interop

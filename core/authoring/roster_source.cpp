// Reading an authoring directory's roster.csv (docs/authoring.md), for LoadSource.
#include "core/authoring/roster_source.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <set>

namespace lontar::authoring {

// The exam model (core/model) by its short names.
using model::Exam;
using model::FindPassRule;
using model::ParseExtraTime;
using model::ParseTextSize;
using model::ParseYesNo;
using model::Participant;
using model::Position;

namespace {

// Splits one CSV line; fields may be double-quoted (with "" for a quote).
std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

// The optional columns a roster may carry between position and pin_hash, in any order.
constexpr std::array<std::string_view, 5> kOptionalColumns = {"group", "extra_time", "text_size",
                                                              "high_contrast", "read_aloud"};

// The optional column names of the header line, or why it is not a roster header.
Result<std::vector<std::string>> ReadHeader(const std::string& line) {
  const std::vector<std::string> names = SplitCsv(line);
  const auto bad = [](const std::string& why) {
    return std::unexpected(Error::InvalidArgument(
        why +
        ": the first line must be participant,name,position, then any of group, "
        "extra_time, text_size, high_contrast, read_aloud, then pin_hash last"));
  };
  if (names.size() < 4 || names[0] != "participant" || names[1] != "name" ||
      names[2] != "position" || names.back() != "pin_hash") {
    return bad("'" + line + "' is not a roster header");
  }
  std::vector<std::string> optional(names.begin() + 3, names.end() - 1);
  std::set<std::string> unique;
  for (const std::string& name : optional) {
    if (std::find(kOptionalColumns.begin(), kOptionalColumns.end(), name) ==
        kOptionalColumns.end()) {
      return bad("unknown column '" + name + "'");
    }
    if (!unique.insert(name).second) return bad("column '" + name + "' appears twice");
  }
  return optional;
}

// Stores one optional cell of participant `p`; the message names the column.
Status ReadOptional(const std::string& column, const std::string& cell, Participant& p) {
  if (column == "group") {
    p.group = cell;
    return Ok();
  }
  if (column == "extra_time") return ParseExtraTime(cell, p.accommodations);
  if (column == "text_size") return ParseTextSize(cell, p.accommodations);
  auto yes = ParseYesNo(cell);
  if (!yes) return std::unexpected(Error::InvalidArgument(column + " " + yes.error().message()));
  (column == "high_contrast" ? p.accommodations.high_contrast : p.accommodations.read_aloud) = *yes;
  return Ok();
}

}  // namespace

void LoadRoster(const std::filesystem::path& dir, Exam& exam, std::vector<Diagnostic>& out) {
  const std::filesystem::path path = dir / "roster.csv";
  std::ifstream in(path);
  if (!in) {
    out.push_back({"roster.csv", 0, "missing: the roster of participants (see docs/authoring.md)"});
    return;
  }
  std::set<std::string> positions;
  for (const Position& p : exam.positions) positions.insert(p.id);
  std::set<std::string> seen;
  std::string line;
  int n = 0;
  // The optional columns come between position and pin_hash, which stays last because Argon2id
  // strings contain commas ("m=65536,t=2,p=1"): the hash is the rest of the line.
  std::vector<std::string> optional;  // the header's optional column names, in its order
  std::size_t columns = 4;
  while (std::getline(in, line)) {
    ++n;
    if (n == 1) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      auto header = ReadHeader(line);
      if (!header) {
        out.push_back({"roster.csv", 1, header.error().message()});
        return;
      }
      optional = std::move(*header);
      columns = optional.size() + 4;
      continue;
    }
    if (line.empty() || line == "\r") continue;
    auto f = SplitCsv(line);
    while (f.size() > columns) {
      f[columns - 1] += "," + f[columns];
      f.erase(f.begin() + static_cast<std::ptrdiff_t>(columns));
    }
    if (f.size() != columns) {
      out.push_back(
          {"roster.csv", n,
           "expected " + std::to_string(columns) + " fields, found " + std::to_string(f.size())});
      continue;
    }
    Participant p{f[0], f[1], f[2], f[columns - 1], ""};
    for (std::size_t c = 0; c < optional.size(); ++c) {
      if (auto ok = ReadOptional(optional[c], f[3 + c], p); !ok) {
        out.push_back({"roster.csv", n, "participant " + p.number + ": " + ok.error().message()});
      }
    }
    if (!p.group.empty() && FindPassRule(exam, p.group) == nullptr) {
      out.push_back({"roster.csv", n,
                     "participant " + p.number + ": group '" + p.group +
                         "' is not declared under pass_rules in exam.yaml"});
    }
    if (p.number.empty() || p.number.size() > 32) {
      out.push_back({"roster.csv", n, "participant number is empty or longer than 32"});
    } else if (!seen.insert(p.number).second) {
      out.push_back({"roster.csv", n, "participant " + p.number + " is listed twice"});
    }
    if (!p.pin_hash.starts_with("$argon2id$")) {
      out.push_back({"roster.csv", n,
                     "participant " + p.number +
                         ": pin_hash is not an Argon2id hash (never put a PIN "
                         "itself in the roster; use `lontar roster hash-pin`)"});
    }
    if (!p.position.empty() && !positions.contains(p.position)) {
      out.push_back({"roster.csv", n,
                     "participant " + p.number + ": position '" + p.position +
                         "' is not declared in exam.yaml"});
    }
    exam.roster.push_back(std::move(p));
    if (exam.roster.size() > kMaxParticipants) {
      out.push_back({"roster.csv", n, "more than 100,000 participants"});
      return;
    }
  }
  if (exam.roster.empty()) out.push_back({"roster.csv", 0, "the roster lists no participants"});
}

}  // namespace lontar::authoring

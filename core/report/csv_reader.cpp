// The CSV grammar this reads is described in csv_reader.hpp.
#include "core/report/csv_reader.hpp"

#include <set>

namespace lontar::report {
namespace {

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

// ',' unless the first line has no ',' outside quotes but has a ';' there.
char DetectSeparator(std::string_view text) {
  bool quoted = false, comma = false, semicolon = false;
  for (char c : text) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    if (c == '\n' || c == '\r') break;
    comma = comma || c == ',';
    semicolon = semicolon || c == ';';
  }
  return (!comma && semicolon) ? ';' : ',';
}

class Parser {
 public:
  Parser(std::string_view text, const CsvTable& table)
      : text_(text), table_(table), sep_(table.separator) {}

  bool AtEnd() const { return pos_ >= text_.size(); }
  int line() const { return line_; }

  // Skips empty lines; returns false at the end of the text.
  bool SkipEmptyLines() {
    while (!AtEnd() && (text_[pos_] == '\n' || text_[pos_] == '\r')) ConsumeEol();
    return !AtEnd();
  }

  // Reads one record starting at pos_ (not at the end), consuming its end of line.
  Result<CsvRecord> Record() {
    CsvRecord rec;
    rec.line = line_;
    rec.fields.emplace_back();
    while (true) {
      if (AtEnd()) return rec;
      const char c = text_[pos_];
      if (c == '\n' || c == '\r') {
        ConsumeEol();
        return rec;
      }
      if (c == sep_) {
        ++pos_;
        if (rec.fields.size() >= kMaxCsvFields) {
          return Fail(rec.line, "more than " + std::to_string(kMaxCsvFields) + " fields");
        }
        rec.fields.emplace_back();
        continue;
      }
      if (c == '"') {
        if (!rec.fields.back().empty()) {
          return Fail(line_,
                      "a '\"' inside an unquoted field (quote the whole field and double "
                      "the quotes inside it)");
        }
        LONTAR_TRY(Quoted(rec.fields.back()));
        continue;
      }
      rec.fields.back() += c;
      ++pos_;
      if (rec.fields.back().size() > kMaxCsvFieldBytes) return FieldTooLong(rec.line);
    }
  }

 private:
  void ConsumeEol() {
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }

  // pos_ is at an opening quote: reads to the closing one, which must be followed by a
  // separator, an end of line or the end of the text.
  Status Quoted(std::string& field) {
    const int opened = line_;
    ++pos_;
    while (true) {
      if (AtEnd()) {
        return Fail(opened, "a quoted field opened here is never closed (the file may be cut off)");
      }
      const char c = text_[pos_];
      if (c == '"') {
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
          field += '"';
          pos_ += 2;
        } else {
          ++pos_;
          break;
        }
      } else {
        if (c == '\n' || (c == '\r' && !(pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n'))) {
          ++line_;
        }
        field += c;
        ++pos_;
      }
      if (field.size() > kMaxCsvFieldBytes) return FieldTooLong(opened);
    }
    if (!AtEnd() && text_[pos_] != sep_ && text_[pos_] != '\n' && text_[pos_] != '\r') {
      return Fail(line_, "text after the closing '\"' of a quoted field");
    }
    return Ok();
  }

  std::unexpected<Error> Fail(int line, const std::string& what) const {
    return std::unexpected(Error::Malformed(table_.Where(line) + ": " + what));
  }
  std::unexpected<Error> FieldTooLong(int line) const {
    return Fail(line, "a field longer than " + std::to_string(kMaxCsvFieldBytes) + " bytes");
  }

  std::string_view text_;
  const CsvTable& table_;
  char sep_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

}  // namespace

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::size_t> CsvTable::Column(std::string_view name) const {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (EqualsIgnoreCase(header[i], name)) return i;
  }
  return std::nullopt;
}

std::string CsvTable::Where(int line) const { return file + ":" + std::to_string(line); }

Result<CsvTable> ParseCsv(std::string_view text, std::string_view file) {
  CsvTable table;
  table.file = std::string(file);
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  table.separator = DetectSeparator(text);
  Parser parser(text, table);
  if (!parser.SkipEmptyLines()) {
    return std::unexpected(
        Error::Malformed(table.file + ": the file is empty (expected a header line first)"));
  }
  LONTAR_ASSIGN_OR_RETURN(CsvRecord header, parser.Record());
  std::set<std::string> seen;
  for (const auto& h : header.fields) {
    std::string name(TrimBlanks(h));
    std::string lower;
    for (char c : name) lower += AsciiLower(c);
    if (!lower.empty() && !seen.insert(lower).second) {
      return std::unexpected(Error::Malformed(table.Where(header.line) +
                                              ": the header names column '" + name + "' twice"));
    }
    table.header.push_back(std::move(name));
  }
  while (parser.SkipEmptyLines()) {
    LONTAR_ASSIGN_OR_RETURN(CsvRecord rec, parser.Record());
    if (rec.fields.size() != table.header.size()) {
      return std::unexpected(
          Error::Malformed(table.Where(rec.line) + ": " + std::to_string(rec.fields.size()) +
                           " fields, but the header (line " + std::to_string(header.line) +
                           ") has " + std::to_string(table.header.size())));
    }
    table.records.push_back(std::move(rec));
  }
  return table;
}

}  // namespace lontar::report

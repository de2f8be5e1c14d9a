#include "core/util/csv_field.hpp"

namespace lontar {
namespace {

// The characters that make a spreadsheet read a cell as a formula (OWASP's list).
bool StartsFormula(char c) {
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// [+-] digits [. digits] [(e|E) [+-] digits]: what Lontar's numbers look like ("%g", "%.10g").
bool IsPlainNumber(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    const std::size_t from = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    return i > from;
  };
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (!digits()) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

// Whether `s` is apostrophes (any number, maybe none) followed by a formula character.
bool ApostrophesThenFormula(std::string_view s) {
  const std::size_t k = s.find_first_not_of('\'');
  return k != std::string_view::npos && StartsFormula(s[k]);
}

}  // namespace

std::string CsvField(std::string_view s) {
  std::string text;
  if (ApostrophesThenFormula(s) && !IsPlainNumber(s)) text = "'";
  text += s;
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string CsvFieldValue(std::string_view field) {
  if (!field.empty() && field[0] == '\'' && ApostrophesThenFormula(field)) {
    return std::string(field.substr(1));
  }
  return std::string(field);
}

}  // namespace lontar

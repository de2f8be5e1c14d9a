// CsvField (core/util/csv_field.hpp): quoting, and the apostrophe before a text a spreadsheet
// would run as a formula (CSV injection), which CsvFieldValue takes off again.
#include "core/util/csv_field.hpp"

#include <gtest/gtest.h>

namespace lontar {
namespace {

TEST(CsvField, QuotesWhatRfc4180Requires) {
  EXPECT_EQ(CsvField("Ayu Lestari"), "Ayu Lestari");
  EXPECT_EQ(CsvField("Baso, Daeng"), "\"Baso, Daeng\"");
  EXPECT_EQ(CsvField("a \"b\""), "\"a \"\"b\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField(""), "");
}

TEST(CsvField, FormulaTextGetsAnApostropheNumbersDoNot) {
  struct Case {
    const char* in;
    const char* out;
  };
  // Each formula character; then the same characters as plain numbers, left alone; then texts
  // that begin like a number but are not one.
  const Case cases[] = {
      {"=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""},
      {"+62 811", "'+62 811"},
      {"-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"},
      {"@SUM(A1)", "'@SUM(A1)"},
      {"\tx", "'\tx"},
      {"\rx", "\"'\rx\""},
      {"-", "'-"},
      {"-0.25", "-0.25"},
      {"+3", "+3"},
      {"-12", "-12"},
      {"1e-3", "1e-3"},
      {"-2.5E+4", "-2.5E+4"},
      {"-1+2", "'-1+2"},
      {"-.5", "'-.5"},
      {"-3.", "'-3."},
      {"a=b", "a=b"},
      {"'=x", "''=x"},  // so that reading back gives "'=x", not "=x"
      {"'text", "'text"},
  };
  for (const Case& c : cases) EXPECT_EQ(CsvField(c.in), c.out) << c.in;
}

TEST(CsvField, ValueUndoesTheApostropheExactly) {
  // CsvFieldValue reads a field after the CSV reader has unquoted it.
  for (const char* text : {"=1+1", "+62", "-x", "@a", "'=x", "''@y", "'plain", "-0.25", "plain"}) {
    std::string written = CsvField(text);
    if (written.front() == '"') written = written.substr(1, written.size() - 2);
    EXPECT_EQ(CsvFieldValue(written), text) << text;
  }
  EXPECT_EQ(CsvFieldValue("'-5"), "-5");  // a spreadsheet user's own escape is read the same way
  EXPECT_EQ(CsvFieldValue("'"), "'");
}

}  // namespace
}  // namespace lontar

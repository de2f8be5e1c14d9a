// Writing CSV (RFC 4180) fields: the one quoting rule every CSV Lontar writes follows, and the one
// defence against a cell becoming a formula when the file is opened in a spreadsheet.
#pragma once

#include <string>
#include <string_view>

namespace lontar {

// `s` as one CSV field, safe to open in a spreadsheet:
//   - Formula neutralising (CSV injection): a spreadsheet runs a cell that starts with '=', '+',
//     '-' or '@' (and some a tab or a CR) as a formula, so a participant named
//     "=HYPERLINK(...)" in a roster would act when an operator opens the results. Such a text
//     gets one leading apostrophe ("'=HYPERLINK(...)"), which spreadsheets show as text and do
//     not print. Plain numbers ("-0.25", "+3", "1e-3": sign, digits, optional fraction and
//     exponent) are left as they are: a spreadsheet reads them as the numbers they are. So that
//     CsvFieldValue can undo it exactly, a text of apostrophes followed by one of those
//     characters also gets one more apostrophe ("'=x" is written "''=x").
//   - Quoting: as it is when it holds no comma, quote, CR or LF; otherwise in double quotes with
//     each quote doubled.
// Pure.
std::string CsvField(std::string_view s);

// The text a field (already unquoted by a CSV reader) held before CsvField: one leading
// apostrophe dropped when the apostrophes are followed by '=', '+', '-', '@', a tab or a CR.
// Any other field is returned as it is. For readers of CSVs Lontar wrote (cohort.csv read back by
// `results ninebox`). Pure.
std::string CsvFieldValue(std::string_view field);

}  // namespace lontar

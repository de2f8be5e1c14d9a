// `lontar items import-csv`: items from a spreadsheet, one row per item, to Lontar's authoring
// source. The template is assets/templates/items.csv; docs/import.md explains each column.
//
// Columns, matched by header name in any order (ASCII case-insensitive):
//   section     required  section id (a-z 0-9 -); sections follow their first row's order
//   id          required  item id (a-z 0-9 -), unique
//   type        required  single | multiple | weighted | likert
//   competency  optional  a competency declared in the exam template
//   stem_id, stem_en      required  the question in Bahasa Indonesia and English
//   a_id, a_en ... f_id, f_en       options A..F; A and B required, the rest may stay empty,
//                                   but without gaps (no D after an empty C)
//   key         single: one letter ("B"); multiple: letters ("A C" or "A,C")
//   weights     weighted, likert: one weight 1..5 per option in order ("5 4 3 2 1")
//   points      optional  single, multiple: "5" or "5/-1" (right/wrong); default 5/0
//   partial     optional  multiple: "proportional" for partial credit
//   reverse     optional  likert: ya / yes / true / 1
//   media       optional  image files (PNG or JPEG) beside the CSV, separated by spaces
// The file may have a UTF-8 BOM, ',' or ';' separators, quoted fields with line breaks and CRLF
// line ends (core/report/csv_reader.hpp reads it). Rows are numbered as a spreadsheet shows them:
// the header is row 1. Every problem is reported as "FILE:ROW:COLUMN: message" (COLUMN is the
// 1-based column number; the message names the column), all at once, and nothing is written when
// there is any.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "core/interop/items_csv_reader.hpp"
#include "core/util/error.hpp"

namespace lontar::interop {

struct CsvImportOptions {
  std::filesystem::path exam_template;  // exam.yaml giving metadata and competencies
  std::filesystem::path roster;         // copied to roster.csv when given
};

struct CsvImportReport {
  std::size_t items = 0;
  std::size_t sections = 0;
  std::size_t media = 0;
  std::vector<std::string> notes;
};

// Imports `csv` into the new directory `out` (written beside it, then renamed; `out` does not
// exist after a failure). Fails with kAlreadyExists when `out` exists and kInvalidArgument listing
// every problem. Reads the CSV, its media and the template; writes only beside and into `out`.
[[nodiscard]] Result<CsvImportReport> ImportItemsCsv(const std::filesystem::path& csv,
                                                     const std::filesystem::path& out,
                                                     const CsvImportOptions& options);

}  // namespace lontar::interop

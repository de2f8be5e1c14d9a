// The reading half of `lontar items import-csv` (items_csv.hpp): the spreadsheet's rows to the
// exam model's items and sections, checked, with every problem as "FILE:ROW:COLUMN: message".
// Kept apart from the importer, which writes YAML through yaml-cpp, so that it builds wherever the
// model does (the libFuzzer build, tests/fuzz/libfuzzer, links no C++ library but libc++). The
// columns and what the file may hold are described in items_csv.hpp.
#pragma once

#include <expected>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/exam.hpp"

namespace lontar::interop {

// The items of `text` (the CSV named `file` in messages), checked against the rules of
// docs/authoring.md; `competencies` are those the exam declares, `media_dir` is where media
// files are looked for (nullopt: media are not checked on disk). Returns the items by id and
// the sections in order, or every problem as "FILE:ROW:COLUMN: message". Pure unless media_dir
// is given (then it reads the media files' heads).
struct CsvItems {
  std::vector<model::Section> sections;
  std::map<std::string, model::Item> items;
  std::map<std::string, std::filesystem::path> media;  // "media/x.png" -> file
};
[[nodiscard]] std::expected<CsvItems, std::vector<std::string>> ReadItemsCsv(
    std::string_view text, const std::string& file, const std::vector<std::string>& competencies,
    const std::filesystem::path* media_dir);

}  // namespace lontar::interop

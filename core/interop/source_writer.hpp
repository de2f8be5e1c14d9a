// Writes Lontar's authoring source (docs/authoring.md) from items read elsewhere (a QTI package,
// a spreadsheet), so that `lontar pack build` and its validation take them as they take
// hand-written YAML. Strings are emitted double-quoted by yaml-cpp, so any text survives.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/interop/staging_dir.hpp"
#include "core/model/exam.hpp"
#include "core/util/error.hpp"

namespace lontar::interop {

// items/ID.yaml for `item`. Pure.
std::string ItemYaml(const model::Item& item);

// exam.yaml: `base` (a template's mapping, or an empty node) with `sections` replaced by
// `exam.sections`, written last (a template section with the same id keeps its other fields; its
// items are replaced) and, where `base` lacks them, the exam's id, title, instructions,
// duration, shuffle and format. `header` is written as a comment on top. With `probe`, each
// section lists one made-up id ("probe-1", ...) and a blank line stands for each of its other
// items, so that the text reads back as the real one does, line for line, without its ids
// (SourceWriter::Finish). Pure.
std::string ExamYaml(const model::Exam& exam, const YAML::Node& base, const std::string& header,
                     bool probe = false);

// Loads a template exam.yaml (`file` for messages), without its sections' item lists (an import
// writes its own). Fails with kMalformed "FILE:LINE: ..." for a YAML syntax error or a document
// that is not a mapping. Pure.
[[nodiscard]] Result<YAML::Node> ParseExamTemplate(const std::string& text,
                                                   const std::string& file);

// The competency ids a template declares (its `competencies` entries with a scalar `id`). Pure.
// (`base` by value: yaml-cpp's const operator[] throws for a key a mapping lacks.)
std::set<std::string> TemplateCompetencies(YAML::Node base);

// Writes an authoring source into a staging directory one item at a time, so that an import
// holds the item it is writing, not the exam. The guarantee is the one reading the written source
// back with LoadSource would give (what `pack build` reads builds), without reading it back:
//   - each item is checked against the model's rules (core/model/item_rules.hpp, LoadSource's
//     item rules with its messages) before its file is written; ItemYaml's output reads back as
//     the same item (tests/unit/qti_validation_test.cpp), so the file passes LoadSource's checks;
//   - media files are the importer's to check as it copies them (exists, <= 10 MB, PNG/JPEG);
//   - Finish reads exam.yaml back as LoadSource would (LoadExamFile, with its words and lines),
//     but without its sections' item ids (ExamYaml's probe: 10,000 ids as yaml-cpp nodes were
//     megabytes, an import's peak), and checks those ids itself as LoadSource would: each listed
//     once, each written, each written listed, at most 10,000; then that every competency the
//     items name is declared, and reads the roster (LoadRoster) when there is one.
// What it keeps per item: its id (a std::map node, about 80 bytes an item).
class SourceWriter {
 public:
  // Writes into `dir` (a StagingDir's path, with items/ made); items may name the competencies
  // of `base` (TemplateCompetencies).
  SourceWriter(std::filesystem::path dir, const YAML::Node& base);

  // Checks `item` and writes items/ID.yaml. An item that breaks a rule is not written and each
  // problem is kept ("items/ID.yaml: message") for Finish to report; fails only when the file
  // cannot be written. Touches disk.
  [[nodiscard]] Status Add(const model::Item& item);
  // Whether an item broke a rule so far.
  bool failed() const { return !problems_.empty(); }
  // Whether the item `id` was written.
  bool written(const std::string& id) const { return written_.contains(id); }

  // Writes exam.yaml (ExamYaml: `exam`'s items are not looked at), copies `roster` in as
  // roster.csv unless it is empty, checks as said above and publishes `staging` (whose path is
  // the writer's directory). Fails with kInvalidArgument "the written source does not validate:"
  // and every problem, one a line, and publishes nothing. Touches disk.
  [[nodiscard]] Status Finish(StagingDir& staging, const model::Exam& exam, const YAML::Node& base,
                              const std::string& header, const std::filesystem::path& roster);

 private:
  std::filesystem::path dir_;
  std::set<std::string> declared_;           // competencies the template declares
  std::map<std::string, bool> written_;      // item ids -> listed by exam.yaml (in Finish)
  std::map<std::string, std::string> used_;  // competency the items name -> the first to
  std::vector<std::string> problems_;
};

// The end of an import that has the whole exam in memory (a spreadsheet): every item of
// `exam.items` through a SourceWriter into `staging` (media already copied there), then Finish.
// Touches disk.
[[nodiscard]] Status PublishSource(StagingDir& staging, const model::Exam& exam,
                                   const YAML::Node& base, const std::string& header,
                                   const std::filesystem::path& roster);

}  // namespace lontar::interop

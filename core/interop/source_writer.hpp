// Writes Lontar's authoring source (docs/authoring.md) from items read elsewhere (a QTI package,
// a spreadsheet), so that `lontar pack build` and its validation take them as they take
// hand-written YAML. Strings are emitted double-quoted by yaml-cpp, so any text survives.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/interop/staging_dir.hpp"
#include "core/model/exam.hpp"
#include "core/util/error.hpp"

namespace lontar::interop {

// items/ID.yaml for `item`. Pure.
std::string ItemYaml(const authoring::Item& item);

// exam.yaml: `base` (a template's mapping, or an empty node) with `sections` replaced by
// `exam.sections` (a template section with the same id keeps its other fields; its items are
// replaced) and, where `base` lacks them, the exam's id, title, instructions, duration, shuffle
// and format. `header` is written as a comment on top. Pure.
std::string ExamYaml(const authoring::Exam& exam, const YAML::Node& base,
                     const std::string& header);

// Writes exam.yaml and every item of `exam.items` under `dir`/items (which must exist).
// Touches disk.
[[nodiscard]] Status WriteSourceFiles(const std::filesystem::path& dir, const authoring::Exam& exam,
                                      const YAML::Node& base, const std::string& header);

// Loads a template exam.yaml (`file` for messages). Fails with kMalformed "FILE:LINE: ..." for a
// YAML syntax error or a document that is not a mapping. Pure.
[[nodiscard]] Result<YAML::Node> ParseExamTemplate(const std::string& text,
                                                   const std::string& file);

// Reads the authoring source `dir` as LoadSource does, and turns its problems into one error
// listing every "FILE:LINE: message" (those about roster.csv left out when `ignore_roster`).
// Reads disk.
[[nodiscard]] Status ValidateSource(const std::filesystem::path& dir, bool ignore_roster);

// The end of every import into `staging` (media already copied there): writes the source
// (WriteSourceFiles), copies `roster` in as roster.csv unless it is empty, validates the whole
// source (ValidateSource, ignoring the roster when there is none) and publishes it. Nothing is
// published when a step fails. Touches disk.
[[nodiscard]] Status PublishSource(StagingDir& staging, const authoring::Exam& exam,
                                   const YAML::Node& base, const std::string& header,
                                   const std::filesystem::path& roster);

}  // namespace lontar::interop

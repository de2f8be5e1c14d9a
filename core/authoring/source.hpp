// Reads and validates an authoring directory (format: docs/authoring.md). Every problem is
// reported, each with its file and line, like a compiler: "items/tiu-07.yaml:12: option C has
// weight 7; allowed 1..5".
#pragma once

#include <expected>
#include <filesystem>
#include <string>
#include <vector>

#include "core/model/exam.hpp"

namespace lontar::authoring {

struct Diagnostic {
  std::string file;  // relative to the source directory
  int line = 0;      // 1-based; 0 when the problem is the file as a whole
  std::string message;
  std::string ToString() const;
};

struct MediaFile {
  std::string name;  // "media/x.png", as items reference it
  std::filesystem::path path;
  std::uint64_t bytes = 0;
};

struct Source {
  model::Exam exam;
  std::vector<MediaFile> media;
};

inline constexpr std::size_t kMaxTextChars = 8000;
inline constexpr std::uint64_t kMaxMediaBytes = 10ull << 20;
inline constexpr std::size_t kMaxItems = 10000;
inline constexpr std::size_t kMaxParticipants = 100000;

// Loads `dir`. Returns the exam, or every problem found (never just the first). Reads disk.
[[nodiscard]] std::expected<Source, std::vector<Diagnostic>> LoadSource(
    const std::filesystem::path& dir);

// exam.yaml of `dir` alone, checked as LoadSource checks it, with the items its sections list
// (ids a-z 0-9 -, each listed once, at most kMaxItems) but neither the items' files nor the
// roster: for an importer that has checked each item as it wrote it (core/model/item_rules.hpp).
// The exam it returns has no items and no roster. Reads dir/exam.yaml.
[[nodiscard]] std::expected<model::Exam, std::vector<Diagnostic>> LoadExamFile(
    const std::filesystem::path& dir);

}  // namespace lontar::authoring

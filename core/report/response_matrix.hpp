// A compact response matrix for item analysis: what every candidate chose on every item, held in
// one byte per candidate per item so that a province's cohort (18,000 candidates x 435 items is
// 7.8 MB of choices) fits in memory while the results are streamed in, one opened bundle at a time.
//
// Layout (all in memory, nothing on disk):
//   items      in exam order: the sections in their order, each section's items in its order.
//              Items of the exam that no section lists are not in the matrix (scoring ignores
//              them too).
//   choices    row-major, one row per candidate in the order added, one ChoiceSet per item:
//              bit k set = the item's option k (A = bit 0, B = bit 1, ...) was chosen; 0 = blank.
//              Authoring allows at most 6 options, so a byte holds every choice.
//   scores     not stored: each item keeps a 64-entry table, built once with scoring::ScoreItem
//              for every possible choice set, and score(c, i) looks the choice up in it. The
//              figures are therefore the scorer's own, penalties and partial credit included.
//   participants  one string pool plus an offset per candidate.
//
// A candidate is added whole or not at all: an answer the exam cannot score (unknown item or
// option, several options on a one-answer item) is rejected before anything is appended. The
// matrix does not deduplicate participants: deciding which of two bundles counts is the caller's.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/model/exam.hpp"
#include "core/scoring/score.hpp"
#include "core/util/error.hpp"

namespace lontar::report {

// Bit k = option k of the item (A = bit 0). 0 = blank.
using ChoiceSet = std::uint8_t;
inline constexpr std::size_t kMaxOptions = 6;
inline constexpr std::size_t kChoiceSets = std::size_t{1} << kMaxOptions;

// One item as the analysis needs it: copied out of the exam, so the matrix outlives it.
struct MatrixItem {
  std::string id;
  std::string section;
  std::size_t section_index = 0;  // into ResponseMatrix::sections()
  std::string competency;         // empty when none
  model::ItemType type = model::ItemType::kSingle;
  std::vector<std::string> option_keys;  // "A", "B", ... in the item's order
  // Options that are not the key: for single and multiple items the options not marked correct;
  // for weighted and Likert items those whose choice alone scores less than the maximum.
  std::vector<bool> distractor;
  double max_score = 0;  // scoring::MaxScore
  // Scored right/wrong: single items, and multiple items without partial credit. The others
  // (weighted, Likert, multiple with partial credit) are polytomous.
  bool dichotomous = false;
  std::array<double, kChoiceSets> score{};  // per choice set; 0 where not allowed
  std::array<bool, kChoiceSets> allowed{};  // choice sets the item can be answered with
  std::array<bool, kChoiceSets> correct{};  // non-blank and scoring max_score (dichotomous)
};

struct MatrixSection {
  std::string id;
  std::size_t first_item = 0;  // items [first_item, first_item + item_count) of the matrix
  std::size_t item_count = 0;
};

class ResponseMatrix {
 public:
  // The empty matrix for `exam`: items, sections and score tables. kInvalidArgument when a
  // section lists an item the exam does not have, an item is listed twice, or an item has more
  // than 6 options (authoring never produces these; a hand-edited exam.json could). Pure.
  [[nodiscard]] static Result<ResponseMatrix> ForExam(const model::Exam& exam);

  // Appends one candidate. `answers` is what scoring::Score takes: item id -> chosen keys, an
  // absent or empty entry being blank. kInvalidArgument, naming the participant and item, for an
  // item the exam does not have, an option the item does not have, or several options on an
  // item that takes one; the matrix is then unchanged. Pure (memory only).
  [[nodiscard]] Status AddCandidate(std::string_view participant, const scoring::Answers& answers);

  // Appends a candidate's row of choice sets directly (one per item, in matrix order), as a
  // benchmark or a reader of a per-item responses file would. Same checks and guarantees.
  [[nodiscard]] Status AddRow(std::string_view participant, const std::vector<ChoiceSet>& row);

  // Reserves room for `candidates` rows, so that streaming a known cohort does not reallocate.
  void Reserve(std::size_t candidates);

  std::size_t candidate_count() const { return offsets_.size(); }
  std::size_t item_count() const { return items_.size(); }
  const std::vector<MatrixItem>& items() const { return items_; }
  const std::vector<MatrixSection>& sections() const { return sections_; }

  // Valid for candidate < candidate_count(), item < item_count() (asserted, not checked).
  std::string_view participant(std::size_t candidate) const;
  ChoiceSet choice(std::size_t candidate, std::size_t item) const {
    return choices_[candidate * items_.size() + item];
  }
  double score(std::size_t candidate, std::size_t item) const {
    return items_[item].score[choice(candidate, item)];
  }
  // One candidate's row: item_count() choice sets.
  const ChoiceSet* row(std::size_t candidate) const {
    return choices_.data() + candidate * items_.size();
  }

  // Heap bytes the matrix holds (choices, participant pool and offsets, item tables), by
  // capacity: what the process pays for it.
  std::size_t bytes() const;

 private:
  std::vector<MatrixItem> items_;
  std::vector<MatrixSection> sections_;
  // Item id -> index into items_, or kUnsectioned for an exam item no section lists.
  std::unordered_map<std::string, std::size_t> index_;
  std::vector<ChoiceSet> choices_;
  std::string participants_;            // concatenated
  std::vector<std::uint32_t> offsets_;  // end of each candidate's number in participants_
};

}  // namespace lontar::report

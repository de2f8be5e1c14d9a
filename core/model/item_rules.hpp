// The rules an item obeys, in one place, checked on values of the model: LoadSource
// (core/authoring/source.cpp) reads items/ID.yaml and asks each rule of the value it has just
// read, reporting the answer at that value's line; an importer that builds items in memory
// (core/interop) asks them all at once of the whole item (ItemRuleProblems) before writing it.
// Either way the words are the same, and a new rule written here reaches both.
// tests/unit/qti_validation_test.cpp holds each rule to what LoadSource says of the file the
// writer makes of an item that breaks it.
//
// Each rule returns its message without file or line ("option C has weight 7; allowed 1..5"), or
// nullopt when the value obeys it. Not checked here (they need more than the item): that a media
// file exists, is at most 10 MB and is a PNG or JPEG (LoadSource and the importer check each file
// on disk), that the item's id is listed in exactly one section (exam.yaml's checks), and the
// shape of the YAML (a missing field, a list where a text belongs), which is LoadSource's.
#pragma once

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/exam.hpp"

namespace lontar::model {

// A text field (`key` as the file names it: "en", "key", "competency") of at most 8000 bytes
// (core/authoring/source.hpp's kMaxTextChars): "'en' is longer than 8000 characters". Every text
// of a source obeys it, not only items'.
std::optional<std::string> TextTooLong(std::string_view value, std::string_view key);
// Either language of a bilingual text (`key`: "stem", "text", "title") is not empty: "'stem' has
// an empty Bahasa Indonesia text" (`english` false) or "... English text".
std::optional<std::string> TextEmpty(std::string_view value, std::string_view key, bool english);
// The item's id, used as its file name items/ID.yaml: a-z 0-9 -, 1 to 64 characters.
std::optional<std::string> ItemIdProblem(std::string_view id);
// A competency the item names is one exam.yaml declares (`declared`).
std::optional<std::string> CompetencyProblem(std::string_view competency,
                                             const std::set<std::string>& declared);
// A media reference names a file under media/ and never climbs out of it.
std::optional<std::string> MediaNameProblem(std::string_view name);
// 2 to 6 options.
std::optional<std::string> OptionCountProblem(std::size_t options);
// Option number `k` (0-based) has the key A, B, ... in order.
std::optional<std::string> OptionKeyProblem(std::size_t k, std::string_view key);
// Option number `k` of a weighted or Likert item has a weight 1..5; a weighted item's weights
// differ (`seen`: the weights of the options before it, to which this one's is added).
std::optional<std::string> OptionWeightProblem(ItemType type, std::size_t k, long weight,
                                               std::set<long>& seen);
// A single-answer item has exactly one correct option, a multiple-response item at least one
// (`correct`: how many are marked correct).
std::optional<std::string> CorrectCountProblem(ItemType type, int correct);
// Points for a right answer ("correct", 0..100) and for a wrong one ("wrong", -100..100).
std::optional<std::string> PointsProblem(std::string_view key, long points);

// Every rule `item` breaks, in the order LoadSource reports them in a file (the item's fields in
// the order the file writes them); empty when it obeys them all. `competencies` are the ids
// exam.yaml declares. Pure.
std::vector<std::string> ItemRuleProblems(const Item& item,
                                          const std::set<std::string>& competencies);

}  // namespace lontar::model

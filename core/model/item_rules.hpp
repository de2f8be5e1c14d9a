// The rules an item obeys, checked on the model itself: what LoadSource (core/authoring/source.hpp)
// requires of an items/ID.yaml once its YAML has been read into an Item, with the same messages.
// An importer that builds items in memory (core/interop) checks them here before writing them,
// instead of writing the YAML and reading it back; tests/unit/qti_validation_test.cpp holds each
// rule against LoadSource's verdict on the file the writer makes of the same item, so the two
// cannot drift apart unnoticed.
//
// Not checked here (they need more than the item): that a media file exists, is at most 10 MB and
// is a PNG or JPEG (the importer checks each file as it copies it), and that the item is listed in
// exactly one section (exam.yaml's checks).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "core/model/exam.hpp"

namespace lontar::model {

// Every rule `item` breaks, as LoadSource words it without the line ("option C has weight 7;
// allowed 1..5"); empty when it obeys them all. `competencies` are the ids exam.yaml declares.
// Pure.
std::vector<std::string> ItemRuleProblems(const Item& item,
                                          const std::set<std::string>& competencies);

}  // namespace lontar::model

// How the command line shows a sitting: one JSON object (also printed as "key: value" lines)
// with the state, the remaining time and, once submitted, the score.
#pragma once

#include <nlohmann/json.hpp>

#include "core/exam/engine.hpp"

namespace lontar::cli {

using OrderedJson = nlohmann::ordered_json;

OrderedJson StateJson(const exam::Engine& engine, const exam::SittingState& s);
OrderedJson ScoreJson(const exam::Engine& engine, const exam::SittingState& s);
// The state, plus the score when the sitting was submitted.
OrderedJson SittingJson(const exam::Engine& engine, const exam::SittingState& s);

// Prints `j` as indented JSON, or for people as "key: value" lines, nested fields indented below
// their key and lists of names comma-separated: never a line of raw JSON.
void Print(const OrderedJson& j, bool json);

}  // namespace lontar::cli

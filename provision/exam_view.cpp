#include "provision/exam_view.hpp"

#include <iostream>

#include "core/scoring/score_json.hpp"

namespace lontar::cli {

OrderedJson StateJson(const exam::Engine& engine, const exam::SittingState& s) {
  OrderedJson j;
  j["participant"] = s.participant;
  j["phase"] = exam::PhaseName(s.phase);
  if (s.phase == exam::Phase::kSubmitted) {
    j["submitted_by"] = s.reason == exam::SubmitReason::kTimeUp ? "time-up" : "candidate";
  }
  if (s.phase == exam::Phase::kInProgress) j["paused"] = s.paused;
  if (s.phase != exam::Phase::kNotStarted) {
    j["section"] = engine.exam().sections.at(s.section).id;
    j["current_item"] = s.current_item;
    j["remaining_seconds"] = exam::RemainingNs(engine.exam(), s) / 1'000'000'000;
    j["section_remaining_seconds"] = exam::SectionRemainingNs(engine.exam(), s) / 1'000'000'000;
    if (s.extra_ns > 0) j["added_seconds"] = s.extra_ns / 1'000'000'000;
    if (s.accommodations.any()) {
      j["accommodations"] = model::DescribeAccommodations(s.accommodations);
      j["accommodations_from"] = s.accommodations_source;
      j["time_limit_seconds"] = exam::ExamLimitNs(engine.exam(), s) / 1'000'000'000;
    }
  }
  if (const std::string receipt = engine.ReceiptCode(s.participant); !receipt.empty()) {
    j["receipt"] = receipt;
  }
  if (!s.handoff_id.empty()) j["handoff_id"] = s.handoff_id;
  if (!s.from_terminal.empty()) j["handed_over_from"] = s.from_terminal;
  j["answers"] = s.answers;
  j["flagged"] = s.flagged;
  const std::size_t items = engine.exam().items.size();
  j["answered"] = s.answers.size();
  j["unanswered"] = items - s.answers.size();
  return j;
}

OrderedJson ScoreJson(const exam::Engine& engine, const exam::SittingState& s) {
  return scoring::ScoreParticipant(engine.exam(), s.answers, s.participant);
}

OrderedJson SittingJson(const exam::Engine& engine, const exam::SittingState& s) {
  OrderedJson j = StateJson(engine, s);
  if (s.phase == exam::Phase::kSubmitted) j["score"] = ScoreJson(engine, s);
  return j;
}

namespace {

constexpr auto kReplace = OrderedJson::error_handler_t::replace;

std::string Scalar(const OrderedJson& v) {
  return v.is_string() ? v.get<std::string>() : v.dump(-1, ' ', false, kReplace);
}

bool AllScalars(const OrderedJson& a) {
  for (const auto& v : a) {
    if (v.is_structured()) return false;
  }
  return true;
}

// One `key: value` line per scalar; an object's fields indented below its key; a list of
// scalars on one line, comma-separated; a list of objects as "-" items. Never raw JSON.
void PrintText(const std::string& key, const OrderedJson& value, int indent) {
  const std::string pad(static_cast<std::size_t>(indent), ' ');
  if (value.is_object()) {
    std::cout << pad << key << ":\n";
    for (const auto& [k, v] : value.items()) PrintText(k, v, indent + 2);
  } else if (value.is_array() && AllScalars(value)) {
    std::string line;
    for (const auto& v : value) line += (line.empty() ? "" : ", ") + Scalar(v);
    std::cout << pad << key << ": " << (line.empty() ? "(none)" : line) << "\n";
  } else if (value.is_array()) {
    std::cout << pad << key << ":\n";
    for (const auto& v : value) {
      std::cout << pad << "  -\n";
      if (v.is_object()) {
        for (const auto& [k, item] : v.items()) PrintText(k, item, indent + 4);
      } else {
        PrintText("value", v, indent + 4);
      }
    }
  } else {
    std::cout << pad << key << ": " << Scalar(value) << "\n";
  }
}

}  // namespace

void Print(const OrderedJson& j, bool json) {
  if (json) {
    std::cout << j.dump(2, ' ', false, kReplace) << "\n";
    return;
  }
  for (const auto& [key, value] : j.items()) PrintText(key, value, 0);
}

}  // namespace lontar::cli

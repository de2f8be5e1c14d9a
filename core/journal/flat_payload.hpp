// A reader for the commonest shape of journal payload: one flat JSON object whose values are
// text, whole numbers, true/false or lists of text, as the engine writes an answer, a flag or
// the time charged. Replaying a 3-hour sitting reads thousands of these; building a JSON
// document for each (nlohmann::json) cost more than reading the records from the vault.
//
// The reader takes a strict subset of JSON and says "not mine" for everything else, so that
// the caller falls back to a full JSON parse and decides exactly as it would have without this
// reader. Parse accepts only:
//
//   object := '{' [ field { ',' field } ] '}'          nothing before or after, no whitespace
//   field  := text ':' value                           no key twice
//   value  := text | whole | 'true' | 'false' | '[' [ text { ',' text } ] ']'
//   text   := '"' { byte 0x20..0x7e except '"' and '\' } '"'    (no escapes, ASCII only)
//   whole  := '0' | [1-9][0-9]*                        at most 2^64 - 1
//
// The promise, checked by tests/fuzz/sitting_event_fuzz.cpp against nlohmann::json: whenever
// Parse accepts a payload, nlohmann::json::parse gives an object with exactly these fields and
// values (a whole number as an unsigned integer). Escapes, non-ASCII text, whitespace, null,
// negative or fractional numbers, nested objects and repeated keys are all "not mine" (valid
// JSON the full parse reads, or invalid JSON it refuses: either way not this reader's call).
//
// Views point into the payload, which must outlive the FlatPayload. Nothing here touches disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace lontar::journal {

struct FlatValue {
  enum class Kind { kText, kWhole, kBool, kTextList };
  Kind kind = Kind::kText;
  std::string_view text;    // kText
  std::uint64_t whole = 0;  // kWhole
  bool truth = false;       // kBool
  std::size_t first = 0;    // kTextList: its items are FlatPayload::List(value)
  std::size_t count = 0;
};

class FlatPayload {
 public:
  // The payload's fields, or nullopt when it is not of the shape above (use a full JSON parse).
  [[nodiscard]] static std::optional<FlatPayload> Parse(std::string_view payload);

  // The field named `key`, or nullptr when there is none.
  const FlatValue* Find(std::string_view key) const;
  // The items of a kTextList value of this payload.
  std::span<const std::string_view> List(const FlatValue& value) const {
    return std::span(items_).subspan(value.first, value.count);
  }
  const std::vector<std::pair<std::string_view, FlatValue>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string_view, FlatValue>> fields_;
  std::vector<std::string_view> items_;
};

}  // namespace lontar::journal

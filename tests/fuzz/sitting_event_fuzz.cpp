// Sitting events as the journal and hand-off records carry them ("type\npayload"): the decoder
// must refuse anything malformed with an error, never crash, and whatever it accepts must
// encode and decode again. The replay's flat reader (core/journal/flat_payload.hpp) is checked
// against the full parse on the same bytes: whatever it accepts must be the object nlohmann
// reads, and whatever event it decodes must be the one FromJson decodes.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/exam/sitting.hpp"
#include "core/journal/flat_payload.hpp"

namespace {

using Json = nlohmann::json;
using lontar::journal::FlatPayload;
using lontar::journal::FlatValue;

void CheckFlatAgainstFull(std::string_view type, std::string_view payload) {
  const auto flat = FlatPayload::Parse(payload);
  if (!flat) return;
  const Json full = Json::parse(payload, nullptr, /*allow_exceptions=*/false);
  if (!full.is_object() || full.size() != flat->fields().size()) std::abort();
  for (const auto& [key, v] : flat->fields()) {
    const auto it = full.find(std::string(key));
    if (it == full.end()) std::abort();
    switch (v.kind) {
      case FlatValue::Kind::kText:
        if (!it->is_string() || it->get<std::string>() != v.text) std::abort();
        break;
      case FlatValue::Kind::kWhole:
        if (!it->is_number_unsigned() || it->get<std::uint64_t>() != v.whole) std::abort();
        break;
      case FlatValue::Kind::kBool:
        if (!it->is_boolean() || it->get<bool>() != v.truth) std::abort();
        break;
      case FlatValue::Kind::kTextList: {
        const auto items = flat->List(v);
        if (!it->is_array() || it->size() != items.size()) std::abort();
        for (std::size_t i = 0; i < items.size(); ++i) {
          if (!(*it)[i].is_string() || (*it)[i].get<std::string>() != items[i]) std::abort();
        }
        break;
      }
    }
  }
  const auto fast = lontar::exam::FromFlatJson(type, *flat);
  if (!fast) return;
  const auto slow = lontar::exam::FromParsedJson(type, full);
  if (!slow) std::abort();
  const auto a = lontar::exam::ToJson(*fast), b = lontar::exam::ToJson(*slow);
  if (a.type != b.type || a.payload != b.payload) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t nl = input.find('\n');
  if (nl == std::string_view::npos) return 0;
  CheckFlatAgainstFull(input.substr(0, nl), input.substr(nl + 1));
  auto event = lontar::exam::FromJson(input.substr(0, nl), input.substr(nl + 1));
  if (!event) return 0;
  const lontar::exam::EncodedEvent again = lontar::exam::ToJson(*event);
  if (!lontar::exam::FromJson(again.type, again.payload)) std::abort();
  return 0;
}

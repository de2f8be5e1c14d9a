// The journal encoding of sitting events (sitting.hpp): type "sitting.<name>", JSON payload.
// The engine adds "participant" and "pack_id" to every payload; FromJson ignores fields it does
// not know, and refuses (kMalformed, naming the field) any it needs that are missing or mistyped.
// One decoder (Decode) reads either a parsed document (Fields) or a flat payload read without
// one (FlatFields, for replay); the flat reading gives up, rather than refuse, on anything it
// does not hold, and the caller then decodes the parsed document for the error.
#include <limits>

#include <nlohmann/json.hpp>

#include "core/exam/sitting.hpp"
#include "core/journal/flat_payload.hpp"
#include "core/util/json_fields.hpp"
#include "core/util/overloaded.hpp"

namespace lontar::exam {
namespace {

using Json = nlohmann::json;

Json RestoredJson(const Restored& e) {
  Json j{{"handoff_id", e.handoff_id},   {"from_terminal", e.from_terminal},
         {"participant", e.participant}, {"seed", e.seed},
         {"section", e.section},         {"current_item", e.current_item},
         {"answers", e.answers},         {"flagged", e.flagged},
         {"elapsed_ns", e.elapsed_ns},   {"section_elapsed_ns", e.section_elapsed_ns},
         {"extra_ns", e.extra_ns},       {"section_extra_ns", e.section_extra_ns}};
  // Only when there are any, so that a hand-off record without them reads as before.
  if (e.accommodations.any()) {
    j["accommodations"] = model::AccommodationsToJson(e.accommodations);
    j["accommodations_source"] = e.accommodations_source;
  }
  return j;
}

// An event's type and its own fields, before they are written out once (ToJson).
struct Built {
  const char* type;
  Json fields;
};

Built Encode(const char* type, Json j) { return Built{type, std::move(j)}; }

// Typed, defensive field access over one payload: core/util/json_fields.hpp reads each field,
// and the first problem becomes this event's error.
class Fields {
 public:
  Fields(std::string_view type, const Json& j) : type_(type), j_(j), fields_(j, "field") {}

  Error Bad(const std::string& what) const {
    return Error::Malformed("journal event " + type_ + ": " + what);
  }
  Result<std::string> Str(const char* k) const { return Checked(fields_.Str(k)); }
  Result<std::int64_t> Int(const char* k) const {
    return Checked(static_cast<std::int64_t>(
        fields_.Unsigned(k, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))));
  }
  Result<std::uint64_t> Unsigned(const char* k) const { return Checked(fields_.Unsigned(k)); }
  bool Has(const char* k) const { return j_.contains(k); }
  Result<model::Accommodations> Accommodations(const char* k) const {
    auto it = j_.find(k);
    if (it == j_.end()) return std::unexpected(Bad(std::string(k) + " missing"));
    auto a = model::AccommodationsFromJson(*it);
    if (!a) return std::unexpected(Bad(a.error().message()));
    return *a;
  }
  Result<bool> Bool(const char* k) const { return Checked(fields_.Bool(k)); }
  Result<std::vector<std::string>> Strings(const char* k) const {
    return StringsOf(j_.find(k) == j_.end() ? Json() : j_[k], k);
  }
  Result<std::vector<std::string>> StringsOf(const Json& a, const std::string& k) const {
    if (!a.is_array()) return std::unexpected(Bad(k + " missing"));
    std::vector<std::string> out;
    for (const Json& v : a) {
      if (!v.is_string()) return std::unexpected(Bad(k + " holds something not text"));
      out.push_back(v.get<std::string>());
    }
    return out;
  }
  Result<std::vector<std::int64_t>> Ints(const char* k) const {
    auto it = j_.find(k);
    if (it == j_.end() || !it->is_array()) return std::unexpected(Bad(std::string(k) + " missing"));
    std::vector<std::int64_t> out;
    for (const Json& v : *it) {
      if (!v.is_number_integer() || v.get<std::int64_t>() < 0) {
        return std::unexpected(Bad(std::string(k) + " holds something not a count"));
      }
      out.push_back(v.get<std::int64_t>());
    }
    return out;
  }
  Result<std::map<std::string, std::vector<std::string>>> Answers(const char* k) const {
    auto it = j_.find(k);
    if (it == j_.end() || !it->is_object())
      return std::unexpected(Bad(std::string(k) + " missing"));
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& [item, keys] : it->items()) {
      LONTAR_ASSIGN_OR_RETURN(out[item], StringsOf(keys, std::string(k) + "." + item));
    }
    return out;
  }

 private:
  template <class T>
  Result<T> Checked(T value) const {
    if (!fields_.ok()) return std::unexpected(Bad(fields_.problem()));
    return value;
  }
  std::string type_;
  const Json& j_;
  mutable JsonFields fields_;
};

// The same reads over a flat payload (core/journal/flat_payload.hpp). Succeeds exactly where
// Fields would, with the same value, because FlatPayload promises the same fields as the
// parsed document; it fails (with no message worth showing) wherever Fields might refuse, and
// on the nested fields it cannot hold.
class FlatFields {
 public:
  using Kind = journal::FlatValue::Kind;
  FlatFields(std::string_view type, const journal::FlatPayload& p) : type_(type), p_(p) {}

  Error Bad(const std::string& what) const {
    return Error::Malformed("journal event " + std::string(type_) + ": " + what);
  }
  Result<std::string> Str(const char* k) const {
    LONTAR_ASSIGN_OR_RETURN(const journal::FlatValue* v, Get(k, Kind::kText));
    return std::string(v->text);
  }
  Result<std::int64_t> Int(const char* k) const {
    LONTAR_ASSIGN_OR_RETURN(const journal::FlatValue* v, Get(k, Kind::kWhole));
    if (v->whole > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return std::unexpected(Bad(std::string(k) + " is too large"));
    }
    return static_cast<std::int64_t>(v->whole);
  }
  Result<std::uint64_t> Unsigned(const char* k) const {
    LONTAR_ASSIGN_OR_RETURN(const journal::FlatValue* v, Get(k, Kind::kWhole));
    return v->whole;
  }
  bool Has(const char* k) const { return p_.Find(k) != nullptr; }
  Result<bool> Bool(const char* k) const {
    LONTAR_ASSIGN_OR_RETURN(const journal::FlatValue* v, Get(k, Kind::kBool));
    return v->truth;
  }
  Result<std::vector<std::string>> Strings(const char* k) const {
    LONTAR_ASSIGN_OR_RETURN(const journal::FlatValue* v, Get(k, Kind::kTextList));
    std::vector<std::string> out;
    out.reserve(v->count);
    for (std::string_view item : p_.List(*v)) out.emplace_back(item);
    return out;
  }
  Result<model::Accommodations> Accommodations(const char* k) const { return Nested(k); }
  Result<std::vector<std::int64_t>> Ints(const char* k) const { return Nested(k); }
  Result<std::map<std::string, std::vector<std::string>>> Answers(const char* k) const {
    return Nested(k);
  }

 private:
  Result<const journal::FlatValue*> Get(const char* k, Kind kind) const {
    const journal::FlatValue* v = p_.Find(k);
    if (v == nullptr || v->kind != kind) {
      return std::unexpected(Bad(std::string(k) + " missing or mistyped"));
    }
    return v;
  }
  std::unexpected<Error> Nested(const char* k) const {
    return std::unexpected(Bad(std::string(k) + " is not flat"));
  }
  std::string_view type_;
  const journal::FlatPayload& p_;
};

template <class F>
Result<Restored> ParseRestored(const F& f) {
  Restored r;
  LONTAR_ASSIGN_OR_RETURN(r.handoff_id, f.Str("handoff_id"));
  LONTAR_ASSIGN_OR_RETURN(r.from_terminal, f.Str("from_terminal"));
  LONTAR_ASSIGN_OR_RETURN(r.participant, f.Str("participant"));
  LONTAR_ASSIGN_OR_RETURN(r.seed, f.Unsigned("seed"));
  LONTAR_ASSIGN_OR_RETURN(std::int64_t section, f.Int("section"));
  r.section = static_cast<std::size_t>(section);
  LONTAR_ASSIGN_OR_RETURN(r.current_item, f.Str("current_item"));
  LONTAR_ASSIGN_OR_RETURN(r.answers, f.Answers("answers"));
  LONTAR_ASSIGN_OR_RETURN(std::vector<std::string> flagged, f.Strings("flagged"));
  r.flagged.insert(flagged.begin(), flagged.end());
  LONTAR_ASSIGN_OR_RETURN(r.elapsed_ns, f.Int("elapsed_ns"));
  LONTAR_ASSIGN_OR_RETURN(r.section_elapsed_ns, f.Ints("section_elapsed_ns"));
  LONTAR_ASSIGN_OR_RETURN(r.extra_ns, f.Int("extra_ns"));
  LONTAR_ASSIGN_OR_RETURN(r.section_extra_ns, f.Ints("section_extra_ns"));
  if (f.Has("accommodations")) {
    LONTAR_ASSIGN_OR_RETURN(r.accommodations, f.Accommodations("accommodations"));
    LONTAR_ASSIGN_OR_RETURN(r.accommodations_source, f.Str("accommodations_source"));
  }
  return r;
}

}  // namespace

const char* PhaseName(Phase phase) {
  switch (phase) {
    case Phase::kNotStarted:
      return "not-started";
    case Phase::kInProgress:
      return "in-progress";
    case Phase::kSubmitted:
      return "submitted";
    case Phase::kVoided:
      return "voided";
    case Phase::kHandedOff:
      return "handed-off";
  }
  return "unknown";
}

namespace {

Built Build(const Event& event) {
  return std::visit(
      Overloaded{
          [](const Started& e) {
            return Encode("sitting.started", {{"participant", e.participant}, {"seed", e.seed}});
          },
          [](const Navigated& e) {
            return Encode("sitting.navigated", {{"item", e.item}});
          },
          [](const Answered& e) {
            return Encode("sitting.answered", {{"item", e.item}, {"keys", e.keys}});
          },
          [](const Flagged& e) {
            return Encode("sitting.flagged", {{"item", e.item}, {"flagged", e.flagged}});
          },
          [](const TimeCharged& e) {
            return Encode("sitting.time", {{"ns", e.ns}});
          },
          [](const SectionOpened& e) {
            return Encode("sitting.section", {{"section", e.section}});
          },
          [](const Submitted& e) {
            return Encode(
                "sitting.submitted",
                {{"reason", e.reason == SubmitReason::kTimeUp ? "time-up" : "candidate"}});
          },
          [](const Paused& e) {
            return Encode("sitting.paused", {{"reason", e.reason}, {"room", e.room}});
          },
          [](const Resumed& e) {
            return Encode("sitting.resumed", {{"reason", e.reason}});
          },
          [](const TimeAdded& e) {
            return Encode("sitting.time_added", {{"ns", e.ns}, {"reason", e.reason}});
          },
          [](const Voided& e) {
            return Encode("sitting.voided", {{"reason", e.reason}});
          },
          [](const HandedOff& e) {
            return Encode("sitting.handed_off",
                          {{"handoff_id", e.handoff_id}, {"reason", e.reason}});
          },
          [](const Restored& e) { return Encode("sitting.restored", RestoredJson(e)); },
          [](const Accommodated& e) {
            return Encode("sitting.accommodated",
                          {{"accommodations", model::AccommodationsToJson(e.accommodations)},
                           {"source", e.source},
                           {"reason", e.reason}});
          },
      },
      event);
}

template <class F>
Result<Event> Decode(std::string_view type, const F& f) {
  if (type == "sitting.started") {
    LONTAR_ASSIGN_OR_RETURN(std::string participant, f.Str("participant"));
    LONTAR_ASSIGN_OR_RETURN(std::uint64_t seed, f.Unsigned("seed"));
    return Started{participant, seed};
  }
  if (type == "sitting.navigated") {
    LONTAR_ASSIGN_OR_RETURN(std::string item, f.Str("item"));
    return Navigated{item};
  }
  if (type == "sitting.answered") {
    LONTAR_ASSIGN_OR_RETURN(std::string item, f.Str("item"));
    LONTAR_ASSIGN_OR_RETURN(std::vector<std::string> keys, f.Strings("keys"));
    return Answered{item, keys};
  }
  if (type == "sitting.flagged") {
    LONTAR_ASSIGN_OR_RETURN(std::string item, f.Str("item"));
    LONTAR_ASSIGN_OR_RETURN(bool flagged, f.Bool("flagged"));
    return Flagged{item, flagged};
  }
  if (type == "sitting.time") {
    LONTAR_ASSIGN_OR_RETURN(std::int64_t ns, f.Int("ns"));
    return TimeCharged{ns};
  }
  if (type == "sitting.section") {
    LONTAR_ASSIGN_OR_RETURN(std::int64_t section, f.Int("section"));
    return SectionOpened{static_cast<std::size_t>(section)};
  }
  if (type == "sitting.submitted") {
    LONTAR_ASSIGN_OR_RETURN(std::string reason, f.Str("reason"));
    if (reason == "candidate") return Submitted{SubmitReason::kCandidate};
    if (reason == "time-up") return Submitted{SubmitReason::kTimeUp};
    return std::unexpected(f.Bad("unknown reason"));
  }
  if (type == "sitting.paused") {
    LONTAR_ASSIGN_OR_RETURN(std::string reason, f.Str("reason"));
    LONTAR_ASSIGN_OR_RETURN(bool room, f.Bool("room"));
    return Paused{reason, room};
  }
  if (type == "sitting.resumed") {
    LONTAR_ASSIGN_OR_RETURN(std::string reason, f.Str("reason"));
    return Resumed{reason};
  }
  if (type == "sitting.time_added") {
    LONTAR_ASSIGN_OR_RETURN(std::int64_t ns, f.Int("ns"));
    LONTAR_ASSIGN_OR_RETURN(std::string reason, f.Str("reason"));
    return TimeAdded{ns, reason};
  }
  if (type == "sitting.voided") {
    LONTAR_ASSIGN_OR_RETURN(std::string reason, f.Str("reason"));
    return Voided{reason};
  }
  if (type == "sitting.handed_off") {
    LONTAR_ASSIGN_OR_RETURN(std::string id, f.Str("handoff_id"));
    LONTAR_ASSIGN_OR_RETURN(std::string reason, f.Str("reason"));
    return HandedOff{id, reason};
  }
  if (type == "sitting.restored") {
    LONTAR_ASSIGN_OR_RETURN(Restored r, ParseRestored(f));
    return r;
  }
  if (type == "sitting.accommodated") {
    Accommodated a;
    LONTAR_ASSIGN_OR_RETURN(a.accommodations, f.Accommodations("accommodations"));
    LONTAR_ASSIGN_OR_RETURN(a.source, f.Str("source"));
    LONTAR_ASSIGN_OR_RETURN(a.reason, f.Str("reason"));
    return a;
  }
  return std::unexpected(f.Bad("not a sitting event"));
}

}  // namespace

EncodedEvent ToJson(const Event& event, const Json& also) {
  Built built = Build(event);
  if (also.is_object()) {
    for (const auto& [key, value] : also.items()) built.fields[key] = value;
  }
  return EncodedEvent{built.type,
                      built.fields.dump(-1, ' ', false, Json::error_handler_t::replace)};
}

Result<Event> FromJson(std::string_view type, std::string_view payload) {
  return FromParsedJson(type, Json::parse(payload, nullptr, /*allow_exceptions=*/false));
}

Result<Event> FromParsedJson(std::string_view type, const Json& j) {
  const Fields f(type, j);
  if (!j.is_object()) return std::unexpected(f.Bad("payload is not a JSON object"));
  return Decode(type, f);
}

Result<Event> FromFlatJson(std::string_view type, const journal::FlatPayload& payload) {
  return Decode(type, FlatFields(type, payload));
}

}  // namespace lontar::exam

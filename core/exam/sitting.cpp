#include "core/exam/sitting.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <random>

namespace lontar::exam {
namespace {

using Json = nlohmann::json;
constexpr std::int64_t kNsPerMinute = 60'000'000'000;

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

Error Refuse(const std::string& why) { return Error::InvalidArgument(why); }

const authoring::Section& Current(const authoring::Exam& exam, const SittingState& s) {
  return exam.sections.at(s.section);
}

Status CheckInSection(const authoring::Exam& exam, const SittingState& s, const std::string& item) {
  const auto& items = Current(exam, s).items;
  if (std::find(items.begin(), items.end(), item) != items.end()) return Ok();
  if (!exam.items.contains(item)) return std::unexpected(Refuse("there is no item " + item));
  return std::unexpected(
      Refuse("item " + item + " is not in the current section (" + Current(exam, s).id + ")"));
}

Status CheckKeys(const authoring::Item& item, const std::vector<std::string>& keys) {
  if (keys.empty()) return std::unexpected(Refuse("an answer to " + item.id + " names no option"));
  std::set<std::string> unique(keys.begin(), keys.end());
  if (unique.size() != keys.size()) {
    return std::unexpected(Refuse("an answer to " + item.id + " names an option twice"));
  }
  for (const std::string& k : keys) {
    const bool known = std::any_of(item.options.begin(), item.options.end(),
                                   [&](const authoring::Option& o) { return o.key == k; });
    if (!known) return std::unexpected(Refuse("item " + item.id + " has no option " + k));
  }
  if (item.type != authoring::ItemType::kMultiple && keys.size() != 1) {
    return std::unexpected(Refuse("item " + item.id + " takes exactly one answer"));
  }
  return Ok();
}

// Events that open section `next` (or submit, after the last one).
std::vector<Event> OpenSection(const authoring::Exam& exam, const SittingState& s, std::size_t next,
                               SubmitReason if_last) {
  if (next >= exam.sections.size()) return {Submitted{if_last}};
  return {SectionOpened{next}, Navigated{ItemOrder(exam, next, s.seed).front()}};
}

}  // namespace

std::vector<std::string> ItemOrder(const authoring::Exam& exam, std::size_t section,
                                   std::uint64_t seed) {
  std::vector<std::string> items = exam.sections.at(section).items;
  if (!exam.shuffle_items) return items;
  // mt19937_64's output is fixed by the standard; the distribution code is ours, so the order
  // is the same on every build and platform.
  std::mt19937_64 rng(seed ^ (0x9e3779b97f4a7c15ull * (section + 1)));
  for (std::size_t i = items.size(); i > 1; --i) {
    std::swap(items[i - 1], items[static_cast<std::size_t>(rng() % i)]);
  }
  return items;
}

std::vector<std::string> OptionOrder(const authoring::Exam& exam, const authoring::Item& item,
                                     std::uint64_t seed) {
  std::vector<std::string> keys;
  for (const authoring::Option& o : item.options) keys.push_back(o.key);
  if (!exam.shuffle_options || item.type == authoring::ItemType::kLikert) return keys;
  // Seeded by the item too, so that options do not move in the same pattern on every item.
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a of the item id
  for (unsigned char c : item.id) h = (h ^ c) * 0x100000001b3ull;
  std::mt19937_64 rng(seed ^ h);
  for (std::size_t i = keys.size(); i > 1; --i) {
    std::swap(keys[i - 1], keys[static_cast<std::size_t>(rng() % i)]);
  }
  return keys;
}

std::int64_t RemainingNs(const authoring::Exam& exam, const SittingState& s) {
  return std::max<std::int64_t>(0, exam.duration_minutes * kNsPerMinute - s.elapsed_ns);
}

std::int64_t SectionRemainingNs(const authoring::Exam& exam, const SittingState& s) {
  const std::int64_t whole = RemainingNs(exam, s);
  if (s.phase != Phase::kInProgress) return whole;
  const int minutes = Current(exam, s).minutes;
  if (minutes == 0) return whole;
  const std::int64_t section = minutes * kNsPerMinute - s.section_elapsed_ns.at(s.section);
  return std::clamp<std::int64_t>(section, 0, whole);
}

Result<std::vector<Event>> Decide(const authoring::Exam& exam, const SittingState& s,
                                  const Command& command) {
  if (exam.sections.empty()) return std::unexpected(Refuse("the exam has no sections"));
  if (s.phase == Phase::kNotStarted && !std::holds_alternative<Start>(command)) {
    return std::unexpected(Refuse("the sitting has not started"));
  }
  if (s.phase == Phase::kSubmitted) {
    return std::unexpected(Refuse("the sitting has been submitted; nothing can change it now"));
  }
  return std::visit(
      Overloaded{
          [&](const Start& c) -> Result<std::vector<Event>> {
            if (s.phase != Phase::kNotStarted) {
              return std::unexpected(Refuse("the sitting has already started"));
            }
            if (c.participant.empty()) return std::unexpected(Refuse("no participant"));
            SittingState started = s;
            started.seed = c.seed;
            std::vector<Event> events{Started{c.participant, c.seed}};
            for (Event& e : OpenSection(exam, started, 0, SubmitReason::kCandidate)) {
              events.push_back(std::move(e));
            }
            return events;
          },
          [&](const Goto& c) -> Result<std::vector<Event>> {
            LONTAR_TRY(CheckInSection(exam, s, c.item));
            if (c.item == s.current_item) return std::vector<Event>{};
            return std::vector<Event>{Navigated{c.item}};
          },
          [&](const Answer& c) -> Result<std::vector<Event>> {
            LONTAR_TRY(CheckInSection(exam, s, c.item));
            LONTAR_TRY(CheckKeys(exam.items.at(c.item), c.keys));
            auto it = s.answers.find(c.item);
            if (it != s.answers.end() && it->second == c.keys) return std::vector<Event>{};
            return std::vector<Event>{Answered{c.item, c.keys}};
          },
          [&](const Clear& c) -> Result<std::vector<Event>> {
            LONTAR_TRY(CheckInSection(exam, s, c.item));
            if (!s.answers.contains(c.item)) return std::vector<Event>{};
            return std::vector<Event>{Answered{c.item, {}}};
          },
          [&](const Flag& c) -> Result<std::vector<Event>> {
            LONTAR_TRY(CheckInSection(exam, s, c.item));
            if (s.flagged.contains(c.item) == c.flagged) return std::vector<Event>{};
            return std::vector<Event>{Flagged{c.item, c.flagged}};
          },
          [&](const Tick& c) -> Result<std::vector<Event>> {
            if (c.elapsed_ns < 0) return std::unexpected(Refuse("time cannot run backwards"));
            std::vector<Event> events;
            if (c.elapsed_ns > 0) events.push_back(TimeCharged{c.elapsed_ns});
            const SittingState after = Apply(exam, s, TimeCharged{c.elapsed_ns});
            if (RemainingNs(exam, after) == 0) {
              events.push_back(Submitted{SubmitReason::kTimeUp});
            } else if (Current(exam, after).minutes > 0 && SectionRemainingNs(exam, after) == 0) {
              for (Event& e : OpenSection(exam, after, s.section + 1, SubmitReason::kTimeUp)) {
                events.push_back(std::move(e));
              }
            }
            return events;
          },
          [&](const NextSection&) -> Result<std::vector<Event>> {
            if (s.section + 1 >= exam.sections.size()) {
              return std::unexpected(Refuse("this is the last section: submit to finish"));
            }
            return OpenSection(exam, s, s.section + 1, SubmitReason::kCandidate);
          },
          [&](const Submit&) -> Result<std::vector<Event>> {
            return std::vector<Event>{Submitted{SubmitReason::kCandidate}};
          },
      },
      command);
}

SittingState Apply(const authoring::Exam& exam, SittingState s, const Event& event) {
  std::visit(Overloaded{
                 [&](const Started& e) {
                   s.phase = Phase::kInProgress;
                   s.participant = e.participant;
                   s.seed = e.seed;
                   s.section_elapsed_ns.assign(exam.sections.size(), 0);
                 },
                 [&](const Navigated& e) { s.current_item = e.item; },
                 [&](const Answered& e) {
                   if (e.keys.empty()) {
                     s.answers.erase(e.item);
                   } else {
                     s.answers[e.item] = e.keys;
                   }
                 },
                 [&](const Flagged& e) {
                   if (e.flagged) {
                     s.flagged.insert(e.item);
                   } else {
                     s.flagged.erase(e.item);
                   }
                 },
                 [&](const TimeCharged& e) {
                   s.elapsed_ns += e.ns;
                   if (s.section < s.section_elapsed_ns.size())
                     s.section_elapsed_ns[s.section] += e.ns;
                 },
                 [&](const SectionOpened& e) { s.section = e.section; },
                 [&](const Submitted& e) {
                   s.phase = Phase::kSubmitted;
                   s.reason = e.reason;
                 },
             },
             event);
  return s;
}

EncodedEvent ToJson(const Event& event) {
  return std::visit(
      Overloaded{
          [](const Started& e) {
            return EncodedEvent{"sitting.started",
                                Json{{"participant", e.participant}, {"seed", e.seed}}.dump()};
          },
          [](const Navigated& e) {
            return EncodedEvent{"sitting.navigated", Json{{"item", e.item}}.dump()};
          },
          [](const Answered& e) {
            return EncodedEvent{"sitting.answered",
                                Json{{"item", e.item}, {"keys", e.keys}}.dump()};
          },
          [](const Flagged& e) {
            return EncodedEvent{"sitting.flagged",
                                Json{{"item", e.item}, {"flagged", e.flagged}}.dump()};
          },
          [](const TimeCharged& e) {
            return EncodedEvent{"sitting.time", Json{{"ns", e.ns}}.dump()};
          },
          [](const SectionOpened& e) {
            return EncodedEvent{"sitting.section", Json{{"section", e.section}}.dump()};
          },
          [](const Submitted& e) {
            return EncodedEvent{
                "sitting.submitted",
                Json{{"reason", e.reason == SubmitReason::kTimeUp ? "time-up" : "candidate"}}
                    .dump()};
          },
      },
      event);
}

Result<Event> FromJson(std::string_view type, std::string_view payload) {
  const Json j = Json::parse(payload, nullptr, /*allow_exceptions=*/false);
  auto bad = [&](const char* what) {
    return std::unexpected(Error::Malformed("journal event " + std::string(type) + ": " + what));
  };
  if (!j.is_object()) return bad("payload is not a JSON object");
  auto str = [&](const char* k) -> std::optional<std::string> {
    auto it = j.find(k);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  auto integer = [&](const char* k) -> std::optional<std::int64_t> {
    auto it = j.find(k);
    if (it == j.end() || !it->is_number_integer()) return std::nullopt;
    return it->get<std::int64_t>();
  };
  if (type == "sitting.started") {
    auto p = str("participant");
    auto it = j.find("seed");
    if (!p || it == j.end() || !it->is_number_unsigned()) return bad("participant or seed missing");
    return Started{*p, it->get<std::uint64_t>()};
  }
  if (type == "sitting.navigated") {
    if (auto item = str("item")) return Navigated{*item};
    return bad("item missing");
  }
  if (type == "sitting.answered") {
    auto item = str("item");
    auto keys = j.find("keys");
    if (!item || keys == j.end() || !keys->is_array()) return bad("item or keys missing");
    Answered a{*item, {}};
    for (const Json& k : *keys) {
      if (!k.is_string()) return bad("a key is not text");
      a.keys.push_back(k.get<std::string>());
    }
    return a;
  }
  if (type == "sitting.flagged") {
    auto item = str("item");
    auto flagged = j.find("flagged");
    if (!item || flagged == j.end() || !flagged->is_boolean()) return bad("item or flag missing");
    return Flagged{*item, flagged->get<bool>()};
  }
  if (type == "sitting.time") {
    auto ns = integer("ns");
    if (!ns || *ns < 0) return bad("ns missing or negative");
    return TimeCharged{*ns};
  }
  if (type == "sitting.section") {
    auto section = integer("section");
    if (!section || *section < 0) return bad("section missing");
    return SectionOpened{static_cast<std::size_t>(*section)};
  }
  if (type == "sitting.submitted") {
    auto reason = str("reason");
    if (reason == "candidate") return Submitted{SubmitReason::kCandidate};
    if (reason == "time-up") return Submitted{SubmitReason::kTimeUp};
    return bad("unknown reason");
  }
  return bad("not a sitting event");
}

}  // namespace lontar::exam

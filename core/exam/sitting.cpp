#include "core/exam/sitting.hpp"

#include <algorithm>
#include <random>

#include "core/util/overloaded.hpp"

namespace lontar::exam {
namespace {

constexpr std::int64_t kNsPerMinute = 60'000'000'000;

Error Refuse(const std::string& why) { return Error::InvalidArgument(why); }

const model::Section& Current(const model::Exam& exam, const SittingState& s) {
  return exam.sections.at(s.section);
}

// Why no command may change a sitting in `phase`, or "" when one may.
std::string FinalReason(Phase phase) {
  switch (phase) {
    case Phase::kSubmitted:
      return "the sitting has been submitted; nothing can change it now";
    case Phase::kVoided:
      return "the proctor voided this sitting; nothing can change it now";
    case Phase::kHandedOff:
      return "this sitting was handed over to another terminal; continue it there";
    case Phase::kNotStarted:
    case Phase::kInProgress:
      break;
  }
  return "";
}

Status CheckReason(const std::string& reason) {
  if (reason.empty()) return std::unexpected(Refuse("give a reason; it is kept in the journal"));
  if (reason.size() > kMaxReasonBytes) {
    return std::unexpected(
        Refuse("the reason is longer than " + std::to_string(kMaxReasonBytes) + " bytes"));
  }
  return Ok();
}

Status CheckInSection(const model::Exam& exam, const SittingState& s, const std::string& item) {
  const auto& items = Current(exam, s).items;
  if (std::find(items.begin(), items.end(), item) != items.end()) return Ok();
  if (!exam.items.contains(item)) return std::unexpected(Refuse("there is no item " + item));
  return std::unexpected(
      Refuse("item " + item + " is not in the current section (" + Current(exam, s).id + ")"));
}

Status CheckKeys(const model::Item& item, const std::vector<std::string>& keys) {
  if (keys.empty()) return std::unexpected(Refuse("an answer to " + item.id + " names no option"));
  std::set<std::string> unique(keys.begin(), keys.end());
  if (unique.size() != keys.size()) {
    return std::unexpected(Refuse("an answer to " + item.id + " names an option twice"));
  }
  for (const std::string& k : keys) {
    const bool known = std::any_of(item.options.begin(), item.options.end(),
                                   [&](const model::Option& o) { return o.key == k; });
    if (!known) return std::unexpected(Refuse("item " + item.id + " has no option " + k));
  }
  if (item.type != model::ItemType::kMultiple && keys.size() != 1) {
    return std::unexpected(Refuse("item " + item.id + " takes exactly one answer"));
  }
  return Ok();
}

// A hand-off's state must fit this exam exactly: it came from another terminal.
Status CheckSnapshot(const model::Exam& exam, const Restored& r) {
  auto bad = [](const std::string& why) {
    return std::unexpected(Refuse("the hand-off record does not fit this exam: " + why));
  };
  if (r.participant.empty()) return bad("no participant");
  if (r.handoff_id.empty() || r.from_terminal.empty()) return bad("no hand-off id or terminal");
  const std::size_t n = exam.sections.size();
  if (r.section >= n) return bad("section " + std::to_string(r.section) + " does not exist");
  if (r.section_elapsed_ns.size() != n || r.section_extra_ns.size() != n) {
    return bad("it has times for " + std::to_string(r.section_elapsed_ns.size()) +
               " sections, the exam has " + std::to_string(n));
  }
  const auto negative = [](std::int64_t v) { return v < 0; };
  if (r.elapsed_ns < 0 || r.extra_ns < 0 ||
      std::any_of(r.section_elapsed_ns.begin(), r.section_elapsed_ns.end(), negative) ||
      std::any_of(r.section_extra_ns.begin(), r.section_extra_ns.end(), negative)) {
    return bad("a negative time");
  }
  const auto& items = exam.sections[r.section].items;
  if (std::find(items.begin(), items.end(), r.current_item) == items.end()) {
    return bad("item " + r.current_item + " is not in section " + exam.sections[r.section].id);
  }
  for (const auto& [item, keys] : r.answers) {
    auto it = exam.items.find(item);
    if (it == exam.items.end()) return bad("there is no item " + item);
    if (auto ok = CheckKeys(it->second, keys); !ok) return bad(ok.error().message());
  }
  for (const std::string& item : r.flagged) {
    if (!exam.items.contains(item)) return bad("there is no item " + item);
  }
  return Ok();
}

// Events that open section `next` (or submit, after the last one).
std::vector<Event> OpenSection(const model::Exam& exam, const SittingState& s, std::size_t next,
                               SubmitReason if_last) {
  if (next >= exam.sections.size()) return {Submitted{if_last}};
  return {SectionOpened{next}, Navigated{ItemOrder(exam, next, s.seed).front()}};
}

}  // namespace

std::vector<std::string> ItemOrder(const model::Exam& exam, std::size_t section,
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

std::vector<std::string> OptionOrder(const model::Exam& exam, const model::Item& item,
                                     std::uint64_t seed) {
  std::vector<std::string> keys;
  for (const model::Option& o : item.options) keys.push_back(o.key);
  if (!exam.shuffle_options || item.type == model::ItemType::kLikert) return keys;
  // Seeded by the item too, so that options do not move in the same pattern on every item.
  std::uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a of the item id
  for (unsigned char c : item.id) h = (h ^ c) * 0x100000001b3ull;
  std::mt19937_64 rng(seed ^ h);
  for (std::size_t i = keys.size(); i > 1; --i) {
    std::swap(keys[i - 1], keys[static_cast<std::size_t>(rng() % i)]);
  }
  return keys;
}

std::int64_t ExamLimitNs(const model::Exam& exam, const SittingState& s) {
  return model::ScaledLimitNs(s.accommodations, exam.duration_minutes, exam.duration_minutes);
}

std::int64_t SectionLimitNs(const model::Exam& exam, const SittingState& s, std::size_t section) {
  return model::ScaledLimitNs(s.accommodations, exam.sections.at(section).minutes,
                              exam.duration_minutes);
}

std::int64_t RemainingNs(const model::Exam& exam, const SittingState& s) {
  return std::max<std::int64_t>(0, ExamLimitNs(exam, s) + s.extra_ns - s.elapsed_ns);
}

std::int64_t SectionRemainingNs(const model::Exam& exam, const SittingState& s) {
  const std::int64_t whole = RemainingNs(exam, s);
  if (s.phase != Phase::kInProgress) return whole;
  const int minutes = Current(exam, s).minutes;
  if (minutes == 0) return whole;
  const std::int64_t extra =
      s.section < s.section_extra_ns.size() ? s.section_extra_ns[s.section] : 0;
  const std::int64_t section =
      SectionLimitNs(exam, s, s.section) + extra - s.section_elapsed_ns.at(s.section);
  return std::clamp<std::int64_t>(section, 0, whole);
}

Result<std::vector<Event>> Decide(const model::Exam& exam, const SittingState& s,
                                  const Command& command) {
  if (exam.sections.empty()) return std::unexpected(Refuse("the exam has no sections"));
  if (s.phase == Phase::kNotStarted && !std::holds_alternative<Start>(command)) {
    return std::unexpected(Refuse("the sitting has not started"));
  }
  if (const std::string why = FinalReason(s.phase); !why.empty()) {
    return std::unexpected(Refuse(why));
  }
  if (s.paused) {
    if (std::holds_alternative<Tick>(command)) return std::vector<Event>{};  // (3): not charged
    return std::unexpected(
        Refuse("the proctor has paused this sitting; wait until the proctor resumes it"));
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
            if (c.accommodations.any()) {
              events.push_back(Accommodated{c.accommodations, c.source, ""});
            }
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

Result<std::vector<Event>> Decide(const model::Exam& exam, const SittingState& s,
                                  const ProctorCommand& command) {
  if (exam.sections.empty()) return std::unexpected(Refuse("the exam has no sections"));
  if (std::holds_alternative<Restore>(command)) {
    if (s.phase != Phase::kNotStarted) {
      return std::unexpected(Refuse("participant " + s.participant +
                                    " already has a sitting on this terminal; a hand-off can "
                                    "only start a sitting, never replace one"));
    }
    LONTAR_TRY(CheckSnapshot(exam, std::get<Restore>(command).state));
    return std::vector<Event>{std::get<Restore>(command).state};
  }
  if (const std::string why = FinalReason(s.phase); !why.empty()) {
    return std::unexpected(Refuse(why));
  }
  if (s.phase != Phase::kInProgress) {
    return std::unexpected(Refuse("the participant has not started the exam"));
  }
  return std::visit(Overloaded{
                        [&](const Pause& c) -> Result<std::vector<Event>> {
                          LONTAR_TRY(CheckReason(c.reason));
                          if (s.paused) return std::vector<Event>{};
                          return std::vector<Event>{Paused{c.reason, c.room}};
                        },
                        [&](const Resume& c) -> Result<std::vector<Event>> {
                          if (!s.paused) return std::vector<Event>{};
                          return std::vector<Event>{Resumed{c.reason}};
                        },
                        [&](const AddTime& c) -> Result<std::vector<Event>> {
                          LONTAR_TRY(CheckReason(c.reason));
                          if (c.ns < 1'000'000'000 || c.ns > kMaxAddTimeNs) {
                            return std::unexpected(
                                Refuse("added time must be between 1 second and " +
                                       std::to_string(kMaxAddTimeNs / kNsPerMinute) + " minutes"));
                          }
                          return std::vector<Event>{TimeAdded{c.ns, c.reason}};
                        },
                        [&](const Void& c) -> Result<std::vector<Event>> {
                          LONTAR_TRY(CheckReason(c.reason));
                          return std::vector<Event>{Voided{c.reason}};
                        },
                        [&](const HandOff& c) -> Result<std::vector<Event>> {
                          LONTAR_TRY(CheckReason(c.reason));
                          if (c.handoff_id.empty())
                            return std::unexpected(Refuse("a hand-off needs an id"));
                          return std::vector<Event>{HandedOff{c.handoff_id, c.reason}};
                        },
                        [&](const Restore&) -> Result<std::vector<Event>> {
                          return std::unexpected(Refuse("unreachable"));
                        },
                        [&](const Accommodate& c) -> Result<std::vector<Event>> {
                          LONTAR_TRY(CheckReason(c.reason));
                          model::Accommodations next = s.accommodations;
                          next.text_size = c.accommodations.text_size;
                          next.high_contrast = c.accommodations.high_contrast;
                          next.read_aloud = c.accommodations.read_aloud;
                          if (next == s.accommodations) return std::vector<Event>{};
                          return std::vector<Event>{Accommodated{next, "proctor", c.reason}};
                        },
                    },
                    command);
}

Restored Snapshot(const SittingState& s, std::string handoff_id, std::string from_terminal) {
  return Restored{std::move(handoff_id),
                  std::move(from_terminal),
                  s.participant,
                  s.seed,
                  s.section,
                  s.current_item,
                  s.answers,
                  s.flagged,
                  s.elapsed_ns,
                  s.section_elapsed_ns,
                  s.extra_ns,
                  s.section_extra_ns,
                  s.accommodations,
                  s.accommodations_source};
}

SittingState Apply(const model::Exam& exam, SittingState s, const Event& event) {
  std::visit(Overloaded{
                 [&](const Started& e) {
                   s.phase = Phase::kInProgress;
                   s.participant = e.participant;
                   s.seed = e.seed;
                   s.section_elapsed_ns.assign(exam.sections.size(), 0);
                   s.section_extra_ns.assign(exam.sections.size(), 0);
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
                 [&](const Paused& e) {
                   s.paused = true;
                   s.paused_by_room = e.room;
                 },
                 [&](const Resumed&) {
                   s.paused = false;
                   s.paused_by_room = false;
                 },
                 [&](const TimeAdded& e) {
                   s.extra_ns += e.ns;
                   if (s.section < s.section_extra_ns.size()) s.section_extra_ns[s.section] += e.ns;
                 },
                 [&](const Voided&) { s.phase = Phase::kVoided; },
                 [&](const HandedOff& e) {
                   s.phase = Phase::kHandedOff;
                   s.handoff_id = e.handoff_id;
                 },
                 [&](const Restored& e) {
                   s = SittingState{};
                   s.phase = Phase::kInProgress;
                   s.participant = e.participant;
                   s.seed = e.seed;
                   s.section = e.section;
                   s.current_item = e.current_item;
                   s.answers = e.answers;
                   s.flagged = e.flagged;
                   s.elapsed_ns = e.elapsed_ns;
                   s.section_elapsed_ns = e.section_elapsed_ns;
                   s.extra_ns = e.extra_ns;
                   s.section_extra_ns = e.section_extra_ns;
                   s.handoff_id = e.handoff_id;
                   s.from_terminal = e.from_terminal;
                   s.accommodations = e.accommodations;
                   s.accommodations_source = e.accommodations_source;
                 },
                 [&](const Accommodated& e) {
                   s.accommodations = e.accommodations;
                   s.accommodations_source = e.source;
                 },
             },
             event);
  return s;
}

}  // namespace lontar::exam

#include "core/speech/item_script.hpp"

#include <algorithm>

namespace lontar::speech {
namespace {

// A sentence ends where the text does, so that espeak-ng pauses before the next part.
std::string Sentence(std::string text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n')) text.pop_back();
  if (!text.empty() && std::string_view(".?!:").find(text.back()) == std::string_view::npos) {
    text += '.';
  }
  return text;
}

}  // namespace

std::string ItemScript(const model::Item& item, std::size_t number,
                       const std::vector<std::string>& option_order, Voice voice) {
  const bool en = voice == Voice::kEnglish;
  const auto pick = [en](const model::Text& t) { return en && !t.en.empty() ? t.en : t.id; };
  std::string out = (en ? "Question " : "Soal ") + std::to_string(number) + ". ";
  out += Sentence(pick(item.stem));
  char letter = 'A';
  for (const std::string& key : option_order) {
    const auto o = std::find_if(item.options.begin(), item.options.end(),
                                [&](const model::Option& x) { return x.key == key; });
    if (o == item.options.end()) continue;
    out += std::string(en ? " Option " : " Pilihan ") + letter + ". " + Sentence(pick(o->text));
    ++letter;
  }
  return out;
}

std::string CurrentItemScript(const model::Exam& exam, const exam::SittingState& state,
                              Voice voice) {
  const auto item = exam.items.find(state.current_item);
  if (item == exam.items.end() || state.section >= exam.sections.size()) return "";
  const std::vector<std::string> order = exam::ItemOrder(exam, state.section, state.seed);
  const auto at = std::find(order.begin(), order.end(), state.current_item);
  const std::size_t number = static_cast<std::size_t>(at - order.begin()) + 1;
  return ItemScript(item->second, number, exam::OptionOrder(exam, item->second, state.seed), voice);
}

std::string ClockScript(ClockAnnouncement what, Voice voice) {
  const bool en = voice == Voice::kEnglish;
  if (what == ClockAnnouncement::kFiveMinutesLeft) {
    return en ? "Five minutes left." : "Waktu tersisa lima menit.";
  }
  return en ? "Time is up." : "Waktu habis.";
}

}  // namespace lontar::speech

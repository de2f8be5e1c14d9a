#include "core/interop/qti_text.hpp"

#include <array>
#include <string_view>

namespace lontar::interop {
namespace {

constexpr std::array<std::string_view, 12> kBlocks = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "section", "article"};
constexpr std::array<std::string_view, 22> kInline = {
    "span", "em",   "strong", "b",   "i",   "u",    "sub", "sup", "small", "code", "q",
    "cite", "abbr", "dfn",    "kbd", "var", "samp", "bdo", "bdi", "label", "mark", "big"};

template <std::size_t N>
bool In(const std::array<std::string_view, N>& set, std::string_view name) {
  for (std::string_view s : set) {
    if (s == name) return true;
  }
  return false;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// "id", "in", "ind", "id-ID" -> 'i'; "en", "en-GB" -> 'e'; anything else -> 0.
char LangSlot(std::string_view lang) {
  const std::string_view primary = lang.substr(0, lang.find_first_of("-_"));
  if (primary == "id" || primary == "in" || primary == "ind" || primary == "ID") return 'i';
  if (primary == "en" || primary == "eng" || primary == "EN") return 'e';
  return 0;
}

}  // namespace

void BilingualText::Append(Slot& slot, std::string_view text) {
  for (char c : text) {
    if (IsSpace(c)) {
      slot.pending_space = true;
      continue;
    }
    if (!slot.out.empty()) {
      if (slot.pending_break == 2) {
        slot.out += "\n\n";
      } else if (slot.pending_break == 1) {
        slot.out += "\n";
      } else if (slot.pending_space) {
        slot.out += ' ';
      }
    }
    slot.out += slot.pending_prefix;
    slot.pending_prefix.clear();
    slot.pending_break = 0;
    slot.pending_space = false;
    slot.out += c;
  }
}

void BilingualText::Break(int kind) {
  for (Slot* s : {&id_, &en_}) {
    s->pending_break = std::max(s->pending_break, kind);
    s->pending_space = false;
  }
}

void BilingualText::Paragraph() { Break(2); }

BilingualText::Slot* BilingualText::SlotFor(
    XmlNode node, const std::function<void(XmlNode, const std::string&)>& on_unknown) {
  std::string lang = Lang(node);
  if (lang.empty()) lang = default_lang_;
  switch (LangSlot(lang)) {
    case 'i':
      return &id_;
    case 'e':
      return &en_;
    default:
      on_unknown(node, "text in language '" + lang +
                           "' (xml:lang); Lontar holds Bahasa Indonesia (id) and English (en)");
      return nullptr;
  }
}

void BilingualText::Walk(XmlNode node, const std::function<bool(XmlNode)>& on_element,
                         const std::function<void(XmlNode, const std::string&)>& on_unknown) {
  for (XmlNode c : AllChildren(node)) {
    if (IsText(c)) {
      const std::string_view text = TextOf(c);
      bool blank = true;
      for (char ch : text) blank = blank && IsSpace(ch);
      if (blank) {
        for (Slot* s : {&id_, &en_}) s->pending_space = true;
        continue;
      }
      if (Slot* slot = SlotFor(node, on_unknown)) Append(*slot, text);
      continue;
    }
    if (!IsElement(c)) continue;  // comments, processing instructions
    if (on_element(c)) continue;
    const std::string_view name = LocalName(c);
    if (name == "br") {
      Break(1);
    } else if (In(kBlocks, name)) {
      Break(2);
      Walk(c, on_element, on_unknown);
      Break(2);
    } else if (name == "ul" || name == "ol") {
      Break(2);
      int n = 0;
      for (XmlNode li : Children(c)) {
        if (LocalName(li) != "li") {
          on_unknown(li, "<" + std::string(LocalName(li)) + "> inside a list");
          continue;
        }
        Break(1);
        const std::string prefix = name == "ul" ? "- " : std::to_string(++n) + ". ";
        id_.pending_prefix = en_.pending_prefix = prefix;
        Walk(li, on_element, on_unknown);
        id_.pending_prefix.clear();
        en_.pending_prefix.clear();
      }
      Break(2);
    } else if (In(kInline, name)) {
      Walk(c, on_element, on_unknown);
    } else {
      on_unknown(c, "<" + std::string(name) +
                        "> cannot be shown by the kiosk, which shows text "
                        "and images");
    }
  }
}

model::Text BilingualText::Finish(bool& one_language) const {
  model::Text t{id_.out, en_.out};
  one_language = false;
  if (t.id.empty() && !t.en.empty()) {
    t.id = t.en;
    one_language = true;
  } else if (t.en.empty() && !t.id.empty()) {
    t.en = t.id;
    one_language = true;
  }
  return t;
}

}  // namespace lontar::interop

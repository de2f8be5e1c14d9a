// The text of a QTI item body (XHTML inside QTI elements) as Lontar's plain, bilingual text: the
// kiosk shows a stem and options as wrapped plain text, so structure becomes line breaks:
//   <p>, <div>, headings, <blockquote>, <pre>   a paragraph: a blank line before and after
//   <br/>                                       a line break
//   <ul>/<ol> <li>                              a line each, "- " or "1. " in front
//   <em>, <strong>, <span>, <sub>, ... inline   their text (the emphasis itself is lost)
//   <img src>                                   an image of the item (not of the text)
// Runs of white space become one space, as a browser shows them. Text goes to the slot its
// xml:lang names (qti_item.hpp). Elements the kiosk cannot show are reported, not skipped.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/interop/xml.hpp"
#include "core/model/exam.hpp"

namespace lontar::interop {

// Collects the two language slots while walking a body.
class BilingualText {
 public:
  // `default_lang` takes text whose xml:lang is "" (the item's own language).
  explicit BilingualText(std::string default_lang) : default_lang_(std::move(default_lang)) {}

  // Walks the children of `node`. `on_element` is offered each element first; it returns true
  // when it has handled the element (an interaction, an image). Elements neither it nor the
  // table above handles go to `on_unknown`. Returns false when a text's language is neither
  // Bahasa Indonesia nor English (reported through on_unknown with the language).
  void Walk(XmlNode node, const std::function<bool(XmlNode)>& on_element,
            const std::function<void(XmlNode, const std::string& why)>& on_unknown);
  // Starts a paragraph in both slots (before and after an interaction's prompt, say).
  void Paragraph();

  // The two slots; `one_language` is set when one was empty and took the other's text.
  model::Text Finish(bool& one_language) const;

 private:
  struct Slot {
    std::string out;
    int pending_break = 0;  // 0 none, 1 a line break, 2 a paragraph
    bool pending_space = false;
    std::string pending_prefix;  // a list item's "- ", written before its first text
  };
  void Append(Slot& slot, std::string_view text);
  void Break(int kind);
  Slot* SlotFor(XmlNode node, const std::function<void(XmlNode, const std::string&)>& on_unknown);

  std::string default_lang_;
  Slot id_, en_;
};

}  // namespace lontar::interop

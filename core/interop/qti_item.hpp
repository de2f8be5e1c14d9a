// One QTI 3.0 assessment item (namespace http://www.imsglobal.org/xsd/imsqtiasi_v3p0) mapped to a
// Lontar item (docs/import.md has the table for exam authors):
//
//   qti-choice-interaction, cardinality single, qti-correct-response and match_correct
//       (the template or its written-out form)                    -> single
//   cardinality multiple, match_correct                           -> multiple, partial: none
//   cardinality multiple, map_response with +P/R for each right
//       choice, -P/R for each wrong one and lower-bound 0         -> multiple, partial:
//       proportional
//   cardinality single, map_response (qti-map-entry mapped-value
//       1..5 for every choice)                                    -> weighted, or likert when the
//       values run 1..n (or n..1) in choice order, or the interaction's class says lontar-likert
//   qti-prompt and the body's text (paragraphs, emphasis, lists,
//       line breaks)                                              -> the stem, plain text
//   <img src>                                                     -> the item's media
//   xml:lang "id"/"in"/"id-*" and "en"/"en-*"                     -> the Bahasa Indonesia and
//       English slots; text with no language goes to the item's xml:lang (default id); a slot
//       left empty takes the other's text
//
// Templates are recognised by the ending of their URL (".../match_correct",
// ".../match_correct.xml", QTI 2's ".../rptemplates/map_response"), whatever the host. The
// match_correct template's 1/0 becomes points_correct/0 (QtiItemOptions); a written-out rule keeps
// the scores it writes.
//
// Everything else (other interactions, feedback, adaptive items, templates, MathML, tables,
// audio and video, response processing that reduces to none of the rules above) is listed in
// `dropped`, one entry per construct with its line, and the item is not imported.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/model/exam.hpp"
#include "core/util/error.hpp"

namespace lontar::interop {

inline constexpr std::string_view kQtiNamespace = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0";

struct QtiItemOptions {
  int points_correct = 5;  // what match_correct's 1 point becomes
};

struct Dropped {
  std::string where;    // "items/q1.xml:14"
  std::string item;     // the item's identifier, when known
  std::string message;  // what was dropped and why
  std::string ToString() const { return where + ": " + message; }
};

struct QtiItem {
  std::string identifier;  // as the item writes it
  model::Item item;        // id: the identifier as a Lontar id; section and media left empty
  std::vector<std::string> images;  // package entries of <img src>, in order, without repeats
  int images_line = 0;              // line of the first <img>, for messages
  bool shuffle = false;             // the interaction asks for shuffled choices
  bool fixed_choice = false;        // ... but pins at least one in place
  bool one_language = false;        // one slot was filled from the other
  std::vector<Dropped> dropped;     // non-empty: the item cannot be imported as it is
};

// Maps the item in `xml`, read from the package entry `entry` (which names it in messages and is
// the base for image paths). Fails with kMalformed "ENTRY:LINE: ..." for malformed XML (xml.hpp's
// limits) or a root that is not a QTI 3.0 qti-assessment-item; what Lontar cannot represent is
// reported in `dropped` instead. Pure.
[[nodiscard]] Result<QtiItem> ReadQtiItem(std::string_view xml, std::string_view entry,
                                          const QtiItemOptions& options);

// A QTI identifier as a Lontar id (a-z 0-9 -, at most 64): letters lower-cased, '_', '.' and ' '
// become '-'. "" when some other character makes that impossible. Pure.
std::string ToLontarId(std::string_view identifier);

}  // namespace lontar::interop

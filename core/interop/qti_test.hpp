// A QTI 3.0 assessment test as the sections of a Lontar exam:
//
//   qti-assessment-test (title)                 the exam's title (both languages)
//     qti-time-limits max-time (seconds)        duration_minutes, rounded up
//     qti-test-part                             its sections follow the previous part's
//       qti-assessment-section (identifier,     a section, in order; a section inside a section
//         title, qti-time-limits)               adds its items to the outer one
//         qti-ordering shuffle="true"           shuffle: items
//         qti-assessment-item-ref (identifier,  an item; `category` names its competency when the
//           href, category)                     exam declares one by that id
//
// Not representable, and reported as dropped: qti-selection (a random subset per candidate),
// qti-branch-rule and qti-pre-condition (adaptive routes), qti-test-feedback. Outcome processing
// is not read: Lontar totals item scores per section and applies the exam's pass rules itself.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/interop/qti_item.hpp"
#include "core/interop/xml_stream.hpp"
#include "core/util/error.hpp"

namespace lontar::interop {

struct QtiItemRef {
  std::string identifier;
  std::string href;  // package entry
  std::vector<std::string> categories;
  int line = 0;
};

struct QtiSection {
  std::string identifier;
  std::string title;
  int minutes = 0;               // 0: no limit of its own
  std::vector<QtiItemRef> refs;  // empty when the refs went to a sink (ReadQtiTest(XmlStream&))
  int line = 0;
};

struct QtiTest {
  std::string identifier;
  std::string title;
  int minutes = 0;  // 0: none given
  bool shuffle_items = false;
  std::vector<QtiSection> sections;
  std::vector<Dropped> dropped;
};

// Reads the test from `xml` (named by its package entry: hrefs are resolved against it), handing
// each item ref to `on_ref` with the index of its section in the result's `sections` as soon as
// it is read; the sections come back without their refs, so a test of any size is read in
// memory that does not grow with it. Fails as ReadQtiTest(text) does; a fault of the test's own
// is reported only once the rest has read as well-formed XML (else the malformed XML is), and
// `on_ref` may have been called before it is found. Reads what `xml` reads.
using QtiItemRefSink = std::function<void(std::size_t section, QtiItemRef ref)>;
[[nodiscard]] Result<QtiTest> ReadQtiTest(XmlStream& xml, const QtiItemRefSink& on_ref);

// Reads the test in `xml` from the package entry `entry` (hrefs are resolved against it). Fails
// with kMalformed "ENTRY:LINE: ..." for malformed XML, a root that is not a QTI 3.0
// qti-assessment-test, and an item ref without an href inside the package. Pure.
[[nodiscard]] Result<QtiTest> ReadQtiTest(std::string_view xml, std::string_view entry);

}  // namespace lontar::interop

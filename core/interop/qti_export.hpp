// `lontar qti export`: an authoring source as a QTI 3.0 content package that other QTI tools read
// and that `qti import` reads back to the same exam (same items, options, keys, weights,
// sections, media). The zip holds:
//
//   imsmanifest.xml        one resource per item (depending on its images), the test, every image,
//                          and lontar/exam.yaml
//   test.xml               qti-assessment-test > one qti-test-part > a qti-assessment-section per
//                          section, in order, with qti-time-limits (seconds) where the exam has
//                          them and each item ref's category naming its competency
//   items/ID.xml           one qti-assessment-item per item:
//                            single, multiple    qti-correct-response and match_correct written
//                                                out with the item's points (right, wrong)
//                            multiple, partial   map_response: +P/R per right choice, -P/R per
//                                                wrong one, lower-bound 0, upper-bound P
//                            weighted, likert    map_response with each option's score; the
//                                                interaction's class is lontar-weighted,
//                                                lontar-likert or lontar-likert-reverse (a
//                                                reversed item maps the scores it gives)
//                          the stem in <div xml:lang="id"> and <div xml:lang="en">, a paragraph
//                          per blank-line-separated block and <br/> per line break; each option's
//                          two texts in <span xml:lang>; images as <img src="../media/...">.
//   media/NAME             the images, stored (not deflated: PNG and JPEG are compressed already)
//   lontar/exam.yaml       the source's exam.yaml: what QTI has no place for (pass rules,
//                          competencies, positions, instructions, ...); other tools ignore it
//
// Text survives the round trip up to HTML's white-space rules: runs of spaces become one, and
// leading or trailing spaces of a line are lost.
#pragma once

#include <cstddef>
#include <filesystem>

#include "core/util/error.hpp"

namespace lontar::interop {

struct QtiExportReport {
  std::size_t items = 0;
  std::size_t sections = 0;
  std::size_t media = 0;
};

// Exports the authoring source `source_dir` (which must validate, roster included, as for
// `pack build`) to the new zip `out`. Fails with kInvalidArgument listing the source's problems,
// kAlreadyExists when `out` exists. libzip writes to a temporary file beside `out` and renames it
// when complete, so `out` is whole or absent. Reads the source; writes `out`.
[[nodiscard]] Result<QtiExportReport> ExportQti(const std::filesystem::path& source_dir,
                                                const std::filesystem::path& out);

}  // namespace lontar::interop

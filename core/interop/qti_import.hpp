// `lontar qti import`: a QTI 3.0 content package (zip or directory) to Lontar's authoring source.
//
//   1. imsmanifest.xml at the package's top (qti_manifest.hpp); every file a resource names must
//      be in the package.
//   2. The test (the first imsqti_test_xmlv3p0 resource) gives the sections and their order
//      (qti_test.hpp); without one, every item resource goes, in manifest order, into one section
//      "main". Both are read as streams (xml_stream.hpp), never whole: the plan keeps 8 bytes
//      per item ref (the item's entry number in the package and its categories).
//   3. Each item, in turn, is mapped (qti_item.hpp), its images are copied to media/ under their
//      file names (a second image with the same name gets "-2", ...; each must be a PNG or JPEG
//      of at most 10 MB), it is checked and written (SourceWriter, source_writer.hpp), in a
//      directory beside `out`, and placed in its section; then it is forgotten, so memory grows
//      only by what is kept per item: its id (in its section, the writer and the duplicate
//      check) and, per package entry, where its item went. The package's own index of entries
//      is libzip's central directory, which any reader of a zip holds.
//   4. exam.yaml: from `lontar/exam.yaml` in the package when there is one (what `qti export`
//      writes: everything QTI has no place for, such as pass rules and competencies), else from
//      `exam_template`, else from the test (title, time limit) with defaults; its sections are
//      always the test's.
//   5. The result is valid as `pack build` would validate it (SourceWriter says how that is
//      ensured without reading the items back), and the directory is renamed to `out` only then:
//      on any failure `out` does not exist afterwards.
//
// What Lontar cannot represent is reported per construct ("items/q7.xml:14: feedback: ..."):
// the item is skipped (a test-level construct is ignored), or, with `strict`, nothing is written.
// Bad input (not a zip, zip-slip, zip bomb, no manifest, a file the manifest names but the
// package lacks, malformed or oversized XML, a missing image) fails the import with every such
// problem listed, each naming its file.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "core/interop/qti_item.hpp"
#include "core/util/error.hpp"

namespace lontar::interop {

struct QtiImportOptions {
  int points_correct = 5;               // what match_correct's 1 point becomes
  bool strict = false;                  // refuse when anything is dropped
  std::filesystem::path roster;         // copied to roster.csv when given
  std::filesystem::path exam_template;  // used when the package has no lontar/exam.yaml
};

struct QtiImportReport {
  std::size_t items = 0;           // imported
  std::size_t sections = 0;        // written
  std::size_t media = 0;           // image files copied
  std::vector<Dropped> dropped;    // what was left out, in package order
  std::vector<std::string> notes;  // choices made that the author may want to revisit
};

// Imports `package` into the new directory `out`. Fails with kAlreadyExists when `out` exists,
// kMalformed (or kNotFound, kCorruption) listing every problem with the package, and, with
// `strict`, kInvalidArgument listing what would be dropped. Reads the package; writes only
// beside and into `out`.
[[nodiscard]] Result<QtiImportReport> ImportQti(const std::filesystem::path& package,
                                                const std::filesystem::path& out,
                                                const QtiImportOptions& options);

}  // namespace lontar::interop

#include "core/interop/qti_test.hpp"

#include <cmath>
#include <cstdlib>
#include <optional>

#include "core/interop/package.hpp"
#include "core/interop/xml_stream.hpp"

namespace lontar::interop {
namespace {

// The minutes of a qti-time-limits element, 0 when its max-time is not a usable number of seconds.
int Minutes(const XmlStream& xml) {
  const std::string s = xml.Attr("max-time").value_or("");
  char* end = nullptr;
  const double seconds = std::strtod(s.c_str(), &end);
  if (!s.empty() && *end == '\0' && std::isfinite(seconds) && seconds > 0 && seconds < 1e7) {
    return static_cast<int>(std::ceil(seconds / 60));
  }
  return 0;
}

}  // namespace

// The test is read as a stream of start tags (XmlStream): a tree of a 10,000-item test was most
// of what the import's planning held. Each element is placed by its ancestors' names: the root
// (depth 0), a qti-test-part (1), a section (2), and sections inside it (3 and on), whose
// children are read as the outer section's.
Result<QtiTest> ReadQtiTest(XmlStream& xml, const QtiItemRefSink& on_ref) {
  QtiTest out;
  std::optional<Error> fault;  // the first fault of the test's own; the rest is still read
  auto drop = [&](const std::string& why) { out.dropped.push_back({xml.Where(), "", why}); };
  std::vector<std::string> open;  // local names of the open elements, the root first
  std::vector<bool> in_section;   // whether the element at each depth is a (nested) section
  int root_minutes = 0, part_minutes = 0;
  for (;;) {
    LONTAR_ASSIGN_OR_RETURN(const bool more, xml.Next());
    if (!more) break;
    if (fault) continue;
    const std::size_t depth = static_cast<std::size_t>(xml.depth());
    open.resize(depth);
    open.emplace_back(xml.local_name());
    in_section.resize(depth);
    const std::string_view name = open.back();
    const std::string_view parent = depth > 0 ? std::string_view(open[depth - 1]) : "";
    const bool is_section =
        name == "qti-assessment-section" &&
        ((depth == 2 && parent == "qti-test-part") || (depth > 2 && in_section[depth - 1]));
    in_section.push_back(is_section);
    if (depth == 0) {
      if (name != "qti-assessment-test" || xml.namespace_uri() != kQtiNamespace) {
        fault = Error::Malformed(xml.Where() + ": <" + std::string(name) +
                                 "> is not a QTI 3.0 qti-assessment-test");
        continue;
      }
      out.identifier = xml.Attr("identifier").value_or("");
      out.title = xml.Attr("title").value_or("");
    } else if (depth == 1) {
      if (name == "qti-test-feedback") drop("test feedback: Lontar shows no feedback");
      if (name == "qti-time-limits" && root_minutes == 0) root_minutes = Minutes(xml);
    } else if (depth == 2 && parent == "qti-test-part") {
      if (name == "qti-branch-rule" || name == "qti-pre-condition") {
        drop(std::string(name) + ": Lontar has no adaptive routes through a test");
      }
      if (name == "qti-time-limits" && part_minutes == 0) part_minutes = Minutes(xml);
      if (is_section) {
        QtiSection section;
        section.identifier = xml.Attr("identifier").value_or("");
        section.title = xml.Attr("title").value_or("");
        section.line = xml.line();
        out.sections.push_back(std::move(section));
      }
    } else if (depth > 2 && in_section[depth - 1]) {
      if (name == "qti-assessment-item-ref") {
        QtiItemRef ref;
        ref.identifier = xml.Attr("identifier").value_or("");
        ref.line = xml.line();
        const std::string href = xml.Attr("href").value_or("");
        ref.href = ResolveHref(xml.file(), href);
        if (ref.href.empty()) {
          fault = Error::Malformed(xml.Where() + ": item ref '" + ref.identifier + "' has href '" +
                                   href + "', which is not a file inside the package");
          continue;
        }
        const std::string cats = xml.Attr("category").value_or("");
        std::size_t start = 0;
        while (start < cats.size()) {
          const std::size_t end = std::min(cats.find(' ', start), cats.size());
          if (end > start) ref.categories.push_back(cats.substr(start, end - start));
          start = end + 1;
        }
        on_ref(out.sections.size() - 1, std::move(ref));
      } else if (name == "qti-time-limits" && depth == 3 && out.sections.back().minutes == 0) {
        out.sections.back().minutes = Minutes(xml);
      } else if (name == "qti-ordering") {
        out.shuffle_items = out.shuffle_items || xml.Attr("shuffle") == "true";
      } else if (name == "qti-selection") {
        drop(
            "qti-selection (a random subset of items per candidate): Lontar gives every "
            "candidate every item of a section");
      } else if (name == "qti-branch-rule" || name == "qti-pre-condition") {
        drop(std::string(name) + ": Lontar has no adaptive routes through a test");
      } else if (name == "qti-rubric-block") {
        drop("a rubric block: Lontar shows the exam's instructions instead");
      }
    }
  }
  if (fault) return std::unexpected(*fault);
  out.minutes = root_minutes != 0 ? root_minutes : part_minutes;
  return out;
}

Result<QtiTest> ReadQtiTest(std::string_view xml, std::string_view entry) {
  LONTAR_ASSIGN_OR_RETURN(XmlStream stream, XmlStream::FromText(xml, entry));
  std::vector<std::vector<QtiItemRef>> refs;
  LONTAR_ASSIGN_OR_RETURN(QtiTest out,
                          ReadQtiTest(stream, [&](std::size_t section, QtiItemRef ref) {
                            refs.resize(std::max(refs.size(), section + 1));
                            refs[section].push_back(std::move(ref));
                          }));
  for (std::size_t k = 0; k < refs.size() && k < out.sections.size(); ++k) {
    out.sections[k].refs = std::move(refs[k]);
  }
  return out;
}

}  // namespace lontar::interop

#include "core/interop/qti_test.hpp"

#include <cmath>
#include <cstdlib>

#include "core/interop/package.hpp"
#include "core/interop/xml.hpp"

namespace lontar::interop {
namespace {

int Minutes(XmlNode parent) {
  for (XmlNode t : Children(parent, "qti-time-limits")) {
    const std::string s = Attr(t, "max-time").value_or("");
    char* end = nullptr;
    const double seconds = std::strtod(s.c_str(), &end);
    if (!s.empty() && *end == '\0' && std::isfinite(seconds) && seconds > 0 && seconds < 1e7) {
      return static_cast<int>(std::ceil(seconds / 60));
    }
  }
  return 0;
}

struct Reader {
  const XmlDoc& doc;
  std::string_view entry;
  QtiTest& out;

  void Drop(XmlNode at, const std::string& why) { out.dropped.push_back({doc.Where(at), "", why}); }

  Status Section(XmlNode node, QtiSection& section) {
    for (XmlNode c : Children(node)) {
      const std::string_view name = LocalName(c);
      if (name == "qti-assessment-item-ref") {
        QtiItemRef ref;
        ref.identifier = Attr(c, "identifier").value_or("");
        ref.line = Line(c);
        const std::string href = Attr(c, "href").value_or("");
        ref.href = ResolveHref(entry, href);
        if (ref.href.empty()) {
          return std::unexpected(Error::Malformed(doc.Where(c) + ": item ref '" + ref.identifier +
                                                  "' has href '" + href +
                                                  "', which is not a file inside the package"));
        }
        const std::string cats = Attr(c, "category").value_or("");
        std::size_t start = 0;
        while (start < cats.size()) {
          const std::size_t end = std::min(cats.find(' ', start), cats.size());
          if (end > start) ref.categories.push_back(cats.substr(start, end - start));
          start = end + 1;
        }
        section.refs.push_back(std::move(ref));
      } else if (name == "qti-assessment-section") {
        LONTAR_TRY(Section(c, section));
      } else if (name == "qti-ordering") {
        out.shuffle_items = out.shuffle_items || Attr(c, "shuffle") == "true";
      } else if (name == "qti-selection") {
        Drop(c,
             "qti-selection (a random subset of items per candidate): Lontar gives every "
             "candidate every item of a section");
      } else if (name == "qti-branch-rule" || name == "qti-pre-condition") {
        Drop(c, std::string(name) + ": Lontar has no adaptive routes through a test");
      } else if (name == "qti-rubric-block") {
        Drop(c, "a rubric block: Lontar shows the exam's instructions instead");
      }
    }
    return Ok();
  }
};

}  // namespace

Result<QtiTest> ReadQtiTest(std::string_view xml, std::string_view entry) {
  LONTAR_ASSIGN_OR_RETURN(XmlDoc doc, XmlDoc::Parse(xml, entry));
  XmlNode root = doc.root();
  if (LocalName(root) != "qti-assessment-test" || NamespaceUri(root) != kQtiNamespace) {
    return std::unexpected(Error::Malformed(doc.Where(root) + ": <" + std::string(LocalName(root)) +
                                            "> is not a QTI 3.0 qti-assessment-test"));
  }
  QtiTest out;
  out.identifier = Attr(root, "identifier").value_or("");
  out.title = Attr(root, "title").value_or("");
  out.minutes = Minutes(root);
  Reader reader{doc, entry, out};
  for (XmlNode c : Children(root)) {
    const std::string_view name = LocalName(c);
    if (name == "qti-test-feedback") {
      reader.Drop(c, "test feedback: Lontar shows no feedback");
    }
    if (name != "qti-test-part") continue;
    if (out.minutes == 0) out.minutes = Minutes(c);
    for (XmlNode s : Children(c)) {
      const std::string_view sname = LocalName(s);
      if (sname == "qti-branch-rule" || sname == "qti-pre-condition") {
        reader.Drop(s, std::string(sname) + ": Lontar has no adaptive routes through a test");
      }
      if (sname != "qti-assessment-section") continue;
      QtiSection section;
      section.identifier = Attr(s, "identifier").value_or("");
      section.title = Attr(s, "title").value_or("");
      section.minutes = Minutes(s);
      section.line = Line(s);
      LONTAR_TRY(reader.Section(s, section));
      out.sections.push_back(std::move(section));
    }
  }
  return out;
}

}  // namespace lontar::interop

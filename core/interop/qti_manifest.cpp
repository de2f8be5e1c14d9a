#include "core/interop/qti_manifest.hpp"

#include <libxml/xmlreader.h>

#include <memory>
#include <optional>
#include <set>

#include "core/interop/package.hpp"
#include "core/interop/xml.hpp"

namespace lontar::interop {

const ManifestResource* Manifest::Find(std::string_view identifier) const {
  for (const ManifestResource& r : resources) {
    if (r.identifier == identifier) return &r;
  }
  return nullptr;
}

namespace {

struct FreeReader {
  void operator()(xmlTextReader* r) const { xmlFreeTextReader(r); }
};

// An attribute without namespace of the reader's current element, or nullopt.
std::optional<std::string> ReaderAttr(xmlTextReaderPtr r, const char* name) {
  xmlChar* v = xmlTextReaderGetAttribute(r, reinterpret_cast<const xmlChar*>(name));
  if (v == nullptr) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return out;
}

// The first error libxml2 reports while reading, with its line.
struct ReadError {
  std::string message;
  int line = 0;
};

void KeepFirstError(void* arg, xmlErrorPtr e) {
  auto* first = static_cast<ReadError*>(arg);
  if (e == nullptr || !first->message.empty()) return;
  first->message = e->message != nullptr ? Trim(e->message) : "not XML";
  first->line = e->line;
}

}  // namespace

// The manifest is read as a stream of elements (xmlTextReader), not built as a tree: for 10,000
// items a tree of imsmanifest.xml was the largest thing an import held, some 3 KiB an item. The
// checks are XmlDoc::Parse's (size, no DTD, nesting depth, well-formedness), in the same words.
Result<Manifest> ParseManifest(std::string_view xml, std::string_view file) {
  const std::string where(file);
  LONTAR_TRY(CheckXmlText(xml, file));
  if (xml.find('<') == std::string_view::npos) {
    // libxml2's reader calls an empty document "extra content"; its tree parser's words are
    // the ones an operator can act on.
    return std::unexpected(Error::Malformed(where + ": malformed XML: Document is empty"));
  }
  std::unique_ptr<xmlTextReader, FreeReader> reader(xmlReaderForMemory(
      xml.data(), static_cast<int>(xml.size()), nullptr, nullptr, XmlParseOptions()));
  if (reader == nullptr) {
    return std::unexpected(Error::Internal(where + ": libxml2 out of memory"));
  }
  ReadError error;
  xmlTextReaderSetStructuredErrorHandler(reader.get(), KeepFirstError, &error);
  auto at = [&](int line) { return line > 0 ? where + ":" + std::to_string(line) : where; };
  auto bad = [&](int line, const std::string& what) {
    return std::unexpected(Error::Malformed(at(line) + ": " + what));
  };

  Manifest out;
  std::set<std::string> ids;
  std::vector<std::string> open;  // local names of the open elements, the root first
  bool seen_root = false;
  int rc = 0;
  while ((rc = xmlTextReaderRead(reader.get())) == 1) {
    if (xmlTextReaderNodeType(reader.get()) != XML_READER_TYPE_ELEMENT) continue;
    const int depth = xmlTextReaderDepth(reader.get());
    const xmlNode* node = xmlTextReaderCurrentNode(reader.get());
    const int line = node != nullptr ? static_cast<int>(xmlGetLineNo(node)) : 0;
    if (depth + 1 > kMaxXmlDepth) {
      return bad(line,
                 "elements nested more than " + std::to_string(kMaxXmlDepth) + " deep; refused");
    }
    const char* name = reinterpret_cast<const char*>(xmlTextReaderConstLocalName(reader.get()));
    open.resize(static_cast<std::size_t>(depth));
    open.emplace_back(name != nullptr ? name : "");
    const std::string& local = open.back();
    if (depth == 0) {
      if (seen_root || local != "manifest") {
        return bad(line, "the root element is <" + local +
                             ">, not <manifest>: not a content package manifest");
      }
      seen_root = true;
      continue;
    }
    const bool in_resources = open[1] == "resources";
    if (depth == 2 && in_resources && local == "resource") {
      ManifestResource res;
      res.line = line;
      res.identifier = ReaderAttr(reader.get(), "identifier").value_or("");
      res.type = ReaderAttr(reader.get(), "type").value_or("");
      if (res.identifier.empty()) return bad(line, "a <resource> without an identifier");
      if (!ids.insert(res.identifier).second) {
        return bad(line, "resource identifier '" + res.identifier + "' is used twice");
      }
      if (auto href = ReaderAttr(reader.get(), "href")) {
        res.href = ResolveHref("", *href);
        if (res.href.empty()) {
          return bad(line, "resource '" + res.identifier + "' names '" + *href +
                               "', which is not a file inside the package");
        }
      }
      out.resources.push_back(std::move(res));
    } else if (depth == 3 && in_resources && open[2] == "resource" && !out.resources.empty()) {
      ManifestResource& res = out.resources.back();
      if (local == "file") {
        const auto href = ReaderAttr(reader.get(), "href");
        if (!href) return bad(line, "a <file> without an href");
        std::string entry = ResolveHref("", *href);
        if (entry.empty()) {
          return bad(line, "resource '" + res.identifier + "' names '" + *href +
                               "', which is not a file inside the package");
        }
        res.files.push_back(std::move(entry));
      } else if (local == "dependency") {
        const auto ref = ReaderAttr(reader.get(), "identifierref");
        if (!ref || ref->empty()) return bad(line, "a <dependency> without an identifierref");
        res.dependencies.push_back(*ref);
      }
    }
  }
  if (rc < 0 || !seen_root) {
    return std::unexpected(Error::Malformed(at(error.line) + ": malformed XML: " +
                                            (error.message.empty() ? "not XML" : error.message)));
  }
  for (const ManifestResource& res : out.resources) {
    for (const std::string& dep : res.dependencies) {
      if (!ids.contains(dep)) {
        return std::unexpected(Error::Malformed(std::string(file) + ":" + std::to_string(res.line) +
                                                ": resource '" + res.identifier + "' depends on '" +
                                                dep + "', which the manifest does not declare"));
      }
    }
  }
  return out;
}

}  // namespace lontar::interop

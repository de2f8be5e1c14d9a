#include "core/interop/qti_manifest.hpp"

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

Result<Manifest> ParseManifest(std::string_view xml, std::string_view file) {
  LONTAR_ASSIGN_OR_RETURN(XmlDoc doc, XmlDoc::Parse(xml, file));
  XmlNode root = doc.root();
  if (LocalName(root) != "manifest") {
    return std::unexpected(Error::Malformed(doc.Where(root) + ": the root element is <" +
                                            std::string(LocalName(root)) +
                                            ">, not <manifest>: not a content package manifest"));
  }
  Manifest out;
  std::set<std::string> ids;
  auto bad = [&](XmlNode at, const std::string& what) {
    return std::unexpected(Error::Malformed(doc.Where(at) + ": " + what));
  };
  for (XmlNode resources : Children(root, "resources")) {
    for (XmlNode r : Children(resources, "resource")) {
      ManifestResource res;
      res.line = Line(r);
      res.identifier = Attr(r, "identifier").value_or("");
      res.type = Attr(r, "type").value_or("");
      if (res.identifier.empty()) return bad(r, "a <resource> without an identifier");
      if (!ids.insert(res.identifier).second) {
        return bad(r, "resource identifier '" + res.identifier + "' is used twice");
      }
      auto resolve = [&](XmlNode at, const std::string& href) -> Result<std::string> {
        const std::string entry = ResolveHref("", href);
        if (entry.empty()) {
          return bad(at, "resource '" + res.identifier + "' names '" + href +
                             "', which is not a file inside the package");
        }
        return entry;
      };
      if (auto href = Attr(r, "href")) {
        LONTAR_ASSIGN_OR_RETURN(res.href, resolve(r, *href));
      }
      for (XmlNode f : Children(r, "file")) {
        const auto href = Attr(f, "href");
        if (!href) return bad(f, "a <file> without an href");
        LONTAR_ASSIGN_OR_RETURN(std::string entry, resolve(f, *href));
        res.files.push_back(std::move(entry));
      }
      for (XmlNode d : Children(r, "dependency")) {
        const auto ref = Attr(d, "identifierref");
        if (!ref || ref->empty()) return bad(d, "a <dependency> without an identifierref");
        res.dependencies.push_back(*ref);
      }
      out.resources.push_back(std::move(res));
    }
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

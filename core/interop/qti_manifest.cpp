#include "core/interop/qti_manifest.hpp"

#include <map>
#include <optional>
#include <set>

#include "core/interop/package.hpp"

namespace lontar::interop {

const ManifestResource* Manifest::Find(std::string_view identifier) const {
  for (const ManifestResource& r : resources) {
    if (r.identifier == identifier) return &r;
  }
  return nullptr;
}

// The manifest is read as a stream of elements (XmlStream), not built as a tree, and each resource
// is handed on as soon as it is complete: for 10,000 items a tree of imsmanifest.xml was the
// largest thing an import held, some 3 KiB an item, and a list of its resources the next largest.
// What is kept to the end is each resource's identifier (for "used twice") and, per identifier
// depended on before it is declared, its first reference (for "does not declare").
Status ReadManifest(XmlStream& xml, const std::function<Status(ManifestResource)>& on_resource) {
  auto bad = [&](const std::string& what) {
    return std::unexpected(Error::Malformed(xml.Where() + ": " + what));
  };
  // Dependencies on identifiers not declared yet, each with its first reference in document
  // order: one entry per identifier still to come (a package's items mostly share a few
  // images), dropped when it is declared.
  struct Forward {
    std::size_t order = 0;
    std::string resource;
    int line = 0;
  };
  std::set<std::string> ids;
  std::map<std::string, Forward, std::less<>> forward;
  std::size_t references = 0;
  std::optional<ManifestResource> pending;  // the resource being read
  auto hand_on = [&]() -> Status {
    if (!pending) return Ok();
    ManifestResource res = std::move(*pending);
    pending.reset();
    return on_resource(std::move(res));
  };
  std::vector<std::string> open;  // local names of the open elements, the root first
  bool seen_root = false;
  for (;;) {
    LONTAR_ASSIGN_OR_RETURN(const bool more, xml.Next());
    if (!more) break;
    const int depth = xml.depth();
    if (depth <= 2) LONTAR_TRY(hand_on());
    open.resize(static_cast<std::size_t>(depth));
    open.emplace_back(xml.local_name());
    const std::string& local = open.back();
    if (depth == 0) {
      if (seen_root || local != "manifest") {
        return bad("the root element is <" + local +
                   ">, not <manifest>: not a content package manifest");
      }
      seen_root = true;
      continue;
    }
    const bool in_resources = open[1] == "resources";
    if (depth == 2 && in_resources && local == "resource") {
      ManifestResource res;
      res.line = xml.line();
      res.identifier = xml.Attr("identifier").value_or("");
      res.type = xml.Attr("type").value_or("");
      if (res.identifier.empty()) return bad("a <resource> without an identifier");
      if (!ids.insert(res.identifier).second) {
        return bad("resource identifier '" + res.identifier + "' is used twice");
      }
      if (auto it = forward.find(res.identifier); it != forward.end()) forward.erase(it);
      if (auto href = xml.Attr("href")) {
        res.href = ResolveHref("", *href);
        if (res.href.empty()) {
          return bad("resource '" + res.identifier + "' names '" + *href +
                     "', which is not a file inside the package");
        }
      }
      pending = std::move(res);
    } else if (depth == 3 && in_resources && open[2] == "resource" && pending) {
      ManifestResource& res = *pending;
      if (local == "file") {
        const auto href = xml.Attr("href");
        if (!href) return bad("a <file> without an href");
        std::string entry = ResolveHref("", *href);
        if (entry.empty()) {
          return bad("resource '" + res.identifier + "' names '" + *href +
                     "', which is not a file inside the package");
        }
        res.files.push_back(std::move(entry));
      } else if (local == "dependency") {
        const auto ref = xml.Attr("identifierref");
        if (!ref || ref->empty()) return bad("a <dependency> without an identifierref");
        if (!ids.contains(*ref))
          forward.try_emplace(*ref, Forward{references, res.identifier, res.line});
        ++references;
        res.dependencies.push_back(*ref);
      }
    }
  }
  LONTAR_TRY(hand_on());
  // The first reference, in document order, to an identifier never declared.
  auto first = forward.end();
  for (auto it = forward.begin(); it != forward.end(); ++it) {
    if (first == forward.end() || it->second.order < first->second.order) first = it;
  }
  if (first != forward.end()) {
    return std::unexpected(Error::Malformed(xml.file() + ":" + std::to_string(first->second.line) +
                                            ": resource '" + first->second.resource +
                                            "' depends on '" + first->first +
                                            "', which the manifest does not declare"));
  }
  return Ok();
}

Result<Manifest> ParseManifest(std::string_view xml, std::string_view file) {
  LONTAR_ASSIGN_OR_RETURN(XmlStream stream, XmlStream::FromText(xml, file));
  Manifest out;
  LONTAR_TRY(ReadManifest(stream, [&](ManifestResource r) -> Status {
    out.resources.push_back(std::move(r));
    return Ok();
  }));
  return out;
}

}  // namespace lontar::interop

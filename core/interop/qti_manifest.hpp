// A QTI 3.0 content package's imsmanifest.xml (IMS Content Packaging 1.1 as QTI 3.0 profiles it):
//
//   <manifest identifier="...">
//     <resources>
//       <resource identifier="q1" type="imsqti_item_xmlv3p0" href="items/q1.xml">
//         <file href="items/q1.xml"/> <dependency identifierref="img1"/>
//       </resource>
//       <resource identifier="t" type="imsqti_test_xmlv3p0" href="test.xml">...</resource>
//       <resource identifier="img1" type="webcontent" href="media/a.png">...</resource>
//     </resources>
//   </manifest>
//
// Only what the importer needs is read: each resource's identifier, type, href, files and
// dependencies. Hrefs are resolved against the package root; xml:base is not supported (no
// package seen in practice uses it). Other elements (metadata, organizations) are ignored.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/interop/xml_stream.hpp"
#include "core/util/error.hpp"

namespace lontar::interop {

inline constexpr std::string_view kQtiItemType = "imsqti_item_xmlv3p0";
inline constexpr std::string_view kQtiTestType = "imsqti_test_xmlv3p0";

struct ManifestResource {
  std::string identifier;
  std::string type;  // "imsqti_item_xmlv3p0", "imsqti_test_xmlv3p0", "webcontent", ...
  std::string href;  // package entry; "" when the resource has none
  std::vector<std::string> files;         // package entries
  std::vector<std::string> dependencies;  // identifiers of other resources
  int line = 0;
};

struct Manifest {
  std::vector<ManifestResource> resources;  // in document order
  // The resource with `identifier`, or nullptr.
  const ManifestResource* Find(std::string_view identifier) const;
};

// Reads imsmanifest.xml from `xml`, handing each resource to `on_resource` as soon as its files
// and dependencies are read, in document order, and keeping little else (the identifiers, for
// the checks below): a manifest of any size is read in memory that does not grow with it. Fails
// as ParseManifest does, or with `on_resource`'s error (which stops the reading). The dependency
// check comes last, after every resource has been handed on. Reads what `xml` reads.
[[nodiscard]] Status ReadManifest(XmlStream& xml,
                                  const std::function<Status(ManifestResource)>& on_resource);

// Parses imsmanifest.xml (`file` names it in messages). Fails with kMalformed "FILE:LINE: ..."
// for malformed XML (xml.hpp's limits apply), a root that is not <manifest>, a resource without
// an identifier or with an href that leaves the package, an identifier used twice, and a
// dependency on a resource the manifest does not declare. Pure.
[[nodiscard]] Result<Manifest> ParseManifest(std::string_view xml, std::string_view file);

}  // namespace lontar::interop

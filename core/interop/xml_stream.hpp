// Untrusted XML read as a stream of start tags (libxml2's xmlTextReader), for documents that grow
// with a package (imsmanifest.xml, the test): no tree is built, and a package entry is read in
// the pieces libxml2 asks for (4,000 bytes in 2.9), so memory does not grow with the document. The
// checks are xml.hpp's, in the same words: at most kMaxXmlBytes (a package entry: Package's "ENTRY
// is larger than N bytes"), no DOCTYPE and no entity declaration (looked for in each piece before
// libxml2 sees it, so nothing is ever declared or fetched), at most kMaxXmlDepth levels,
// well-formed to the end.
//
// A reader learns that a document is malformed only when it gets there: a caller that finds a
// fault of its own half-way keeps reading to the end (Finish), so that, as with a tree, a
// malformed document is reported as malformed whatever else is wrong with it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/interop/package.hpp"
#include "core/util/error.hpp"

namespace lontar::interop {

class XmlStream {
 public:
  // Over `text` (which must outlive the stream), named `file` in messages; CheckXmlText's checks
  // first. Pure.
  [[nodiscard]] static Result<XmlStream> FromText(std::string_view text, std::string_view file);
  // Over the package's entry `entry`, read as the reader needs it. Fails as Package::OpenEntry
  // does. Reads disk (the package) while it is read.
  [[nodiscard]] static Result<XmlStream> FromEntry(const Package& pkg, std::string_view entry);

  XmlStream(XmlStream&&) noexcept;
  XmlStream& operator=(XmlStream&&) noexcept;
  ~XmlStream();

  // Moves to the next start tag (an empty element's too): true, or false at the end of a
  // well-formed document. Fails with kMalformed "FILE:LINE: malformed XML: <libxml2's reason>",
  // "FILE:LINE: elements nested more than 64 deep; refused", "FILE: malformed XML: Document is
  // empty", a DOCTYPE or entity refusal, or the package's error reading the entry.
  [[nodiscard]] Result<bool> Next();
  // Reads to the end of the document, for a caller that has found a fault of its own: Ok when
  // the rest is well-formed, else the error Next would have given.
  [[nodiscard]] Status Finish();

  // Of the current start tag (valid after Next returned true):
  int depth() const;  // 0 for the root
  std::string_view local_name() const;
  std::string_view namespace_uri() const;
  int line() const;
  // An attribute without namespace, or nullopt.
  std::optional<std::string> Attr(const char* name) const;
  // "FILE:LINE" of the current start tag ("FILE" when the line is unknown).
  std::string Where() const;
  const std::string& file() const;

  struct Impl;  // opaque: the libxml2 reader and its source

 private:
  explicit XmlStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lontar::interop

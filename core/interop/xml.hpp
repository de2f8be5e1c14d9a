// Untrusted XML, read with libxml2 and nothing else, defensively:
//   - at most kMaxXmlBytes bytes and kMaxXmlDepth levels of elements;
//   - no DTD at all: a document with <!DOCTYPE is refused before libxml2 sees it, so no entity
//     can be declared (no XXE, no "billion laughs"); libxml2 runs with XML_PARSE_NONET and
//     without XML_PARSE_NOENT, DTDLOAD or XINCLUDE, so it never fetches or expands anything;
//   - every refusal names the file and the line: "items/q1.xml:12: ...".
// Elements are matched by local name; the caller checks the root's namespace.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/util/error.hpp"

struct _xmlDoc;
struct _xmlNode;

namespace lontar::interop {

inline constexpr std::size_t kMaxXmlBytes = 8u << 20;
inline constexpr int kMaxXmlDepth = 64;

using XmlNode = const _xmlNode*;

class XmlDoc {
 public:
  // Parses `text` read from `file` (named in messages). Fails with kMalformed
  // "FILE:LINE: <libxml2's reason>" for XML that is not well-formed, and for the limits above.
  // Pure: touches no disk and no network.
  [[nodiscard]] static Result<XmlDoc> Parse(std::string_view text, std::string_view file);

  XmlDoc(XmlDoc&&) noexcept;
  XmlDoc& operator=(XmlDoc&&) noexcept;
  ~XmlDoc();

  XmlNode root() const;
  const std::string& file() const { return file_; }
  // "FILE:LINE" of a node.
  std::string Where(XmlNode node) const;

 private:
  XmlDoc() = default;
  _xmlDoc* doc_ = nullptr;
  std::string file_;
};

// XmlDoc::Parse's checks before libxml2 sees the text: the size limit, no DOCTYPE, no entity.
// Pure.
[[nodiscard]] Status CheckXmlText(std::string_view text, std::string_view file);
// What CheckXmlText looks for, and its refusals of each at `line` of `file` (for a reader that
// looks piece by piece, xml_stream.hpp). Pure.
inline constexpr std::string_view kDoctype = "<!DOCTYPE";
inline constexpr std::string_view kEntity = "<!ENTITY";
Error DoctypeRefused(std::string_view file, int line);
Error EntityRefused(std::string_view file, int line);
// The libxml2 parser options XmlDoc::Parse uses (no network, no entity expansion), with
// libxml2's own error printing silenced; for a streaming reader of a large document
// (qti_manifest.cpp). Pure but for that global setting.
int XmlParseOptions();
// `s` without leading and trailing spaces and line breaks. Pure.
std::string Trim(std::string s);

// The local name of an element ("qti-simple-choice"); "" for other nodes.
std::string_view LocalName(XmlNode node);
// The element's namespace URI, "" when none.
std::string_view NamespaceUri(XmlNode node);
bool IsElement(XmlNode node);
bool IsText(XmlNode node);  // text or CDATA
int Line(XmlNode node);
// An attribute without namespace (`name`), or nullopt.
std::optional<std::string> Attr(XmlNode node, const char* name);
// xml:lang in force at `node` (inherited), or "".
std::string Lang(XmlNode node);
// The text content of a text node.
std::string_view TextOf(XmlNode node);
// The children that are elements, in order; optionally only those named `local`.
std::vector<XmlNode> Children(XmlNode node, std::string_view local = {});
// All child nodes (elements, text, ...), in order.
std::vector<XmlNode> AllChildren(XmlNode node);
// The concatenated text inside `node` (all descendants), trimmed.
std::string InnerText(XmlNode node);

}  // namespace lontar::interop

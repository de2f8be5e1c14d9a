#include "core/interop/xml.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <algorithm>

namespace lontar::interop {
namespace {

// 1-based line of byte `pos` in `text`.
int LineAt(std::string_view text, std::size_t pos) {
  return 1 +
         static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'));
}

}  // namespace

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r')) ++i;
  return s.substr(i);
}

namespace {

int Depth(XmlNode node, int depth) {
  int deepest = depth;
  for (XmlNode c = node->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) deepest = std::max(deepest, Depth(c, depth + 1));
    if (deepest > kMaxXmlDepth) break;
  }
  return deepest;
}

// The first element deeper than kMaxXmlDepth, for the message's line.
XmlNode TooDeep(XmlNode node, int depth) {
  if (depth > kMaxXmlDepth) return node;
  for (XmlNode c = node->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    if (XmlNode found = TooDeep(c, depth + 1)) return found;
  }
  return nullptr;
}

// libxml2 reports some faults (encoding errors) through its global handlers even with
// XML_PARSE_NOERROR; the parser context keeps the last error for the message, so print nothing.
void Quiet(void*, const char*, ...) {}
void QuietStructured(void*, xmlErrorPtr) {}

}  // namespace

Status CheckXmlText(std::string_view text, std::string_view file) {
  const std::string where(file);
  if (text.size() > kMaxXmlBytes) {
    return std::unexpected(Error::Malformed(where + ": larger than " +
                                            std::to_string(kMaxXmlBytes >> 20) +
                                            " MiB; no item, test or manifest needs that much"));
  }
  if (const std::size_t at = text.find(kDoctype); at != std::string_view::npos) {
    return std::unexpected(DoctypeRefused(file, LineAt(text, at)));
  }
  if (const std::size_t at = text.find(kEntity); at != std::string_view::npos) {
    return std::unexpected(EntityRefused(file, LineAt(text, at)));
  }
  return Ok();
}

Error DoctypeRefused(std::string_view file, int line) {
  return Error::Malformed(std::string(file) + ":" + std::to_string(line) +
                          ": a DOCTYPE declaration; QTI 3.0 files have none, and entities are not "
                          "expanded (remove the DOCTYPE)");
}

Error EntityRefused(std::string_view file, int line) {
  return Error::Malformed(std::string(file) + ":" + std::to_string(line) +
                          ": an entity declaration; refused (remove it)");
}

int XmlParseOptions() {
  xmlSetGenericErrorFunc(nullptr, Quiet);
  xmlSetStructuredErrorFunc(nullptr, QuietStructured);
  return XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA |
         XML_PARSE_NSCLEAN | XML_PARSE_COMPACT;
}

Result<XmlDoc> XmlDoc::Parse(std::string_view text, std::string_view file) {
  const std::string where(file);
  LONTAR_TRY(CheckXmlText(text, file));
  const int options = XmlParseOptions();
  xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
  if (ctxt == nullptr) return std::unexpected(Error::Internal(where + ": libxml2 out of memory"));
  xmlDocPtr doc = xmlCtxtReadMemory(ctxt, text.data(), static_cast<int>(text.size()), nullptr,
                                    nullptr, options);
  if (doc == nullptr) {
    const xmlError* e = xmlCtxtGetLastError(ctxt);
    std::string why = e != nullptr && e->message != nullptr ? Trim(e->message) : "not XML";
    const int line = e != nullptr ? e->line : 0;
    xmlFreeParserCtxt(ctxt);
    return std::unexpected(Error::Malformed(where + (line > 0 ? ":" + std::to_string(line) : "") +
                                            ": malformed XML: " + why));
  }
  xmlFreeParserCtxt(ctxt);
  XmlDoc out;
  out.doc_ = doc;
  out.file_ = where;
  XmlNode root = xmlDocGetRootElement(doc);
  if (root == nullptr) return std::unexpected(Error::Malformed(where + ": no root element"));
  if (Depth(root, 1) > kMaxXmlDepth) {
    return std::unexpected(Error::Malformed(out.Where(TooDeep(root, 1)) +
                                            ": elements nested more than " +
                                            std::to_string(kMaxXmlDepth) + " deep; refused"));
  }
  return out;
}

XmlDoc::XmlDoc(XmlDoc&& o) noexcept : doc_(o.doc_), file_(std::move(o.file_)) { o.doc_ = nullptr; }
XmlDoc& XmlDoc::operator=(XmlDoc&& o) noexcept {
  if (this != &o) {
    if (doc_ != nullptr) xmlFreeDoc(doc_);
    doc_ = o.doc_;
    o.doc_ = nullptr;
    file_ = std::move(o.file_);
  }
  return *this;
}
XmlDoc::~XmlDoc() {
  if (doc_ != nullptr) xmlFreeDoc(doc_);
}

XmlNode XmlDoc::root() const { return xmlDocGetRootElement(doc_); }

std::string XmlDoc::Where(XmlNode node) const {
  const int line = node != nullptr ? Line(node) : 0;
  return line > 0 ? file_ + ":" + std::to_string(line) : file_;
}

std::string_view LocalName(XmlNode node) {
  if (node == nullptr || node->type != XML_ELEMENT_NODE || node->name == nullptr) return {};
  return reinterpret_cast<const char*>(node->name);
}

std::string_view NamespaceUri(XmlNode node) {
  if (node == nullptr || node->ns == nullptr || node->ns->href == nullptr) return {};
  return reinterpret_cast<const char*>(node->ns->href);
}

bool IsElement(XmlNode node) { return node != nullptr && node->type == XML_ELEMENT_NODE; }
bool IsText(XmlNode node) {
  return node != nullptr && (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE);
}

int Line(XmlNode node) { return node != nullptr ? static_cast<int>(xmlGetLineNo(node)) : 0; }

namespace {

// A string libxml2 made for the caller (nullptr: none), copied and freed.
std::optional<std::string> TakeXmlString(xmlChar* v) {
  if (v == nullptr) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return out;
}

}  // namespace

std::optional<std::string> Attr(XmlNode node, const char* name) {
  return TakeXmlString(xmlGetNoNsProp(node, reinterpret_cast<const xmlChar*>(name)));
}

std::string Lang(XmlNode node) { return TakeXmlString(xmlNodeGetLang(node)).value_or(""); }

std::string_view TextOf(XmlNode node) {
  if (!IsText(node) || node->content == nullptr) return {};
  return reinterpret_cast<const char*>(node->content);
}

std::vector<XmlNode> Children(XmlNode node, std::string_view local) {
  std::vector<XmlNode> out;
  for (XmlNode c = node->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && (local.empty() || LocalName(c) == local)) out.push_back(c);
  }
  return out;
}

std::vector<XmlNode> AllChildren(XmlNode node) {
  std::vector<XmlNode> out;
  for (XmlNode c = node->children; c != nullptr; c = c->next) out.push_back(c);
  return out;
}

std::string InnerText(XmlNode node) {
  const std::optional<std::string> text = TakeXmlString(xmlNodeGetContent(node));
  return text ? Trim(*text) : "";
}

}  // namespace lontar::interop

#include "core/interop/xml_stream.hpp"

#include <libxml/xmlreader.h>

#include <algorithm>
#include <climits>

#include "core/interop/xml.hpp"

namespace lontar::interop {

struct XmlStream::Impl {
  // The first error libxml2 reports while reading, with its line. (A member type: a field's type
  // from an anonymous namespace would give Impl internal linkage inside a unity batch.)
  struct ReadError {
    std::string message;
    int line = 0;
  };
  static void KeepFirstError(void* arg, xmlErrorPtr e) {
    auto* first = static_cast<ReadError*>(arg);
    if (e == nullptr || !first->message.empty()) return;
    first->message = e->message != nullptr ? Trim(e->message) : "not XML";
    first->line = e->line;
  }

  std::string file;
  std::optional<EntryReader> entry;  // the source of FromEntry
  // CheckXmlText's checks, piece by piece: the last bytes of the previous pieces (a declaration
  // may straddle two), the line breaks before them, and whether any '<' has come.
  std::string tail;
  long newlines = 0;
  bool saw_lt = false;
  std::optional<Error> source_error;  // why the last piece was refused
  ReadError xml_error;
  xmlTextReaderPtr reader = nullptr;
  bool seen_root = false;
  std::optional<Status> ended;  // Ok at the end of the document, or the error that ended it
  int depth = 0;
  int line = 0;

  ~Impl() {
    if (reader != nullptr) xmlFreeTextReader(reader);
  }

  // CheckXmlText on a piece of the document.
  Status Scan(std::string_view piece) {
    std::string seen = tail;
    seen.append(piece);
    const long before = newlines - std::count(tail.begin(), tail.end(), '\n');
    auto line_at = [&](std::size_t at) {
      const long n = before + std::count(seen.begin(), seen.begin() + static_cast<long>(at), '\n');
      return static_cast<int>(std::min<long>(n + 1, INT_MAX));
    };
    if (const std::size_t at = seen.find(kDoctype); at != std::string::npos) {
      return std::unexpected(DoctypeRefused(file, line_at(at)));
    }
    if (const std::size_t at = seen.find(kEntity); at != std::string::npos) {
      return std::unexpected(EntityRefused(file, line_at(at)));
    }
    saw_lt = saw_lt || piece.find('<') != std::string_view::npos;
    newlines += std::count(piece.begin(), piece.end(), '\n');
    const std::size_t keep = std::max(kDoctype.size(), kEntity.size()) - 1;
    tail = seen.substr(seen.size() - std::min(seen.size(), keep));
    return Ok();
  }

  // libxml2's read callback for FromEntry: -1 stops the parse, with the reason in source_error.
  static int Read(void* context, char* buf, int len) {
    auto* self = static_cast<Impl*>(context);
    if (self->source_error || len <= 0) return self->source_error ? -1 : 0;
    auto n = self->entry->Read(buf, static_cast<std::size_t>(len));
    if (!n) {
      self->source_error = n.error();
      return -1;
    }
    if (auto checked = self->Scan(std::string_view(buf, *n)); !checked) {
      self->source_error = checked.error();
      return -1;
    }
    return static_cast<int>(*n);
  }

  std::string At(int at_line) const {
    return at_line > 0 ? file + ":" + std::to_string(at_line) : file;
  }

  Result<bool> Next() {
    if (ended) {
      if (!*ended) return std::unexpected(ended->error());
      return false;
    }
    int rc = 0;
    while ((rc = xmlTextReaderRead(reader)) == 1) {
      if (xmlTextReaderNodeType(reader) != XML_READER_TYPE_ELEMENT) continue;
      depth = xmlTextReaderDepth(reader);
      const xmlNode* node = xmlTextReaderCurrentNode(reader);
      line = node != nullptr ? static_cast<int>(xmlGetLineNo(node)) : 0;
      if (depth + 1 > kMaxXmlDepth) {
        return End(Error::Malformed(At(line) + ": elements nested more than " +
                                    std::to_string(kMaxXmlDepth) + " deep; refused"));
      }
      seen_root = true;
      return true;
    }
    if (source_error) return End(*source_error);
    if (entry && !seen_root && !saw_lt) {
      // libxml2's reader calls an empty document "extra content"; its tree parser's words are
      // the ones an operator can act on (and FromText's).
      return End(Error::Malformed(file + ": malformed XML: Document is empty"));
    }
    if (rc < 0 || !seen_root) {
      return End(Error::Malformed(
          At(xml_error.line) + ": malformed XML: " +
          (xml_error.message.empty() ? std::string("not XML") : xml_error.message)));
    }
    ended = Ok();
    return false;
  }

  Result<bool> End(Error e) {
    ended = std::unexpected(e);
    return std::unexpected(std::move(e));
  }
};

XmlStream::XmlStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
XmlStream::XmlStream(XmlStream&&) noexcept = default;
XmlStream& XmlStream::operator=(XmlStream&&) noexcept = default;
XmlStream::~XmlStream() = default;

Result<XmlStream> XmlStream::FromText(std::string_view text, std::string_view file) {
  const std::string where(file);
  LONTAR_TRY(CheckXmlText(text, file));
  if (text.find('<') == std::string_view::npos) {
    return std::unexpected(Error::Malformed(where + ": malformed XML: Document is empty"));
  }
  auto impl = std::make_unique<Impl>();
  impl->file = where;
  impl->reader = xmlReaderForMemory(text.data(), static_cast<int>(text.size()), nullptr, nullptr,
                                    XmlParseOptions());
  if (impl->reader == nullptr) {
    return std::unexpected(Error::Internal(where + ": libxml2 out of memory"));
  }
  xmlTextReaderSetStructuredErrorHandler(impl->reader, Impl::KeepFirstError, &impl->xml_error);
  return XmlStream(std::move(impl));
}

Result<XmlStream> XmlStream::FromEntry(const Package& pkg, std::string_view entry) {
  auto impl = std::make_unique<Impl>();
  impl->file = std::string(entry);
  LONTAR_ASSIGN_OR_RETURN(EntryReader reader, pkg.OpenEntry(entry, kMaxXmlBytes));
  impl->entry.emplace(std::move(reader));
  impl->reader =
      xmlReaderForIO(&Impl::Read, nullptr, impl.get(), nullptr, nullptr, XmlParseOptions());
  if (impl->reader == nullptr) {
    return std::unexpected(Error::Internal(impl->file + ": libxml2 out of memory"));
  }
  xmlTextReaderSetStructuredErrorHandler(impl->reader, Impl::KeepFirstError, &impl->xml_error);
  return XmlStream(std::move(impl));
}

Result<bool> XmlStream::Next() { return impl_->Next(); }

Status XmlStream::Finish() {
  for (;;) {
    LONTAR_ASSIGN_OR_RETURN(const bool more, impl_->Next());
    if (!more) return Ok();
  }
}

int XmlStream::depth() const { return impl_->depth; }
int XmlStream::line() const { return impl_->line; }
const std::string& XmlStream::file() const { return impl_->file; }
std::string XmlStream::Where() const { return impl_->At(impl_->line); }

std::string_view XmlStream::local_name() const {
  const xmlChar* name = xmlTextReaderConstLocalName(impl_->reader);
  return name != nullptr ? reinterpret_cast<const char*>(name) : "";
}

std::string_view XmlStream::namespace_uri() const {
  const xmlChar* uri = xmlTextReaderConstNamespaceUri(impl_->reader);
  return uri != nullptr ? reinterpret_cast<const char*>(uri) : "";
}

std::optional<std::string> XmlStream::Attr(const char* name) const {
  xmlChar* v = xmlTextReaderGetAttribute(impl_->reader, reinterpret_cast<const xmlChar*>(name));
  if (v == nullptr) return std::nullopt;
  std::string out(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return out;
}

}  // namespace lontar::interop

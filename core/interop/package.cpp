#include "core/interop/package.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>

#include <algorithm>
#include <cerrno>

#include "core/interop/zip_error.hpp"
#include "core/util/fs.hpp"

namespace lontar::interop {
namespace fs = std::filesystem;

bool IsSafeEntryName(std::string_view name) {
  if (name.empty() || name.size() > 1024 || name.front() == '/') return false;
  for (char c : name) {
    if (c == '\\' || c == ':' || c == '\0') return false;
  }
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t end = std::min(name.find('/', start), name.size());
    const std::string_view part = name.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

std::string ResolveHref(std::string_view base, std::string_view href) {
  if (href.empty() || href.front() == '/' || href.find(':') != std::string_view::npos) return "";
  // Percent-escapes are not decoded: a package that needs them is rare, and decoding could turn
  // "%2e%2e" into "..", which the checks below then refuse anyway.
  std::vector<std::string> parts;
  const std::size_t slash = base.rfind('/');
  if (slash != std::string_view::npos) {
    std::string_view dir = base.substr(0, slash);
    std::size_t start = 0;
    while (start <= dir.size()) {
      const std::size_t end = std::min(dir.find('/', start), dir.size());
      parts.emplace_back(dir.substr(start, end - start));
      start = end + 1;
    }
  }
  std::size_t start = 0;
  while (start <= href.size()) {
    const std::size_t end = std::min(href.find('/', start), href.size());
    const std::string_view part = href.substr(start, end - start);
    if (part == "..") {
      if (parts.empty()) return "";
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.emplace_back(part);
    }
    start = end + 1;
  }
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "/") + p;
  return IsSafeEntryName(out) ? out : "";
}

struct Package::Impl {
  std::string name;
  fs::path dir;          // a directory package
  zip_t* zip = nullptr;  // a zip package
  // A directory's entries, sorted. A zip's are libzip's (its central directory, with a hash of
  // the names), not copied: a second index of 20,000 entries was megabytes.
  std::vector<std::string> entries;

  ~Impl() {
    if (zip != nullptr) zip_discard(zip);
  }
};

namespace {

Status CheckName(const std::string& package, const std::string& entry) {
  if (!IsSafeEntryName(entry)) {
    return std::unexpected(Error::Malformed(
        package + ": entry '" + entry +
        "' points outside the package (a path with '..', '/' at the start, "
        "'\\' or ':'); refusing the whole package, ask its maker for a clean one"));
  }
  return Ok();
}

Result<std::unique_ptr<Package::Impl>> OpenZip(const fs::path& path, std::string name) {
  int err = 0;
  zip_t* zip = zip_open(path.c_str(), ZIP_RDONLY | ZIP_CHECKCONS, &err);
  if (zip == nullptr) {
    const std::string why = ZipErrorText(err);
    if (err == ZIP_ER_NOZIP || err == ZIP_ER_INCONS) {
      return std::unexpected(Error::Malformed(name + ": not a zip file (" + why +
                                              "); a QTI package is a .zip or a directory"));
    }
    return std::unexpected(Error::Io(name + ": cannot open: " + why));
  }
  auto impl = std::make_unique<Package::Impl>();
  impl->name = std::move(name);
  impl->zip = zip;
  const zip_int64_t n = zip_get_num_entries(zip, 0);
  if (n < 0 || static_cast<std::uint64_t>(n) > kMaxPackageEntries) {
    return std::unexpected(Error::Malformed(impl->name + ": more than " +
                                            std::to_string(kMaxPackageEntries) + " entries"));
  }
  std::uint64_t total = 0;
  for (zip_int64_t i = 0; i < n; ++i) {
    zip_stat_t st;
    if (zip_stat_index(zip, static_cast<zip_uint64_t>(i), 0, &st) != 0 ||
        (st.valid & ZIP_STAT_NAME) == 0) {
      return std::unexpected(
          Error::Malformed(impl->name + ": entry " + std::to_string(i) + " cannot be read"));
    }
    std::string entry = st.name;
    if (!entry.empty() && entry.back() == '/') {
      entry.pop_back();
      LONTAR_TRY(CheckName(impl->name, entry));
      continue;
    }
    LONTAR_TRY(CheckName(impl->name, entry));
    const std::uint64_t size = (st.valid & ZIP_STAT_SIZE) ? st.size : 0;
    const std::uint64_t packed = (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0;
    total += size;
    if (size > (1u << 20) && size / std::max<std::uint64_t>(packed, 1) > kMaxBombRatio) {
      return std::unexpected(Error::Malformed(
          impl->name + ": entry '" + entry + "' would expand " + std::to_string(packed) +
          " bytes into " + std::to_string(size) + " (more than " + std::to_string(kMaxBombRatio) +
          " times): refusing a zip bomb"));
    }
    if (total > kMaxPackageBytes) {
      return std::unexpected(Error::Malformed(impl->name + ": entries add up to more than " +
                                              std::to_string(kMaxPackageBytes >> 30) +
                                              " GiB: refusing a zip bomb"));
    }
    // libzip's index of names keeps the first of two entries of the same name.
    if (zip_name_locate(zip, st.name, 0) != i) {
      return std::unexpected(
          Error::Malformed(impl->name + ": entry '" + entry + "' appears twice"));
    }
  }
  return impl;
}

Result<std::unique_ptr<Package::Impl>> OpenDir(const fs::path& path, std::string name) {
  auto impl = std::make_unique<Package::Impl>();
  impl->name = std::move(name);
  impl->dir = path;
  std::error_code ec;
  fs::recursive_directory_iterator it(path, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const std::string entry = it->path().lexically_relative(path).generic_string();
    if (it->is_symlink(ec)) {
      return std::unexpected(Error::Malformed(impl->name + ": '" + entry +
                                              "' is a symbolic link; a package holds only files"));
    }
    if (!it->is_regular_file(ec)) continue;
    LONTAR_TRY(CheckName(impl->name, entry));
    impl->entries.push_back(entry);
    if (impl->entries.size() > kMaxPackageEntries) {
      return std::unexpected(Error::Malformed(impl->name + ": more than " +
                                              std::to_string(kMaxPackageEntries) + " files"));
    }
  }
  if (ec) return std::unexpected(Error::FromErrno(impl->name, ec.value()));
  std::sort(impl->entries.begin(), impl->entries.end());
  return impl;
}

}  // namespace

struct EntryReader::Impl {
  std::string where;  // "PACKAGE: ENTRY", for messages
  std::uint64_t max_bytes = 0;
  std::uint64_t done = 0;
  int fd = -1;                 // a directory package's file
  zip_file_t* file = nullptr;  // a zip package's entry

  ~Impl() {
    if (fd >= 0) ::close(fd);
    if (file != nullptr) zip_fclose(file);
  }
};

EntryReader::EntryReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
EntryReader::EntryReader(EntryReader&&) noexcept = default;
EntryReader& EntryReader::operator=(EntryReader&&) noexcept = default;
EntryReader::~EntryReader() = default;

Result<std::size_t> EntryReader::Read(char* buf, std::size_t size) {
  Impl& r = *impl_;
  std::size_t n = 0;
  if (r.file != nullptr) {
    const zip_int64_t got = zip_fread(r.file, buf, size);
    if (got < 0) {
      return std::unexpected(Error::Corruption(
          r.where + ": damaged zip data (" + zip_error_strerror(zip_file_get_error(r.file)) + ")"));
    }
    n = static_cast<std::size_t>(got);
  } else {
    ssize_t got = 0;
    do {
      got = ::read(r.fd, buf, size);
    } while (got < 0 && errno == EINTR);
    if (got < 0) return std::unexpected(Error::FromErrno(r.where, errno));
    n = static_cast<std::size_t>(got);
  }
  r.done += n;
  if (r.done > r.max_bytes) {
    return std::unexpected(
        Error::Malformed(r.where + " is larger than " + std::to_string(r.max_bytes) + " bytes"));
  }
  return n;
}

namespace {

// Reads an entry piece by piece, handing each piece to `sink`, and stops past max_bytes.
template <class Sink>
Status Stream(const Package& p, std::string_view entry, std::uint64_t max_bytes, Sink&& sink) {
  LONTAR_ASSIGN_OR_RETURN(EntryReader reader, p.OpenEntry(entry, max_bytes));
  char buf[64 * 1024];
  for (;;) {
    LONTAR_ASSIGN_OR_RETURN(const std::size_t n, reader.Read(buf, sizeof buf));
    if (n == 0) return Ok();
    LONTAR_TRY(sink(std::string_view(buf, n)));
  }
}

}  // namespace

Package::Package(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Package::Package(Package&&) noexcept = default;
Package& Package::operator=(Package&&) noexcept = default;
Package::~Package() = default;

Result<Package> Package::Open(const fs::path& path) {
  std::error_code ec;
  const std::string name = path.filename().empty() ? path.string() : path.filename().string();
  const auto status = fs::symlink_status(path, ec);
  if (ec || !fs::exists(status)) {
    return std::unexpected(Error::NotFound(path.string() + ": no such file or directory"));
  }
  if (fs::is_directory(status)) {
    LONTAR_ASSIGN_OR_RETURN(auto impl, OpenDir(path, name));
    return Package(std::move(impl));
  }
  LONTAR_ASSIGN_OR_RETURN(auto impl, OpenZip(path, name));
  return Package(std::move(impl));
}

const std::string& Package::name() const { return impl_->name; }
std::vector<std::string> Package::entries() const {
  if (impl_->zip == nullptr) return impl_->entries;
  std::vector<std::string> out;
  const zip_int64_t n = zip_get_num_entries(impl_->zip, 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    const char* name = zip_get_name(impl_->zip, static_cast<zip_uint64_t>(i), 0);
    if (name != nullptr && !std::string_view(name).ends_with('/')) out.emplace_back(name);
  }
  return out;
}

std::uint32_t Package::entry_count() const {
  if (impl_->zip == nullptr) return static_cast<std::uint32_t>(impl_->entries.size());
  return static_cast<std::uint32_t>(std::max<zip_int64_t>(zip_get_num_entries(impl_->zip, 0), 0));
}

std::optional<std::uint32_t> Package::Find(std::string_view entry) const {
  if (!IsSafeEntryName(entry)) return std::nullopt;
  if (impl_->zip != nullptr) {
    const zip_int64_t i = zip_name_locate(impl_->zip, std::string(entry).c_str(), 0);
    if (i < 0) return std::nullopt;
    return static_cast<std::uint32_t>(i);
  }
  // A directory's entries are sorted (OpenDir).
  const auto& e = impl_->entries;
  auto it = std::lower_bound(e.begin(), e.end(), entry,
                             [](const std::string& a, std::string_view b) { return a < b; });
  if (it == e.end() || *it != entry || !Contains(entry)) return std::nullopt;
  return static_cast<std::uint32_t>(it - e.begin());
}

std::string Package::EntryName(std::uint32_t n) const {
  if (impl_->zip == nullptr) return impl_->entries.at(n);
  const char* name = zip_get_name(impl_->zip, n, 0);
  return name != nullptr ? name : "";
}

bool Package::Contains(std::string_view entry) const {
  if (impl_->zip != nullptr) return Find(entry).has_value();
  if (!IsSafeEntryName(entry)) return false;
  std::error_code ec;
  return fs::is_regular_file(fs::symlink_status(impl_->dir / entry, ec));
}

Result<EntryReader> Package::OpenEntry(std::string_view entry, std::uint64_t max_bytes) const {
  auto r = std::make_unique<EntryReader::Impl>();
  r->where = impl_->name + ": " + std::string(entry);
  r->max_bytes = max_bytes;
  if (impl_->zip == nullptr) {
    if (!IsSafeEntryName(entry)) return std::unexpected(Error::NotFound(r->where + ": not found"));
    const fs::path path = impl_->dir / entry;
    r->fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (r->fd < 0) return std::unexpected(Error::FromErrno(r->where, errno));
    return EntryReader(std::move(r));
  }
  const std::optional<std::uint32_t> index = Find(entry);
  if (!index) return std::unexpected(Error::NotFound(r->where + ": not in the package"));
  r->file = zip_fopen_index(impl_->zip, *index, 0);
  if (r->file == nullptr) {
    return std::unexpected(Error::Corruption(
        r->where + ": cannot open: " + zip_error_strerror(zip_get_error(impl_->zip))));
  }
  return EntryReader(std::move(r));
}

Result<std::string> Package::Read(std::string_view entry, std::uint64_t max_bytes) const {
  std::string out;
  LONTAR_TRY(Stream(*this, entry, max_bytes, [&](std::string_view piece) -> Status {
    out.append(piece);
    return Ok();
  }));
  return out;
}

Status Package::CopyTo(std::string_view entry, const fs::path& dest,
                       std::uint64_t max_bytes) const {
  const int fd = ::open(dest.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return std::unexpected(Error::FromErrno(dest.string(), errno));
  Status s = Stream(*this, entry, max_bytes, [&](std::string_view piece) -> Status {
    while (!piece.empty()) {
      const ssize_t n = ::write(fd, piece.data(), piece.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return std::unexpected(Error::FromErrno(dest.string(), errno));
      piece.remove_prefix(static_cast<std::size_t>(n));
    }
    return Ok();
  });
  if (::close(fd) != 0 && s) s = std::unexpected(Error::FromErrno(dest.string(), errno));
  if (!s) {
    std::error_code ec;
    fs::remove(dest, ec);
  }
  return s;
}

}  // namespace lontar::interop

#include "core/pack/archive.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace lontar::pack {
namespace {

constexpr char kArchiveMagic[8] = {'L', 'N', 'T', 'R', 'A', 'R', 'C', '1'};

// Yields the archive byte by byte range: a small header buffer, then the entry's body.
struct ArchiveState {
  std::vector<ArchiveEntry> entries;
  std::function<void(std::uint64_t)> progress;
  std::size_t index = 0;
  Bytes header;  // bytes still to yield before the current entry's body
  std::size_t header_at = 0;
  std::uint64_t body_left = 0;
  std::size_t data_at = 0;
  int fd = -1;
  bool started = false, ended = false;
  std::uint64_t yielded = 0;

  ~ArchiveState() {
    if (fd >= 0) ::close(fd);
  }

  Status NextEntry() {
    if (fd >= 0) {
      ::close(fd);
      fd = -1;
    }
    header.clear();
    header_at = 0;
    if (!started) {
      header.assign(kArchiveMagic, kArchiveMagic + 8);
      started = true;
    }
    if (index == entries.size()) {
      AppendU16(header, 0);
      ended = true;
      return Ok();
    }
    ArchiveEntry& e = entries[index];
    AppendU16(header, static_cast<std::uint16_t>(e.name.size()));
    Append(header, AsBytes(e.name));
    AppendU64(header, e.size);
    body_left = e.size;
    data_at = 0;
    if (!e.file.empty()) {
      fd = ::open(e.file.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) return std::unexpected(Error::FromErrno("open " + e.file.string(), errno));
    }
    return Ok();
  }
};

}  // namespace

crypto::ReadFn ArchiveReader(std::vector<ArchiveEntry> entries,
                             std::function<void(std::uint64_t)> progress) {
  auto s = std::make_shared<ArchiveState>();
  s->entries = std::move(entries);
  s->progress = std::move(progress);
  return [s](std::uint8_t* out, std::size_t max) -> Result<std::size_t> {
    std::size_t n = 0;
    while (n < max) {
      if (!s->started) LONTAR_TRY(s->NextEntry());
      if (s->header_at < s->header.size()) {
        std::size_t k = std::min(max - n, s->header.size() - s->header_at);
        std::memcpy(out + n, s->header.data() + s->header_at, k);
        s->header_at += k;
        n += k;
        continue;
      }
      if (s->ended) break;
      if (s->body_left == 0) {
        ++s->index;
        LONTAR_TRY(s->NextEntry());
        continue;
      }
      ArchiveEntry& e = s->entries[s->index];
      std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(max - n, s->body_left));
      if (s->fd >= 0) {
        ssize_t r = ::read(s->fd, out + n, want);
        if (r < 0) {
          if (errno == EINTR) continue;
          return std::unexpected(Error::FromErrno("read " + e.file.string(), errno));
        }
        if (r == 0) {
          return std::unexpected(Error::Io(e.file.string() + " shrank while the pack was built"));
        }
        want = static_cast<std::size_t>(r);
      } else {
        std::memcpy(out + n, e.data.data() + s->data_at, want);
        s->data_at += want;
      }
      s->body_left -= want;
      n += want;
    }
    s->yielded += n;
    if (s->progress) s->progress(s->yielded);
    return n;
  };
}

ArchiveParser::ArchiveParser(OnEntry on_entry, OnData on_data, std::uint64_t max_kept)
    : on_entry_(std::move(on_entry)), on_data_(std::move(on_data)), max_kept_(max_kept) {}

Status ArchiveParser::Feed(ByteView chunk) {
  std::size_t at = 0;
  auto need = [&](std::size_t n) {
    std::size_t k = std::min(n - pending_.size(), chunk.size() - at);
    pending_.insert(pending_.end(), chunk.begin() + at, chunk.begin() + at + k);
    at += k;
    return pending_.size() == n;
  };
  while (at < chunk.size()) {
    switch (state_) {
      case State::kMagic:
        if (!need(8)) break;
        if (std::memcmp(pending_.data(), kArchiveMagic, 8) != 0) {
          return std::unexpected(Error::Malformed("pack payload is not a Lontar archive"));
        }
        pending_.clear();
        state_ = State::kNameLength;
        break;
      case State::kNameLength: {
        if (!need(2)) break;
        const std::size_t len = pending_[0] | pending_[1] << 8;
        pending_.clear();
        if (len == 0) {
          state_ = State::kDone;
        } else {
          remaining_ = len;
          name_.clear();
          state_ = State::kName;
        }
        break;
      }
      case State::kName: {
        std::size_t k =
            static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, chunk.size() - at));
        name_.append(reinterpret_cast<const char*>(chunk.data() + at), k);
        at += k;
        remaining_ -= k;
        if (remaining_ == 0) state_ = State::kSize;
        break;
      }
      case State::kSize:
        if (!need(8)) break;
        remaining_ = LoadU64(pending_);
        pending_.clear();
        keep_ = remaining_ <= max_kept_ && on_entry_(name_, remaining_);
        kept_.clear();
        state_ = State::kData;
        if (remaining_ == 0) {
          if (keep_) on_data_(name_, {});
          state_ = State::kNameLength;
        }
        break;
      case State::kData: {
        std::size_t k =
            static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, chunk.size() - at));
        if (keep_) kept_.insert(kept_.end(), chunk.begin() + at, chunk.begin() + at + k);
        at += k;
        remaining_ -= k;
        if (remaining_ == 0) {
          if (keep_) on_data_(name_, std::move(kept_));
          kept_ = Bytes();
          state_ = State::kNameLength;
        }
        break;
      }
      case State::kDone:
        return std::unexpected(Error::Malformed("pack payload has data after its end marker"));
    }
  }
  return Ok();
}

Status ArchiveParser::Finish() const {
  if (state_ != State::kDone) {
    return std::unexpected(Error::Malformed("pack payload archive ends early"));
  }
  return Ok();
}

}  // namespace lontar::pack

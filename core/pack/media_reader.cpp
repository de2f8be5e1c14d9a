#include "core/pack/media_reader.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/pack/pack_format.hpp"

namespace lontar::pack {
namespace {

// The stream's framing (core/crypto/stream.hpp): a 13-byte preamble (magic, version, chunk size),
// the 24-byte secretstream header, then chunks of chunk_size + 17 bytes, the last shorter.
constexpr std::size_t kPreambleSize = 13;
constexpr std::size_t kHeaderSize = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
constexpr std::size_t kTagBytes = crypto_secretstream_xchacha20poly1305_ABYTES;
static_assert(kHeaderSize == 24 && kTagBytes == 17);

Result<std::size_t> PreadFull(int fd, std::uint8_t* out, std::size_t size, std::uint64_t at,
                              const std::filesystem::path& file) {
  std::size_t got = 0;
  while (got < size) {
    const ssize_t n = ::pread(fd, out + got, size - got, static_cast<off_t>(at + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(Error::FromErrno("read " + file.string(), errno));
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  return got;
}

// Follows the archive's layout (archive.hpp) through the plaintext, noting where each entry's
// bytes start; keeps nothing of the bytes themselves.
class Tracker {
 public:
  struct Found {
    std::string name;
    std::uint64_t offset, size;
  };
  // Consumes `n` plaintext bytes starting at plaintext offset `at`; appends entries whose
  // header completed inside them. kMalformed for an archive that is not one.
  Status Feed(const std::uint8_t* p, std::size_t n, std::uint64_t at, std::vector<Found>& out) {
    std::size_t i = 0;
    while (i < n) {
      if (state_ == State::kData) {
        const std::uint64_t take = std::min<std::uint64_t>(remaining_, n - i);
        i += static_cast<std::size_t>(take);
        remaining_ -= take;
        if (remaining_ == 0) state_ = State::kNameLength;
        continue;
      }
      if (state_ == State::kDone) {
        return std::unexpected(Error::Malformed("archive has bytes after its end marker"));
      }
      field_.push_back(p[i++]);
      if (field_.size() < Need()) continue;
      switch (state_) {
        case State::kMagic:
          if (std::memcmp(field_.data(), "LNTRARC1", 8) != 0) {
            return std::unexpected(Error::Malformed("archive has a bad magic"));
          }
          state_ = State::kNameLength;
          break;
        case State::kNameLength:
          name_length_ = static_cast<std::size_t>(field_[0] | field_[1] << 8);
          state_ = name_length_ == 0 ? State::kDone : State::kName;
          break;
        case State::kName:
          name_.assign(field_.begin(), field_.end());
          state_ = State::kSize;
          break;
        case State::kSize:
          remaining_ = LoadU64(field_);
          out.push_back({name_, at + i, remaining_});
          state_ = remaining_ == 0 ? State::kNameLength : State::kData;
          break;
        case State::kData:
        case State::kDone:
          break;
      }
      field_.clear();
    }
    return Ok();
  }

 private:
  enum class State { kMagic, kNameLength, kName, kSize, kData, kDone };
  std::size_t Need() const {
    switch (state_) {
      case State::kMagic:
      case State::kSize:
        return 8;
      case State::kNameLength:
        return 2;
      case State::kName:
        return name_length_;
      default:
        return 0;
    }
  }
  State state_ = State::kMagic;
  Bytes field_;
  std::size_t name_length_ = 0;
  std::string name_;
  std::uint64_t remaining_ = 0;
};

}  // namespace

MediaReader::~MediaReader() {
  if (!states_.empty()) sodium_memzero(states_.data(), states_.size() * sizeof states_[0]);
  if (fd_ >= 0) ::close(fd_);
}

Result<std::unique_ptr<MediaReader>> MediaReader::Open(const std::filesystem::path& file,
                                                       const crypto::SecretBytes& content_key,
                                                       const std::function<bool()>& cancelled) {
  if (sodium_init() < 0) return std::unexpected(Error::Crypto("libsodium failed to initialise"));
  if (content_key.size() != crypto_secretstream_xchacha20poly1305_KEYBYTES) {
    return std::unexpected(Error::InvalidArgument("content key must be 32 bytes"));
  }
  LONTAR_ASSIGN_OR_RETURN(Envelope envelope, ReadEnvelope(file));
  std::unique_ptr<MediaReader> r(new MediaReader());
  r->file_ = file;
  r->payload_offset_ = envelope.payload_offset;
  LONTAR_ASSIGN_OR_RETURN(r->key_, crypto::SecretBytes::CopyOf(content_key.view()));
  r->fd_ = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (r->fd_ < 0) return std::unexpected(Error::FromErrno("open " + file.string(), errno));

  std::uint8_t head[kPreambleSize + kHeaderSize];
  LONTAR_ASSIGN_OR_RETURN(std::size_t got,
                          PreadFull(r->fd_, head, sizeof head, r->payload_offset_, file));
  if (got < sizeof head || std::memcmp(head, "LNTRSTRM", 8) != 0) {
    return std::unexpected(Error::Malformed(file.string() + ": payload is not a Lontar stream"));
  }
  if (head[8] != 1) {
    return std::unexpected(Error::TooNew(file.string() + ": payload stream has format version " +
                                         std::to_string(head[8]) + "; this Lontar reads 1"));
  }
  std::memcpy(r->preamble_, head, kPreambleSize);
  r->chunk_size_ = LoadU32(ByteView(head + 9, 4));
  if (r->chunk_size_ == 0 || r->chunk_size_ > (1u << 20)) {
    return std::unexpected(Error::Malformed(file.string() + ": payload declares chunks of " +
                                            std::to_string(r->chunk_size_) + " bytes"));
  }
  crypto_secretstream_xchacha20poly1305_state state;
  if (crypto_secretstream_xchacha20poly1305_init_pull(&state, head + kPreambleSize,
                                                      r->key_->data()) != 0) {
    return std::unexpected(Error::Malformed(file.string() + ": payload has an invalid header"));
  }
  const std::size_t piece = r->chunk_size_ + kTagBytes;
  Bytes in(piece), plain(r->chunk_size_);
  Tracker tracker;
  std::vector<Tracker::Found> found;
  std::vector<std::string> awaiting;  // media whose first chunk has not started yet
  auto stop = [&](Error e) {
    r->pass_error_ = std::move(e);
    sodium_memzero(&state, sizeof state);
    sodium_memzero(plain.data(), plain.size());
  };
  for (std::uint64_t chunk = 0;; ++chunk) {
    if (cancelled && cancelled()) {
      sodium_memzero(&state, sizeof state);
      return std::unexpected(Error::Internal("cancelled"));
    }
    // The state before this chunk goes to every entry whose first byte is in it.
    const std::uint64_t start = chunk * r->chunk_size_;
    std::optional<std::size_t> saved;
    auto state_here = [&] {
      if (!saved) {
        r->states_.push_back(state);
        saved = r->states_.size() - 1;
      }
      return *saved;
    };
    for (const std::string& name : awaiting) r->entries_[name].state = state_here();
    awaiting.clear();
    LONTAR_ASSIGN_OR_RETURN(
        got, PreadFull(r->fd_, in.data(), piece,
                       r->payload_offset_ + kPreambleSize + kHeaderSize + chunk * piece, file));
    unsigned long long plain_len = 0;
    unsigned char tag = 0;
    const crypto_secretstream_xchacha20poly1305_state before = state;
    if (got < kTagBytes ||
        crypto_secretstream_xchacha20poly1305_pull(
            &state, plain.data(), &plain_len, &tag, in.data(), got,
            chunk == 0 ? r->preamble_ : nullptr, chunk == 0 ? kPreambleSize : 0) != 0) {
      if (chunk == 0) {
        return std::unexpected(Error::WrongKey(file.string() +
                                               ": the payload does not open with this key, or "
                                               "its first chunk is damaged"));
      }
      stop(Error::Corruption(file.string() + ": the stored pack is damaged at chunk " +
                             std::to_string(chunk + 1) +
                             " of its payload (load the pack again from its USB stick)"));
      break;
    }
    found.clear();
    if (auto st = tracker.Feed(plain.data(), static_cast<std::size_t>(plain_len), start, found);
        !st) {
      stop(st.error().WithContext(file.string()));
      break;
    }
    for (const Tracker::Found& f : found) {
      if (!f.name.starts_with("media/")) continue;
      Entry& e = r->entries_[f.name];
      e.offset = f.offset;
      e.size = f.size;
      if (f.offset < start + plain_len) {
        // Starts inside this chunk: the state before it.
        if (!saved) {
          r->states_.push_back(before);
          saved = r->states_.size() - 1;
        }
        e.state = *saved;
      } else {
        awaiting.push_back(f.name);  // starts at the next chunk
      }
    }
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) break;
    if (got < piece) {
      stop(Error::Corruption(file.string() + ": the stored pack's payload ends before its final "
                                             "chunk (load the pack again from its USB stick)"));
      break;
    }
  }
  for (const std::string& name : awaiting) r->entries_.erase(name);  // an empty last entry
  sodium_memzero(&state, sizeof state);
  sodium_memzero(plain.data(), plain.size());
  return r;
}

std::vector<std::string> MediaReader::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, e] : entries_) names.push_back(name);
  return names;
}

// One entry's bytes, decrypting the chunks that hold them one at a time from the state saved
// before the first (each chunk authenticated as it comes), keeping one chunk of plaintext.
class MediaReader::EntrySource final : public ByteSource {
 public:
  EntrySource(const MediaReader& reader, std::string name, const Entry& entry)
      : r_(reader),
        name_(std::move(name)),
        entry_(entry),
        in_(reader.chunk_size_ + kTagBytes),
        plain_(reader.chunk_size_) {
    Restart();
  }
  ~EntrySource() override { Wipe(); }

  std::uint64_t size() const override { return entry_.size; }

  Status Rewind() override {
    Wipe();
    Restart();
    return Ok();
  }

  Result<std::size_t> Read(std::uint8_t* out, std::size_t n) override {
    std::size_t got = 0;
    while (got < n && given_ < entry_.size) {
      if (at_ == end_) LONTAR_TRY(NextChunk());
      const std::size_t take = static_cast<std::size_t>(
          std::min<std::uint64_t>({n - got, end_ - at_, entry_.size - given_}));
      std::memcpy(out + got, plain_.data() + at_, take);
      at_ += take;
      got += take;
      given_ += take;
    }
    return got;
  }

 private:
  void Restart() {
    state_ = r_.states_[entry_.state];
    chunk_ = entry_.offset / r_.chunk_size_;
    given_ = 0;
    at_ = end_ = 0;
    skip_ = static_cast<std::size_t>(entry_.offset % r_.chunk_size_);
  }
  void Wipe() {
    sodium_memzero(&state_, sizeof state_);
    sodium_memzero(plain_.data(), plain_.size());
  }
  // Decrypts the next chunk into plain_; at_..end_ are the entry's bytes in it.
  Status NextChunk() {
    const std::size_t piece = r_.chunk_size_ + kTagBytes;
    LONTAR_ASSIGN_OR_RETURN(
        std::size_t got,
        PreadFull(r_.fd_, in_.data(), piece,
                  r_.payload_offset_ + kPreambleSize + kHeaderSize + chunk_ * piece, r_.file_));
    unsigned long long plain_len = 0;
    unsigned char tag = 0;
    if (got < kTagBytes ||
        crypto_secretstream_xchacha20poly1305_pull(
            &state_, plain_.data(), &plain_len, &tag, in_.data(), got,
            chunk_ == 0 ? r_.preamble_ : nullptr, chunk_ == 0 ? kPreambleSize : 0) != 0) {
      Wipe();
      return std::unexpected(Error::Corruption(
          r_.file_.string() + ": " + name_ + " is damaged in the stored pack (chunk " +
          std::to_string(chunk_ + 1) + " of its payload fails authentication)"));
    }
    ++chunk_;
    at_ = std::min<std::size_t>(skip_, static_cast<std::size_t>(plain_len));
    end_ = static_cast<std::size_t>(plain_len);
    skip_ = 0;
    const bool last = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
    if (last && given_ + (end_ - at_) < entry_.size) {
      Wipe();
      return std::unexpected(Error::Corruption(r_.file_.string() + ": " + name_ + " is cut short"));
    }
    return Ok();
  }

  const MediaReader& r_;
  std::string name_;
  Entry entry_;
  Bytes in_, plain_;
  crypto_secretstream_xchacha20poly1305_state state_{};
  std::uint64_t chunk_ = 0;  // the next chunk to decrypt
  std::uint64_t given_ = 0;  // bytes of the entry returned so far
  std::size_t at_ = 0, end_ = 0;
  std::size_t skip_ = 0;  // bytes before the entry in its first chunk
};

Result<std::unique_ptr<ByteSource>> MediaReader::Stream(const std::string& name,
                                                        std::uint64_t max_bytes) const {
  const auto it = entries_.find(name);
  if (it == entries_.end()) {
    if (pass_error_) return std::unexpected(*pass_error_);
    return std::unexpected(Error::NotFound(file_.string() + ": no " + name + " in the pack"));
  }
  if (it->second.size > max_bytes) {
    return std::unexpected(Error::Malformed(name + " is " + std::to_string(it->second.size) +
                                            " bytes, more than " + std::to_string(max_bytes)));
  }
  return std::make_unique<EntrySource>(*this, name, it->second);
}

Result<Bytes> MediaReader::Read(const std::string& name, std::uint64_t max_bytes) const {
  LONTAR_ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> source, Stream(name, max_bytes));
  Bytes out(static_cast<std::size_t>(source->size()));
  LONTAR_ASSIGN_OR_RETURN(std::size_t got, source->Read(out.data(), out.size()));
  if (got < out.size()) {
    return std::unexpected(Error::Corruption(file_.string() + ": " + name + " is cut short"));
  }
  return out;
}

}  // namespace lontar::pack

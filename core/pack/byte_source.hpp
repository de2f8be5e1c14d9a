// A file's bytes read front to back, a piece at a time, as often as needed: how the image decoder
// (image_check.hpp) reads an image that is not in memory, such as a media entry of a released
// pack, which is decrypted one stream chunk at a time (media_reader.hpp). Reading an image this
// way holds a chunk and a buffer, never the file: a 10 MB photograph read whole was the largest
// single allocation of a kiosk's sitting.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::pack {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // How many bytes there are from the first to the last, known before any is read.
  virtual std::uint64_t size() const = 0;
  // The next bytes, at least one and at most `n`, into `out`; 0 only at the end. Errors are the
  // source's own (kCorruption for a damaged chunk of a stored pack) and end the reading.
  [[nodiscard]] virtual Result<std::size_t> Read(std::uint8_t* out, std::size_t n) = 0;
  // Back to the first byte.
  [[nodiscard]] virtual Status Rewind() = 0;
};

// Bytes already in memory (`pack build`, tests, fuzzing); they must outlive the source.
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(ByteView bytes) : bytes_(bytes) {}
  std::uint64_t size() const override { return bytes_.size(); }
  Result<std::size_t> Read(std::uint8_t* out, std::size_t n) override {
    n = std::min(n, bytes_.size() - at_);
    if (n > 0) std::memcpy(out, bytes_.data() + at_, n);
    at_ += n;
    return n;
  }
  Status Rewind() override {
    at_ = 0;
    return Ok();
  }

 private:
  ByteView bytes_;
  std::size_t at_ = 0;
};

// A ByteSource read through a fixed buffer, for readers that want a byte or a few at a time (the
// structure walks) or a view of what is there (the decoders' input callbacks).
class BufferedReader {
 public:
  explicit BufferedReader(ByteSource& source, std::size_t buffer_bytes = 32 << 10)
      : source_(source), buffer_(buffer_bytes) {}

  // Bytes taken so far (the offset in the file of the next one).
  std::uint64_t position() const { return position_; }

  // A view of the next bytes, at most `n` and at least one unless at the end (empty there); they
  // count as taken. Valid until the next call.
  [[nodiscard]] Result<ByteView> Next(std::size_t n) {
    if (at_ == end_) {
      LONTAR_ASSIGN_OR_RETURN(end_, source_.Read(buffer_.data(), buffer_.size()));
      at_ = 0;
    }
    const std::size_t take = std::min(n, end_ - at_);
    const ByteView view(buffer_.data() + at_, take);
    at_ += take;
    position_ += take;
    return view;
  }

  // The next byte without taking it: -1 at the end.
  [[nodiscard]] Result<int> Peek() {
    if (at_ == end_) {
      LONTAR_ASSIGN_OR_RETURN(end_, source_.Read(buffer_.data(), buffer_.size()));
      at_ = 0;
      if (end_ == 0) return -1;
    }
    return buffer_[at_];
  }

  // Gives back the last `n` bytes of the view Next just returned: they are read again.
  void Unread(std::size_t n) {
    at_ -= n;
    position_ -= n;
  }

  // Up to `n` bytes into `out`, fewer only at the end: how many.
  [[nodiscard]] Result<std::size_t> Read(std::uint8_t* out, std::size_t n) {
    std::size_t got = 0;
    while (got < n) {
      LONTAR_ASSIGN_OR_RETURN(ByteView piece, Next(n - got));
      if (piece.empty()) break;
      std::memcpy(out + got, piece.data(), piece.size());
      got += piece.size();
    }
    return got;
  }

 private:
  ByteSource& source_;
  Bytes buffer_;
  std::size_t at_ = 0, end_ = 0;
  std::uint64_t position_ = 0;
};

}  // namespace lontar::pack
